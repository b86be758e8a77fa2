"""numerical_gradient and gradcheck: correctness, the documented error, refusals."""

import numpy as np
import pytest

import xent


def test_numerical_gradient_of_a_cubic(rng):
    x = rng.normal(size=(3, 2))
    np.testing.assert_allclose(xent.numerical_gradient(lambda z: np.sum(z ** 3), x), 3 * x ** 2,
                               rtol=1e-8, atol=1e-10)


def test_numerical_gradient_does_not_modify_its_point(rng):
    x = rng.normal(size=5)
    before = x.copy()
    xent.numerical_gradient(lambda z: float(np.sum(np.sin(z))), x)
    np.testing.assert_array_equal(x, before)


def test_gradcheck_accepts_a_right_gradient_and_rejects_wrong_ones(rng):
    s, y = rng.normal(size=(4, 3)), rng.integers(0, 3, 4)
    f = lambda z: xent.cross_entropy_with_logits(z, y)  # noqa: E731
    right = lambda z: xent.cross_entropy_with_logits_grad(z, y)  # noqa: E731
    assert xent.gradcheck(f, right, s) < 1e-9
    wrong = {"factor 2": lambda z: 2 * right(z),
             "sign": lambda z: -right(z),
             "missing the one-hot term": lambda z: xent.softmax(z) / len(z),
             "sum instead of mean": lambda z: xent.cross_entropy_with_logits_grad(
                 z, y, reduction="sum")}
    for name, g in wrong.items():
        err = xent.gradcheck(f, g, s, tol=None)
        assert err > 0.1, name
        with pytest.raises(AssertionError, match="gradient check failed"):
            xent.gradcheck(f, g, s)


def test_gradcheck_error_follows_the_documented_model(rng):
    # truncation error eps^2 |f'''| / 6 dominates for large eps ...
    x = rng.uniform(-1, 1, 4)
    f, g = (lambda z: float(np.sum(np.exp(z)))), np.exp
    e2, e3 = (xent.gradcheck(f, g, x, eps=eps, tol=None) for eps in (1e-2, 1e-3))
    assert 70 < e2 / e3 < 130  # ~ eps^2: a step 10x smaller, an error 100x smaller
    # ... rounding u |f| / eps dominates for tiny eps; the default sits near the optimum
    assert xent.gradcheck(f, g, x, eps=1e-10, tol=None) > xent.gradcheck(f, g, x, tol=None)
    assert xent.gradcheck(f, g, x) < 1e-9 < xent.GRADCHECK_TOL


def test_zero_gradients_give_zero_error():
    probs = np.array([[0.2, 0.8]])
    assert xent.gradcheck(lambda p: xent.classification_error(p, [1]),
                          lambda p: xent.classification_error_grad(p, [1]), probs) == 0.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: xent.numerical_gradient(3.0, np.ones(2)), TypeError, "f must be callable"),
    (lambda: xent.numerical_gradient(lambda z: z, np.ones(2)), ValueError, "f must return a scalar"),
    (lambda: xent.numerical_gradient(np.sum, np.ones(2), eps=0.0), ValueError, "eps must be positive"),
    (lambda: xent.numerical_gradient(np.sum, np.ones(2), eps="a"), TypeError, "eps must be a real"),
    (lambda: xent.numerical_gradient(np.sum, [np.nan]), ValueError, "x contains NaN"),
    (lambda: xent.gradcheck(np.sum, None, np.ones(2)), TypeError, "grad must be callable"),
    (lambda: xent.gradcheck(np.sum, lambda z: np.ones(3), np.ones(2)), ValueError,
     r"grad must return an array of shape \(2,\)"),
])
def test_refusals(call, error, message):
    with pytest.raises(error, match=message):
        call()
