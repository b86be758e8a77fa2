r"""Binary cross entropy, from probabilities and from logits, with gradients.

For a probability :math:`p` of the positive class and a target
:math:`y \in [0, 1]` (a label 0 or 1, or a soft label), the binary cross
entropy is :math:`-[y \log p + (1 - y) \log(1 - p)]`. Every function works
elementwise on arrays of any shape (the batch is the first axis; a second
axis holds independent labels, as in multi-label classification).

Examples
--------
>>> import numpy as np
>>> from xent import binary_cross_entropy, binary_cross_entropy_with_logits
>>> p, y = np.array([0.9, 0.2]), np.array([1.0, 0.0])
>>> float(binary_cross_entropy(p, y))
0.16425203348601802
>>> float(binary_cross_entropy_with_logits(np.log(p / (1 - p)), y))
0.16425203348601802
"""

import numpy as np

from ._kernels import reduce_loss
from ._validation import (check_array, check_broadcast_weight, check_probabilities,
                          check_reduction, check_same_shape)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_grad",
           "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
           "binary_cross_entropy_with_logits_value_and_grad"]


def _check(first, name, x, y, weight, reduction, pos_weight=None):
    reduction = check_reduction(reduction)
    x = (check_probabilities(name, x, min_ndim=1) if first == "p"
         else check_array(name, x, min_ndim=1))
    y = check_probabilities("y", y, min_ndim=1)
    check_same_shape(name, x, "y", y)
    weight = check_broadcast_weight("weight", weight, x.shape, name)
    pos_weight = check_broadcast_weight("pos_weight", pos_weight, x.shape, name)
    return x, y, weight, pos_weight, reduction


def binary_cross_entropy(p, y, weight=None, reduction="mean"):
    r"""Binary cross entropy of probabilities *p* against targets *y*.

    Parameters
    ----------
    p : array_like
        Predicted probabilities in [0, 1], at least 1-D.
    y : array_like
        Targets in [0, 1] of the shape of *p* (labels 0/1 or soft labels).
    weight : array_like, optional
        Non-negative weights that broadcast to the shape of *p*.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` averages over all entries, ``"sum"`` adds them, ``"none"``
        returns the loss of each entry.

    Returns
    -------
    numpy.float64 or numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        For a non-numeric, empty or NaN input, a value outside [0, 1],
        mismatched shapes, a negative or mis-shaped weight, a bad *reduction*.

    Notes
    -----
    .. math:: \ell = -w\,[\,y \log p + (1 - y) \log(1 - p)\,]

    This is the exact mathematics, with :math:`0 \log 0 = 0`: a probability
    0 on a target 1 gives ``inf`` (PyTorch instead clamps the logarithm at
    -100). :math:`\log(1 - p)` is computed as ``log1p(-p)``.

    Examples
    --------
    >>> import numpy as np
    >>> binary_cross_entropy(np.array([0.5, 0.0]), np.array([1.0, 1.0]), reduction="none")
    array([0.69314718,        inf])
    """
    p, y, weight, _, reduction = _check("p", "p", p, y, weight, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(y > 0, y * np.log(p), 0.0)
        neg = np.where(y < 1, (1.0 - y) * np.log1p(-p), 0.0)
    loss = 0.0 - pos - neg  # not -(pos + neg), which would print -0.0
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def binary_cross_entropy_grad(p, y, weight=None, reduction="mean"):
    r"""Gradient of :func:`binary_cross_entropy` with respect to *p*.

    Same parameters and errors. For ``reduction="none"`` it is the gradient
    of the sum. :math:`\partial \ell / \partial p = w\,[(1-y)/(1-p) - y/p]`
    (``-inf`` / ``+inf`` where the loss is infinite).

    Examples
    --------
    >>> import numpy as np
    >>> binary_cross_entropy_grad(np.array([0.5, 0.9]), np.array([1.0, 0.0]), reduction="sum")
    array([-2., 10.])
    """
    p, y, weight, _, reduction = _check("p", "p", p, y, weight, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(y < 1, (1.0 - y) / (1.0 - p), 0.0) - np.where(y > 0, y / p, 0.0)
    if weight is not None:
        g = g * weight
    return g / p.size if reduction == "mean" else g


def _bce_logits(s, y, weight, pos_weight, reduction, value=True, grad=True):
    s, y, weight, pos_weight, reduction = _check("s", "s", s, y, weight, reduction, pos_weight)
    e = np.exp(-np.abs(s))
    out_loss = out_grad = None
    if value:
        log1pe = np.log1p(e)
        sp_pos = np.maximum(s, 0.0) + log1pe        # softplus(s)  = -log(1 - sigmoid(s))
        sp_neg = np.maximum(-s, 0.0) + log1pe       # softplus(-s) = -log(sigmoid(s))
        py = y if pos_weight is None else pos_weight * y
        loss = py * sp_neg + (1.0 - y) * sp_pos
        if weight is not None:
            loss = loss * weight
        out_loss = reduce_loss(loss, reduction)
    if grad:
        # (1 - y) sigmoid(s) - pw y sigmoid(-s): no 1 - 1 cancellation for a confident right answer
        sig_pos = np.where(s >= 0, 1.0, e) / (1.0 + e)
        sig_neg = np.where(s >= 0, e, 1.0) / (1.0 + e)
        py = y if pos_weight is None else pos_weight * y
        g = (1.0 - y) * sig_pos - py * sig_neg
        if weight is not None:
            g = g * weight
        out_grad = g / s.size if reduction == "mean" else g
    return out_loss, out_grad


def binary_cross_entropy_with_logits(s, y, weight=None, pos_weight=None, reduction="mean"):
    r"""Binary cross entropy of :math:`\sigma(s)` against *y*, computed from the logits *s*.

    Parameters
    ----------
    s : array_like
        Finite logits (scores), at least 1-D.
    y : array_like
        Targets in [0, 1] of the shape of *s*.
    weight : array_like, optional
        Non-negative weights broadcasting to the shape of *s*.
    pos_weight : array_like, optional
        Non-negative weight of the positive term, broadcasting to the shape
        of *s* (one per label column, as in PyTorch).
    reduction : {"mean", "sum", "none"}
        ``"mean"`` averages over all entries (the weights do not divide).

    Returns
    -------
    numpy.float64 or numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        As for :func:`binary_cross_entropy`; *s* must be finite.

    Notes
    -----
    With :math:`\operatorname{softplus}(x) = \log(1 + e^x) = \max(x, 0) + \log1p(e^{-|x|})`,

    .. math:: \ell = w\,[\,p_w\,y \operatorname{softplus}(-s)
              + (1 - y) \operatorname{softplus}(s)\,],

    which equals PyTorch's ``binary_cross_entropy_with_logits`` and is exact
    to a few ulp: both terms are non-negative, so nothing cancels.

    Examples
    --------
    >>> import numpy as np
    >>> binary_cross_entropy_with_logits(np.array([-40.0, 800.0]), np.array([0.0, 0.0]),
    ...                                  reduction="none")
    array([4.24835426e-18, 8.00000000e+02])
    """
    return _bce_logits(s, y, weight, pos_weight, reduction, grad=False)[0]


def binary_cross_entropy_with_logits_grad(s, y, weight=None, pos_weight=None, reduction="mean"):
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to *s*.

    Same parameters and errors; for ``reduction="none"``, the gradient of the sum.
    :math:`\partial \ell / \partial s = w\,[(1 - y)\,\sigma(s) - p_w\, y\, \sigma(-s)]`,
    which is :math:`w\,(\sigma(s) - y)` without *pos_weight*; computed in the
    first form, so that a confidently right answer keeps a tiny, exact gradient.

    Examples
    --------
    >>> import numpy as np
    >>> binary_cross_entropy_with_logits_grad(np.array([0.0, 2.0]), np.array([1.0, 0.0]),
    ...                                       reduction="sum")
    array([-0.5       ,  0.88079708])
    """
    return _bce_logits(s, y, weight, pos_weight, reduction, value=False)[1]


def binary_cross_entropy_with_logits_value_and_grad(s, y, weight=None, pos_weight=None,
                                                    reduction="mean"):
    """Both :func:`binary_cross_entropy_with_logits` and its gradient, as ``(loss, grad)``.

    Same parameters and errors; one ``exp`` per entry serves both.

    Examples
    --------
    >>> import numpy as np
    >>> loss, grad = binary_cross_entropy_with_logits_value_and_grad(
    ...     np.array([0.0, 3.0]), np.array([1.0, 1.0]), reduction="sum")
    >>> float(loss), grad
    (0.7417345321336873, array([-0.5       , -0.04742587]))
    """
    return _bce_logits(s, y, weight, pos_weight, reduction)
