r"""Binary cross entropy from probabilities, with its gradient.

For a probability :math:`p` of the positive class and a target
:math:`y \in [0, 1]` (a label 0 or 1, or a soft label), the binary cross
entropy is :math:`-[y \log p + (1 - y) \log(1 - p)]` (from logits:
:mod:`xent.binary_logits`). Every function works
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

__all__ = ["binary_cross_entropy", "binary_cross_entropy_grad"]


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
    # over: y / p beyond 1.8e308 (p subnormal) rounds to inf, the float nearest the gradient
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(y < 1, (1.0 - y) / (1.0 - p), 0.0) - np.where(y > 0, y / p, 0.0)
    if weight is not None:
        g = g * weight
    return g / p.size if reduction == "mean" else g
