"""xent.verification against scikit-learn, SciPy and brute force."""

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from xent import balanced_accuracy, pair_scores, roc_auc, spread_and_gap, verification_accuracy


@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_equals_scikit_learn_with_and_without_ties(seed):
    rng = np.random.default_rng(seed)
    for scores in (rng.normal(size=300), rng.integers(0, 5, size=300).astype(float)):
        positive = rng.random(300) < 0.3
        assert abs(roc_auc(scores, positive) - roc_auc_score(positive, scores)) < 1e-12
        pos, neg = scores[positive], scores[~positive]
        brute = np.mean((pos[:, None] > neg) + 0.5 * (pos[:, None] == neg))
        assert abs(roc_auc(scores, positive) - brute) < 1e-12
        ranks = rankdata(scores)
        n_pos = positive.sum()
        by_scipy = (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (~positive).sum())
        assert abs(roc_auc(scores, positive) - by_scipy) < 1e-12


def test_pair_scores_are_cosines_of_every_pair():
    rng = np.random.default_rng(1)
    F, labels = rng.normal(size=(7, 3)), rng.integers(0, 3, size=7)
    scores, same = pair_scores(F, labels)
    pairs = [(i, j) for i in range(7) for j in range(i + 1, 7)]
    assert scores.shape == same.shape == (21,)
    for k, (i, j) in enumerate(pairs):
        cos = F[i] @ F[j] / np.linalg.norm(F[i]) / np.linalg.norm(F[j])
        assert abs(scores[k] - cos) < 1e-14 and same[k] == (labels[i] == labels[j])


def test_balanced_accuracy_equals_scikit_learn():
    rng = np.random.default_rng(2)
    scores, same = rng.normal(size=200), rng.random(200) < 0.4
    for t in (-0.5, 0.0, 0.3):
        expected = balanced_accuracy_score(same, scores >= t)
        assert abs(balanced_accuracy(scores, same, [t])[0] - expected) < 1e-12


def test_verification_accuracy_on_separated_and_on_random_features():
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(8), 20)
    angles = 2 * np.pi * labels / 8 + 0.05 * rng.normal(size=labels.size)
    clean = np.column_stack([np.cos(angles), np.sin(angles)])
    assert verification_accuracy(clean, labels) > 0.99   # a threshold fitted on other identities
    noise = rng.normal(size=(labels.size, 2))
    assert 0.4 < verification_accuracy(noise, labels) < 0.65


def test_spread_and_gap_of_a_known_arrangement():
    # identities at 0°, 90°, 180°, 270°, each with samples at ±10° around it
    centre = np.repeat(np.arange(4) * np.pi / 2, 2)
    angles = centre + np.tile(np.radians([-10.0, 10.0]), 4)
    F = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    spread, gap = spread_and_gap(F, np.repeat(np.arange(4), 2))
    assert abs(spread - 10.0) < 1e-9 and abs(gap - 90.0) < 1e-9


def test_refuses_bad_input():
    with pytest.raises(ValueError, match="both"):
        roc_auc([0.1, 0.2], [True, True])
    with pytest.raises(ValueError, match="positive"):
        roc_auc([0.1, 0.2], [1, 0])
    with pytest.raises(ValueError, match="zero row"):
        pair_scores(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0, 1]))
    with pytest.raises(ValueError, match="labels"):
        pair_scores(np.ones((3, 2)), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="4 identities"):
        verification_accuracy(np.eye(3), np.arange(3))
    with pytest.raises(ValueError, match="NaN"):
        roc_auc([np.nan, 0.0], [True, False])
