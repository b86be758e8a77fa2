r"""Binary cross entropy from logits: stable, exact, and PyTorch's semantics.

``binary_cross_entropy_with_logits(s, y)`` is :func:`xent.binary_cross_entropy`
of :math:`\sigma(s)`, computed from the logit :math:`s` through the softplus
:math:`\log(1 + e^{s})` without ever forming :math:`\sigma(s)`: finite for any
finite *s*, and equal to PyTorch's ``binary_cross_entropy_with_logits`` for
every combination of ``weight``, ``pos_weight`` and ``reduction``.

Examples
--------
>>> import numpy as np
>>> from xent import binary_cross_entropy_with_logits
>>> float(binary_cross_entropy_with_logits(np.array([40.0, -800.0]), np.array([1.0, 0.0])))
2.1241771276457944e-18
"""

import numpy as np

from ._kernels import reduce_loss
from .binary import _check

__all__ = ["binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
           "binary_cross_entropy_with_logits_value_and_grad"]


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
