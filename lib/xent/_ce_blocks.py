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


def labels_block(kern, sb, e, y, wy, scale, gamma, want_grad):
    """Rows with plain labels: ``loss = w_y ((m - s_y) + log1p(T))``, ``grad = w_y (q - onehot)``.

    ``wy`` is None without class weights; ``scale`` is 1 or 1 / denominator.
    """
    if not (-RANGE <= sb.min() and sb.max() <= RANGE):
        return _labels_block_shifted(kern, sb, e, y, wy, scale, gamma, want_grad)
    r = sb.shape[0]
    rows = np.arange(r)
    k = sb.argmax(axis=1)
    m = sb[rows, k]
    # T = exp(-m) sum_{j != k} exp(s_j): the arguments of exp are exact, unlike s_j - m
    np.exp(sb, out=e)
    e[rows, k] = 0.0
    big_s = e.sum(axis=1)
    e_m = np.fromiter(map(math.exp, -m), float, r)  # exp(-m) to about half an ulp
    tt = big_s * e_m
    d = m - sb[rows, y]
    loss = d + np.log1p(tt)
    redo = np.flatnonzero(~(gamma * tt <= (1.0 + tt) * loss))  # the sum's error could cost > 1 u
    if redo.size:
        copy, tmp = kern.scratch(redo.size)
        sub = e if redo.size == r else np.take(e, redo, axis=0, out=copy)
        tt[redo] = row_sum(sub, tmp, big_s[redo]) * e_m[redo]
        loss[redo] = d[redo] + np.log1p(tt[redo])
    if want_grad:  # q_j = exp(s_j) exp(-m) / (1 + T); the maximum's own q_k = 1 / (1 + T)
        _labels_grad(e, k, y, scale, wy, tt, e_m)
    return loss if wy is None else loss * wy


def _labels_block_shifted(kern, sb, e, y, wy, scale, gamma, want_grad):
    """:func:`labels_block` for logits beyond +-RANGE: ``exp(s - m)``, its rounding corrected."""
    r = sb.shape[0]
    rows = np.arange(r)
    k, m, tt, bound = kern.run_quick(sb, e)  # e = exp(s - m), tt = sum of e without the max
    d = m - sb[rows, y]
    loss = d + np.log1p(tt)
    # the exact T where the rounding of x and of the sum could cost over 1 u of the loss
    redo = np.flatnonzero(~((bound + gamma * tt) <= (1.0 + tt) * loss))
    if redo.size:
        tt[redo] = kern.exact_t(sb, m, k, e, tt, redo)
        loss[redo] = d[redo] + np.log1p(tt[redo])
    if want_grad:  # q_j = exp(s_j - m) / (1 + T), e_k = exp(0) = 1 already
        _labels_grad(e, k, y, scale, wy, tt)
    return loss if wy is None else loss * wy


def _labels_grad(e, k, y, scale, wy, tt, factor=None):
    """Turn *e* into ``ws (q - onehot(y))`` in place, ``q = factor e / (1 + T)``,
    with the row weights ``ws = scale`` (times ``w_y`` with class weights).

    With a *factor* (``exp(-m)`` of the unshifted path) the maximum's entry is
    set to ``1 / (1 + T)`` directly. Where ``y`` is the arg max,
    ``q_y - 1 = -T / (1 + T)`` is written without cancellation.
    """
    rows = np.arange(e.shape[0])
    ws = np.broadcast_to(scale if wy is None else wy * scale, e.shape[0])
    e *= ((ws if factor is None else ws * factor) / (1.0 + tt))[:, None]
    if factor is not None:
        e[rows, k] = ws / (1.0 + tt)
    e[rows, y] -= ws
    top = np.flatnonzero(y == k)
    e[top, y[top]] = -ws[top] * tt[top] / (1.0 + tt[top])


def general_block(kern, sb, e, a, scale, want_grad):
    """Any target: ``loss = -sum_j a_j log q_j = A log1p(T) - sum_j a_j x_j``,
    ``grad = A q - a``, with ``A = sum_j a_j``."""
    _, _, tt = kern.run(sb, e)  # e = exp(s - m), tt = sum of e without the max
    big_a = a.sum(axis=1)
    ax = a * kern.x  # x = s - m <= 0; a zero target on a masked class (-inf) counts as 0
    ax[a == 0.0] = 0.0
    loss = (big_a * np.log1p(tt) - row_sum(ax, kern.tmp)) - np.einsum("ij,ij->i", a, kern.lo)
    if want_grad:
        e *= (big_a * scale / (1.0 + tt))[:, None]
        e -= a * scale
    return loss
