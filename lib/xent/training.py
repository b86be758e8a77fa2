r"""Training a small feature network with a margin loss: the network, heads, Adam.

A *feature network* maps inputs :math:`X \in \mathbb R^{N \times n}` through one
hidden layer of :math:`\tanh` units to features :math:`F`, and a *head*, the pair
of a logits function of :mod:`xent` and its gradient (``cosface_logits`` and
``cosface_logits_grad``, ...), maps the features and the class weights to the
logits of the loss. ``feature_net_loss_and_grad`` returns the mean cross entropy
and its gradient with respect to every parameter; ``adam`` minimises any such
function. Chapter 7's experiment trains with these.

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
           "feature_net_loss_and_grad", "adam"]

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
