"""The shortcuts taken for speed (issue 14) against independent references.

* :func:`xent._kernels.row_sum` shares one ``sigma`` between rows within
  ``window_bits(C)`` binades of each other: both of its branches, and rows at
  the edge of the window, are compared with :func:`math.fsum`.
* :func:`xent.cross_entropy_with_logits` finds NaN and ``+inf`` logits in its
  pass for the maxima, block by block, instead of a pass of its own: a bad
  value in any block, not only the first, is refused with the message of
  :func:`xent._validation.check_array`, quietly, and never returned.
"""

import math
import warnings

import numpy as np
import pytest

import xent
from xent._kernels import (BLOCK, EINSUM_LOW_MAX, low_sum_factor, pairwise_depth,
                           row_broadcasts, row_sum, window_bits)


def _fsum(row):
    return math.fsum(row)


def _worst_ulp(got, rows):
    return max(abs(g - _fsum(r)) / np.spacing(abs(_fsum(r))) for g, r in zip(got, rows))


@pytest.mark.parametrize("c", [10, 100, 1000, EINSUM_LOW_MAX, EINSUM_LOW_MAX + 1000])
def test_row_sum_with_one_sigma_is_correctly_rounded_or_nearly(rng, c):
    g = window_bits(c)
    # equal terms (where NumPy's sum errs most), and rows spread over the whole window
    rows = np.vstack([np.full((4, c), 0.1), rng.uniform(0.5, 1.0, (8, c))])
    rows[4:] *= np.exp2(-np.linspace(0, g - 1, 8))[:, None]  # the last row g - 1 binades down
    _, ex = np.frexp(rows.sum(axis=1))
    assert ex.max() - ex.min() <= g  # the shared sigma serves all rows
    got = row_sum(rows, np.empty_like(rows))
    assert _worst_ulp(got, rows) <= 0.5 + 1e-6  # correctly rounded, up to the remainders


def test_row_sum_beyond_the_window_takes_one_sigma_per_row(rng):
    c = 1000
    rows = np.full((6, c), 0.1) * np.exp2(-np.arange(6) * 40.0)[:, None]  # equal terms
    rows[1] = rng.uniform(0.5, 1.0, c)
    got = row_sum(rows, np.empty_like(rows))
    assert _worst_ulp(got, rows) <= 0.5 + 1e-6  # correctly rounded, up to the remainders
    # with one shared sigma the smallest rows would keep no high part: their sums would be
    # NumPy's, off by an ulp here. The window matters
    sigma = math.ldexp(1.5, int(np.frexp(rows.sum(axis=1))[1].max()) + c.bit_length())
    high = (rows + sigma) - sigma
    one_sigma = high.sum(axis=1) + (rows - high).sum(axis=1)
    assert _worst_ulp(one_sigma, rows) >= 1.0


def test_window_bits_keeps_the_remainders_negligible():
    for n in (2, 10, 1000, EINSUM_LOW_MAX, EINSUM_LOW_MAX + 1, 10 ** 5):
        g, b, f = window_bits(n), n.bit_length() + 1, low_sum_factor(n)
        assert f * n * 2.0 ** (g + b - 53) <= 1 / 64  # in units of u
        assert f * n * 2.0 ** (g + 1 + b - 53) > 1 / 64  # the largest such g


def test_low_sum_factor_bounds_the_error_of_the_sums_it_stands_for(rng):
    # einsum's order, and the pairwise one beyond EINSUM_LOW_MAX, against math.fsum: the
    # error of each sum of n mixed-sign terms stays within low_sum_factor(n) u sum |terms|
    for n in (10, 1000, EINSUM_LOW_MAX, 3 * EINSUM_LOW_MAX):
        v = rng.standard_normal((20, n)) * np.exp2(rng.integers(-30, 30, (20, n)))
        v[:5] = rng.uniform(0.0, 1.0, (5, n))  # one sign: the errors pile up
        got = np.einsum("ij->i", v) if n <= EINSUM_LOW_MAX else v.sum(axis=1)
        err = np.abs(got - [math.fsum(r) for r in v])
        assert np.all(err <= low_sum_factor(n) * 2.0 ** -53 * np.abs(v).sum(axis=1))


@pytest.mark.parametrize("bad, message", [
    (np.nan, "logits contains NaN"),
    (np.inf, r"logits contains \+inf.*only -inf"),
    ("row", "logits: every row needs a finite entry")])
@pytest.mark.parametrize("where", ["first", "last"])
@pytest.mark.parametrize("target", ["labels", "probabilities", "smoothing"])
def test_bad_logits_are_refused_in_any_block(rng, bad, message, where, target):
    c = 50
    n = 3 * (BLOCK // c) + 7  # four blocks of rows
    s = rng.normal(0.0, 3.0, (n, c))
    i = 0 if where == "first" else n - 1
    if bad == "row":
        s[i] = -np.inf
    else:
        s[i, 7] = bad
    y = rng.integers(0, c, n)
    kwargs = {"label_smoothing": 0.1} if target == "smoothing" else {}
    t = np.eye(c)[y] if target == "probabilities" else y
    for f in (xent.cross_entropy_with_logits, xent.cross_entropy_with_logits_value_and_grad):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # quietly: no RuntimeWarning on the way
            with pytest.raises(ValueError, match=message):
                f(s, t, **kwargs)


def test_masked_classes_are_still_accepted_in_every_block(rng):
    c = 50
    n = 2 * (BLOCK // c) + 3
    s = rng.normal(0.0, 3.0, (n, c))
    s[:, 3] = -np.inf
    y = rng.integers(4, c, n)
    loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, y, reduction="none")
    assert np.isfinite(loss).all() and np.all(grad[:, 3] == 0.0)
    # every row as a batch of its own gives the same results (no block depends on another)
    for i in (0, n // 2, n - 1):
        one, g1 = xent.cross_entropy_with_logits_value_and_grad(s[i:i + 1], y[i:i + 1],
                                                                reduction="none")
        assert one[0] == loss[i] and np.array_equal(g1[0], grad[i])


@pytest.mark.parametrize("shape", [(65, 3), (65, 1000), (6, 20000)])
def test_row_broadcasts_changes_no_result(rng, shape):
    # the smaller ufunc buffer inside row_broadcasts changes speed, not one bit: elementwise
    # operations with a column, and the pairwise row sums, equal those under the default
    v = rng.random(shape) * 10.0 ** rng.uniform(-8, 8, shape)
    col = rng.random((shape[0], 1))
    plain = (v * col, v - col, v.sum(axis=1), np.einsum("ij,ij->i", v, v))
    default = np.getbufsize()
    with row_broadcasts():
        assert np.getbufsize() == 1024
        small = (v * col, v - col, v.sum(axis=1), np.einsum("ij,ij->i", v, v))
    assert np.getbufsize() == default  # restored
    for a, b in zip(plain, small):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_row_sum_shares_sigma_from_two_reductions_for_either_sign(rng, sign):
    # _shared_sigma reads the rows' magnitudes from the smallest and largest sum: rows of
    # non-positive terms (general_block's sum of a_j x_j) take the shared sigma as positive ones
    rows = sign * rng.uniform(0.5, 1.0, (12, 1000)) * np.exp2(-np.arange(12.0))[:, None]
    t0 = rows.sum(axis=1)
    b = rows.shape[1].bit_length() + 1  # as row_sum sets it
    # the sigma of the general path: 1.5 * 2**(largest exponent of frexp + b - 1)
    general = math.ldexp(1.5, int(np.frexp(t0)[1].max()) + b - 1)
    assert xent._kernels._shared_sigma(t0, rows.shape[1], b) == general
    assert _worst_ulp(row_sum(rows, np.empty_like(rows)), rows) <= 0.5 + 1e-6
    # a zero row, or rows of both signs, leave the common case: the per-row path, same sums
    mixed = rows.copy()
    mixed[3] = 0.0
    mixed[5] *= -1.0
    assert xent._kernels._shared_sigma(mixed.sum(axis=1), rows.shape[1], b) is None
    got = row_sum(mixed, np.empty_like(mixed))
    assert got[3] == 0.0
    assert _worst_ulp(np.delete(got, 3), np.delete(mixed, 3, axis=0)) <= 0.5 + 1e-6
