r"""Cross entropy with the classes split over P devices (vocabulary parallelism), simulated.

``sharded_cross_entropy(x, W, target, n_shards)`` computes what P devices
compute when each holds a block of columns of the classification layer *W*,
as Megatron-LM's vocabulary-parallel cross entropy does (Shoeybi et al., 2019):
each shard computes its logits and their maximum and sum of exponentials, the
shards combine those with three all-reduces of *N* numbers (maximum, rescaled
sums, target logit), and each shard computes its own block of the gradient.
Only the all-reduces exchange data; here they are sums and maxima over a list.
``allreduce_bytes`` and ``allgather_bytes`` count what a device sends in a
ring all-reduce and all-gather.

Examples
--------
>>> import numpy as np
>>> from xent import sharded_cross_entropy, chunked_cross_entropy
>>> x = np.array([[1.0, 2.0], [0.5, -1.0]])
>>> W = np.array([[0.0, 1.0, -1.0, 2.0, 0.5], [1.0, 0.0, 0.5, -0.5, 0.0]])
>>> y = np.array([3, 1])
>>> loss, grad_x, grad_W = sharded_cross_entropy(x, W, y, n_shards=2)
>>> round(float(loss), 12)
1.668612521875
>>> ref = chunked_cross_entropy(x, W, y)
>>> [bool(np.abs(a - b).max() < 1e-15) for a, b in zip((loss, grad_x, grad_W), ref)]
[True, True, True]
"""

import numbers

import numpy as np

from ._validation import check_features

__all__ = ["shard_bounds", "sharded_cross_entropy", "allreduce_bytes", "allgather_bytes"]


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be positive; got {value}")
    return int(value)


def shard_bounds(n_classes, n_shards):
    """The column ranges ``[(a, b), ...]`` of the *n_shards* shards of *n_classes* classes.

    The first ``n_classes % n_shards`` shards hold one class more than the
    others, as :func:`numpy.array_split` splits; every shard holds at least one.

    Raises
    ------
    TypeError, ValueError
        If either count is not a positive integer, or ``n_shards > n_classes``.

    Examples
    --------
    >>> shard_bounds(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    v = _check_count("n_classes", n_classes)
    p = _check_count("n_shards", n_shards)
    if p > v:
        raise ValueError(f"n_shards must be at most the number of classes, {v}; got {p}")
    sizes = [v // p + (1 if i < v % p else 0) for i in range(p)]
    ends = np.cumsum(sizes).tolist()
    return [(e - s, e) for s, e in zip(sizes, ends)]


def sharded_cross_entropy(x, W, target, n_shards):
    r"""Mean cross entropy of ``x @ W`` and its gradients, the classes split into shards.

    Parameters
    ----------
    x : array_like, shape (N, d)
        Features, replicated on every device; finite.
    W : array_like, shape (d, V)
        Weights; shard *p* holds the columns ``shard_bounds(V, n_shards)[p]``.
    target : array_like of int, shape (N,)
        Class labels in ``[0, V)``.
    n_shards : int
        Number of devices P, ``1 <= P <= V``; it need not divide V.

    Returns
    -------
    loss : numpy.float64
        :math:`L = \frac1N \sum_n (\operatorname{lse}(s_n) - s_{n y_n})`, ``s = x W``.
    grad_x : numpy.ndarray, shape (N, d)
        :math:`\sum_p G_p W_p^\top` (a fourth all-reduce, of *N d* numbers).
    grad_W : numpy.ndarray, shape (d, V)
        The blocks :math:`x^\top G_p`, each computed on its own shard.

    Raises
    ------
    TypeError, ValueError
        For bad *x*, *W* or labels (as :func:`xent.chunked_cross_entropy`),
        an *n_shards* that is not an integer in ``[1, V]``, or logits that overflow.

    Notes
    -----
    Shard *p* has logits :math:`S_p = x W_p`, row maxima :math:`m_p` and
    :math:`T_p = \sum_{j \in p} e^{s_j - m_p} - 1` (its maximum's own term
    left out). All-reduce 1: :math:`m = \max_p m_p`. All-reduce 2:
    :math:`T = \sum_p r_p` with :math:`r_p = (1 + T_p) e^{m_p - m}`, except
    that the first shard attaining :math:`m` sends :math:`T_p` (the 1 of the
    global maximum left out), so that :math:`\operatorname{lse} = m +
    \operatorname{log1p}(T)` keeps every digit, as in the chunked loss.
    All-reduce 3: :math:`s_y = \sum_p [y \in p]\, s_{y}`, the owner's logit.
    Then :math:`G_p = (e^{S_p - m}/(1 + T) - Y_p)/N` on each shard. The
    simulation holds every shard's block of exponentials at once, :math:`N V`
    numbers in all, as the P devices would together.

    Examples
    --------
    >>> x, W = np.eye(2), np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    >>> [round(float(sharded_cross_entropy(x, W, [0, 2], p)[0]), 12) for p in (1, 2, 3)]
    [0.395494740077, 0.395494740077, 0.395494740077]
    """
    x, W, y = check_features(x, W, target, classes="V")
    n, v = x.shape[0], W.shape[1]
    bounds = shard_bounds(v, n_shards)
    rows = np.arange(n)
    local = []  # what each device holds: its logits' exponentials, max, T, argmax
    with np.errstate(over="ignore", invalid="ignore"):
        for a, b in bounds:
            s = x @ W[:, a:b]
            if not np.isfinite(s).all():
                raise ValueError("the logits x @ W overflow float64; scale x or W down")
            k = s.argmax(axis=1)
            m_p = s[rows, k]
            e = np.exp(s - m_p[:, None])
            e[rows, k] = 0.0
            t_p = e.sum(axis=1)
            e[rows, k] = 1.0
            owner = (y >= a) & (y < b)
            s_y_p = np.where(owner, s[rows, np.clip(y - a, 0, b - a - 1)], 0.0)
            local.append((e, m_p, t_p, s_y_p))
    m = np.max([m_p for _, m_p, _, _ in local], axis=0)  # all-reduce 1: max
    first = np.full(n, -1)
    for p, (_, m_p, _, _) in enumerate(local):
        first = np.where((first < 0) & (m_p == m), p, first)
    t = np.zeros(n)  # all-reduce 2: the rescaled sums
    for p, (_, m_p, t_p, _) in enumerate(local):
        t += np.where(first == p, t_p, (1.0 + t_p) * np.exp(m_p - m))
    s_y = np.sum([s_y_p for _, _, _, s_y_p in local], axis=0)  # all-reduce 3: target logit
    loss = np.float64(((m - s_y) + np.log1p(t)).sum()) / np.float64(n)
    grad_x = np.zeros_like(x)
    grad_W = np.empty_like(W)
    top = s_y == m  # the target is the row maximum: q_y - 1 = -T / (1 + T) exactly
    for (a, b), (e, m_p, _, _) in zip(bounds, local):
        g = e * (np.exp(m_p - m) / (n * (1.0 + t)))[:, None]
        inside = np.flatnonzero((y >= a) & (y < b))
        cols = y[inside] - a
        g[inside, cols] -= 1.0 / n
        hit = top[inside]
        g[inside[hit], cols[hit]] = -t[inside[hit]] / (n * (1.0 + t[inside[hit]]))
        grad_W[:, a:b] = x.T @ g
        grad_x += g @ W[:, a:b].T  # all-reduce 4: sum of the shards' N x d products
    return loss, grad_x, grad_W


def allreduce_bytes(count, n_devices, itemsize=4):
    r"""Bytes one device sends in a ring all-reduce of *count* numbers over *n_devices*.

    :math:`2 (P - 1)/P \cdot \text{count} \cdot \text{itemsize}`: a reduce-scatter
    and an all-gather, each sending :math:`P - 1` blocks of ``count / P`` numbers.

    Examples
    --------
    >>> allreduce_bytes(8192, 8)
    57344.0
    """
    c, p, b = (_check_count(k, val) for k, val in
               (("count", count), ("n_devices", n_devices), ("itemsize", itemsize)))
    return 2.0 * (p - 1) / p * c * b


def allgather_bytes(count, n_devices, itemsize=4):
    r"""Bytes one device sends in a ring all-gather of *count* numbers in all.

    Each device holds ``count / P`` of them and sends :math:`P - 1` blocks of that
    size: :math:`(P - 1)/P \cdot \text{count} \cdot \text{itemsize}`.

    Examples
    --------
    >>> allgather_bytes(8192, 8)
    28672.0
    """
    c, p, b = (_check_count(k, val) for k, val in
               (("count", count), ("n_devices", n_devices), ("itemsize", itemsize)))
    return (p - 1) / p * c * b
