"""sharded_cross_entropy: agreement with the unsharded loss, SciPy and mpmath; communication; errors."""

import mpmath
import numpy as np
import pytest
import scipy.special

import xent
from xent import allgather_bytes, allreduce_bytes, shard_bounds, sharded_cross_entropy

TOL = 1e-12


def reference(x, W, y):
    """SciPy's softmax and log-sum-exp on all N x V logits."""
    s = x @ W
    n = len(y)
    G = (scipy.special.softmax(s, axis=1) - np.eye(W.shape[1])[y]) / n
    loss = np.mean(scipy.special.logsumexp(s, axis=1) - s[np.arange(n), y])
    return loss, G @ W.T, x.T @ G


def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.fixture
def problem(rng):
    n, d, v = 29, 7, 1000
    return rng.normal(size=(n, d)), rng.normal(size=(d, v)), rng.integers(0, v, n)


@pytest.mark.parametrize("p", [1, 2, 3, 7, 8, 13, 999, 1000])
def test_agrees_with_scipy_and_chunked(problem, p):
    x, W, y = problem
    got = sharded_cross_entropy(x, W, y, n_shards=p)
    for a, b in zip(got, reference(x, W, y)):
        assert np.shape(a) == np.shape(b)
        assert rel(a, b) <= TOL
    for a, b in zip(got, xent.chunked_cross_entropy(x, W, y, chunk_size=100)):
        assert rel(a, b) <= TOL


def test_tiny_loss_keeps_its_digits():
    """The target ahead by 40 on one shard: 1 + 4e-18 would round to 1 without log1p(T)."""
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    W = np.array([[40.0, 0.0, -1.0, 0.5, 2.0], [0.0, 41.0, 3.0, 1.0, -2.0]])
    y = np.array([0, 1])
    with mpmath.workdps(50):
        exact = sum(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row)) - mpmath.mpf(row[t])
                    for row, t in zip(x @ W, y)) / 2
    for p in (1, 2, 5):
        loss, _, gW = sharded_cross_entropy(x, W, y, p)
        assert abs(loss - float(exact)) <= 4 * np.spacing(float(exact))
        assert (gW[:, y] != 0).all()


def test_large_logits_and_ties(rng):
    x, W = rng.normal(size=(5, 3)) * 300, rng.normal(size=(3, 40))
    y = rng.integers(0, 40, 5)
    for p in (1, 4, 6):
        for a, b in zip(sharded_cross_entropy(x, W, y, p), reference(x, W, y)):
            assert rel(a, b) <= TOL
    loss, _, gW = sharded_cross_entropy(np.ones((3, 1)), np.zeros((1, 10)), [0, 5, 9], 4)
    assert loss == pytest.approx(np.log(10), rel=1e-15)
    np.testing.assert_allclose(gW, (0.1 - np.eye(10)[[0, 5, 9]]).sum(0)[None] / 3, atol=1e-16)


def test_gradients_match_central_differences(rng):
    x, W, y = rng.normal(size=(4, 3)), rng.normal(size=(3, 9)), rng.integers(0, 9, 4)
    _, gx, gW = sharded_cross_entropy(x, W, y, 4)
    assert xent.gradcheck(lambda z: sharded_cross_entropy(z, W, y, 4)[0], lambda z: gx, x) < 1e-8
    assert xent.gradcheck(lambda z: sharded_cross_entropy(x, z, y, 4)[0], lambda z: gW, W) < 1e-8


def test_shard_bounds_cover_the_classes():
    for v, p in [(10, 3), (256_000, 7), (5, 5), (8, 1)]:
        b = shard_bounds(v, p)
        assert len(b) == p and b[0][0] == 0 and b[-1][1] == v
        assert all(hi > lo for lo, hi in b) and all(b[i][1] == b[i + 1][0] for i in range(p - 1))
        sizes = [hi - lo for lo, hi in b]
        assert sizes == [len(a) for a in np.array_split(np.arange(v), p)]


def test_communication_counts():
    # ring all-reduce: 2 (P - 1) / P of the message; all-gather: (P - 1) / P of the whole array
    assert allreduce_bytes(1000, 4, itemsize=8) == 2 * 3 / 4 * 8000
    assert allgather_bytes(1000, 4, itemsize=8) == 3 / 4 * 8000
    assert allreduce_bytes(10, 1) == 0.0


@pytest.mark.parametrize("args, error, message", [
    ((np.ones((2, 3)), np.ones((3, 4)), [0, 1], 5), ValueError, "n_shards must be at most"),
    ((np.ones((2, 3)), np.ones((3, 4)), [0, 1], 0), ValueError, "n_shards must be positive"),
    ((np.ones((2, 3)), np.ones((3, 4)), [0, 1], 2.0), TypeError, "n_shards must be an integer"),
    ((np.ones((2, 3)), np.ones((3, 4)), [0, 1], True), TypeError, "n_shards must be an integer"),
    ((np.ones((2, 3)), np.ones((2, 4)), [0, 1], 2), ValueError, r"W must have shape \(d, V\)"),
    ((np.ones((2, 3)), np.ones((3, 4)), [0, 4], 2), ValueError, r"target must hold class labels"),
    ((np.ones((2, 3)), np.ones((3, 4)), [0.0, 1.0], 2), TypeError, "integer dtype"),
    ((np.full((2, 3), np.nan), np.ones((3, 4)), [0, 1], 2), ValueError, "x contains NaN"),
    ((np.full((2, 3), 1e200), np.full((3, 4), 1e200), [0, 1], 2), ValueError, "overflow"),
])
def test_bad_input_is_refused(args, error, message):
    with pytest.raises(error, match=message):
        sharded_cross_entropy(*args)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="count must be positive"):
        allreduce_bytes(0, 8)
    with pytest.raises(TypeError, match="n_devices must be an integer"):
        allgather_bytes(10, 8.0)
