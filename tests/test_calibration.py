"""Calibration: bins and ECE against scikit-learn and a direct loop; temperature scaling."""

import numpy as np
import pytest
import scipy.optimize
import scipy.special
from sklearn.calibration import calibration_curve

import xent
from xent import (expected_calibration_error, fit_temperature, reliability_bins,
                  temperature_scaling_loss)


@pytest.fixture
def model(rng):
    n, c = 500, 6
    s = rng.normal(size=(n, c)) * 2.0
    y = np.array([rng.choice(c, p=scipy.special.softmax(1.7 * row)) for row in s])
    return s, y


def test_bins_agree_with_sklearn_calibration_curve(model):
    s, y = model
    p = scipy.special.softmax(s, axis=1)
    for n_bins in (5, 10, 15):
        conf, acc, counts = reliability_bins(p, y, n_bins)
        correct = (p.argmax(1) == y).astype(int)
        prob_true, prob_pred = calibration_curve(correct, p.max(1), n_bins=n_bins)
        full = counts > 0
        np.testing.assert_allclose(acc[full], prob_true, rtol=1e-12)
        np.testing.assert_allclose(conf[full], prob_pred, rtol=1e-12)
        assert counts.sum() == len(y) and np.isnan(conf[~full]).all()


def test_ece_against_a_direct_loop(model):
    s, y = model
    p = scipy.special.softmax(s, axis=1)
    conf, pred = p.max(1), p.argmax(1)
    for m in (1, 4, 15):
        total = 0.0
        for k in range(m):
            inside = (conf > k / m) & (conf <= (k + 1) / m) if k else conf <= 1 / m
            if inside.any():
                total += inside.sum() * abs((pred[inside] == y[inside]).mean() - conf[inside].mean())
        assert expected_calibration_error(p, y, m) == pytest.approx(total / len(y), rel=1e-12)


def test_ece_of_perfect_and_of_hopeless_predictions():
    y = np.array([0, 1, 2, 1])
    assert expected_calibration_error(np.eye(3)[y], y) == 0.0
    assert expected_calibration_error(np.eye(3)[(y + 1) % 3], y) == 1.0


def test_temperature_loss_and_derivative(model, rng):
    s, y = model
    for T in (0.3, 1.0, 2.5):
        loss, grad_T = temperature_scaling_loss(s, y, T)
        z = s / T
        want = np.mean(scipy.special.logsumexp(z, axis=1) - z[np.arange(len(y)), y])
        assert loss == pytest.approx(want, rel=1e-13)
        q = scipy.special.softmax(z, axis=1)
        want_grad = np.mean(s[np.arange(len(y)), y] - (q * s).sum(1)) / T**2
        assert grad_T == pytest.approx(want_grad, rel=1e-11)
        num = xent.numerical_gradient(lambda t: temperature_scaling_loss(s, y, float(t[0]))[0],
                                      np.array([T]))
        assert abs(num[0] - grad_T) <= 1e-8 * max(1.0, abs(grad_T))


def test_fit_temperature_agrees_with_scipy(model):
    s, y = model
    T = fit_temperature(s, y)
    best = scipy.optimize.minimize_scalar(lambda t: temperature_scaling_loss(s, y, t)[0],
                                          bounds=(0.05, 20), method="bounded",
                                          options={"xatol": 1e-10})
    assert T == pytest.approx(best.x, rel=1e-6)
    assert abs(temperature_scaling_loss(s, y, T)[1]) < 1e-10
    assert T == pytest.approx(1 / 1.7, rel=0.2)  # the labels were drawn at temperature 1/1.7


def test_fit_temperature_without_a_minimum():
    s = np.array([[3.0, 0.0], [0.0, 2.0]])  # both samples right: the loss falls as T -> 0
    with pytest.raises(ValueError, match="does not change sign"):
        fit_temperature(s, [0, 1])


@pytest.mark.parametrize("call, error, message", [
    (lambda: reliability_bins([[1.5, -0.5]], [0]), ValueError, r"probs must contain probabilities"),
    (lambda: reliability_bins([[0.5, 0.6]], [0]), ValueError, "each row must sum to 1"),
    (lambda: reliability_bins([0.5, 0.5], [0]), ValueError, "probs must have 2 dimension"),
    (lambda: reliability_bins([[0.5, 0.5]], [2]), ValueError, "target must hold class labels"),
    (lambda: reliability_bins([[0.5, 0.5]], [0.0]), TypeError, "integer dtype"),
    (lambda: reliability_bins([[0.5, 0.5]], [0], n_bins=0), ValueError, "n_bins must be a positive number"),
    (lambda: expected_calibration_error([[0.5, 0.5]], [0], 2.5), TypeError,
     "n_bins must be an integer"),
    (lambda: temperature_scaling_loss([[1.0, 0.0]], [0], 0.0), ValueError,
     "temperature must be positive"),
    (lambda: temperature_scaling_loss([[1.0, 0.0]], [0], np.nan), ValueError,
     "temperature must be positive"),
    (lambda: temperature_scaling_loss([[1.0, np.inf]], [0], 1.0), ValueError,
     r"logits contains \+inf"),
    (lambda: temperature_scaling_loss([[1e308, 0.0]], [0], 1e-3), ValueError, "overflow"),
    (lambda: fit_temperature([[1.0, 0.0]], [1], bracket=(2.0, 1.0)), ValueError, "T_lo < T_hi"),
    (lambda: fit_temperature([[1.0, 0.0]], [1], bracket=(1.0,)), ValueError, "a pair"),
])
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
