"""The private kernels behind the exact softmax family: row sums and the log-sum-exp parts."""

import math

import numpy as np
import pytest

from xent._kernels import LseBlock, pairwise_depth, reduce_loss, row_blocks, row_sum

U = 2.0 ** -53


def _rows(rng):
    c = 100
    return [np.full((3, c), 0.1),  # equal terms: NumPy's sum errs by several ulp here
            rng.uniform(0, 1, (5, c)) * 10.0 ** rng.uniform(-300, 300, (5, 1)),
            rng.uniform(0, 1, (4, c)) ** 40,  # many tiny terms beside a few big ones
            -rng.uniform(0, 1, (3, c)),  # one sign, negative
            np.vstack([np.zeros(c), np.r_[1e-320, np.zeros(c - 1)]]),  # zero and subnormal
            np.full((2, c), 1.7e306)]  # the sum overflows the fast path: fsum fallback


def test_row_sum_is_correctly_rounded_or_nearly(rng):
    for v in _rows(rng):
        got = row_sum(v, np.empty_like(v))
        for i in range(len(v)):
            try:
                exact = math.fsum(v[i])  # correctly rounded
            except OverflowError:
                exact = math.inf
            assert abs(got[i] - exact) <= np.spacing(abs(exact)), (v[i][:3], got[i], exact)


def test_row_sum_beats_numpy_on_equal_terms():
    v = np.full((1, 100), 0.1)
    assert row_sum(v, np.empty_like(v))[0] == math.fsum(v[0])
    assert v.sum(axis=1)[0] != math.fsum(v[0])  # the case the split exists for


def test_row_sum_keeps_infinities():
    v = np.array([[1.0, np.inf], [-np.inf, -1.0]])
    np.testing.assert_array_equal(row_sum(v, np.empty_like(v)), [np.inf, -np.inf])


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 100, 128, 129, 1000, 5000])
def test_pairwise_depth_bounds_numpys_error(rng, n):
    assert pairwise_depth(n) <= max(1, n - 1)
    worst = 0.0
    for _ in range(20):
        v = rng.uniform(0, 1, n) ** 3
        exact = math.fsum(v)
        worst = max(worst, abs(v.sum() - exact) / exact)
    assert worst <= pairwise_depth(n) * U


def test_quick_and_exact_paths_agree(rng):
    s = rng.normal(0, 5, (40, 30))
    s[::4, 0] += 60.0  # confidently right rows, which need the exact path
    kern = LseBlock(30)
    e1, e2 = np.empty_like(s), np.empty_like(s)
    k, m, t = kern.run(s, e1)
    kq, mq, tq, bound = kern.run_quick(s, e2)
    np.testing.assert_array_equal(e1, e2)
    np.testing.assert_array_equal(k, kq)
    exact = kern.exact_t(s, mq, kq, e2, tq, np.arange(40))
    np.testing.assert_array_equal(kern.exact_t(s, mq, kq, e2, tq, np.arange(0, 40, 3)),
                                  t[::3])
    np.testing.assert_array_equal(exact, t)
    np.testing.assert_allclose(tq, t, rtol=1e-13)
    assert np.all(bound >= 0)


def test_row_blocks_cover_the_rows():
    covered = np.concatenate([np.arange(10_000)[b] for b in row_blocks(10_000, 1000)])
    np.testing.assert_array_equal(covered, np.arange(10_000))
    assert len(list(row_blocks(3, 10 ** 7))) == 3  # one row per block at least


def test_reduce_loss():
    v = np.array([1.0, 2.0, 3.0])
    assert reduce_loss(v, "sum") == 6.0 and reduce_loss(v, "mean") == 2.0
    assert reduce_loss(v, "mean", 4.0) == 1.5 and reduce_loss(v, "none") is v
    assert np.isnan(reduce_loss(np.zeros(2), "mean", 0.0))
