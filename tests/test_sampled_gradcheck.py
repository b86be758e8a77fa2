"""relative_error and sampled_gradcheck: definitions, a found bug, errors."""

import numpy as np
import pytest

import xent
from xent import relative_error, sampled_gradcheck


def test_relative_error_definition():
    a, n = np.array([1.0, -2.0, 0.0, 3.0]), np.array([1.5, -2.0, 0.0, -3.0])
    np.testing.assert_array_equal(relative_error(a, n), [0.5 / 1.5, 0.0, 0.0, 2.0])


def test_correct_gradient_passes_and_a_wrong_entry_is_found(rng):
    s, y = rng.normal(size=(6, 5)), rng.integers(0, 5, 6)
    f = lambda z: xent.cross_entropy_with_logits(z, y)  # noqa: E731
    g = lambda z: xent.cross_entropy_with_logits_grad(z, y)  # noqa: E731
    assert sampled_gradcheck(f, g, s, n_coords=30, seed=1).max() < 1e-7
    bad = lambda z: g(z) * np.where(np.arange(30).reshape(6, 5) == 7, 2.0, 1.0)  # noqa: E731
    err = sampled_gradcheck(f, bad, s, n_coords=30, seed=1)  # all 30 coordinates: found
    assert err.max() == pytest.approx(0.5, rel=1e-6)
    assert (err > 1e-3).sum() == 1


def test_same_seed_same_coordinates_and_agrees_with_numerical_gradient(rng):
    x = rng.normal(size=(4, 3))
    f = lambda z: float(np.sum(np.sin(z) * z))  # noqa: E731
    g = lambda z: np.sin(z) + z * np.cos(z)  # noqa: E731
    e1 = sampled_gradcheck(f, g, x, 5, seed=3)
    np.testing.assert_array_equal(e1, sampled_gradcheck(f, g, x, 5, seed=3))
    full = relative_error(g(x), xent.numerical_gradient(f, x)).reshape(-1)
    picks = np.random.default_rng(3).choice(x.size, size=5, replace=False)
    np.testing.assert_allclose(e1, full[picks], rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("call, error, message", [
    (lambda: relative_error([1.0], [1.0, 2.0]), ValueError, "numerical must have the shape"),
    (lambda: relative_error([np.nan], [1.0]), ValueError, "analytic contains NaN"),
    (lambda: sampled_gradcheck(np.sum, np.ones_like, np.ones(3), 4), ValueError,
     r"n_coords must be in \[1, 3\]"),
    (lambda: sampled_gradcheck(np.sum, np.ones_like, np.ones(3), 1.0), TypeError,
     "n_coords must be an integer"),
    (lambda: sampled_gradcheck(np.sum, None, np.ones(3), 1), TypeError, "must be callable"),
    (lambda: sampled_gradcheck(np.sum, lambda z: z[:2], np.ones(3), 1), ValueError,
     r"grad must return an array of shape \(3,\)"),
    (lambda: sampled_gradcheck(lambda z: z, np.ones_like, np.ones(3), 1), ValueError,
     "f must return a scalar"),
    (lambda: sampled_gradcheck(np.sum, np.ones_like, np.ones(3), 1, eps=0.0), ValueError,
     "eps must be positive"),
])
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
