"""Accuracy to the last bits: xent against a 50-digit mpmath reference.

The worst error per sample (``reduction="none"``) of ``cross_entropy_with_logits``
and ``binary_cross_entropy_with_logits``, and of every entry of ``log_softmax``,
over adversarial inputs (tiny and huge losses, ties, masked classes, soft and
smoothed targets, weights, logits from 1e-300 to 1e300), is at most 4 ulp.
Below the smallest normal float64, 2.2e-308, numbers have fewer than 53 bits
and ``exp`` itself rounds to a multiple of 2**-1074: there the bound is on the
absolute error, at most one such unit per class (times the weights).
``benchmarks/bench_accuracy.py`` prints the same figures beside naive NumPy and
SciPy formulations.
"""

import mpmath as mp
import numpy as np
import pytest
from accuracy_reference import (bce_cases, bce_reference, ce_cases, ce_reference,
                                log_softmax_cases, log_softmax_reference, ulp_error)

import xent

BOUND = 4.0  # ulp
TINY = np.finfo(np.float64).smallest_normal


def test_ulp_error_counts_units_in_the_last_place():
    assert ulp_error(1.0, mp.mpf(1)) == 0.0
    assert ulp_error(1.0 + 2 ** -52, mp.mpf(1)) == 1.0
    assert ulp_error(1.0, mp.mpf(1) + mp.mpf(2) ** -50) == 4.0
    assert ulp_error(0.0, mp.mpf("4.2e-18")) > 1e15  # a lost tiny value counts as huge
    assert ulp_error(np.inf, mp.mpf("1e400")) == 0.0  # beyond float64: inf is right


def test_references_agree_with_closed_forms():
    assert ce_reference([40.0, 0.0, 0.0], 0) == mp.log1p(2 * mp.exp(-40))
    assert abs(bce_reference(-40.0, 0.0) - mp.log1p(mp.exp(-40))) < mp.mpf(10) ** -60
    assert log_softmax_reference([0.0, 0.0])[0] == -mp.log(2)


def _worst(pairs, n_terms=1):
    """The worst error in ulp over normal exact values; subnormal ones are checked apart."""
    worst = (0.0, None)
    for computed, exact, where in pairs:
        if abs(exact) < TINY:
            assert abs(mp.mpf(float(computed)) - exact) <= n_terms * mp.mpf(2) ** -1074, where
            continue
        err = ulp_error(computed, exact)
        if err > worst[0]:
            worst = (err, where)
    return worst


def test_cross_entropy_with_logits_is_within_4_ulp():
    rng = np.random.default_rng(3)
    cases = ce_cases(rng, sizes=(2, 3, 10, 100), n_random=3)
    cases += ce_cases(rng, sizes=(1000,), n_random=1)[::4]
    pairs = []
    for s, target, weight, eps in cases:
        got = xent.cross_entropy_with_logits(s, target, weight, label_smoothing=eps,
                                             reduction="none")
        pairs += [(got[i], ce_reference(s[i], target[i], weight, eps),
                   (s.shape, i, weight is not None, eps)) for i in range(len(s))]
    assert len(pairs) > 1000
    err, where = _worst(pairs, n_terms=1000)
    assert err <= BOUND, (err, where)


def test_cross_entropy_with_logits_is_within_4_ulp_on_the_unshifted_path():
    """Labels and logits within +-RANGE take exp of the logits themselves (_ce_blocks.labels_block).

    The batches above mix in rows of 1e300, which send their whole block down the
    shifted path; here every block stays in range: the adversarial rows that fit,
    rows at the edge of the range, and confident rows of moderate logits.
    """
    rng = np.random.default_rng(5)
    limit = xent._ce_blocks.RANGE
    batches = ce_cases(rng, sizes=(10,), n_random=3)[::8]
    rows = [s[np.all(np.abs(s) <= limit, axis=1)] for s, *_ in batches]
    rows = list(np.concatenate(rows))
    for _ in range(300):
        c = int(rng.integers(2, 60))
        confident = rng.normal(0.0, 3.0, c)
        confident[0] += rng.uniform(5.0, 40.0)
        edge = limit - rng.uniform(0.0, 30.0, c)  # near +RANGE; the label wins by up to 30
        edge[0] = limit
        rows += [np.pad(v, (0, 10 - c)) if c < 10 else v[:10] for v in (confident, edge, -edge)]
    s = np.array(rows)
    assert np.all(np.abs(s) <= limit)
    pairs = []
    for target in (np.zeros(len(s), dtype=int), rng.integers(0, 10, len(s))):
        got = xent.cross_entropy_with_logits(s, target, reduction="none")
        pairs += [(got[i], ce_reference(s[i], target[i]), (i, int(target[i]))) for i in range(len(s))]
    err, where = _worst(pairs, n_terms=10)
    assert err <= BOUND, (err, where)


def test_log_softmax_is_within_4_ulp():
    rng = np.random.default_rng(4)
    pairs = []
    for s in log_softmax_cases(rng):
        got = xent.log_softmax(s)
        for i in range(len(s)):
            ref = log_softmax_reference(s[i])
            pairs += [(got[i, j], ref[j], (s.shape, i, j)) for j in range(s.shape[1])]
    err, where = _worst(pairs, n_terms=1000)
    assert err <= BOUND, (err, where)


def test_binary_cross_entropy_with_logits_is_within_4_ulp():
    rng = np.random.default_rng(5)
    pairs = []
    for s, y, w, pw in bce_cases(rng):
        got = xent.binary_cross_entropy_with_logits(s, y, w, pw, reduction="none")
        pairs += [(got[i], bce_reference(s[i], y[i], 1.0 if w is None else w[i],
                                         1.0 if pw is None else pw[i]), i)
                  for i in range(len(s))]
    # a subnormal softplus errs by half a unit, which the weights (w * pw < 15) multiply
    err, where = _worst(pairs, n_terms=16)
    assert err <= BOUND, (err, where)


@pytest.mark.parametrize("gap", [20.0, 36.0, 40.0])
def test_the_naive_formula_fails_where_xent_does_not(gap):
    """The check is not vacuous: logsumexp(s) - s[y] loses a small loss entirely."""
    s = np.array([[gap + 0.3, 0.3, -0.2]])
    exact = ce_reference(s[0], 0)
    m = s.max()
    naive = m + np.log(np.exp(s - m).sum()) - s[0, 0]
    assert ulp_error(naive, exact) > 1e6
    assert ulp_error(xent.cross_entropy_with_logits(s, np.array([0])), exact) <= BOUND
