"""classification_error and mean_squared_error: the article's example, sklearn, semantics."""

from fractions import Fraction

import numpy as np
import pytest
import sklearn.metrics as skm

import xent
from xent import article


@pytest.mark.parametrize("model", ["Model 1", "Model 2"])
def test_article_example(model):
    probs, printed = article.MODELS[model], article.PRINTED
    assert Fraction(float(xent.classification_error(probs, article.LABELS))).limit_denominator(
        100) == Fraction(printed["classification_error"][model]["mean"])
    per_sample = xent.mean_squared_error(probs, article.LABELS, reduction="none")
    assert [f"{v:.2f}" for v in per_sample] == list(printed["mean_squared_error"][model]["samples"])
    assert f"{xent.mean_squared_error(probs, article.LABELS):.2f}" == \
        printed["mean_squared_error"][model]["mean"]


def test_labels_and_one_hot_targets_agree(rng):
    probs = xent.softmax(rng.normal(size=(20, 4)))
    labels = rng.integers(0, 4, 20)
    for f in (xent.classification_error, xent.mean_squared_error):
        for reduction in ("mean", "sum", "none"):
            np.testing.assert_array_equal(f(probs, labels, reduction=reduction),
                                          f(probs, np.eye(4)[labels], reduction=reduction))


def test_classification_error_matches_sklearn_accuracy(rng):
    probs = xent.softmax(rng.normal(size=(200, 5)))
    labels = rng.integers(0, 5, 200)
    assert xent.classification_error(probs, labels) == pytest.approx(
        1 - skm.accuracy_score(labels, probs.argmax(axis=1)), abs=1e-15)
    assert xent.classification_error(probs, labels, reduction="sum") == \
        np.sum(probs.argmax(axis=1) != labels)


def test_classification_error_ties_go_to_the_lowest_index():
    probs = np.array([[0.5, 0.5, 0.0], [0.2, 0.4, 0.4]])
    np.testing.assert_array_equal(xent.classification_error(probs, [0, 2], reduction="none"),
                                  [0.0, 1.0])
    # a soft target's true class is its arg max, ties again to the lowest index
    target = np.array([[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]])
    np.testing.assert_array_equal(xent.classification_error(probs, target, reduction="none"),
                                  [0.0, 1.0])


def test_mean_squared_error_is_summed_over_classes_and_averaged_over_samples(rng):
    probs = xent.softmax(rng.normal(size=(30, 6)))
    labels = rng.integers(0, 6, 30)
    onehot = np.eye(6)[labels]
    # sklearn averages over samples *and* outputs: the article's MSE is C times that
    assert xent.mean_squared_error(probs, labels) == pytest.approx(
        6 * skm.mean_squared_error(onehot, probs), rel=1e-14)
    assert xent.mean_squared_error(probs, labels, reduction="sum") == pytest.approx(
        ((probs - onehot) ** 2).sum(), rel=1e-14)


def test_gradients(rng):
    probs = rng.uniform(0.05, 0.95, (4, 3))
    labels = rng.integers(0, 3, 4)
    np.testing.assert_array_equal(xent.classification_error_grad(probs, labels), 0.0)
    for reduction in ("mean", "sum", "none"):
        f = lambda p: np.sum(xent.mean_squared_error(p, labels, reduction=reduction))  # noqa: E731
        g = lambda p: xent.mean_squared_error_grad(p, labels, reduction=reduction)  # noqa: E731
        assert xent.gradcheck(f, g, probs) < 1e-8
    np.testing.assert_allclose(xent.mean_squared_error_grad(probs, labels, reduction="sum"),
                               2 * (probs - np.eye(3)[labels]), rtol=1e-15)
