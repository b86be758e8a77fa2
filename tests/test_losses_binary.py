"""Binary cross entropy from probabilities and from logits: references and semantics."""

import warnings

import numpy as np
import pytest
import scipy.special as sps
import sklearn.metrics as skm

import xent

REDUCTIONS = ("mean", "sum", "none")


def test_binary_cross_entropy_examples():
    p, y = np.array([0.9, 0.2, 0.5]), np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(xent.binary_cross_entropy(p, y, reduction="none"),
                               [-np.log(0.9), -np.log(0.8), np.log(2)], rtol=1e-15)


def test_binary_cross_entropy_matches_sklearn_and_xlogy(rng):
    p = rng.uniform(0.01, 0.99, 100)
    y = rng.integers(0, 2, 100).astype(float)
    assert xent.binary_cross_entropy(p, y) == pytest.approx(skm.log_loss(y, p), rel=1e-13)
    soft = rng.uniform(0, 1, 100)
    expected = -(sps.xlogy(soft, p) + sps.xlog1py(1 - soft, -p))
    np.testing.assert_allclose(xent.binary_cross_entropy(p, soft, reduction="none"), expected,
                               rtol=1e-14)


def test_binary_cross_entropy_at_the_edges_is_exact_and_quiet():
    p, y = np.array([0.0, 0.0, 1.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = xent.binary_cross_entropy(p, y, reduction="none")
        grad = xent.binary_cross_entropy_grad(p, y, reduction="none")
    assert loss.tolist() == [np.inf, 0.0, 0.0, np.inf]  # no clamping, 0 log 0 = 0
    assert grad[0] == -np.inf and grad[3] == np.inf
    assert xent.binary_cross_entropy(p, y) == np.inf


def test_weights_scale_each_entry(rng):
    p, y = rng.uniform(0.05, 0.95, (6, 3)), rng.uniform(0, 1, (6, 3))
    w = rng.uniform(0, 2, 3)
    base = xent.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(xent.binary_cross_entropy(p, y, weight=w, reduction="none"),
                               base * w, rtol=1e-15)
    assert xent.binary_cross_entropy(p, y, weight=w) == pytest.approx((base * w).mean())
    s = np.log(p / (1 - p))
    np.testing.assert_allclose(xent.binary_cross_entropy_with_logits(s, y, weight=w[None, :]),
                               (base * w).mean(), rtol=1e-13)


def test_with_logits_equals_probability_version(rng):
    s = rng.normal(0, 4, (10, 2))
    y = rng.uniform(0, 1, (10, 2))
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            xent.binary_cross_entropy_with_logits(s, y, reduction=reduction),
            xent.binary_cross_entropy(xent.sigmoid(s), y, reduction=reduction), rtol=1e-12)


def test_with_logits_is_stable_for_extreme_logits():
    s = np.array([1e4, -1e4, 1e300, -1e300, 40.0, -40.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    loss = xent.binary_cross_entropy_with_logits(s, y, reduction="none")
    np.testing.assert_allclose(loss, [1e4, 1e4, 1e300, 1e300, 4.248354255291589e-18,
                                      4.248354255291589e-18], rtol=1e-15)
    grad = xent.binary_cross_entropy_with_logits_grad(s, y, reduction="none")
    np.testing.assert_allclose(grad, [1, -1, 1, -1, -4.248354255291589e-18,
                                      4.248354255291589e-18], rtol=1e-15)


def test_pos_weight_multiplies_the_positive_term(rng):
    s, y = rng.normal(0, 2, (8, 3)), rng.uniform(0, 1, (8, 3))
    pw = np.array([1.0, 2.5, 0.0])
    pos = -y * np.log(xent.sigmoid(s))
    neg = -(1 - y) * np.log(1 - xent.sigmoid(s))
    np.testing.assert_allclose(
        xent.binary_cross_entropy_with_logits(s, y, pos_weight=pw, reduction="none"),
        pw * pos + neg, rtol=1e-12)


def test_value_and_grad_is_value_and_grad(rng):
    s, y = rng.normal(0, 3, (5, 4)), rng.uniform(0, 1, (5, 4))
    w, pw = rng.uniform(0, 2, (5, 1)), rng.uniform(0, 3, 4)
    for reduction in REDUCTIONS:
        kw = dict(weight=w, pos_weight=pw, reduction=reduction)
        loss, grad = xent.binary_cross_entropy_with_logits_value_and_grad(s, y, **kw)
        np.testing.assert_array_equal(loss, xent.binary_cross_entropy_with_logits(s, y, **kw))
        np.testing.assert_array_equal(grad, xent.binary_cross_entropy_with_logits_grad(s, y, **kw))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"pos_weight": "pw"},
                                     {"weight": "w", "pos_weight": "pw"}])
def test_gradients_match_central_differences(rng, reduction, options):
    p, s, y = rng.uniform(0.1, 0.9, (4, 3)), rng.normal(0, 2, (4, 3)), rng.uniform(0, 1, (4, 3))
    values = {"w": rng.uniform(0.1, 2, 3), "pw": rng.uniform(0.1, 3, (4, 3))}
    kw = {k: values[v] for k, v in options.items()} | {"reduction": reduction}
    f = lambda z: np.sum(xent.binary_cross_entropy_with_logits(z, y, **kw))  # noqa: E731
    g = lambda z: xent.binary_cross_entropy_with_logits_grad(z, y, **kw)  # noqa: E731
    assert xent.gradcheck(f, g, s) < 1e-8
    if "pos_weight" not in kw:
        f = lambda z: np.sum(xent.binary_cross_entropy(z, y, **kw))  # noqa: E731
        g = lambda z: xent.binary_cross_entropy_grad(z, y, **kw)  # noqa: E731
        assert xent.gradcheck(f, g, p) < 1e-7


def test_one_dimensional_and_multi_label_shapes(rng):
    s, y = rng.normal(size=7), rng.integers(0, 2, 7)
    assert xent.binary_cross_entropy_with_logits(s, y, reduction="none").shape == (7,)
    s2, y2 = rng.normal(size=(2, 3, 4)), rng.uniform(size=(2, 3, 4))
    assert xent.binary_cross_entropy_with_logits_grad(s2, y2).shape == (2, 3, 4)
