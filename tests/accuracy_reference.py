"""Adversarial inputs and 50-digit mpmath references for the accuracy checks.

Used by ``tests/test_accuracy.py`` (the bound of 4 ulp) and by
``benchmarks/bench_accuracy.py`` (which prints the worst errors of xent beside
a naive NumPy formulation and a SciPy one).

The references evaluate the exact mathematics of the float64 inputs with
``mpmath`` at 50 significant digits, in forms whose terms are all non-negative
(``log1p`` of a sum of exponentials of differences to the maximum), so that
the 50 digits are not lost to cancellation even for a loss of 1e-300.
The error of a computed value ``c`` against the exact ``e`` is counted in
units in the last place of ``e``: ``|c - e| / ulp(e)``, with ``ulp`` the
spacing of float64 numbers at ``e`` (subnormal spacing below 2.2e-308).
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 50

__all__ = ["ulp_error", "lse_parts", "ce_reference", "bce_reference", "log_softmax_reference",
           "ce_cases", "bce_cases", "log_softmax_cases"]


def ulp_error(computed, exact):
    """``|computed - exact|`` in units of the last place of *exact* (an mpf)."""
    computed = float(computed)
    if mp.isinf(exact) or abs(exact) > 1.7976931348623157e308:
        return 0.0 if computed == float(mp.sign(exact)) * np.inf else np.inf
    if not np.isfinite(computed):
        return np.inf
    ulp = np.spacing(abs(float(exact)))
    return float(abs(mp.mpf(computed) - exact) / mp.mpf(ulp))


def lse_parts(row):
    """``(m, L)`` with ``logsumexp(row) = m + L``, ``m`` the max, ``L = log1p(sum others)``."""
    row = [mp.mpf(float(v)) for v in row]
    k = max(range(len(row)), key=lambda j: row[j])
    m = row[k]
    rest = mp.fsum(mp.exp(v - m) for j, v in enumerate(row) if j != k and v != -mp.inf)
    return m, mp.log1p(rest)


def _neg_log_softmax(row):
    """Exact ``-log_softmax(row)`` as mpf, every entry a sum of non-negative terms."""
    m, ell = lse_parts(row)
    return [(m - mp.mpf(float(v))) + ell for v in row]


def log_softmax_reference(row):
    return [-v for v in _neg_log_softmax(row)]


def ce_reference(row, target, weight=None, eps=0.0):
    """Exact per-sample ``cross_entropy_with_logits`` (PyTorch's definition)."""
    c = len(row)
    w = [mp.mpf(1)] * c if weight is None else [mp.mpf(float(v)) for v in weight]
    nls = _neg_log_softmax(row)
    e = mp.mpf(float(eps))
    if np.ndim(target) == 0:
        t = [mp.mpf(1) if j == int(target) else mp.mpf(0) for j in range(c)]
    else:
        t = [mp.mpf(float(v)) for v in target]
    a = [((1 - e) * t[j] + e / c) * w[j] for j in range(c)]
    return mp.fsum(a[j] * nls[j] for j in range(c) if a[j] != 0)


def _softplus(x):
    x = mp.mpf(float(x))
    return x + mp.log1p(mp.exp(-x)) if x > 0 else mp.log1p(mp.exp(x))


def bce_reference(s, y, w=1.0, pw=1.0):
    """Exact ``binary_cross_entropy_with_logits`` of one entry (PyTorch's definition)."""
    y, w, pw = mp.mpf(float(y)), mp.mpf(float(w)), mp.mpf(float(pw))
    return w * (pw * y * _softplus(-s) + (1 - y) * _softplus(s))


def _rows_ahead(rng, c, gaps, sign):
    """Rows whose first logit is ahead (sign=+1) or behind (-1) the others by each gap."""
    rows = []
    for gap in gaps:
        others = rng.uniform(-1.0, 1.0, c - 1) * rng.choice([1.0, 3.7, 1e3])
        top = others.max() if sign > 0 else others.min()
        first = top + sign * gap * (1 + 0.1 * rng.uniform())  # digits that do not align
        rows.append(np.concatenate([[first], others]))
    return rows


def ce_cases(rng, sizes=(2, 3, 10, 100), n_random=8):
    """Batches ``(s, target, weight, eps)`` of adversarial multiclass problems."""
    gaps = [1e-12, 1e-6, 1e-3, 0.1, 0.7, 1, 2, 5, 10, 20, 30, 36, 40, 50, 100, 300, 700, 740,
            800, 1e4]
    cases = []
    for c in sizes:
        rows = _rows_ahead(rng, c, gaps, +1) + _rows_ahead(rng, c, gaps, -1)
        rows += [np.full(c, 2.5), np.r_[[7.1, 7.1], rng.uniform(-3, 3, c - 2)]]  # equal, tied
        rows += [rng.choice([-1.0, 1.0], c) * 10.0 ** rng.uniform(-300, 300, c)]  # far apart
        rows += [rng.choice([-1.0, 1.0], c) * 10.0 ** rng.uniform(-3, 300, c)]
        rows += [np.r_[1e300, -1e300 * np.ones(c - 1)], np.r_[1e4, -1e4 * np.ones(c - 1)]]
        rows += [np.r_[level + gap, np.full(c - 1, level)]  # equal terms: NumPy's sum errs
                 for gap in (0.05, 0.5, 2.0, 40.0) for level in (0.0, 0.3, 1e3 + 0.1)]
        rows += [scale * rng.standard_normal(c) + shift for scale in (1, 10, 1e4)
                 for shift in (0, 1e6) for _ in range(n_random)]
        s = np.array(rows)
        masked = s.copy()
        masked[:, 1:][rng.uniform(size=(len(s), c - 1)) < 0.3] = -np.inf
        n = len(s)
        labels = np.zeros(n, dtype=int)
        soft = rng.dirichlet(np.full(c, 0.5), n)
        soft[::3, -1] = 0.0
        soft /= soft.sum(axis=1, keepdims=True)
        weight = rng.uniform(0.1, 3.0, c)
        others = rng.integers(0, c, n)
        cases += [(s, labels, None, 0.0), (s, others, None, 0.0), (s, labels, weight, 0.0),
                  (s, labels, None, 0.1), (s, others, weight, 0.25), (s, soft, None, 0.0),
                  (s, soft, weight, 0.1), (masked, labels, None, 0.0)]
    return cases


def log_softmax_cases(rng, sizes=(2, 3, 10, 100)):
    """Arrays of adversarial logits (rows) for log_softmax."""
    return [case[0] for case in ce_cases(rng, sizes, n_random=4)[::8]]


def bce_cases(rng):
    """Tuples ``(s, y, weight, pos_weight)`` of 1-D adversarial binary problems."""
    mags = np.concatenate([10.0 ** np.arange(-300, 301, 25.0), [1e-8, 1e-3, 0.5, 1, 2, 5, 10,
                                                               20, 30, 36, 37, 40, 50, 100,
                                                               700, 740, 800, 1e4]])
    s = np.concatenate([mags, -mags, rng.normal(0, 1, 50), rng.normal(0, 30, 50)])
    s = s * (1 + 0.01 * rng.uniform(size=s.size))
    n = s.size
    hard = (rng.uniform(size=n) < 0.5).astype(float)
    soft = rng.uniform(size=n)
    w, pw = rng.uniform(0.1, 3.0, n), rng.uniform(0.1, 5.0, n)
    return [(s, np.ones(n), None, None), (s, np.zeros(n), None, None), (s, hard, None, None),
            (s, soft, None, None), (s, hard, w, pw), (s, soft, w, pw)]
