r"""Training: a small feature network with margin-loss heads and Adam, and plain gradient descent.

A *feature network* maps inputs :math:`X \in \mathbb R^{N \times n}` through one
hidden layer of :math:`\tanh` units to features :math:`F`, and a *head*, the pair
of a logits function of :mod:`xent` and its gradient (``cosface_logits`` and
``cosface_logits_grad``, ...), maps the features and the class weights to the
logits of the loss. ``feature_net_loss_and_grad`` returns the mean cross entropy
and its gradient with respect to every parameter; ``adam`` minimises any such
function. Chapter 8's experiment trains with these.

``gradient_descent`` is the plain method of chapter 6's neuron and softmax
classifier and of chapter 12's digits: the same ``loss_and_grad`` interface,
an optional callback that sees the parameters after every step (for curves and
early stopping), and a learning rate that may be an array, to train one run per
rate at once. ``softmax_regression_loss_and_grad`` is the loss of chapter 12's
model, logits :math:`S = XW`.

Examples
--------
>>> import numpy as np
>>> from xent import init_feature_net, feature_net_loss_and_grad, head, adam
>>> from xent import cosface_logits, cosface_logits_grad
>>> rng = np.random.default_rng(0)
>>> X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
>>> X[y == 1] += 2.0
>>> params = init_feature_net(rng, n_in=3, n_hidden=8, n_features=2, n_classes=2)
>>> cos_head = head(cosface_logits, cosface_logits_grad, s=8.0, m=0.2)
>>> first, _ = feature_net_loss_and_grad(params, X, y, cos_head)
>>> trained, last = adam(feature_net_loss_and_grad, params, 100, args=(X, y, cos_head))
>>> bool(last < first)
True
"""

import functools
import numbers

import numpy as np

from .logits import cross_entropy_with_logits_value_and_grad
from ._validation import check_array, check_positive

__all__ = ["head", "blended_head", "init_feature_net", "feature_net",
           "feature_net_loss_and_grad", "adam", "gradient_descent",
           "softmax_regression_loss_and_grad"]

_PARAMS = ("W1", "b1", "W2", "b2", "W")


def head(logits_fn, grad_fn, **margins):
    """The head ``(logits_fn, grad_fn)`` with the keyword arguments *margins* fixed.

    Both functions take ``(F, W, target)``; the gradient also the gradient of
    the loss with respect to the logits, and returns ``(grad_F, grad_W)``.
    """
    if not (callable(logits_fn) and callable(grad_fn)):
        raise TypeError("logits_fn and grad_fn must be callable")
    return functools.partial(logits_fn, **margins), functools.partial(grad_fn, **margins)


def blended_head(heads, weights):
    r"""The head whose logits are :math:`\sum_k a_k z_k / \sum_k a_k` of the *heads*' logits.

    SphereFace's training blends its margin logits with the plain ones this
    way; the gradient is the same weighted sum of the heads' gradients.
    """
    heads, weights = list(heads), [float(a) for a in weights]
    if not heads or len(heads) != len(weights) or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError("blended_head needs one non-negative weight per head, with a positive sum")
    total = sum(weights)

    def logits(F, W, y):
        return sum(a * fn(F, W, y) for a, (fn, _) in zip(weights, heads)) / total

    def grad(F, W, y, G):
        parts = [g(F, W, y, G) for _, g in heads]
        return tuple(sum(a * p[i] for a, p in zip(weights, parts)) / total for i in range(2))

    return logits, grad


def init_feature_net(rng, n_in, n_hidden, n_features, n_classes):
    r"""Random parameters: :math:`W_1 \sim \mathcal N(0, 1/n_{in})`,
    :math:`W_2 \sim \mathcal N(0, 1/n_{hidden})`, zero biases, class weights
    :math:`W \sim \mathcal N(0, 1)` of shape ``(n_features, n_classes)``.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    for name, n in (("n_in", n_in), ("n_hidden", n_hidden), ("n_features", n_features),
                    ("n_classes", n_classes)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{name} must be a positive integer; got {n!r}")
    return {"W1": rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in), "b1": np.zeros(n_hidden),
            "W2": rng.normal(size=(n_hidden, n_features)) / np.sqrt(n_hidden),
            "b2": np.zeros(n_features), "W": rng.normal(size=(n_features, n_classes))}


def _check_params(params):
    if not isinstance(params, dict) or set(params) != set(_PARAMS):
        raise ValueError(f"params must be a dict with the keys {_PARAMS} (see init_feature_net)")


def feature_net(params, X):
    r"""Hidden activations :math:`H = \tanh(X W_1 + b_1)` and features :math:`F = H W_2 + b_2`."""
    _check_params(params)
    X = check_array("X", X, ndim=2)
    if X.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"X must have {params['W1'].shape[0]} columns; got shape {X.shape}")
    H = np.tanh(X @ params["W1"] + params["b1"])
    return H, H @ params["W2"] + params["b2"]


def feature_net_loss_and_grad(params, X, y, head):
    r"""Mean cross entropy of the head's logits of the features, and its gradient.

    Parameters
    ----------
    params : dict
        ``W1, b1, W2, b2, W`` as from :func:`init_feature_net`.
    X : array_like, shape (N, n_in)
    y : array_like of int, shape (N,)
    head : (callable, callable)
        A logits function and its gradient, as from :func:`head`.

    Returns
    -------
    loss : float
    grads : dict
        The gradient of the loss with respect to each parameter.

    Notes
    -----
    With :math:`G_F, G_W` from the head's gradient of
    :math:`G_Z = \partial L / \partial Z`, the backward pass is
    :math:`G_{W_2} = H^\top G_F`, :math:`G_{b_2} = G_F^\top \mathbf 1`,
    :math:`G_P = (G_F W_2^\top) \odot (1 - H \odot H)`,
    :math:`G_{W_1} = X^\top G_P`, :math:`G_{b_1} = G_P^\top \mathbf 1`.
    """
    logits_fn, grad_fn = head
    H, F = feature_net(params, X)
    X = np.asarray(X, dtype=float)
    loss, G_Z = cross_entropy_with_logits_value_and_grad(logits_fn(F, params["W"], y), y)
    G_F, G_W = grad_fn(F, params["W"], y, G_Z)
    G_P = (G_F @ params["W2"].T) * (1.0 - H * H)
    return loss, {"W1": X.T @ G_P, "b1": G_P.sum(axis=0), "W2": H.T @ G_F,
                  "b2": G_F.sum(axis=0), "W": G_W}


def adam(loss_and_grad, params, steps, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, args=()):
    r"""Full-batch Adam (Kingma and Ba, 2015) on ``loss_and_grad(params, *args)``.

    Returns the parameters after *steps* steps (new arrays; *params* is not
    modified) and the loss at the last step, computed before its update.

    Notes
    -----
    With :math:`g_t` the gradient at step :math:`t`,
    :math:`m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t`,
    :math:`v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2` and
    :math:`\theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)`,
    :math:`\hat m_t = m_t / (1 - \beta_1^t)`, :math:`\hat v_t = v_t / (1 - \beta_2^t)`.
    """
    if not callable(loss_and_grad):
        raise TypeError("loss_and_grad must be callable")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    lr, eps = check_positive("lr", lr), check_positive("eps", eps)
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{name} must be in [0, 1); got {beta!r}")
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    first = {k: np.zeros_like(v) for k, v in params.items()}
    second = {k: np.zeros_like(v) for k, v in params.items()}
    for t in range(1, steps + 1):
        loss, grads = loss_and_grad(params, *args)
        for k, g in grads.items():
            first[k] = beta1 * first[k] + (1 - beta1) * g
            second[k] = beta2 * second[k] + (1 - beta2) * g * g
            params[k] -= lr * (first[k] / (1 - beta1 ** t)) / (np.sqrt(second[k] / (1 - beta2 ** t)) + eps)
    return params, loss


def _rate(lr):
    """The learning rate as a float, or as an array of positive finite rates."""
    if isinstance(lr, bool):
        raise TypeError("lr must be a real number or an array of them; got bool")
    try:
        rate = np.asarray(lr, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("lr must be a real number or an array of them; "
                        f"got {type(lr).__name__}") from None
    if rate.size == 0 or not np.all(np.isfinite(rate) & (rate > 0)):
        raise ValueError(f"lr must be positive and finite; got {lr!r}")
    return float(rate) if rate.ndim == 0 else rate


def gradient_descent(loss_and_grad, params, steps, lr, args=(), callback=None):
    r"""Gradient descent on ``loss_and_grad``: :math:`\theta_{t+1} = \theta_t - \eta\, \nabla L(\theta_t)`.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(params, *args)`` returns ``(loss, grads)``, *grads* a
        dict with the gradient of every entry of *params*, as for :func:`adam`.
    params : dict of array_like
        The starting point; it is not modified.
    steps : int
        The number of steps, at least 1.
    lr : float or array_like
        The learning rate :math:`\eta > 0`. An array of rates broadcasts
        against every parameter: with parameters that carry one run per rate
        along their leading axes, all the runs are trained at once.
    args : tuple
        Further arguments of *loss_and_grad*.
    callback : callable, optional
        ``callback(t, params, loss)`` with the parameters after *t* steps and
        their loss, for :math:`t = 0, 1, \ldots,` *steps*: before every step and
        once after the last (one more evaluation of *loss_and_grad*). Each step
        makes new arrays, so the callback may keep *params* without copying.
        If it returns ``True``, the descent stops at *t*.

    Returns
    -------
    params : dict
        The parameters after the last step (or where the callback stopped).
    losses : ndarray
        The loss before each step taken, one entry (or row) per step.

    Raises
    ------
    ValueError
        If *steps* is not a positive integer, *lr* not positive and finite, or
        *grads* lacks an entry of *params*.

    Examples
    --------
    On :math:`L(x) = x^2`, each step multiplies :math:`x` by :math:`1 - 2\eta`:

    >>> import numpy as np
    >>> from xent import gradient_descent
    >>> square = lambda p: (float(p["x"] ** 2), {"x": 2 * p["x"]})
    >>> out, losses = gradient_descent(square, {"x": 1.0}, 3, lr=0.25)
    >>> float(out["x"]), losses.tolist()
    (0.125, [1.0, 0.25, 0.0625])

    Two rates at once, stopping when every run is below 0.2:

    >>> squares = lambda p: (p["x"] ** 2, {"x": 2 * p["x"]})
    >>> out, losses = gradient_descent(squares, {"x": np.ones(2)}, 50,
    ...                                lr=np.array([0.25, 0.05]),
    ...                                callback=lambda t, p, loss: bool(np.all(p["x"] < 0.2)))
    >>> len(losses), bool(np.allclose(out["x"], [0.5 ** 16, 0.9 ** 16]))
    (16, True)
    """
    if not callable(loss_and_grad):
        raise TypeError("loss_and_grad must be callable")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable or None")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    rate = _rate(lr)
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict of arrays")
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    losses = []
    for t in range(steps):
        loss, grads = loss_and_grad(params, *args)
        if callback is not None and callback(t, params, loss) is True:
            return params, np.array(losses, dtype=float)
        if not isinstance(grads, dict) or set(grads) != set(params):
            raise ValueError(f"grads must be a dict with the keys of params, {sorted(params)}")
        losses.append(loss)
        params = {k: v - rate * grads[k] for k, v in params.items()}
    if callback is not None:
        callback(steps, params, loss_and_grad(params, *args)[0])
    return params, np.array(losses, dtype=float)


def softmax_regression_loss_and_grad(params, X, y, l2=0.0, label_smoothing=0.0):
    r"""Softmax regression: mean cross entropy of the logits :math:`S = XW`, and its gradient.

    Parameters
    ----------
    params : dict
        ``{"W": W}``, the weights, shape ``(d, M)`` (a constant column of *X*
        makes the last row the bias).
    X : array_like, shape (N, d)
    y : array_like of int, shape (N,)
        Class labels in ``0, ..., M - 1``.
    l2 : float, optional
        The weight-decay coefficient :math:`\lambda \ge 0`.
    label_smoothing : float, optional
        As in :func:`cross_entropy_with_logits`.

    Returns
    -------
    loss : float
        :math:`L = \frac1N \sum_n \ell(S_n, y_n) + \frac\lambda2 \lVert W \rVert^2`.
    grads : dict
        ``{"W": X^T G + lambda W}``.

    Notes
    -----
    With :math:`G = \partial L / \partial S = (P - Y)/N`, :math:`P` the softmax of
    the logits and :math:`Y` the (smoothed) one-hot targets, the chain rule
    through :math:`S = XW` gives :math:`\partial L / \partial W = X^\top G + \lambda W`.

    Examples
    --------
    At :math:`W = 0` every class gets :math:`1/M`, and the loss is :math:`\ln M`:

    >>> import numpy as np
    >>> from xent import softmax_regression_loss_and_grad
    >>> X, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([0, 2])
    >>> loss, grads = softmax_regression_loss_and_grad({"W": np.zeros((2, 3))}, X, y)
    >>> bool(abs(loss - np.log(3)) < 1e-15), grads["W"].shape
    (True, (2, 3))
    """
    if not isinstance(params, dict) or set(params) != {"W"}:
        raise ValueError('params must be a dict {"W": W} (weights of shape (d, M))')
    W = check_array("W", params["W"], ndim=2)
    X = check_array("X", X, ndim=2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X must have {W.shape[0]} columns (the rows of W); got shape {X.shape}")
    if (isinstance(l2, bool) or not isinstance(l2, numbers.Real)
            or not (np.isfinite(l2) and l2 >= 0)):
        raise ValueError(f"l2 must be a non-negative finite number; got {l2!r}")
    loss, G = cross_entropy_with_logits_value_and_grad(X @ W, y, label_smoothing=label_smoothing)
    grad = X.T @ G
    if l2:
        loss, grad = loss + 0.5 * l2 * float(np.sum(W * W)), grad + l2 * W
    return float(loss), {"W": grad}
