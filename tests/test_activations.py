"""sigmoid, softmax, log_softmax, logsumexp: examples, SciPy references, edge cases, properties."""

import numpy as np
import pytest
import scipy.special as sps
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xent

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
rows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=finite)


def test_sigmoid_examples():
    assert xent.sigmoid(0.0) == 0.5
    assert xent.sigmoid(np.inf) == 1.0 and xent.sigmoid(-np.inf) == 0.0
    np.testing.assert_allclose(xent.sigmoid(np.array([-2.0, 2.0])), [0.11920292202211755,
                                                                      0.8807970779778823])
    assert xent.sigmoid(-800.0) == 0.0 and xent.sigmoid(800.0) == 1.0  # no overflow warning
    assert xent.sigmoid(-40.0) == pytest.approx(4.248354255291589e-18, rel=1e-15)


def test_sigmoid_matches_scipy_expit(rng):
    s = rng.normal(0, 20, (50, 7))
    np.testing.assert_allclose(xent.sigmoid(s), sps.expit(s), rtol=4e-16, atol=0)


def test_softmax_family_matches_scipy(rng):
    s = rng.normal(0, 5, (40, 9))
    for axis in (0, 1, -1):
        np.testing.assert_allclose(xent.softmax(s, axis), sps.softmax(s, axis=axis), rtol=1e-14)
        # SciPy computes log(sum exp), which errs by ~1e-16 absolutely near 0 (xent is exact
        # there, see test_accuracy.py): hence the absolute tolerance
        np.testing.assert_allclose(xent.log_softmax(s, axis), sps.log_softmax(s, axis=axis),
                                   rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(xent.logsumexp(s, axis), sps.logsumexp(s, axis=axis),
                                   rtol=1e-14)


def test_three_dimensional_input_and_axis(rng):
    s = rng.normal(size=(3, 4, 5))
    np.testing.assert_allclose(xent.softmax(s, axis=1), sps.softmax(s, axis=1), rtol=1e-14)
    assert xent.logsumexp(s, axis=1).shape == (3, 5)
    assert np.ndim(xent.logsumexp(s[0, 0])) == 0


def test_huge_and_masked_logits():
    s = np.array([[1e4, -1e4, 0.0], [1e300, -1e300, 0.0], [0.0, -np.inf, 0.0], [5.0, 5.0, 5.0]])
    np.testing.assert_allclose(xent.softmax(s), [[1, 0, 0], [1, 0, 0], [0.5, 0, 0.5],
                                                 [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)
    lsm = xent.log_softmax(s)
    assert lsm[0].tolist() == [0.0, -2e4, -1e4]
    assert lsm[1].tolist() == [0.0, -2e300, -1e300]
    assert lsm[2, 1] == -np.inf and lsm[2, 0] == -np.log(2)
    np.testing.assert_allclose(xent.logsumexp(s), [1e4, 1e300, np.log(2), 5 + np.log(3)],
                               rtol=1e-15)


def test_tiny_log_softmax_keeps_its_digits():
    # log_softmax([40, 0])[0] = -log1p(e^-40) = -4.248354255291589e-18; log(1 + e^-40) = 0
    assert xent.log_softmax(np.array([40.0, 0.0]))[0] == pytest.approx(-4.248354255291589e-18,
                                                                       rel=1e-15)


def test_inputs_are_not_modified(rng):
    s = rng.normal(size=(4, 3))
    before = s.copy()
    for f in (xent.sigmoid, xent.softmax, xent.log_softmax, xent.logsumexp):
        f(s)
    np.testing.assert_array_equal(s, before)


def test_integer_input_is_accepted():
    np.testing.assert_allclose(xent.softmax([1, 2, 3]), sps.softmax([1.0, 2.0, 3.0]))


@given(rows)
def test_softmax_rows_sum_to_one_and_lie_in_unit_interval(s):
    p = xent.softmax(s)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)


@given(rows, st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(s, c):
    np.testing.assert_allclose(xent.softmax(s + c), xent.softmax(s), rtol=1e-9, atol=1e-300)


@given(rows)
def test_log_softmax_is_log_of_softmax_and_logsumexp_shifts(s):
    p = xent.softmax(s)
    lsm = xent.log_softmax(s)
    assert np.all(lsm <= 0)
    keep = p > 1e-300
    np.testing.assert_allclose(np.log(p[keep]), lsm[keep], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(lsm, s - xent.logsumexp(s)[:, None], rtol=1e-12, atol=1e-12)


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-700, 700)))
def test_sigmoid_properties(s):
    p = xent.sigmoid(s)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p + xent.sigmoid(-s), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p, xent.softmax(np.stack([np.zeros_like(s), s], axis=1))[:, 1],
                               rtol=1e-14, atol=1e-300)
