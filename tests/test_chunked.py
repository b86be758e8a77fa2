"""chunked_cross_entropy: agreement with the unchunked computation, gradients, memory, errors."""

import tracemalloc

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

import xent
from xent import chunked_cross_entropy

TOL = 1e-12


def unchunked(x, W, y):
    """The reference: all N x V logits, then the library's loss and gradient."""
    loss, G = xent.cross_entropy_with_logits_value_and_grad(x @ W, y)
    return loss, G @ W.T, x.T @ G


def rel(a, b):
    """Largest difference relative to the reference's largest entry (0 if both are 0)."""
    a, b = np.asarray(a), np.asarray(b)
    diff, scale = np.abs(a - b).max(), np.abs(b).max()
    return 0.0 if diff == 0 else diff / scale


def assert_agree(got, want, tol=TOL):
    for name, a, b in zip(("loss", "grad_x", "grad_W"), got, want):
        assert np.shape(a) == np.shape(b), name
        assert rel(a, b) <= tol, f"{name}: relative difference {rel(a, b):.3g} > {tol:g}"


@pytest.fixture
def problem(rng):
    n, d, v = 37, 11, 1000
    x = rng.normal(size=(n, d))
    W = rng.normal(size=(d, v))
    return x, W, rng.integers(0, v, n)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 100, 333, 999, 1000, 1005, 4096])
def test_agrees_with_the_unchunked_computation(problem, chunk_size):
    x, W, y = problem
    assert_agree(chunked_cross_entropy(x, W, y, chunk_size=chunk_size), unchunked(x, W, y))


def test_agrees_with_scipy(problem):
    """An independent reference: SciPy's logsumexp and softmax."""
    x, W, y = problem
    s, n = x @ W, len(y)
    G = (scipy.special.softmax(s, axis=1) - np.eye(W.shape[1])[y]) / n
    want = (np.mean(scipy.special.logsumexp(s, axis=1) - s[np.arange(n), y]), G @ W.T, x.T @ G)
    assert_agree(chunked_cross_entropy(x, W, y, chunk_size=128), want)
    assert_agree(chunked_cross_entropy(x, W, y), want)  # the default chunk_size


@given(n=st.integers(1, 6), d=st.integers(1, 5), v=st.integers(1, 40),
       chunk_size=st.integers(1, 50), seed=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([0.1, 1.0, 10.0]))
def test_agreement_property(n, d, v, chunk_size, seed, scale):
    rng = np.random.default_rng(seed)
    x, W = rng.normal(size=(n, d)), scale * rng.normal(size=(d, v))
    y = rng.integers(0, v, n)
    assert_agree(chunked_cross_entropy(x, W, y, chunk_size=chunk_size), unchunked(x, W, y))


def test_one_class_has_zero_loss_and_gradient():
    loss, gx, gW = chunked_cross_entropy(np.ones((3, 2)), np.ones((2, 1)), np.zeros(3, int))
    assert loss == 0.0
    assert not gx.any() and not gW.any()


def test_gradients_match_central_differences(rng):
    x, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 7))
    y = np.array([0, 6, 3, 3])
    for c in (1, 3, 7):
        assert xent.gradcheck(lambda z: chunked_cross_entropy(z, W, y, chunk_size=c)[0],
                              lambda z: chunked_cross_entropy(z, W, y, chunk_size=c)[1], x) < 1e-8
        assert xent.gradcheck(lambda z: chunked_cross_entropy(x, z, y, chunk_size=c)[0],
                              lambda z: chunked_cross_entropy(x, z, y, chunk_size=c)[2], W) < 1e-8
    numerical = xent.numerical_gradient(lambda z: chunked_cross_entropy(x, z, y, chunk_size=2)[0], W)
    assert rel(chunked_cross_entropy(x, W, y, chunk_size=2)[2], numerical) < 1e-8


@pytest.mark.parametrize("log2_scale", [0, 6, 10, 20])
def test_large_logits_are_stable_and_exact(rng, log2_scale):
    """Integer features and power-of-two weights make x @ W exact in any summation
    order, so that any difference comes from the algorithm; the logits reach 1e8."""
    n, d, v = 24, 6, 300
    x = rng.integers(-8, 9, (n, d)).astype(float)
    W = rng.integers(-8, 9, (d, v)) * 2.0**log2_scale
    s = x @ W
    y = np.where(np.arange(n) % 2 == 0, s.argmax(axis=1), rng.integers(0, v, n))
    with np.errstate(over="ignore"):
        naive_overflows = not np.isfinite(np.exp(s)).all()
    assert naive_overflows == (log2_scale >= 6)
    want = unchunked(x, W, y)
    for c in (1, 7, 64, 300, 305):
        got = chunked_cross_entropy(x, W, y, chunk_size=c)
        assert all(np.isfinite(a).all() for a in got)
        assert_agree(got, want)


def test_tiny_loss_keeps_its_digits():
    """A correct class ahead by 40: the loss is about 4e-18, and 1 + 4e-18 would round to 1."""
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    W = np.array([[40.0, 0.0, -1.0, 0.5, 2.0], [0.0, 41.0, 3.0, 1.0, -2.0]])
    y = np.array([0, 1])
    s = x @ W
    with mpmath.workdps(50):
        exact = sum(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row)) - mpmath.mpf(row[t])
                    for row, t in zip(s, y)) / 2
    for c in (1, 2, 5):
        loss, gx, gW = chunked_cross_entropy(x, W, y, chunk_size=c)
        assert abs(loss - float(exact)) <= 4 * np.spacing(float(exact))
        assert_agree((loss, gx, gW), unchunked(x, W, y))
        assert (gW[:, y] != 0).all()  # q_y - 1 = -T / (1 + T), not rounded to 0


def test_ties_give_the_uniform_distribution():
    x, W, y = np.ones((3, 1)), np.zeros((1, 10)), np.array([0, 5, 9])
    for c in (1, 3, 10):
        loss, gx, gW = chunked_cross_entropy(x, W, y, chunk_size=c)
        assert loss == pytest.approx(np.log(10), rel=1e-15)
        np.testing.assert_allclose(gW, x.T @ (0.1 - np.eye(10)[y]) / 3, rtol=1e-15, atol=1e-17)


def test_inputs_are_not_modified_and_any_real_dtype_is_accepted(problem):
    x, W, y = problem
    x0, W0, y0 = x.copy(), W.copy(), y.copy()
    got = chunked_cross_entropy(x, W, y, chunk_size=np.int64(50))
    np.testing.assert_array_equal(x, x0), np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(y, y0)
    x32, W32 = x.astype(np.float32), W.astype(np.float32)
    assert_agree(chunked_cross_entropy(x32, W32, y.astype(np.uint16), chunk_size=50),
                 unchunked(x32.astype(float), W32.astype(float), y))
    assert_agree(got, unchunked(x, W, y))


def test_memory_does_not_grow_with_the_logits(rng):
    """Peak traced memory: the outputs plus a few N x chunk_size buffers, never N x V."""
    n, d, v, c = 256, 8, 20_000, 512
    x, W, y = rng.normal(size=(n, d)), rng.normal(size=(d, v)), rng.integers(0, v, n)
    tracemalloc.start()
    try:
        loss, gx, gW = chunked_cross_entropy(x, W, y, chunk_size=c)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    working = peak - gx.nbytes - gW.nbytes
    assert working < 2 * n * c * 8
    assert peak < 0.1 * n * v * 8  # one N x V array of logits would be 41 MB


BAD = [
    # (x, W, target, chunk_size, error, message)
    ("1d x", lambda x, W, y: (x[0], W, y, 4), ValueError, "x must have 2 dimension"),
    ("1d W", lambda x, W, y: (x, W[0], y, 4), ValueError, "W must have 2 dimension"),
    ("W rows", lambda x, W, y: (x, W[:2], y, 4), ValueError,
     r"W must have shape \(d, V\) with d = x.shape\[1\] = 3; got \(2, 6\)"),
    ("target shape", lambda x, W, y: (x, W, np.append(y, 0), 4), ValueError,
     r"target must have shape \(4,\)"),
    ("target 2d", lambda x, W, y: (x, W, np.eye(6)[y].astype(int), 4), ValueError,
     r"target must have shape \(4,\)"),
    ("float labels", lambda x, W, y: (x, W, y.astype(float), 4), TypeError,
     "target holds class labels and must have an integer dtype"),
    ("label = V", lambda x, W, y: (x, W, np.array([0, 6, 1, 2]), 4), ValueError,
     r"target must hold class labels in \[0, 5\]; got 6 at index 1"),
    ("negative label", lambda x, W, y: (x, W, np.array([0, 1, -1, 2]), 4), ValueError,
     r"target must hold class labels in \[0, 5\]; got -1 at index 2"),
    ("chunk 0", lambda x, W, y: (x, W, y, 0), ValueError, "chunk_size must be a positive"),
    ("chunk -3", lambda x, W, y: (x, W, y, -3), ValueError, "chunk_size must be a positive"),
    ("chunk float", lambda x, W, y: (x, W, y, 2.0), TypeError, "chunk_size must be an integer"),
    ("chunk bool", lambda x, W, y: (x, W, y, True), TypeError, "chunk_size must be an integer"),
    ("chunk None", lambda x, W, y: (x, W, y, None), TypeError, "chunk_size must be an integer"),
    ("NaN in x", lambda x, W, y: (np.where(x > 1, np.nan, x), W, y, 4), ValueError,
     "x contains NaN"),
    ("inf in W", lambda x, W, y: (x, np.where(W > 1, np.inf, W), y, 4), ValueError,
     r"W contains \+inf"),
    ("-inf in x", lambda x, W, y: (np.where(x > 1, -np.inf, x), W, y, 4), ValueError,
     "x contains -inf"),
    ("empty batch", lambda x, W, y: (x[:0], W, y[:0], 4), ValueError, "x is empty"),
    ("no classes", lambda x, W, y: (x, W[:, :0], y, 4), ValueError, "W is empty"),
    ("complex x", lambda x, W, y: (x + 1j, W, y, 4), TypeError, "x must be a real numeric array"),
    ("text W", lambda x, W, y: (x, W.astype(str), y, 4), TypeError, "W must be a real numeric"),
    ("overflow", lambda x, W, y: (x * 1e200, W * 1e200, y, 4), ValueError,
     "the logits x @ W overflow float64"),
]


@pytest.mark.parametrize("case, make, error, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused(rng, case, make, error, message):
    x = rng.normal(size=(4, 3)) + np.array([2.0, 0.0, 0.0])  # some entries > 1
    W = rng.normal(size=(3, 6)) + 2.0
    y = np.array([0, 5, 1, 2])
    with pytest.raises(error, match=message):
        chunked_cross_entropy(*make(x, W, y))
