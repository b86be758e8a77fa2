r"""Scoring features for verification: pairs, ROC AUC, accuracy, spread and gap.

Open-set recognition asks whether two samples show the same identity, by the
cosine similarity of their features. ``pair_scores`` scores every pair of
samples, ``roc_auc`` is the area under the ROC curve of such scores,
``balanced_accuracy`` and ``verification_accuracy`` threshold them, and
``spread_and_gap`` measures the angles within and between identities.

Examples
--------
>>> import numpy as np
>>> from xent import pair_scores, roc_auc
>>> F = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
>>> scores, same = pair_scores(F, np.array([0, 0, 1, 1]))
>>> same
array([ True, False, False, False, False,  True])
>>> float(roc_auc(scores, same))
1.0
"""

import numpy as np

from ._validation import check_array

__all__ = ["pair_scores", "roc_auc", "balanced_accuracy", "verification_accuracy",
           "spread_and_gap"]


def _features_and_labels(F, labels):
    F = check_array("F", F, ndim=2)
    labels = np.asarray(labels)
    if labels.shape != (F.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape ({F.shape[0]},); "
                         f"got {labels.dtype} of shape {labels.shape}")
    norms = np.linalg.norm(F, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("F has a zero row: its direction is undefined")
    return F / norms, labels


def pair_scores(F, labels):
    """Cosine similarity and same-identity flag of every pair ``i < j`` of rows of *F*."""
    U, labels = _features_and_labels(F, labels)
    upper = np.triu_indices(len(labels), k=1)
    return (U @ U.T)[upper], (labels[:, None] == labels[None, :])[upper]


def roc_auc(scores, positive):
    r"""Area under the ROC curve of *scores* for the boolean labels *positive*.

    Notes
    -----
    With the ranks :math:`1, \dots, n` of all scores (tied scores share their
    mean rank) and :math:`R_+` the sum of the ranks of the :math:`n_+`
    positives, :math:`\mathrm{AUC} = (R_+ - n_+(n_+ + 1)/2) / (n_+ n_-)`
    (Mann--Whitney): the probability that a positive scores higher than a
    negative, ties counting one half.

    Examples
    --------
    >>> float(roc_auc([0.1, 0.4, 0.4, 0.8], [False, False, True, True]))
    0.875
    """
    scores = check_array("scores", scores, ndim=1)
    positive = np.asarray(positive)
    if positive.dtype != bool or positive.shape != scores.shape:
        raise ValueError(f"positive must be booleans of the shape of scores, {scores.shape}")
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("positive must contain both True and False")
    order = np.argsort(scores, kind="mergesort")
    _, first, counts = np.unique(scores[order], return_index=True, return_counts=True)
    ranks = np.empty(scores.size)
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)       # mean rank of each tie
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def balanced_accuracy(scores, same, thresholds):
    """Mean of the rates of correct 'same' (score >= t) and correct 'different' (score < t).

    One value per threshold of *thresholds*.
    """
    scores = check_array("scores", scores, ndim=1)
    thresholds = check_array("thresholds", thresholds, ndim=1)
    same = np.asarray(same)
    if same.dtype != bool or same.shape != scores.shape or same.all() or not same.any():
        raise ValueError("same must be booleans of the shape of scores, with both values")
    pos, neg = np.sort(scores[same]), np.sort(scores[~same])
    true_pos = 1 - np.searchsorted(pos, thresholds, side="left") / pos.size
    true_neg = np.searchsorted(neg, thresholds, side="left") / neg.size
    return 0.5 * (true_pos + true_neg)


def verification_accuracy(F, labels, thresholds=None):
    """Balanced accuracy at a threshold fitted on the other half of the identities.

    The identities (sorted labels) are split into a first and a second half;
    the best of *thresholds* (default 4001 steps over [-1, 1]) on the pairs
    of one half is applied to the pairs of the other, both ways round, and
    the two accuracies are averaged.
    """
    _, labels = _features_and_labels(F, labels)
    F = np.asarray(F, dtype=float)
    ids = np.unique(labels)
    if ids.size < 4:
        raise ValueError(f"labels must hold at least 4 identities; got {ids.size}")
    if thresholds is None:
        thresholds = np.linspace(-1.0, 1.0, 4001)
    halves = [labels < ids[ids.size // 2], labels >= ids[ids.size // 2]]
    accuracies = []
    for fit, test in (halves, halves[::-1]):
        fitted = balanced_accuracy(*pair_scores(F[fit], labels[fit]), thresholds)
        best = np.asarray(thresholds)[np.argmax(fitted)]
        accuracies.append(balanced_accuracy(*pair_scores(F[test], labels[test]), [best])[0])
    return float(np.mean(accuracies))


def spread_and_gap(F, labels):
    r"""Mean angle to the identity's mean direction, and to the nearest other one, in degrees.

    Notes
    -----
    With :math:`\mu_k` the mean direction of identity :math:`k`,
    :math:`\text{spread} = \frac1K \sum_k \operatorname{mean}_{i \in k} \angle(f_i, \mu_k)` and
    :math:`\text{gap} = \frac1K \sum_k \min_{l \ne k} \angle(\mu_k, \mu_l)`.
    """
    U, labels = _features_and_labels(F, labels)
    ids = np.unique(labels)
    if ids.size < 2:
        raise ValueError("labels must hold at least 2 identities")
    centres = np.array([U[labels == k].mean(axis=0) for k in ids])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def degrees(c):
        return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))

    spread = np.mean([degrees(U[labels == k] @ centres[i]).mean() for i, k in enumerate(ids)])
    between = degrees(centres @ centres.T)
    np.fill_diagonal(between, np.inf)
    return float(spread), float(between.min(axis=1).mean())
