"""xent.training: the feature network's gradient by central differences, Adam against its formula,
gradient descent against its closed form and a hand-written loop, softmax regression against
scikit-learn's log_loss and central differences."""

import numpy as np
import pytest

import xent
from sklearn.metrics import log_loss

from xent import (adam, blended_head, feature_net, feature_net_loss_and_grad, gradient_descent,
                  head, init_feature_net, softmax_regression_loss_and_grad)

KEYS = ("W1", "b1", "W2", "b2", "W")
HEADS = {
    "softmax": head(xent.soft_margin_logits, xent.soft_margin_logits_grad, m=0.0),
    "cosface": head(xent.cosface_logits, xent.cosface_logits_grad, s=8.0, m=0.2),
    "arcface": head(xent.arcface_logits, xent.arcface_logits_grad, s=8.0, m=0.5),
    "sphereface blend": blended_head(
        [head(xent.sphereface_logits, xent.sphereface_logits_grad, m=1),
         head(xent.sphereface_logits, xent.sphereface_logits_grad, m=4)], [5.0, 1.0]),
}


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(12, 4)), rng.integers(0, 3, size=12)
    return init_feature_net(rng, 4, 5, 2, 3), X, y


def _flat(params):
    return np.concatenate([params[k].ravel() for k in KEYS])


def _unflat(v, like):
    out, i = {}, 0
    for k in KEYS:
        out[k] = v[i:i + like[k].size].reshape(like[k].shape)
        i += like[k].size
    return out


@pytest.mark.parametrize("name", HEADS)
def test_gradient_matches_central_differences(name):
    params, X, y = _problem()
    h = HEADS[name]
    err = xent.gradcheck(lambda v: feature_net_loss_and_grad(_unflat(v, params), X, y, h)[0],
                         lambda v: _flat(feature_net_loss_and_grad(_unflat(v, params), X, y, h)[1]),
                         _flat(params))
    assert err < xent.GRADCHECK_TOL


def test_blended_head_is_the_weighted_mean_of_logits():
    params, X, y = _problem(1)
    _, F = feature_net(params, X)
    plain = xent.sphereface_logits(F, params["W"], y, m=1)
    margin = xent.sphereface_logits(F, params["W"], y, m=4)
    blend = HEADS["sphereface blend"][0](F, params["W"], y)
    np.testing.assert_allclose(blend, (5 * plain + margin) / 6, rtol=1e-14)


def test_feature_net_shapes_and_init_scale():
    rng = np.random.default_rng(2)
    params = init_feature_net(rng, 200, 300, 2, 7)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (200, 300), "b1": (300,), "W2": (300, 2), "b2": (2,), "W": (2, 7)}
    assert abs(params["W1"].std() * np.sqrt(200) - 1) < 0.02
    H, F = feature_net(params, np.zeros((3, 200)))
    assert H.shape == (3, 300) and F.shape == (3, 2) and np.all(H == 0)


def test_adam_first_step_is_lr_times_sign():
    """At t = 1 the bias corrections make the step -lr g / (|g| + eps): lr times the sign."""
    g = np.array([3.0, -0.5, 1e-3])
    out, loss = adam(lambda p: (7.0, {"x": g}), {"x": np.zeros(3)}, 1, lr=0.1)
    np.testing.assert_allclose(out["x"], -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-15)
    assert loss == 7.0


def test_adam_two_steps_by_hand_and_input_untouched():
    start = {"x": np.array([1.0, -2.0])}
    grad = lambda p: (float(p["x"] @ p["x"]), {"x": 2 * p["x"]})  # noqa: E731
    out, _ = adam(grad, start, 2, lr=0.05, beta1=0.8, beta2=0.9, eps=1e-8)
    x, m, v = start["x"].copy(), 0.0, 0.0
    for t in (1, 2):
        g = 2 * x
        m, v = 0.8 * m + 0.2 * g, 0.9 * v + 0.1 * g * g
        x = x - 0.05 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.9 ** t)) + 1e-8)
    np.testing.assert_allclose(out["x"], x, rtol=1e-15)
    assert np.array_equal(start["x"], [1.0, -2.0])


def test_adam_trains_the_network():
    params, X, y = _problem(3)
    first, _ = feature_net_loss_and_grad(params, X, y, HEADS["softmax"])
    _, last = adam(feature_net_loss_and_grad, params, 200, args=(X, y, HEADS["softmax"]))
    assert last < 0.5 * first


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=0), "steps"), (dict(steps=2.5), "steps"), (dict(steps=1, lr=-1.0), "lr"),
    (dict(steps=1, beta1=1.0), "beta1"), (dict(steps=1, beta2=-0.1), "beta2"),
])
def test_adam_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        adam(lambda p: (0.0, {"x": p["x"]}), {"x": np.ones(2)}, **kwargs)


def test_refuses_bad_networks():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_hidden"):
        init_feature_net(rng, 3, 0, 2, 2)
    with pytest.raises(TypeError, match="rng"):
        init_feature_net(0, 3, 4, 2, 2)
    params = init_feature_net(rng, 3, 4, 2, 2)
    with pytest.raises(ValueError, match="columns"):
        feature_net(params, np.ones((2, 5)))
    with pytest.raises(ValueError, match="keys"):
        feature_net({"W1": params["W1"]}, np.ones((2, 3)))
    with pytest.raises(ValueError, match="weight"):
        blended_head([HEADS["softmax"]], [1.0, 2.0])
    with pytest.raises(TypeError, match="callable"):
        head(None, None)


def _square(p):
    return float(p["x"] @ p["x"]), {"x": 2 * p["x"]}


def test_gradient_descent_on_a_quadratic_is_the_closed_form():
    """On |x|^2 each step multiplies x by (1 - 2 lr): x_t = (1 - 2 lr)^t x_0, exactly for lr = 1/4."""
    x0 = np.array([3.0, -1.5])
    out, losses = gradient_descent(_square, {"x": x0}, 6, lr=0.25)
    np.testing.assert_array_equal(out["x"], x0 * 0.5 ** 6)
    np.testing.assert_array_equal(losses, [float(x0 @ x0) * 0.25 ** t for t in range(6)])
    assert np.array_equal(x0, [3.0, -1.5])  # the start is not modified


def test_gradient_descent_matches_a_hand_written_loop():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 4, size=30)
    W0 = rng.normal(size=(3, 4))
    seen = []
    out, losses = gradient_descent(softmax_regression_loss_and_grad, {"W": W0}, 25, lr=0.7,
                                   args=(X, y), callback=lambda t, p, loss: seen.append((t, p, loss)))
    W, by_hand = W0.copy(), []
    for _ in range(25):
        S = X @ W
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        by_hand.append(-np.mean(np.log(P[np.arange(30), y])))
        W = W - 0.7 * X.T @ ((P - np.eye(4)[y]) / 30)
    np.testing.assert_allclose(out["W"], W, rtol=1e-12)
    np.testing.assert_allclose(losses, by_hand, rtol=1e-12)
    # the callback sees t = 0..steps, the parameters after t steps and their loss
    assert [t for t, _, _ in seen] == list(range(26))
    np.testing.assert_array_equal(seen[0][1]["W"], W0)
    assert seen[-1][1] is out and seen[3][2] == losses[3]
    assert not np.array_equal(seen[1][1]["W"], seen[2][1]["W"])  # kept references stay as they were


def test_gradient_descent_callback_stops_and_rates_broadcast():
    rates = np.array([0.25, 0.1, 0.05])
    stops = []

    def below(t, p, loss):
        stops.append(t)
        return bool(np.all(np.abs(p["x"]) < 0.1))

    out, losses = gradient_descent(lambda p: (p["x"] ** 2, {"x": 2 * p["x"]}), {"x": np.ones(3)},
                                   1000, lr=rates, callback=below)
    # run k multiplies by 1 - 2 rate_k per step; the slowest, 0.9^t, is below 0.1 from t = 22
    t_stop = int(np.ceil(np.log(0.1) / np.log(0.9)))
    assert stops[-1] == t_stop == len(losses) and losses.shape == (t_stop, 3)
    np.testing.assert_allclose(out["x"], (1 - 2 * rates) ** t_stop, rtol=1e-12)


def test_softmax_regression_against_log_loss_and_central_differences():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)
    W = rng.normal(size=(4, 3))
    loss, grads = softmax_regression_loss_and_grad({"W": W}, X, y, l2=0.3)
    S = X @ W
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    assert abs(loss - (log_loss(y, P, labels=range(3)) + 0.15 * np.sum(W * W))) < 1e-12
    err = xent.gradcheck(
        lambda v: softmax_regression_loss_and_grad({"W": v.reshape(4, 3)}, X, y, l2=0.3)[0],
        lambda v: softmax_regression_loss_and_grad({"W": v.reshape(4, 3)}, X, y, l2=0.3)[1]["W"].ravel(),
        W.ravel())
    assert err < xent.GRADCHECK_TOL
    # label smoothing: the targets (1 - eps) one-hot + eps / M, written out
    smooth, _ = softmax_regression_loss_and_grad({"W": W}, X, y, label_smoothing=0.1)
    Q = 0.9 * np.eye(3)[y] + 0.1 / 3
    assert abs(smooth - np.mean(-(Q * np.log(P)).sum(axis=1))) < 1e-12


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(steps=0, lr=0.1), ValueError, "steps"),
    (dict(steps=2, lr=0.0), ValueError, "lr"),
    (dict(steps=2, lr=np.array([0.1, -1.0])), ValueError, "lr"),
    (dict(steps=2, lr="fast"), TypeError, "lr"),
    (dict(steps=2, lr=True), TypeError, "lr"),
    (dict(steps=2, lr=0.1, callback=3), TypeError, "callback"),
])
def test_gradient_descent_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradient_descent(_square, {"x": np.ones(2)}, **kwargs)


def test_gradient_descent_refuses_mismatched_gradients():
    with pytest.raises(ValueError, match="grads"):
        gradient_descent(lambda p: (0.0, {"y": p["x"]}), {"x": np.ones(2)}, 2, lr=0.1)
    with pytest.raises(TypeError, match="loss_and_grad"):
        gradient_descent(None, {"x": np.ones(2)}, 2, lr=0.1)
    with pytest.raises(ValueError, match="params"):
        gradient_descent(_square, {}, 2, lr=0.1)


def test_softmax_regression_refuses_bad_input():
    X, y = np.ones((3, 2)), np.array([0, 1, 0])
    with pytest.raises(ValueError, match="params"):
        softmax_regression_loss_and_grad({"V": np.zeros((2, 2))}, X, y)
    with pytest.raises(ValueError, match="columns"):
        softmax_regression_loss_and_grad({"W": np.zeros((3, 2))}, X, y)
    with pytest.raises(ValueError, match="l2"):
        softmax_regression_loss_and_grad({"W": np.zeros((2, 2))}, X, y, l2=-1.0)
