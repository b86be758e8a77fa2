"""Cross entropy from probabilities and from logits: the article, references, semantics."""

import warnings

import numpy as np
import pytest
import scipy.special as sps
import sklearn.metrics as skm

import xent
from xent import article

REDUCTIONS = ("mean", "sum", "none")


@pytest.mark.parametrize("model", ["Model 1", "Model 2"])
def test_article_example(model):
    probs, printed = article.MODELS[model], article.PRINTED["cross_entropy"][model]
    per_sample = xent.cross_entropy(probs, article.LABELS, reduction="none")
    # the article truncates to two decimals (-ln 0.4 = 0.916... is printed 0.91)
    truncated = [f"{np.floor(v * 100) / 100:.2f}" for v in per_sample]
    assert truncated == list(printed["samples"])
    mean = xent.cross_entropy(probs, article.TARGETS)
    assert f"{np.floor(mean * 100) / 100:.2f}" == printed["mean"]
    assert mean == pytest.approx(per_sample.mean(), rel=1e-15)


def test_cross_entropy_matches_sklearn_log_loss_and_xlogy(rng):
    probs = xent.softmax(rng.normal(size=(50, 4)))
    labels = rng.integers(0, 4, 50)
    assert xent.cross_entropy(probs, labels) == pytest.approx(
        skm.log_loss(labels, probs, labels=range(4)), rel=1e-13)
    soft = rng.dirichlet(np.ones(4), 50)
    np.testing.assert_allclose(xent.cross_entropy(probs, soft, reduction="none"),
                               -sps.xlogy(soft, probs).sum(axis=1), rtol=1e-14)


def test_zero_probability_gives_inf_and_zero_target_gives_zero():
    probs = np.array([[0.0, 1.0], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = xent.cross_entropy(probs, np.array([[1.0, 0.0], [0.0, 1.0]]), reduction="none")
        grad = xent.cross_entropy_grad(probs, np.array([0, 1]), reduction="none")
    assert loss.tolist() == [np.inf, 0.0]
    assert grad.tolist() == [[-np.inf, 0.0], [0.0, -1.0]]


def test_class_weights_and_the_weighted_mean():
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    labels, w = np.array([0, 1, 2]), np.array([1.0, 2.0, 4.0])
    per = -np.log([0.5, 0.8, 0.6]) * w
    np.testing.assert_allclose(xent.cross_entropy(probs, labels, w, reduction="none"), per)
    assert xent.cross_entropy(probs, labels, w) == pytest.approx(per.sum() / 7.0)
    # with probability targets the mean divides by N, as in PyTorch
    assert xent.cross_entropy(probs, np.eye(3)[labels], w) == pytest.approx(per.sum() / 3.0)
    np.testing.assert_allclose(xent.cross_entropy_with_logits(np.log(probs), labels, w),
                               per.sum() / 7.0, rtol=1e-14)


def test_with_logits_equals_cross_entropy_of_softmax(rng):
    s = rng.normal(0, 3, (12, 5))
    w = rng.uniform(0.1, 2, 5)
    for target in (rng.integers(0, 5, 12), rng.dirichlet(np.ones(5), 12)):
        for reduction in REDUCTIONS:
            for weight in (None, w):
                np.testing.assert_allclose(
                    xent.cross_entropy_with_logits(s, target, weight, reduction=reduction),
                    xent.cross_entropy(xent.softmax(s), target, weight, reduction=reduction),
                    rtol=1e-12)


def test_tiny_and_huge_losses():
    s = np.array([[40.0, 0.0, 0.0], [1e4, -1e4, 0.0], [1e300, -1e300, 0.0], [7.0, 7.0, 7.0]])
    loss = xent.cross_entropy_with_logits(s, np.array([0, 1, 1, 2]), reduction="none")
    np.testing.assert_allclose(loss, [np.log1p(2 * np.exp(-40.0)), 2e4, 2e300, np.log(3)],
                               rtol=1e-15)
    assert loss[0] == pytest.approx(8.496708510583178e-18, rel=1e-15)


def test_masked_classes():
    s = np.array([[1.0, -np.inf, 0.0], [-np.inf, 2.0, 2.0]])
    loss = xent.cross_entropy_with_logits(s, np.array([0, 2]), reduction="none")
    np.testing.assert_allclose(loss, [np.log1p(np.exp(-1.0)), np.log(2)], rtol=1e-15)
    grad = xent.cross_entropy_with_logits_grad(s, np.array([0, 2]), reduction="sum")
    assert grad[0, 1] == 0.0 and grad[1, 0] == 0.0
    soft = np.array([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]])  # zero target on a masked class
    assert np.isfinite(xent.cross_entropy_with_logits(s, soft))
    assert xent.cross_entropy_with_logits(s, np.array([1, 0]), reduction="none").tolist() == \
        [np.inf, np.inf]
    assert xent.cross_entropy_with_logits(s, np.array([0, 2]), label_smoothing=0.1) == np.inf


def test_ignore_index_drops_samples(rng):
    s, labels = rng.normal(size=(8, 4)), rng.integers(0, 4, 8)
    w = rng.uniform(0.5, 2, 4)
    ignored = labels.copy()
    ignored[[2, 5]] = -1
    keep = ignored != -1
    for eps in (0.0, 0.2):
        for weight in (None, w):
            kw = dict(weight=weight, label_smoothing=eps)
            np.testing.assert_allclose(
                xent.cross_entropy_with_logits(s, ignored, ignore_index=-1, **kw),
                xent.cross_entropy_with_logits(s[keep], labels[keep], **kw), rtol=1e-14)
            grad = xent.cross_entropy_with_logits_grad(s, ignored, ignore_index=-1, **kw)
            assert np.all(grad[~keep] == 0)
            np.testing.assert_allclose(
                grad[keep], xent.cross_entropy_with_logits_grad(s[keep], labels[keep], **kw),
                rtol=1e-13)


def test_all_ignored_mean_is_nan_quietly(rng):
    s = rng.normal(size=(3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, np.full(3, -100))
    assert np.isnan(loss) and np.all(grad == 0)
    assert xent.cross_entropy_with_logits(s, np.full(3, -100), reduction="sum") == 0.0


def test_label_smoothing_is_a_mixed_target(rng):
    s, labels = rng.normal(size=(6, 5)), rng.integers(0, 5, 6)
    w = rng.uniform(0.5, 2, 5)
    eps = 0.3
    mixed = (1 - eps) * np.eye(5)[labels] + eps / 5
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            xent.cross_entropy_with_logits(s, labels, label_smoothing=eps, reduction=reduction),
            xent.cross_entropy_with_logits(s, mixed, reduction=reduction), rtol=1e-13)
    # with weights, the per-sample losses agree; the mean divides by sum w_y for labels
    per = xent.cross_entropy_with_logits(s, mixed, w, reduction="none")
    np.testing.assert_allclose(
        xent.cross_entropy_with_logits(s, labels, w, label_smoothing=eps, reduction="none"),
        per, rtol=1e-13)
    assert xent.cross_entropy_with_logits(s, labels, w, label_smoothing=eps) == pytest.approx(
        per.sum() / w[labels].sum(), rel=1e-13)
    # full smoothing: the target is uniform, whatever the labels
    np.testing.assert_allclose(
        xent.cross_entropy_with_logits(s, labels, label_smoothing=1.0, reduction="none"),
        -xent.log_softmax(s).mean(axis=1), rtol=1e-13)


def test_value_and_grad_is_value_and_grad(rng):
    s, labels = rng.normal(size=(7, 4)), rng.integers(0, 4, 7)
    soft = rng.dirichlet(np.ones(4), 7)
    for target in (labels, soft):
        for kw in ({}, {"weight": rng.uniform(0, 2, 4), "label_smoothing": 0.1}):
            for reduction in REDUCTIONS:
                loss, grad = xent.cross_entropy_with_logits_value_and_grad(
                    s, target, reduction=reduction, **kw)
                np.testing.assert_array_equal(loss, xent.cross_entropy_with_logits(
                    s, target, reduction=reduction, **kw))
                np.testing.assert_array_equal(grad, xent.cross_entropy_with_logits_grad(
                    s, target, reduction=reduction, **kw))


def test_gradient_is_softmax_minus_one_hot(rng):
    s, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    np.testing.assert_allclose(xent.cross_entropy_with_logits_grad(s, labels, reduction="sum"),
                               xent.softmax(s) - np.eye(3)[labels], rtol=1e-13, atol=1e-16)
    # a confident right answer keeps its tiny gradient: -T / (1 + T), not 1 - 1 = 0
    g = xent.cross_entropy_with_logits_grad(np.array([[40.0, 0.0]]), np.array([0]))
    assert g[0, 0] == pytest.approx(-np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["labels", "probabilities"])
@pytest.mark.parametrize("weighted", [False, True])
def test_probability_gradients_match_central_differences(rng, reduction, kind, weighted):
    probs = rng.uniform(0.05, 0.95, (4, 3))
    target = rng.integers(0, 3, 4) if kind == "labels" else rng.dirichlet(np.ones(3), 4)
    kw = dict(weight=rng.uniform(0.2, 2, 3) if weighted else None, reduction=reduction)
    f = lambda p: np.sum(xent.cross_entropy(p, target, **kw))  # noqa: E731
    g = lambda p: xent.cross_entropy_grad(p, target, **kw)  # noqa: E731
    assert xent.gradcheck(f, g, probs) < 1e-7
