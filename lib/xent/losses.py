r"""The article's first two losses: classification error and mean squared error.

Both take predicted probabilities ``probs`` of shape ``(N, C)`` and a target
that is either ``N`` integer class labels or ``N`` probability rows
(one-hot or soft), and a ``reduction`` of ``"mean"`` (over samples),
``"sum"`` or ``"none"`` (one value per sample).

Examples
--------
>>> from xent import article, classification_error, mean_squared_error
>>> float(classification_error(article.MODEL1, article.LABELS))
0.3333333333333333
>>> mean_squared_error(article.MODEL1, article.LABELS, reduction="none")
array([0.54, 0.54, 1.34])
"""

import numpy as np

from ._kernels import reduce_loss
from ._validation import check_class_target, check_probabilities, check_reduction

__all__ = ["classification_error", "classification_error_grad",
           "mean_squared_error", "mean_squared_error_grad"]


def _check(probs, target, reduction):
    reduction = check_reduction(reduction)
    probs = check_probabilities("probs", probs, ndim=2)
    kind, target = check_class_target("target", target, probs.shape)
    if kind == "index":
        target = np.eye(probs.shape[1])[target]
    return probs, target, reduction


def classification_error(probs, target, reduction="mean"):
    r"""The fraction of samples whose most probable class is not the true class.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probabilities, entries in [0, 1].
    target : array_like, shape (N,) or (N, C)
        Integer labels in ``[0, C)``, or probability rows summing to 1.
    reduction : {"mean", "sum", "none"}
        ``"mean"``: the error rate; ``"sum"``: the number of errors;
        ``"none"``: 1.0 for each misclassified sample, else 0.0.

    Returns
    -------
    numpy.float64 or numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty, NaN or out-of-range inputs, mismatched shapes,
        non-integer labels, rows of *target* not summing to 1, a bad *reduction*.

    Notes
    -----
    .. math:: \ell_n = [\,\arg\max_j p_{nj} \ne y_n\,]

    The prediction is the arg max of each row of *probs*; with a probability
    target, the true class is the arg max of its row. Ties are broken as by
    :func:`numpy.argmax`: the lowest class index wins, for the prediction and
    for the target alike.

    Examples
    --------
    >>> import numpy as np
    >>> classification_error(np.array([[0.5, 0.5], [0.2, 0.8]]), np.array([1, 1]),
    ...                      reduction="none")
    array([1., 0.])
    """
    probs, target, reduction = _check(probs, target, reduction)
    wrong = probs.argmax(axis=1) != target.argmax(axis=1)
    return reduce_loss(wrong.astype(np.float64), reduction)


def classification_error_grad(probs, target, reduction="mean"):
    """Gradient of :func:`classification_error` with respect to *probs*: zeros.

    The loss is piecewise constant in *probs*: wherever it is differentiable
    (away from ties), its gradient is zero, which is why gradient descent
    cannot train a model with it. Same parameters and errors.

    Examples
    --------
    >>> import numpy as np
    >>> classification_error_grad(np.array([[0.3, 0.7]]), np.array([0]))
    array([[0., 0.]])
    """
    probs, _, _ = _check(probs, target, reduction)
    return np.zeros_like(probs)


def mean_squared_error(probs, target, reduction="mean"):
    r"""Squared error summed over the classes, averaged over the samples.

    Parameters and errors as for :func:`classification_error`. ``"none"``
    returns each sample's sum of squared errors; ``"mean"`` averages them
    over the samples (not over samples times classes), as the article does.

    Notes
    -----
    .. math:: \ell_n = \sum_j (p_{nj} - t_{nj})^2, \qquad
              \mathrm{MSE} = \frac{1}{N} \sum_n \ell_n,

    with :math:`t_n` the one-hot row of label :math:`y_n` (or the given row).

    Examples
    --------
    >>> from xent import article
    >>> float(mean_squared_error(article.MODEL2, article.LABELS))
    0.34
    """
    probs, target, reduction = _check(probs, target, reduction)
    return reduce_loss(((probs - target) ** 2).sum(axis=1), reduction)


def mean_squared_error_grad(probs, target, reduction="mean"):
    r"""Gradient of :func:`mean_squared_error` with respect to *probs*.

    :math:`\partial \ell_n / \partial p_{nj} = 2 (p_{nj} - t_{nj})`, divided by
    :math:`N` for ``"mean"``; for ``"none"``, the gradient of the sum.

    Examples
    --------
    >>> import numpy as np
    >>> mean_squared_error_grad(np.array([[0.25, 0.75]]), np.array([1]))
    array([[ 0.5, -0.5]])
    """
    probs, target, reduction = _check(probs, target, reduction)
    g = 2.0 * (probs - target)
    return g / probs.shape[0] if reduction == "mean" else g
