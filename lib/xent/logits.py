r"""Cross entropy from logits: the loss of a softmax classifier, as PyTorch defines it.

``cross_entropy_with_logits(s, t)`` is :func:`xent.cross_entropy` of
``softmax(s)``, computed without forming the probabilities: stable for any
finite logits, exact to a few ulp, and equal to PyTorch's
``torch.nn.functional.cross_entropy`` for every combination of ``weight``,
``ignore_index``, ``label_smoothing`` and ``reduction``.

Examples
--------
>>> import numpy as np
>>> from xent import cross_entropy_with_logits
>>> s = np.array([[2.0, 0.0, -1.0], [40.0, 0.0, 0.0]])
>>> cross_entropy_with_logits(s, np.array([0, 0]), reduction="none")
array([1.69846020e-01, 8.49670851e-18])
>>> float(cross_entropy_with_logits(s, np.array([0, 0]), label_smoothing=0.1))
1.5015896764448096
"""

import numpy as np

from ._ce_blocks import general_block, labels_block
from ._kernels import BLOCK, LseBlock, pairwise_depth, reduce_loss, row_blocks, row_broadcasts
from ._validation import (check_array, check_class_target, check_class_weight,
                          check_ignore_index, check_label_smoothing, check_reduction)

__all__ = ["cross_entropy_with_logits", "cross_entropy_with_logits_grad",
           "cross_entropy_with_logits_value_and_grad"]


def _check(logits, target, weight, ignore_index, label_smoothing, reduction):
    reduction = check_reduction(reduction)
    # NaN and +inf are found by the blocks' own pass for the maxima (see _ce), not by a pass here
    s = check_array("logits", logits, ndim=2, neg_inf=True, finite_rows=True, values=False)
    ignore_index = check_ignore_index(ignore_index)
    eps = check_label_smoothing(label_smoothing)
    kind, t = check_class_target("target", target, s.shape, ignore_index)
    weight = check_class_weight("weight", weight, s.shape[1])
    return s, kind, t, weight, ignore_index, eps, reduction


def _ce(logits, target, weight, ignore_index, label_smoothing, reduction, want_grad):
    s, kind, t, weight, ignore_index, eps, reduction = _check(
        logits, target, weight, ignore_index, label_smoothing, reduction)
    n, c = s.shape
    w = np.ones(c) if weight is None else weight
    if kind == "index":  # ignored samples get label 0 and weight 0
        keep = t != ignore_index
        y = np.where(keep, t, 0)
        wy = np.where(keep, w[y], 0.0)
        denominator = wy.sum()
    else:
        denominator = float(n)
    scale = 1.0
    if reduction == "mean":  # a total weight of 0: the mean is NaN, its gradient 0 (see Returns)
        scale = 0.0 if denominator == 0 else 1.0 / np.float64(denominator)

    loss = np.empty(n)
    grad = np.empty((n, c)) if want_grad else None
    kern = LseBlock(c)
    gamma = min(4.0, pairwise_depth(c))  # the sum's error, in units of u T (see _kernels)
    scratch = None if want_grad else np.empty((min(n, max(1, BLOCK // c)), c))
    with np.errstate(over="ignore", invalid="ignore"), row_broadcasts():  # inf: a loss > 1.8e308
        for b in row_blocks(n, c):
            sb = s[b]
            # the arg max of each row and its maximum m; np.argmax returns the first NaN of a
            # row, so m is finite if and only if the row has no NaN, no +inf and a finite entry
            k = sb.argmax(axis=1)
            m = sb[kern.rows[:sb.shape[0]], k]
            if not np.isfinite(m).all():
                _refuse(logits)
            e = grad[b] if want_grad else scratch[:sb.shape[0]]
            if kind == "index" and eps == 0.0:
                loss[b] = labels_block(kern, sb, e, y[b], None if weight is None else wy[b],
                                        scale, gamma, want_grad, k, m)
                continue
            if kind == "index":  # a_nj = w_j ((1 - eps) [j = y_n] + eps / C)
                a = np.outer(keep[b], (eps / c) * w)
                a[np.arange(sb.shape[0]), y[b]] += (1.0 - eps) * wy[b]
            else:
                a = ((1.0 - eps) * t[b] + eps / c) * w
            loss[b] = general_block(kern, sb, e, a, scale, want_grad, k, m)
    if kind == "index" and not keep.all():  # ignored samples add nothing, even to a NaN mean
        loss[~keep] = 0.0
        if want_grad:
            grad[~keep] = 0.0
    return reduce_loss(loss, reduction, denominator), grad


def _refuse(logits):
    """Raise the error of :func:`check_array` for logits holding NaN, ``+inf`` or a row of ``-inf``."""
    check_array("logits", logits, ndim=2, neg_inf=True, finite_rows=True)
    raise ValueError("logits must be finite, or -inf for a masked class")  # not reached


def cross_entropy_with_logits(logits, target, weight=None, ignore_index=-100,
                              label_smoothing=0.0, reduction="mean"):
    r"""Cross entropy of ``softmax(logits)`` against *target*, computed from the logits.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Scores. ``-inf`` marks a masked class; ``+inf`` and NaN are refused,
        and every row needs a finite entry.
    target : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)`` (or equal to *ignore_index*), or
        probability rows summing to 1.
    weight : array_like, shape (C,), optional
        Non-negative class weights.
    ignore_index : int, default -100
        Samples whose label equals it add nothing, and do not count in the
        mean. Only for labels (ignored with probability targets, as in PyTorch).
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution:
        :math:`t \to (1 - \varepsilon)\, t + \varepsilon / C`.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` divides the sum by the total weight :math:`\sum_n w_{y_n}`
        of the non-ignored samples (their number without *weight*) for labels,
        and by :math:`N` for probability targets. If that total is 0 (all
        samples ignored, or every label's class weight 0), the mean is NaN,
        as in PyTorch, with or without label smoothing, and its gradient is 0.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The reduced loss, or the loss of each sample (0 for ignored ones).

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty or NaN inputs, ``+inf`` logits, mismatched
        shapes, non-integer or out-of-range labels, target rows outside
        [0, 1] or not summing to 1, a negative or mis-shaped weight, a
        *label_smoothing* outside [0, 1], a bad *reduction*.

    Notes
    -----
    With :math:`\log q_{nj} = s_{nj} - \operatorname{logsumexp}(s_n)` and the
    smoothed target :math:`t'`,

    .. math:: \ell_n = -\sum_j w_j\, t'_{nj} \log q_{nj}, \qquad
              \ell_n = (1 - \varepsilon)\, w_{y_n} (-\log q_{n y_n})
                       + \frac{\varepsilon}{C} \sum_j w_j (-\log q_{nj})
              \text{ for a label } y_n .

    Computed as :math:`A_n \log1p(T_n) - \sum_j a_{nj} x_{nj}` with
    :math:`x = s - \max s`, a sum of two non-negative terms, so that even a
    loss of :math:`10^{-18}` keeps all its digits (a naive
    ``logsumexp(s) - s[y]`` returns 0). For plain labels and logits within
    :math:`\pm 600` (or a row maximum in :math:`[0, 600]`),
    :math:`T_n = e^{-m_n} \sum_{j \ne k} e^{s_{nj}}`, whose
    exponentials take exact arguments (:math:`s - m` would round). A zero
    target, or a zero class weight, on a masked class contributes 0 to the
    loss and the gradient, for a label as for its one-hot row (PyTorch would
    give NaN there).

    Examples
    --------
    >>> import numpy as np
    >>> s, y = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]]), np.array([0, 2])
    >>> cross_entropy_with_logits(s, y, reduction="none")
    array([0.16984602, 0.15200838])
    >>> float(cross_entropy_with_logits(s, np.array([0, -100])))  # the second is ignored
    0.16984601955628567
    >>> float(cross_entropy_with_logits(s, y, weight=np.array([1.0, 1.0, 3.0])))
    0.15646779318242268
    """
    return _ce(logits, target, weight, ignore_index, label_smoothing, reduction, False)[0]


def cross_entropy_with_logits_grad(logits, target, weight=None, ignore_index=-100,
                                   label_smoothing=0.0, reduction="mean"):
    r"""Gradient of :func:`cross_entropy_with_logits` with respect to *logits*.

    Same parameters and errors; for ``reduction="none"``, the gradient of the
    sum. Row by row, :math:`\partial \ell_n / \partial s_{nj} = A_n q_{nj} - a_{nj}`
    with :math:`a_{nj} = w_j t'_{nj}` and :math:`A_n = \sum_j a_{nj}`, which is
    :math:`q_{nj} - [j = y_n]` for a plain label.

    Examples
    --------
    >>> import numpy as np
    >>> cross_entropy_with_logits_grad(np.array([[0.0, 0.0]]), np.array([1]))
    array([[ 0.5, -0.5]])
    """
    return _ce(logits, target, weight, ignore_index, label_smoothing, reduction, True)[1]


def cross_entropy_with_logits_value_and_grad(logits, target, weight=None, ignore_index=-100,
                                             label_smoothing=0.0, reduction="mean"):
    """Both :func:`cross_entropy_with_logits` and its gradient, ``(loss, grad)``, in one pass.

    Same parameters and errors. The gradient buffer first receives
    ``exp(logits - max)``, which is then scaled into place: one ``exp`` per
    logit, in cache-sized blocks of rows. The results equal those of the two
    separate functions exactly.

    Examples
    --------
    >>> import numpy as np
    >>> s, y = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]]), np.array([0, 2])
    >>> loss, grad = cross_entropy_with_logits_value_and_grad(s, y)
    >>> float(loss)
    0.16092720197371035
    >>> grad
    array([[-0.07810263,  0.0570976 ,  0.02100503],
           [ 0.03525473,  0.03525473, -0.07050946]])
    """
    return _ce(logits, target, weight, ignore_index, label_smoothing, reduction, True)
