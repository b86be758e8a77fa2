r"""InsightFace's combined margin :math:`s(\cos(m_1\theta_y + m_2) - m_3)`, continued past π.

One function with three margins: multiplicative on the angle (:math:`m_1`,
SphereFace), additive on the angle (:math:`m_2`, ArcFace) and additive on the
cosine (:math:`m_3`, CosFace). Where :math:`m_1\theta + m_2` exceeds
:math:`\pi`, :math:`\cos` would turn back up; the margin function is continued
there as L-Softmax's :math:`\psi` is, by :math:`(-1)^k\cos t - 2k`.

Examples
--------
>>> import numpy as np
>>> from xent import combined_margin_logits, arcface_logits, cosface_logits
>>> x, W, y = np.array([[3.0, 4.0]]), np.eye(2), np.array([1])
>>> combined_margin_logits(x, W, y, s=10.0, m1=1.0, m2=0.5, m3=0.0)
array([[6.        , 4.14410726]])
>>> bool((combined_margin_logits(x, W, y, 10.0, m1=1.0, m2=0.0, m3=0.35)
...       == cosface_logits(x, W, y, s=10.0, m=0.35)).all())
True
>>> bool((combined_margin_logits(x, W, y, 10.0, m1=1.0, m2=0.5, m3=0.0)
...       == arcface_logits(x, W, y, s=10.0, m=0.5)).all())
True
"""

import numpy as np

from ._angles import (add_to_target, angle_shift, check_grad_logits, check_margin,
                      checked_logits, cosine_grad, prepare, unit_or_zero)
from ._validation import check_positive

__all__ = ["combined_margin_logits", "combined_margin_logits_grad"]


def _combined(geo, m1, m2, m3):
    r"""Target of the combined margin: :math:`\Psi(m_1\theta + m_2) - m_3 - c`, :math:`h'(c)\,p`,
    :math:`h'(c)\,r`, with :math:`\Psi(t) = (-1)^k \cos t - 2k` on :math:`[k\pi, (k+1)\pi]`."""
    c, sin = geo.ct, geo.sin
    theta = np.arctan2(sin, c)  # accurate near 0 and pi, where arccos(c) is not
    if m1 == 1.0:  # cos(theta + m2), sin(theta + m2) by the addition formulas, as in ArcFace
        t = theta + m2
        cos_t = c * np.cos(m2) - sin * np.sin(m2)
        sin_t = sin * np.cos(m2) + c * np.sin(m2)
    else:
        t = m1 * theta + m2
        cos_t, sin_t = np.cos(t), np.sin(t)
    k = np.floor(t / np.pi)
    k[~(k > 0)] = 0.0
    sign = 1.0 - 2.0 * (k % 2)
    delta = (sign * cos_t - 2.0 * k - c) - m3
    # -dh/dtheta = (-1)^k m1 sin(t) >= 0; h'(c) p = (-dh/dtheta) p / |p|, p / |p| := 0 at sin = 0
    q = sign * m1 * sin_t
    nr = np.sqrt(np.sum(geo.r * geo.r, axis=1))
    ep, er = unit_or_zero(geo.p, sin), unit_or_zero(geo.r, nr)
    kp, kr = q[:, None] * ep, q[:, None] * er
    if m1 == 1.0:  # on the first piece, ArcFace's formulas: the same results, bit for bit
        first = k == 0
        d1, kp1, kr1 = angle_shift(geo, m2)
        delta = np.where(first, d1 - m3, delta)
        kp, kr = np.where(first[:, None], kp1, kp), np.where(first[:, None], kr1, kr)
    return delta, kp, kr


def _check_combined(s, m1, m2, m3):
    return (check_positive("s", s), check_margin("m1", m1, low=1.0), check_margin("m2", m2),
            check_margin("m3", m3))


def combined_margin_logits(x, W, target, s=64.0, m1=1.0, m2=0.5, m3=0.0):
    r"""Logits of InsightFace's combined margin: :math:`s(\cos(m_1\theta_y + m_2) - m_3)`.

    Parameters
    ----------
    x, W, target, s
        As for :func:`cosface_logits`.
    m1 : float, default 1.0
        Multiplicative angular margin (SphereFace-like), finite, :math:`\ge 1`
        (below 1 it would widen the target's angle, a negative margin).
    m2 : float, default 0.5
        Additive angular margin (ArcFace), finite, :math:`\ge 0`.
    m3 : float, default 0.0
        Additive cosine margin (CosFace), finite, :math:`\ge 0`.

    Returns
    -------
    numpy.ndarray, shape (N, C)
        :math:`z_{nj} = s\cos\theta_{nj}` for :math:`j \ne y_n`, and
        :math:`z_{n y_n} = s\,(\Psi(m_1\theta_{n y_n} + m_2) - m_3)`.

    Raises
    ------
    TypeError, ValueError
        As for :func:`cosface_logits`, and for an *m1* below 1 or a negative
        or non-finite *m2* or *m3*.

    Notes
    -----
    .. math:: \Psi(t) = (-1)^k \cos t - 2k, \quad t \in [k\pi, (k+1)\pi],\ k = 0, 1, \dots

    equals :math:`\cos t` for :math:`t \le \pi`; beyond, where :math:`\cos t`
    would increase again, it continues L-Softmax's way: continuous, with a
    continuous derivative, and decreasing. Hence

    * ``m1=1, m2=0`` is CosFace with ``m=m3`` (exactly, for every angle);
    * ``m1=1, m3=0`` is ArcFace with ``m=m2`` while :math:`\theta_y + m_2 \le \pi`
      (bit for bit); beyond, ArcFace jumps to :math:`\cos\theta - m\sin m` and this
      function stays continuous, so the two differ there;
    * an integer ``m1`` with ``m2=m3=0`` is SphereFace's :math:`\psi` with the
      feature norm replaced by *s*:
      ``sphereface_logits(s * x / ‖x‖, W, target, m1)``.

    The angle is :math:`\theta = \operatorname{atan2}(\|v - c u\|, c)`, accurate
    at 0 and :math:`\pi`. As a function of *x* and *W*, the target logit has a
    cone-shaped kink at :math:`\theta = 0` (or :math:`\pi`) unless
    :math:`\sin(m_1\theta + m_2) = 0` there, as ArcFace's at 0 for :math:`m_2 > 0`
    (see :func:`combined_margin_logits_grad`).

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> combined_margin_logits(x, W, np.array([1]), s=10.0, m1=1.0, m2=0.5, m3=0.1)
    array([[6.        , 3.14410726]])
    """
    geo = prepare(x, W, target)
    s, m1, m2, m3 = _check_combined(s, m1, m2, m3)
    return checked_logits(add_to_target(s * geo.c, geo.y, s * _combined(geo, m1, m2, m3)[0]))


def combined_margin_logits_grad(x, W, target, grad_logits, s=64.0, m1=1.0, m2=0.5, m3=0.0):
    r"""Gradient of ``sum(grad_logits * combined_margin_logits(...))``: ``(grad_x, grad_W)``.

    Same parameters and errors as :func:`combined_margin_logits`. At the target,
    with :math:`t = m_1\theta + m_2` on the piece :math:`k` of :math:`\Psi`,

    .. math:: \frac{\partial \Psi(t)}{\partial x}
              = (-1)^k m_1 \sin t\, \frac{p}{\|p\|\,\|x\|}, \qquad p = v - c\,u,

    since :math:`\partial\theta/\partial x = -p/(\|p\|\,\|x\|)`. The unit vector
    :math:`p/\|p\|` is taken as 0 where :math:`\sin\theta \le 8\epsilon`
    (:math:`\theta = 0` or :math:`\pi` to working precision), as in
    :func:`arcface_logits_grad`; at an integer ``m1`` with ``m2=0`` the factor
    :math:`\sin t` vanishes there too, and the gradient is continuous.

    Examples
    --------
    >>> import numpy as np
    >>> x, W = np.array([[3.0, 4.0]]), np.eye(2)
    >>> gx, gW = combined_margin_logits_grad(x, W, np.array([1]), np.array([[0.0, 1.0]]),
    ...                                      s=10.0, m1=2.0, m2=0.0)
    >>> gx.round(12), gW.round(12)  # h'(c) = 4c = 3.2: s h'(c) p / |x|, s h'(c) r / |w|
    (array([[-3.072,  2.304]]), array([[ 0. , 19.2],
           [ 0. ,  0. ]]))
    """
    geo = prepare(x, W, target)
    s, m1, m2, m3 = _check_combined(s, m1, m2, m3)
    G = check_grad_logits(grad_logits, geo.c.shape)
    return cosine_grad(geo, G, s, *_combined(geo, m1, m2, m3))
