r"""Cross entropy of predicted probabilities against a target, with its gradient.

This is the loss of the article's section 1.3, computed from probabilities
exactly as written. Models usually produce logits; for them
:func:`xent.cross_entropy_with_logits` is both exact and stable, and
``cross_entropy(softmax(s), t)`` equals ``cross_entropy_with_logits(s, t)``.

Examples
--------
>>> from xent import article, cross_entropy
>>> cross_entropy(article.MODEL1, article.LABELS, reduction="none")
array([0.91629073, 0.91629073, 2.30258509])
>>> float(cross_entropy(article.MODEL2, article.LABELS))
0.6391075640678003
"""

import numpy as np

from ._kernels import reduce_loss
from ._validation import (check_class_target, check_class_weight, check_probabilities,
                          check_reduction)

__all__ = ["cross_entropy", "cross_entropy_grad"]


def _prepare(probs, target, weight, reduction):
    """Checked inputs, the coefficient matrix ``a`` and the mean's denominator."""
    reduction = check_reduction(reduction)
    probs = check_probabilities("probs", probs, ndim=2)
    n, c = probs.shape
    kind, target = check_class_target("target", target, probs.shape)
    weight = check_class_weight("weight", weight, c)
    w = np.ones(c) if weight is None else weight
    if kind == "index":
        a = np.zeros((n, c))
        a[np.arange(n), target] = w[target]
        denominator = w[target].sum()
    else:
        a = target * w
        denominator = n
    return probs, a, denominator, reduction


def cross_entropy(probs, target, weight=None, reduction="mean"):
    r"""Cross entropy :math:`-\sum_j t_j \log q_j` of probabilities *probs*.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probabilities in [0, 1]. Rows are used as given (they are
        not renormalised), so that the gradient can be checked entry by entry.
    target : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or probability rows summing to 1.
    weight : array_like, shape (C,), optional
        Non-negative class weights.
    reduction : {"mean", "sum", "none"}
        With labels, ``"mean"`` divides the sum by :math:`\sum_n w_{y_n}` (by
        :math:`N` without weights), as PyTorch does; with probability rows it
        divides by :math:`N`. A total weight of 0 gives a NaN mean, whose
        gradient is 0.

    Returns
    -------
    numpy.float64 or numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty or NaN inputs, probabilities outside [0, 1],
        mismatched shapes, non-integer or out-of-range labels, target rows not
        summing to 1, a negative or mis-shaped weight, a bad *reduction*.

    Notes
    -----
    .. math:: \ell_n = -\sum_j w_j\, t_{nj} \log q_{nj}
              \quad(\ell_n = -w_{y_n} \log q_{n y_n} \text{ for a label } y_n)

    The mathematics, with :math:`0 \log 0 = 0`: a zero probability on a class
    of positive target gives ``inf``, never a clamped value.

    Examples
    --------
    >>> import numpy as np
    >>> cross_entropy(np.array([[0.0, 1.0], [0.5, 0.5]]), np.array([0, 1]), reduction="none")
    array([       inf, 0.69314718])
    """
    probs, a, denominator, reduction = _prepare(probs, target, weight, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * np.log(probs), 0.0)
    return reduce_loss(0.0 - terms.sum(axis=1), reduction, denominator)


def cross_entropy_grad(probs, target, weight=None, reduction="mean"):
    r"""Gradient of :func:`cross_entropy` with respect to *probs*.

    Same parameters and errors; for ``reduction="none"``, the gradient of the
    sum. :math:`\partial \ell_n / \partial q_{nj} = -w_j t_{nj} / q_{nj}`
    (zero where :math:`t_{nj} = 0`, ``-inf`` where :math:`q_{nj} = 0 < t_{nj}`).

    Examples
    --------
    >>> import numpy as np
    >>> cross_entropy_grad(np.array([[0.25, 0.75]]), np.array([1]))
    array([[ 0.        , -1.33333333]])
    """
    probs, a, denominator, reduction = _prepare(probs, target, weight, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(a > 0, -a / probs, 0.0)
        if reduction != "mean":
            return g
        return g / denominator if denominator != 0 else np.zeros_like(g)  # the NaN mean's 0
