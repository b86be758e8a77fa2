"""Private: one block of rows of :func:`xent.cross_entropy_with_logits`, loss and gradient.

``labels_block`` serves plain integer labels; ``general_block`` probability
targets, label smoothing included. Both write the gradient into *e*, the
block's rows of the output, and return the loss of each row. The kernels they
stand on, an exact log-sum-exp and exact row sums, are in :mod:`xent._kernels`.
"""

import math

import numpy as np

from ._kernels import row_sum

__all__ = ["RANGE", "labels_block", "general_block"]


#: Logits within +-RANGE take the unshifted path of :func:`labels_block`: exp(s) neither
#: overflows nor leaves the normal range, and the sum of C < 1e47 such terms stays finite.
RANGE = 600.0


def labels_block(kern, sb, e, y, wy, scale, gamma, want_grad, k, m):
    """Rows with plain labels: ``loss = w_y ((m - s_y) + log1p(T))``, ``grad = w_y (q - onehot)``.

    ``wy`` is None without class weights; ``scale`` is 1 or 1 / denominator;
    ``k`` and ``m`` are the arg max and the maximum of each row.
    Each row takes the unshifted path if its own logits allow it (see
    :func:`_unshifted_rows`), so that a row's results never depend on the
    other rows of its batch. A zero weight gives a zero loss and gradient, even
    on a ``-inf`` logit (as the one-hot target of the same sample does).
    """
    # the common case, decided from the maxima alone (or with one more reduction)
    if m.max() <= RANGE and (m.min() >= 0.0 or sb.min() >= -RANGE):
        loss = _labels_block_unshifted(kern, sb, e, y, wy, scale, gamma, want_grad, k, m)
        if wy is None:
            return loss
        with np.errstate(invalid="ignore"):
            return np.where(wy == 0.0, 0.0, loss * wy)  # 0 * inf (a -inf true logit) counts as 0
    inside = _unshifted_rows(sb, m)
    if inside.all():
        loss = _labels_block_unshifted(kern, sb, e, y, wy, scale, gamma, want_grad, k, m)
    elif not inside.any():
        loss = _labels_block_shifted(kern, sb, e, y, wy, scale, gamma, want_grad, k, m)
    else:  # a block of both kinds of rows: each part on its own rows
        loss = np.empty(sb.shape[0])
        for part, run in ((np.flatnonzero(inside), _labels_block_unshifted),
                          (np.flatnonzero(~inside), _labels_block_shifted)):
            sub_e = np.empty((part.size, sb.shape[1]))
            loss[part] = run(kern, sb[part], sub_e, y[part], None if wy is None else wy[part],
                             scale, gamma, want_grad, k[part], m[part])
            if want_grad:
                e[part] = sub_e
    if wy is None:
        return loss
    with np.errstate(invalid="ignore"):
        return np.where(wy == 0.0, 0.0, loss * wy)  # 0 * inf (a -inf true logit) counts as 0


def _unshifted_rows(sb, m):
    """Rows whose ``exp(s_j)`` serve the unshifted path: ``m <= RANGE`` (no overflow), and
    either every logit ``>= -RANGE`` (every ``exp(s_j)`` a normal number) or ``m >= 0``.

    With ``m >= 0``, ``q_j = exp(s_j) exp(-m) / (1 + T) <= exp(s_j)``: an ``exp(s_j)``
    below the normal range (``s_j < -708``, or a masked ``-inf``) stands for a ``q_j``
    below it too, and costs it at most its last place there, as ``exp(s_j - m)`` does on
    the shifted path. Only rows whose maximum is negative need their minimum.
    """
    inside = m <= RANGE
    low = np.flatnonzero(inside & (m < 0.0))
    if low.size:
        inside[low] = sb[low].min(axis=1) >= -RANGE
    return inside


def _labels_block_unshifted(kern, sb, e, y, wy, scale, gamma, want_grad, k, m):
    """:func:`labels_block` for rows within +-RANGE: ``exp`` of the logits, exact arguments."""
    r = sb.shape[0]
    rows = kern.rows[:r]
    # T = exp(-m) sum_{j != k} exp(s_j): the arguments of exp are exact, unlike s_j - m
    np.exp(sb, out=e)
    e[rows, k] = 0.0
    big_s = e.sum(axis=1)
    e_m = np.fromiter(map(math.exp, -m), float, r)  # exp(-m) to about half an ulp
    tt = big_s * e_m
    d = m - sb[rows, y]
    loss = d + np.log1p(tt)
    fine = gamma * tt <= (1.0 + tt) * loss  # else the sum's error could cost > 1 u
    n_fine = np.count_nonzero(fine)
    if n_fine == 0:  # every row redone (a confident model's block): no indexing
        tt = row_sum(e, kern.scratch(r)[1], big_s) * e_m
        loss = d + np.log1p(tt)
    elif n_fine < r:
        redo = np.flatnonzero(~fine)
        copy, tmp, _ = kern.scratch(redo.size)
        sub = np.take(e, redo, axis=0, out=copy)
        tt[redo] = row_sum(sub, tmp, big_s[redo]) * e_m[redo]
        loss[redo] = d[redo] + np.log1p(tt[redo])
    if want_grad:  # q_j = exp(s_j) exp(-m) / (1 + T); the maximum's own q_k = 1 / (1 + T)
        _labels_grad(e, k, y, scale, wy, tt, e_m, rows)
    return loss


def _labels_block_shifted(kern, sb, e, y, wy, scale, gamma, want_grad, k, m):
    """:func:`labels_block` for logits beyond +-RANGE: ``exp(s - m)``, its rounding corrected."""
    r = sb.shape[0]
    rows = np.arange(r)
    k, m, tt, bound = kern.run_quick(sb, e, k, m)  # e = exp(s - m), tt = sum of e without the max
    d = m - sb[rows, y]
    loss = d + np.log1p(tt)
    # the exact T where the rounding of x and of the sum could cost over 1 u of the loss
    redo = np.flatnonzero(~((bound + gamma * tt) <= (1.0 + tt) * loss))
    if redo.size:
        tt[redo] = kern.exact_t(sb, m, k, e, tt, redo)
        loss[redo] = d[redo] + np.log1p(tt[redo])
    if want_grad:  # q_j = exp(s_j - m) / (1 + T), e_k = exp(0) = 1 already
        kern.restore_shift(sb, m, e)  # exp(x + lo) = exp(x) (1 + lo): q_j keeps no rounding of x
        _labels_grad(e, k, y, scale, wy, tt)
    return loss


def _labels_grad(e, k, y, scale, wy, tt, factor=None, rows=None):
    """Turn *e* into ``ws (q - onehot(y))`` in place, ``q = factor e / (1 + T)``,
    with the row weights ``ws = scale`` (times ``w_y`` with class weights).

    With a *factor* (``exp(-m)`` of the unshifted path) the maximum's entry is
    set to ``1 / (1 + T)`` directly. Where ``y`` is the arg max,
    ``q_y - 1 = -T / (1 + T)`` is written without cancellation.
    *rows* is ``arange(len(e))``, if the caller has it.
    """
    rows = np.arange(e.shape[0]) if rows is None else rows
    ws = scale if wy is None else wy * scale  # a number, or one weight per row
    one_t = 1.0 + tt
    e *= ((ws if factor is None else ws * factor) / one_t)[:, None]
    top = y == k
    if factor is not None and top.all():  # every row's label is its arg max: one write each
        e[rows, y] = -ws * tt / one_t
        return
    if factor is not None:
        e[rows, k] = ws / one_t
    e[rows, y] -= ws
    top = np.flatnonzero(top)
    if top.size:
        e[top, y[top]] = -(ws if wy is None else ws[top]) * tt[top] / one_t[top]


def general_block(kern, sb, e, a, scale, want_grad, k, m):
    """Any target: ``loss = -sum_j a_j log q_j = A log1p(T) - sum_j a_j x_j``,
    ``grad = A q - a``, with ``A = sum_j a_j`` summed exactly.

    The gradient's ``exp(x_j)`` is corrected for the rounding of ``x = s - m``
    (with the ``lo`` of :meth:`LseBlock.run`), and the maximum's entry is
    ``((A - a_k) - a_k T) / (1 + T)``, which keeps every digit of a confident
    row's ``-T / (1 + T)``, as :func:`labels_block` does. Where a row's range
    exceeds the float maximum, ``x`` overflows to ``-inf``; those rows' sum
    ``sum_j a_j x_j`` is taken on halved logits and doubled.
    """
    rows = np.arange(sb.shape[0])
    k, m, tt = kern.run(sb, e, k, m)  # e = exp(s - m), tt = sum of e without the max
    big_a = row_sum(a, kern.tmp)
    ax = np.multiply(a, kern.x, out=kern.tmp)  # x = s - m <= 0
    with np.errstate(invalid="ignore"):
        ax[a == 0.0] = 0.0  # a zero target on a masked class (-inf) counts as 0
        wide = np.flatnonzero(np.isneginf(ax).any(axis=1))  # x overflowed: s_j - m < -1.8e308
        ax_sum = row_sum(ax, np.empty_like(ax))
        for i in wide:  # rare: halve, sum, double (the double may be a true inf)
            half = a[i] * (0.5 * sb[i] - 0.5 * m[i])
            half[a[i] == 0.0] = 0.0
            with np.errstate(over="ignore"):
                ax_sum[i] = 2.0 * _fsum_neg(half)
        loss = (big_a * np.log1p(tt) - ax_sum) - np.einsum("ij,ij->i", a, kern.lo)
    if want_grad:
        a_k = a[rows, k]
        kern.restore_shift(sb, m, e, lo=kern.lo)
        e *= (big_a * scale / (1.0 + tt))[:, None]
        e -= a * scale
        e[rows, k] = ((big_a - a_k) * scale - (a_k * scale) * tt) / (1.0 + tt)
    return loss


def _fsum_neg(v):
    """The exact sum of the non-positive numbers *v* (``-inf`` beyond the float range)."""
    try:
        return math.fsum(v)
    except OverflowError:
        return -math.inf
