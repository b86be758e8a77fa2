r"""Gradient checking as practitioners run it: entry-wise relative error, sampled coordinates.

:func:`xent.gradcheck` compares a whole gradient with central differences.
For a model with many parameters, ``2 x.size`` evaluations of the loss are too
many; ``sampled_gradcheck`` checks a random subset of the coordinates, each by
the entry-wise relative error :math:`|a - n| / \max(|a|, |n|)` of
``relative_error``, as CS231n teaches it.

Examples
--------
>>> import numpy as np
>>> from xent import sampled_gradcheck
>>> f = lambda z: float(np.sum(np.sin(z)))
>>> err = sampled_gradcheck(f, np.cos, np.linspace(0, 1, 1000), n_coords=20, seed=0)
>>> err.shape, bool(err.max() < 1e-8)
((20,), True)
"""

import numbers

import numpy as np

from ._validation import check_array, check_positive
from .gradcheck import GRADCHECK_EPS

__all__ = ["relative_error", "sampled_gradcheck"]


def relative_error(analytic, numerical):
    r"""Entry-wise relative error :math:`|a - n| / \max(|a|, |n|)`, 0 where both are 0.

    Parameters
    ----------
    analytic, numerical : array_like
        Two finite arrays of the same shape.

    Returns
    -------
    numpy.ndarray
        Of their shape, in [0, 2]: 2 for entries of equal size and opposite signs.

    Raises
    ------
    TypeError, ValueError
        For non-numeric or non-finite arrays, or arrays of different shapes.

    Examples
    --------
    >>> relative_error([1.0, 0.0, -1.0, 4.0], [1.0, 0.0, 1.0, 5.0])
    array([0. , 0. , 2. , 0.2])
    """
    a = check_array("analytic", analytic)
    n = check_array("numerical", numerical)
    if a.shape != n.shape:
        raise ValueError(f"numerical must have the shape of analytic, {a.shape}; got {n.shape}")
    scale = np.maximum(np.abs(a), np.abs(n))
    diff = np.abs(a - n)
    return np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)


def sampled_gradcheck(f, grad, x, n_coords, seed=0, eps=GRADCHECK_EPS):
    r"""Relative errors of *grad* against central differences at *n_coords* random coordinates.

    Parameters
    ----------
    f : callable
        A scalar function of an array of the shape of *x*.
    grad : callable
        Its claimed gradient, evaluated once at *x*.
    x : array_like
        The point, finite; not modified.
    n_coords : int
        How many distinct coordinates to check, drawn without replacement
        (at most ``x.size``).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng` that draws them.
    eps : float, default 1e-5
        The step of the central differences.

    Returns
    -------
    numpy.ndarray, shape (n_coords,)
        :func:`relative_error` of each checked entry (``2 * n_coords`` calls of *f*).

    Raises
    ------
    TypeError, ValueError
        If *f* or *grad* is not callable, *f* returns a non-scalar, *grad*
        returns the wrong shape, *x* is not finite, *eps* is not positive, or
        *n_coords* is not an integer in ``[1, x.size]``.

    Examples
    --------
    >>> x = np.array([0.5, -1.0, 2.0])
    >>> wrong = lambda z: 2 * np.exp(z)
    >>> sampled_gradcheck(lambda z: float(np.sum(np.exp(z))), wrong, x, 2).round(3)
    array([0.5, 0.5])
    """
    if not callable(f) or not callable(grad):
        raise TypeError("f and grad must be callable")
    x = check_array("x", x).copy()
    eps = check_positive("eps", eps)
    if isinstance(n_coords, bool) or not isinstance(n_coords, numbers.Integral):
        raise TypeError(f"n_coords must be an integer; got {type(n_coords).__name__}")
    if not 1 <= n_coords <= x.size:
        raise ValueError(f"n_coords must be in [1, {x.size}] (x.size); got {n_coords}")
    g = np.asarray(grad(x.copy()), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad must return an array of shape {x.shape}; got {g.shape}")
    picks = np.random.default_rng(seed).choice(x.size, size=int(n_coords), replace=False)
    flat = x.reshape(-1)
    num = np.empty(picks.size)
    for k, i in enumerate(picks):
        old = flat[i]
        values = []
        for step in (eps, -eps):
            flat[i] = old + step
            value = np.asarray(f(x))
            if value.shape != ():
                raise ValueError(f"f must return a scalar; got shape {value.shape}")
            values.append(float(value))
        flat[i] = old
        num[k] = (values[0] - values[1]) / (2.0 * eps)
    return relative_error(g.reshape(-1)[picks], num)
