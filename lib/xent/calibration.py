r"""Calibration of a classifier: reliability bins, expected calibration error, temperature.

A classifier is *calibrated* when, among the samples to which it gives a top
probability (its *confidence*) near :math:`c`, a fraction :math:`c` is
classified correctly. ``reliability_bins`` groups the samples by confidence
into equal-width bins; ``expected_calibration_error`` averages the gap between
accuracy and confidence over the bins; ``temperature_scaling_loss`` is the
mean cross entropy of the logits divided by a temperature :math:`T`, with
:math:`dL/dT`, and ``fit_temperature`` minimises it (Guo et al., 2017).

Examples
--------
>>> import numpy as np
>>> from xent import expected_calibration_error, temperature_scaling_loss
>>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
>>> float(expected_calibration_error(p, np.array([0, 1, 1, 1]), n_bins=5))
0.25
>>> loss, grad_T = temperature_scaling_loss(np.log(p), np.array([0, 1, 1, 1]), 1.0)
>>> round(float(loss), 6), round(float(grad_T), 6)
(0.645575, -0.118234)
"""

import numbers

import numpy as np

from ._validation import (check_array, check_distributions, check_labels, check_positive,
                          check_probabilities)
from .logits import cross_entropy_with_logits_value_and_grad

__all__ = ["reliability_bins", "expected_calibration_error", "temperature_scaling_loss",
           "fit_temperature"]


def _check_bins(n_bins):
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral):
        raise TypeError(f"n_bins must be an integer; got {type(n_bins).__name__}")
    if n_bins < 1:
        raise ValueError(f"n_bins must be a positive number of bins; got {n_bins}")
    return int(n_bins)


def reliability_bins(probs, target, n_bins=15):
    r"""Confidence and accuracy of the samples in each of *n_bins* equal-width bins.

    Parameters
    ----------
    probs : array_like, shape (N, C)
        Predicted probabilities, one row per sample: entries in [0, 1], rows summing to 1.
    target : array_like of int, shape (N,)
        True class labels in ``[0, C)``.
    n_bins : int, default 15
        Number of bins :math:`B_m = ((m-1)/M, m/M]` of the confidence
        (the first bin also holds a confidence of 0).

    Returns
    -------
    confidence : numpy.ndarray, shape (n_bins,)
        Mean confidence :math:`\max_j p_{nj}` of the samples in each bin (NaN if empty).
    accuracy : numpy.ndarray, shape (n_bins,)
        Fraction of them whose most probable class is the true one (NaN if empty).
    counts : numpy.ndarray of int, shape (n_bins,)
        Number of samples in each bin.

    Raises
    ------
    TypeError, ValueError
        For probabilities that are not a 2-D array in [0, 1], labels of the
        wrong type, shape or range, or an *n_bins* that is not a positive integer.

    Examples
    --------
    >>> conf, acc, counts = reliability_bins([[0.9, 0.1], [0.6, 0.4]], [0, 1], n_bins=2)
    >>> conf.tolist(), acc.tolist(), counts.tolist()
    ([nan, 0.75], [nan, 0.5], [0, 2])
    """
    p = check_probabilities("probs", probs, ndim=2)
    p = check_distributions("probs", p, p.shape)
    y = check_labels("target", target, p.shape[0], p.shape[1])
    m = _check_bins(n_bins)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    # bin m - 1 holds ((m - 1)/M, m/M]: the smallest m with conf <= m/M
    edges = np.linspace(0.0, 1.0, m + 1)
    which = np.searchsorted(edges[1:-1], conf, side="left")
    counts = np.bincount(which, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(which, weights=conf, minlength=m) / counts
        accuracy = np.bincount(which, weights=correct, minlength=m) / counts
    return confidence, accuracy, counts


def expected_calibration_error(probs, target, n_bins=15):
    r"""The expected calibration error (ECE) of probabilities *probs* for labels *target*.

    Parameters
    ----------
    probs, target, n_bins
        As for :func:`reliability_bins`.

    Returns
    -------
    numpy.float64
        :math:`\mathrm{ECE} = \sum_m \frac{|B_m|}{N} \,|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)|`,
        in [0, 1]; empty bins add nothing.

    Raises
    ------
    TypeError, ValueError
        As for :func:`reliability_bins`.

    Examples
    --------
    >>> float(expected_calibration_error([[1.0, 0.0], [0.0, 1.0]], [0, 1]))
    0.0
    """
    confidence, accuracy, counts = reliability_bins(probs, target, n_bins)
    full = counts > 0
    gaps = np.abs(accuracy[full] - confidence[full])
    return np.float64((counts[full] * gaps).sum() / counts.sum())


def temperature_scaling_loss(logits, target, temperature):
    r"""Mean cross entropy of ``logits / temperature`` and its derivative in the temperature.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite logits.
    target : array_like of int, shape (N,)
        Class labels in ``[0, C)``.
    temperature : float
        :math:`T > 0`.

    Returns
    -------
    loss : numpy.float64
        :math:`L(T) = \frac1N \sum_n \bigl(\operatorname{lse}(s_n / T) - s_{n y_n} / T\bigr)`.
    grad_T : numpy.float64
        :math:`\frac{dL}{dT} = \frac{1}{N T^2} \sum_n \bigl(s_{n y_n} - \sum_j q_{nj} s_{nj}\bigr)`,
        :math:`q_n = \operatorname{softmax}(s_n / T)`.

    Raises
    ------
    TypeError, ValueError
        For bad logits or labels, or a temperature that is not positive and finite.

    Notes
    -----
    With :math:`z = s / T`, :math:`G = \partial L / \partial z` and
    :math:`\partial z / \partial T = -s / T^2`, so :math:`dL/dT = -\sum G \odot s / T^2`.

    Examples
    --------
    >>> s = np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> loss, grad_T = temperature_scaling_loss(s, np.array([0, 0]), 2.0)
    >>> round(float(loss), 6), round(float(grad_T), 6)
    (0.643669, -0.010572)
    """
    s = check_array("logits", logits, ndim=2)
    t = check_positive("temperature", temperature)
    with np.errstate(over="ignore"):
        z = s / t
    if not np.isfinite(z).all():
        raise ValueError(f"logits / temperature overflow float64 at temperature {t!r}")
    loss, G = cross_entropy_with_logits_value_and_grad(z, target)
    return loss, np.float64(-(G * s).sum() / t**2)


def fit_temperature(logits, target, bracket=(1e-2, 1e2), tol=1e-12):
    r"""The temperature that minimises :func:`temperature_scaling_loss`, by bisection.

    Parameters
    ----------
    logits, target
        As for :func:`temperature_scaling_loss` (in practice, a validation set).
    bracket : (float, float), default (0.01, 100)
        The interval of temperatures searched, :math:`0 < T_{lo} < T_{hi}`.
    tol : float, default 1e-12
        Relative width of the final interval.

    Returns
    -------
    float
        :math:`T^*` with :math:`dL/dT(T^*) = 0`.

    Raises
    ------
    TypeError, ValueError
        As for :func:`temperature_scaling_loss`, for a bad *bracket* or *tol*,
        or if :math:`dL/dT` does not change sign in the bracket (no minimum
        inside: for instance every sample's top logit is its label's, so the loss
        falls all the way to :math:`T \to 0`).

    Notes
    -----
    :math:`L` is convex in :math:`\beta = 1/T` (a log-sum-exp of a linear
    function minus a linear function), so :math:`dL/dT = -\beta^2 dL/d\beta`
    changes sign once, from negative to positive; bisection in :math:`\log T`
    finds the root.

    Examples
    --------
    >>> s = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> T = fit_temperature(s, np.array([0, 0, 0]))
    >>> round(T, 6), abs(float(temperature_scaling_loss(s, [0, 0, 0], T)[1])) < 1e-10
    (1.322213, True)
    """
    if len(bracket) != 2:
        raise ValueError(f"bracket must be a pair (T_lo, T_hi); got {bracket!r}")
    lo, hi = (check_positive("bracket", b) for b in bracket)
    if not lo < hi:
        raise ValueError(f"bracket must satisfy T_lo < T_hi; got {bracket!r}")
    tol = check_positive("tol", tol)
    slope = lambda T: temperature_scaling_loss(logits, target, T)[1]  # noqa: E731
    if not (slope(lo) < 0 < slope(hi)):
        raise ValueError(f"dL/dT does not change sign in the bracket {bracket!r}: "
                         "the loss has no minimum there")
    a, b = np.log(lo), np.log(hi)
    while b - a > tol:
        mid = 0.5 * (a + b)
        if slope(np.exp(mid)) < 0:
            a = mid
        else:
            b = mid
    return float(np.exp(0.5 * (a + b)))
