"""Property-based tests (Hypothesis) of the invariants every loss must keep."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xent

REDUCTION = st.sampled_from(["mean", "sum", "none"])


@st.composite
def problems(draw, lo=-30.0, hi=30.0):
    """Logits (N, C), labels, a probability target, class weights and a smoothing."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    s = draw(arrays(np.float64, (n, c), elements=st.floats(lo, hi)))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    raw = draw(arrays(np.float64, (n, c), elements=st.floats(0.0, 1.0)))
    raw[:, 0] += 1e-3  # every row has mass somewhere
    soft = raw / raw.sum(axis=1, keepdims=True)
    weight = draw(arrays(np.float64, c, elements=st.floats(0.1, 3.0)))
    eps = draw(st.floats(0.0, 1.0))
    return s, labels, soft, weight, eps


@given(problems(), REDUCTION, st.booleans(), st.booleans())
def test_cross_entropy_with_logits_is_non_negative(problem, reduction, soft, weighted):
    s, labels, probs, weight, eps = problem
    loss = xent.cross_entropy_with_logits(s, probs if soft else labels,
                                          weight if weighted else None,
                                          label_smoothing=eps, reduction=reduction)
    assert np.all(loss >= 0)


@given(problems(lo=-5, hi=5), REDUCTION)
def test_probability_losses_are_non_negative(problem, reduction):
    s, labels, soft, weight, _ = problem
    p = xent.softmax(s)
    for target in (labels, soft):
        assert np.all(xent.cross_entropy(p, target, weight, reduction=reduction) >= 0)
        assert np.all(xent.mean_squared_error(p, target, reduction=reduction) >= 0)
        assert np.all(xent.classification_error(p, target, reduction=reduction) >= 0)
    y = soft[:, 0]
    assert np.all(xent.binary_cross_entropy(p[:, 0], y, reduction=reduction) >= 0)
    assert np.all(xent.binary_cross_entropy_with_logits(s[:, 0], y, reduction=reduction) >= 0)


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e4, 1e4)),
       st.data(), REDUCTION)
def test_binary_is_two_class_cross_entropy_with_logits_zero_s(s, data, reduction):
    y = data.draw(arrays(np.float64, s.shape, elements=st.floats(0.0, 1.0)))
    two = np.stack([np.zeros_like(s), s], axis=1)
    target = np.stack([1.0 - y, y], axis=1)
    np.testing.assert_allclose(
        xent.binary_cross_entropy_with_logits(s, y, reduction=reduction),
        xent.cross_entropy_with_logits(two, target, reduction=reduction), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(
        xent.binary_cross_entropy_with_logits_grad(s, y, reduction=reduction),
        xent.cross_entropy_with_logits_grad(two, target, reduction=reduction)[:, 1],
        rtol=1e-12, atol=1e-15)


@given(problems(lo=-8, hi=8), REDUCTION, st.booleans(), st.booleans())
def test_cross_entropy_with_logits_grad_matches_numerical_gradient(problem, reduction, soft,
                                                                   weighted):
    s, labels, probs, weight, eps = problem
    kw = dict(target=probs if soft else labels, weight=weight if weighted else None,
              label_smoothing=eps, reduction=reduction)
    f = lambda z: np.sum(xent.cross_entropy_with_logits(z, **kw))  # noqa: E731
    assert xent.gradcheck(f, lambda z: xent.cross_entropy_with_logits_grad(z, **kw), s) < 1e-6


@given(problems(lo=-8, hi=8), REDUCTION, st.booleans())
def test_binary_with_logits_grad_matches_numerical_gradient(problem, reduction, weighted):
    s, _, soft, weight, _ = problem
    kw = dict(y=soft, weight=weight if weighted else None, pos_weight=weight[::-1],
              reduction=reduction)
    f = lambda z: np.sum(xent.binary_cross_entropy_with_logits(z, **kw))  # noqa: E731
    g = lambda z: xent.binary_cross_entropy_with_logits_grad(z, **kw)  # noqa: E731
    assert xent.gradcheck(f, g, s) < 1e-6


@given(problems(lo=-2, hi=2), REDUCTION, st.booleans())
def test_probability_grads_match_numerical_gradient(problem, reduction, soft):
    s, labels, probs, weight, _ = problem
    p = 0.05 + 0.9 * xent.sigmoid(s)  # inside (0, 1), away from the edges
    target = probs if soft else labels
    pairs = [(xent.cross_entropy, xent.cross_entropy_grad, dict(weight=weight)),
             (xent.mean_squared_error, xent.mean_squared_error_grad, {})]
    top2 = np.sort(p, axis=1)[:, -2:]
    if np.all(top2[:, 1] - top2[:, 0] > 1e-3):  # away from ties the error is locally constant
        pairs.append((xent.classification_error, xent.classification_error_grad, {}))
    for f, g, kw in pairs:
        assert xent.gradcheck(lambda z: np.sum(f(z, target, reduction=reduction, **kw)),
                              lambda z: g(z, target, reduction=reduction, **kw), p) < 1e-6
    y = probs
    assert xent.gradcheck(
        lambda z: np.sum(xent.binary_cross_entropy(z, y, weight, reduction=reduction)),
        lambda z: xent.binary_cross_entropy_grad(z, y, weight, reduction=reduction), p) < 1e-6


@given(problems(), st.floats(0.0, 1.0))
def test_label_smoothing_mixes_the_losses_linearly(problem, eps):
    s, labels, _, weight, _ = problem
    c = s.shape[1]
    hard = xent.cross_entropy_with_logits(s, labels, weight, reduction="none")
    uniform = xent.cross_entropy_with_logits(s, np.full(s.shape, 1.0 / c), weight,
                                             reduction="none")
    np.testing.assert_allclose(
        xent.cross_entropy_with_logits(s, labels, weight, label_smoothing=eps, reduction="none"),
        (1 - eps) * hard + eps * uniform, rtol=1e-12, atol=1e-300)


@given(problems(), st.floats(0.01, 100.0))
def test_scaling_the_weights(problem, factor):
    s, labels, soft, weight, eps = problem
    kw = dict(label_smoothing=eps)
    # labels: the mean divides by the total weight, so a common factor cancels
    np.testing.assert_allclose(xent.cross_entropy_with_logits(s, labels, factor * weight, **kw),
                               xent.cross_entropy_with_logits(s, labels, weight, **kw),
                               rtol=1e-12)
    # the sum scales with it; weights of 1 are no weights
    np.testing.assert_allclose(
        xent.cross_entropy_with_logits(s, soft, factor * weight, reduction="sum", **kw),
        factor * xent.cross_entropy_with_logits(s, soft, weight, reduction="sum", **kw),
        rtol=1e-12)
    np.testing.assert_allclose(
        xent.cross_entropy_with_logits(s, labels, np.ones(s.shape[1]), reduction="none", **kw),
        xent.cross_entropy_with_logits(s, labels, reduction="none", **kw), rtol=1e-15)


@given(problems())
def test_inputs_are_never_modified(problem):
    s, labels, soft, weight, eps = problem
    copies = [a.copy() for a in (s, labels, soft, weight)]
    xent.cross_entropy_with_logits_value_and_grad(s, labels, weight, label_smoothing=eps)
    xent.cross_entropy_with_logits_value_and_grad(s, soft, weight, label_smoothing=eps)
    xent.binary_cross_entropy_with_logits_value_and_grad(s, soft, weight, weight)
    xent.numerical_gradient(lambda z: xent.cross_entropy_with_logits(z, labels), s)
    for a, b in zip((s, labels, soft, weight), copies):
        np.testing.assert_array_equal(a, b)
