r"""ArcFace: an additive margin on the angle.

Features and class weights are normalised, the logits are :math:`s\cos\theta_j`
with a scale :math:`s`, and the target's logit is :math:`s\cos(\theta_y + m)`,
continued past :math:`\theta_y = \pi - m` as InsightFace does.
(:mod:`xent.combined_margin` has it as a special case.) ``arcface_logits``
returns the (N, C) logits for :func:`xent.cross_entropy_with_logits`;
``arcface_logits_grad`` maps the gradient with respect to the logits back to the
features and the weights.

Examples
--------
>>> import numpy as np
>>> from xent import arcface_logits
>>> x, W = np.array([[1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
>>> arcface_logits(x, W, np.array([0]), s=1.0, m=np.pi / 4)  # cos(45° + 45°) = 0
array([[0.        , 0.70710678]])
"""

import numpy as np

from ._angles import (add_to_target, angle_shift, check_grad_logits, check_margin, checked_logits,
                      cosine_grad, prepare)
from ._validation import check_positive

__all__ = ["arcface_logits", "arcface_logits_grad"]


def _arcface_target(geo, m):
    """``(h - c, h'(c) p, h'(c) r)``, h = cos(θ + m) if cos θ > cos(π - m), else cos θ - m sin m."""
    inside = geo.ct > -np.cos(m)  # theta < pi - m (InsightFace's threshold, easy_margin=False)
    delta, kp, kr = angle_shift(geo, m)
    return (np.where(inside, delta, -m * np.sin(m)), np.where(inside[:, None], kp, geo.p),
            np.where(inside[:, None], kr, geo.r))


def arcface_logits(x, W, target, s=64.0, m=0.5):
    r"""Logits of ArcFace (Deng et al., 2019): :math:`s\cos(\theta_y + m)` at the target.

    Parameters
    ----------
    x, W, target, s
        As for :func:`cosface_logits`.
    m : float, default 0.5
        The additive angular margin (ArcFace's value), in :math:`[0, \pi/2]`.

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = s\cos\theta_{nj}` for :math:`j \ne y_n`, and
        :math:`z_{n y_n} = s\,h(\theta_{n y_n})` with

        .. math:: h(\theta) = \begin{cases} \cos(\theta + m), & \cos\theta > \cos(\pi - m),\\
                  \cos\theta - m \sin m, & \text{otherwise.} \end{cases}

    Raises
    ------
    TypeError, ValueError
        As for :func:`cosface_logits`, and for an *m* outside :math:`[0, \pi/2]`.

    Notes
    -----
    :math:`\cos(\theta + m)` increases again once :math:`\theta + m > \pi`, which
    would reward a larger angle; InsightFace's implementation (``easy_margin=False``)
    switches there to the CosFace-like :math:`\cos\theta - m\sin m`, and so do we.
    The switch is a downward jump of :math:`s(1 - \cos m - m \sin m) \le 0` as
    :math:`\theta` crosses :math:`\pi - m` (:math:`-0.117 s` for :math:`m = 0.5`), so :math:`h`
    decreases on all of :math:`[0, \pi]`. For :math:`m > 2.3311` the jump would be
    upward; *m* is limited to :math:`\pi/2`, beyond any margin used in practice.
    The target is computed as :math:`s c - s\,(c\,(1 - \cos m) + \sin\theta \sin m)`,
    with :math:`\sin\theta = \|v - c u\|` (:math:`u = x/\|x\|`, :math:`v = w_y/\|w_y\|`),
    accurate at every angle, where :math:`\sqrt{1 - c^2}` is not; ``m=0`` gives
    :math:`s\cos\theta` exactly.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> arcface_logits(x, W, np.array([1]), s=10.0, m=0.5)  # 10 cos(arccos(0.8) + 0.5)
    array([[6.        , 4.14410726]])
    >>> x2 = np.array([[-1.0, 0.1]])  # theta = 174.3° > 180° - m: the fall-back
    >>> arcface_logits(x2, W, np.array([0]), s=10.0, m=0.5)  # 10 (cos theta - 0.5 sin 0.5)
    array([[-12.3474996 ,   0.99503719]])
    """
    geo = prepare(x, W, target)
    s, m = check_positive("s", s), check_margin("m", m, upper=np.pi / 2, upper_text="pi/2")
    return checked_logits(add_to_target(s * geo.c, geo.y, s * _arcface_target(geo, m)[0]))


def arcface_logits_grad(x, W, target, grad_logits, s=64.0, m=0.5):
    r"""Gradient of ``sum(grad_logits * arcface_logits(...))``: ``(grad_x, grad_W)``.

    Same parameters and errors as :func:`arcface_logits`. At the target, with
    :math:`c = \cos\theta` and :math:`p = v - c\,u` (:math:`\|p\| = \sin\theta`),

    .. math:: \frac{\partial \cos(\theta + m)}{\partial x}
              = \frac{\sin(\theta + m)}{\sin\theta} \frac{p}{\|x\|}
              = \Big(\cos m\, p + c \sin m \frac{p}{\|p\|}\Big) \frac{1}{\|x\|}.

    As a function of :math:`c`, :math:`\cos(\arccos c + m)` has the derivative
    :math:`\cos m + \sin m\, c/\sqrt{1 - c^2}`, unbounded as :math:`c \to 1`; in
    :math:`x` it is bounded but has a cone-shaped kink at :math:`\theta = 0`
    (the direction :math:`p/\|p\|` is undefined there). We never form
    :math:`c/\sqrt{1-c^2}`: the code multiplies the unit vector :math:`p/\|p\|`
    and takes it as 0 where :math:`\sin\theta \le 8\epsilon \approx 1.8 \times 10^{-15}`
    (*x* parallel to :math:`w_y` to working precision; ``SIN_TINY`` in
    ``xent._angles``): the kink's term is dropped, 0
    being the minimum-norm element of its Clarke generalised gradient (a disk of
    radius :math:`s \sin m/\|x\|`). Near :math:`\theta = 0` the direction of
    :math:`p` carries a relative error of about :math:`10^{-16}/\theta`, the rounding
    of :math:`x/\|x\|` amplified by the kink. Beyond the threshold the derivative
    is that of :math:`\cos\theta`.
    The jump at the threshold has no derivative; each side's formula is used.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> gx, gW = arcface_logits_grad(x, W, np.array([1]), np.array([[0.0, 1.0]]), s=10.0)
    >>> gx.round(6), gW.round(6)
    (array([[-1.456144,  1.092108]]), array([[0.    , 9.1009],
           [0.    , 0.    ]]))
    """
    geo = prepare(x, W, target)
    s, m = check_positive("s", s), check_margin("m", m, upper=np.pi / 2, upper_text="pi/2")
    G = check_grad_logits(grad_logits, geo.c.shape)
    return cosine_grad(geo, G, s, *_arcface_target(geo, m))
