"""Activations that turn scores into probabilities: sigmoid and softmax.

``sigmoid`` maps one score to a probability; ``softmax`` maps a row of scores
(logits) to a probability distribution. ``log_softmax`` and ``logsumexp`` are
their logarithmic companions, computed without overflow for any finite input
and exact to a few ulp (see :mod:`xent._kernels`).

Examples
--------
>>> import numpy as np
>>> from xent import sigmoid, softmax, log_softmax, logsumexp
>>> sigmoid(np.array([-2.0, 0.0, 2.0]))
array([0.11920292, 0.5       , 0.88079708])
>>> softmax(np.array([1.0, 2.0, 3.0]))
array([0.09003057, 0.24472847, 0.66524096])
>>> log_softmax(np.array([1000.0, 0.0]))
array([ 0., -1000.])
>>> float(logsumexp(np.array([1e4, 1e4])))
10000.69314718056
"""

import numpy as np

from ._kernels import LseBlock, row_blocks, row_broadcasts
from ._validation import check_array

__all__ = ["sigmoid", "softmax", "log_softmax", "logsumexp"]


def sigmoid(s):
    r"""The logistic function :math:`\sigma(s) = 1 / (1 + e^{-s})`, elementwise.

    Parameters
    ----------
    s : array_like
        Scores of any shape (a scalar too); ``-inf`` and ``+inf`` give 0 and 1.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Probabilities in [0, 1], of the shape of *s*.

    Raises
    ------
    TypeError
        If *s* is not real and numeric.
    ValueError
        If *s* is empty or contains NaN.

    Notes
    -----
    Computed as :math:`1/(1+e^{-|s|})` for :math:`s \ge 0` and
    :math:`e^{-|s|}/(1+e^{-|s|})` for :math:`s < 0`, so ``exp`` never overflows.

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-800.0, 0.0, 40.0]))
    array([0. , 0.5, 1. ])
    >>> float(sigmoid(-40.0))
    4.248354255291589e-18
    """
    s = check_array("s", s, pos_inf=True, neg_inf=True)
    e = np.exp(-np.abs(s))
    out = np.where(s >= 0, 1.0, e) / (1.0 + e)
    return out[()] if out.ndim == 0 else out


def _rows(name, s, axis):
    """Check *s* and return it as C-contiguous rows along *axis*."""
    s = check_array(name, s, min_ndim=1, neg_inf=True)  # finite rows: checked below
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer; got {type(axis).__name__} {axis!r}")
    if not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis {axis!r} is out of range for {name} of shape {s.shape}")
    moved = np.moveaxis(s, axis, -1)
    rows = np.ascontiguousarray(moved).reshape(-1, moved.shape[-1])
    if not np.isfinite(rows).any(axis=1).all():
        raise ValueError(f"{name}: every slice along axis {axis} needs a finite entry "
                         "(a row of -inf has no softmax)")
    return rows, moved.shape


def _apply(name, s, axis, kind):
    rows, shape = _rows(name, s, axis)
    out = np.empty_like(rows)
    lse = np.empty(rows.shape[0])
    kern = LseBlock(rows.shape[1])
    with row_broadcasts():
        for b in row_blocks(*rows.shape):
            _, m, t = kern.run(rows[b], out[b])
            ell = np.log1p(t)
            if kind == "log_softmax":
                np.subtract(kern.x, ell[:, None], out=out[b])
                out[b] += kern.lo
            elif kind == "softmax":
                out[b] += out[b] * kern.lo
                out[b] /= (1.0 + t)[:, None]
            else:
                lse[b] = m + ell
    if kind == "logsumexp":
        res = lse.reshape(shape[:-1])
        return res[()] if res.ndim == 0 else res
    return np.moveaxis(out.reshape(shape), -1, axis)


def softmax(s, axis=-1):
    r"""The softmax :math:`p_j = e^{s_j} / \sum_k e^{s_k}` along *axis*.

    Parameters
    ----------
    s : array_like
        Logits, at least 1-D. ``-inf`` marks a masked class (probability 0);
        ``+inf`` and NaN are refused, and each slice needs a finite entry.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    numpy.ndarray
        Probabilities of the shape of *s*, summing to 1 along *axis*.

    Raises
    ------
    TypeError, ValueError
        For a non-numeric, empty or NaN input, ``+inf``, a slice without a
        finite entry, or a bad *axis*.

    Notes
    -----
    Shift-invariant, :math:`\operatorname{softmax}(s + c) = \operatorname{softmax}(s)`;
    computed as :math:`e^{s_j - m} / \sum_k e^{s_k - m}` with :math:`m = \max_k s_k`.

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([[1.0, 2.0], [0.0, -np.inf]]))
    array([[0.26894142, 0.73105858],
           [1.        , 0.        ]])
    """
    return _apply("s", s, axis, "softmax")


def log_softmax(s, axis=-1):
    r"""The logarithm of :func:`softmax`, :math:`s_j - \operatorname{logsumexp}(s)`.

    Parameters
    ----------
    s : array_like
        Logits, at least 1-D, as for :func:`softmax`.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    numpy.ndarray
        Log-probabilities of the shape of *s* (``-inf`` for a masked class).

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax`.

    Notes
    -----
    Computed as :math:`(s_j - m) - \log1p(\sum_{k \ne k^*} e^{s_k - m})`, with
    :math:`m = s_{k^*}` the maximum, and with the rounding error of
    :math:`s_j - m` restored: every entry is within a few ulp of the exact
    value, even when it is as small as :math:`-10^{-18}`.

    Examples
    --------
    >>> import numpy as np
    >>> log_softmax(np.array([40.0, 0.0]))  # log(1 + e^-40) is not rounded to 0
    array([-4.24835426e-18, -4.00000000e+01])
    """
    return _apply("s", s, axis, "log_softmax")


def logsumexp(s, axis=-1):
    r""":math:`\log \sum_j e^{s_j}` along *axis*, without overflow.

    Parameters
    ----------
    s : array_like
        Logits, at least 1-D, as for :func:`softmax`.
    axis : int, default -1
        The axis to reduce.

    Returns
    -------
    numpy.ndarray or numpy.float64
        The shape of *s* without *axis* (a NumPy scalar for a 1-D input).

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax`.

    Notes
    -----
    :math:`\operatorname{logsumexp}(s) = m + \log1p(\sum_{k \ne k^*} e^{s_k - m})`
    where :math:`m = s_{k^*} = \max_k s_k`.

    Accuracy: the two terms are each exact to about an ulp, so the error is
    at most a few ulp of :math:`|m| + \log1p(T)` (the tests pin
    :math:`4u\,(|m| + \log1p(T))` against mpmath, :math:`u = 2^{-53}`). That is
    4 ulp of the result unless the two terms cancel: for a negative maximum
    and a result near 0, say :math:`s = (-a, -a - \log(e^{a} - 1))`, whose
    logsumexp is 0, the relative error can reach about
    :math:`4u\,(|m| + \log1p(T)) / |\operatorname{logsumexp}(s)|`. That is at
    most twice the condition number of the problem itself,
    :math:`\kappa = \sum_j p_j |s_j| / |\operatorname{logsumexp}(s)|` (:math:`p` the
    softmax), times :math:`4u`: half an ulp of change in the logits changes the
    exact result by :math:`u\kappa/2` relative, so no method that takes the
    rounded logits does better than that order.

    Examples
    --------
    >>> import numpy as np
    >>> logsumexp(np.array([[0.0, 0.0], [1e300, 1e300]]))
    array([6.93147181e-001, 1.00000000e+300])
    """
    return _apply("s", s, axis, "logsumexp")
