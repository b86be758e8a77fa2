r"""Cross entropy of a linear classifier over many classes, without the N x V logits.

``chunked_cross_entropy(x, W, target)`` returns the mean loss
``cross_entropy_with_logits(x @ W, target)`` and its gradients with respect to
the features *x* and the weights *W*, visiting the classes in chunks: the
largest arrays it creates have ``N x chunk_size`` entries, whatever the number
of classes ``V``.

Examples
--------
>>> import numpy as np
>>> from xent import chunked_cross_entropy, cross_entropy_with_logits_value_and_grad
>>> x = np.array([[1.0, 2.0], [0.5, -1.0]])
>>> W = np.array([[0.0, 1.0, -1.0, 2.0, 0.5], [1.0, 0.0, 0.5, -0.5, 0.0]])
>>> y = np.array([3, 1])
>>> loss, grad_x, grad_W = chunked_cross_entropy(x, W, y, chunk_size=2)
>>> round(float(loss), 12)
1.668612521875
>>> grad_W.round(4)
array([[ 0.25  , -0.1116,  0.0436, -0.2747,  0.0927],
       [ 0.4549,  0.5745,  0.0421, -1.0993,  0.0278]])
>>> loss_full, G = cross_entropy_with_logits_value_and_grad(x @ W, y)  # forms all logits
>>> bool(abs(loss - loss_full) < 1e-15), bool(np.abs(grad_W - x.T @ G).max() < 1e-15)
(True, True)
"""

import numbers

import numpy as np

from ._validation import check_features

__all__ = ["chunked_cross_entropy", "DEFAULT_CHUNK_SIZE"]

#: Default number of classes per chunk (see ``benchmarks/bench_chunked.py``).
DEFAULT_CHUNK_SIZE = 4096


def _check(x, W, target, chunk_size):
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral):
        raise TypeError(f"chunk_size must be an integer; got {type(chunk_size).__name__}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive number of classes; got {chunk_size}")
    x, W, y = check_features(x, W, target, classes="V")
    return x, W, y, int(chunk_size)


def chunked_cross_entropy(x, W, target, chunk_size=DEFAULT_CHUNK_SIZE):
    r"""Mean cross entropy of the logits ``x @ W`` and its gradients, class chunk by chunk.

    Parameters
    ----------
    x : array_like, shape (N, d)
        Features, one row per sample; finite.
    W : array_like, shape (d, V)
        Weights of the classification layer, one column per class; finite.
    target : array_like of int, shape (N,)
        Class labels in ``[0, V)``.
    chunk_size : int, default 4096
        Number of classes per chunk; any positive value (it need not divide V).

    Returns
    -------
    loss : numpy.float64
        :math:`L = \frac1N \sum_n (\operatorname{logsumexp}(s_n) - s_{n y_n})`, ``s = x W``.
    grad_x : numpy.ndarray, shape (N, d)
        :math:`\partial L / \partial x = G W^\top`.
    grad_W : numpy.ndarray, shape (d, V)
        :math:`\partial L / \partial W = x^\top G`.

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty, non-finite or mis-shaped *x* or *W*, labels
        that are not integers or not in ``[0, V)``, a *chunk_size* that is not
        a positive integer, or logits ``x @ W`` that overflow.

    Notes
    -----
    With :math:`G = (P - Y)/N`, :math:`P = \operatorname{softmax}(s)` row by
    row and :math:`Y` the one-hot labels. Pass 1 keeps, for each row, the
    running maximum :math:`m` and :math:`T = \sum_j e^{s_j - m}` without the
    maximum's own term, merged chunk by chunk:

    .. math:: m' = \max(m, m_c), \qquad
              T' = (T + 1) e^{m - m'} + T_c \text{ if } m_c > m, \text{ else }
              T + (T_c + 1) e^{m_c - m},

    so that :math:`\operatorname{logsumexp}(s) = m + \log1p(T)` keeps every
    digit (as in :func:`xent.cross_entropy_with_logits`). Pass 2 recomputes each
    chunk of logits, :math:`P_c = e^{s_c - m} / (1 + T)`, and accumulates
    :math:`G_c W_c^\top` into ``grad_x`` and writes :math:`x^\top G_c` into
    ``grad_W``. Pass 1 visits the first chunk last and leaves its
    exponentials in the buffer, where pass 2 takes them; every other chunk's
    logits are computed twice: :math:`4 - \min(1, \text{chunk\_size}/V)`
    products of size :math:`N d V` instead of three. Memory beyond the
    inputs and outputs is :math:`O(N \cdot \text{chunk\_size})`. *x* and *W* are used as float64.

    Examples
    --------
    >>> x, W = np.eye(2), np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    >>> [round(float(chunked_cross_entropy(x, W, [0, 2], chunk_size=c)[0]), 12) for c in (1, 2, 3)]
    [0.395494740077, 0.395494740077, 0.395494740077]
    """
    x, W, y, c = _check(x, W, target, chunk_size)
    n, v = x.shape[0], W.shape[1]
    scale = 1.0 / n
    rows = np.arange(n)
    buf = np.empty(n * min(c, v))  # every chunk's logits are a contiguous view of it
    m = np.full(n, -np.inf)
    t = np.zeros(n)
    s_y = np.empty(n)
    starts = range(0, v, c)
    with np.errstate(over="ignore", invalid="ignore"):
        for a in reversed(starts):  # pass 1, first chunk last: its exponentials stay in buf
            b = min(v, a + c)
            s = np.matmul(x, W[:, a:b], out=buf[:n * (b - a)].reshape(n, b - a))
            if not np.isfinite(s.sum()) and not np.isfinite(s).all():
                raise ValueError("the logits x @ W overflow float64; scale x or W down")
            k = s.argmax(axis=1)
            m_c = s[rows, k]
            inside = np.flatnonzero((y >= a) & (y < b))
            s_y[inside] = s[inside, y[inside] - a]
            np.subtract(s, m_c[:, None], out=s)
            np.exp(s, out=s)
            s[rows, k] = 0.0  # leave out the chunk maximum's own term, exactly 1
            t_c = s.sum(axis=1)
            s[rows, k] = 1.0
            kept = (s, m_c)  # after the loop: exp(s - m_c) of the first chunk
            d = np.exp(-np.abs(m_c - m))  # <= 1: 0 for the first chunk (m = -inf)
            t = np.where(m_c > m, (t + 1.0) * d + t_c, t + (t_c + 1.0) * d)
            m = np.maximum(m, m_c)
    loss = np.float64(((m - s_y) + np.log1p(t)).sum()) / np.float64(n)
    grad_x = np.zeros_like(x)
    grad_W = np.empty_like(W)
    row_scale = (scale / (1.0 + t))[:, None]
    tmp = np.empty_like(x)
    top_rows = s_y == m  # the target is a row maximum: there q_y - 1 = -T/(1+T)
    for a in starts:  # pass 2: the chunk's gradient G_c, then both products
        b = min(v, a + c)
        w_c = W[:, a:b]
        inside = np.flatnonzero((y >= a) & (y < b))
        cols = y[inside] - a
        top = top_rows[inside]
        if a == 0:  # left in buf by pass 1: exp(s - m_c) = exp(s - m) exp(m - m_c)
            g, m_c = kept
            g *= row_scale * np.exp(m_c - m)[:, None]
        else:
            g = np.matmul(x, w_c, out=buf[:n * (b - a)].reshape(n, b - a))
            np.subtract(g, m[:, None], out=g)
            np.exp(g, out=g)
            g *= row_scale
        g[inside, cols] -= scale
        g[inside[top], cols[top]] = -scale * t[inside[top]] / (1.0 + t[inside[top]])
        grad_x += np.matmul(g, w_c.T, out=tmp)
        np.matmul(x.T, g, out=grad_W[:, a:b])
    return loss, grad_x, grad_W
