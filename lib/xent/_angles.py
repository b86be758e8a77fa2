r"""Shared machinery of the margin losses (``lsoftmax``, ``margins``, ``combined_margin``).

Every margin loss of the book has logits of the form

.. math:: z_{nj} = A_{nj}\, c_{nj} \ (j \ne y_n), \qquad z_{n y_n} = A_{n y_n}\, h(c_{n y_n}),
          \qquad c_{nj} = \cos\theta_{nj} = \frac{x_n \cdot w_j}{\|x_n\|\,\|w_j\|},

with an amplitude :math:`A` (``‖x‖‖w‖``, ``‖x‖`` or a scale ``s``) and a margin
function :math:`h` applied to the target class only. The non-target logits are
plain (scaled) cosines; this module computes them with matrix products, then
:func:`target_correction` adds, for the target entries only, the difference
:math:`A\,(h - c)` and its gradient. The target geometry is computed from the
(N, d) vectors :math:`u_n = x_n / \|x_n\|` and :math:`v_n = w_{y_n} / \|w_{y_n}\|`:

.. math:: p = v - c\,u, \quad r = u - c\,v, \quad \|p\| = \|r\| = \sin\theta.

:math:`\sin\theta = \|p\|` is accurate to a few units of rounding (absolute)
at every angle: an error :math:`\delta` in :math:`c` moves :math:`p` along
:math:`u`, orthogonal to :math:`p`, and changes :math:`\|p\|` by only
:math:`O(\delta^2/\sin\theta)`. (:math:`\sqrt{1 - c^2}` would lose every digit
near :math:`\theta = 0` and :math:`\pi`, where :math:`1 - c^2` cancels.)
A second Gram-Schmidt pass removes from :math:`p` (and :math:`r`) the component
along :math:`u` (:math:`v`) that the rounding of :math:`c` leaves.

The gradient of :math:`c` is :math:`\partial c / \partial x = p / \|x\|` and
:math:`\partial c / \partial w = r / \|w\|`; a target function supplies
:math:`h'(c)\,p` and :math:`h'(c)\,r` (``kp``, ``kr``), computed without dividing
by :math:`\sin\theta` where :math:`h'(c)` is bounded. (``soft_margin`` uses
only the validation.)
"""

import numbers
from collections import namedtuple

import numpy as np

from ._validation import check_array, check_features

__all__ = ["Geometry", "SIN_TINY", "check_margin", "check_integer_margin", "prepare",
           "check_grad_logits", "through_norm", "unit_or_zero", "target_correction",
           "add_to_target", "checked_logits", "cosine_grad", "angle_shift"]

#: Normalised inputs: unit rows ``U`` of x and their norms ``nx``, unit columns
#: ``V`` of W and their norms ``nw``, cosines ``c`` (N, C) clipped to [-1, 1],
#: labels ``y``; for the targets: cosine ``ct``, ``p``, ``r`` (N, d), ``sin`` (N,).
Geometry = namedtuple("Geometry", "x W y U nx V nw c ct vt p r sin")


def check_margin(name, value, upper=None, upper_text=None, low=0.0):
    """Return *value* as a finite float in ``[low, upper]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    value = float(value)
    if not (np.isfinite(value) and value >= low):
        raise ValueError(f"{name} must be a finite number >= {low:g}; got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be <= {upper_text or upper}; got {value!r}")
    return value


def check_integer_margin(name, value):
    """Return *value* as a positive Python int (the multiplicative margin)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (the multiplicative angular "
                        f"margin); got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value}")
    return int(value)


def _unit(name, a, axis, what):
    """Return ``(a / ‖a‖, ‖a‖)`` along *axis*, scaled first: nothing over- or underflows."""
    big = np.abs(a).max(axis=axis, keepdims=True)
    if (big == 0).any():
        i = int(np.flatnonzero(big == 0)[0])
        raise ValueError(f"{name} has a zero {what} ({what} {i}); its angle to the "
                         f"{'class weights' if axis == 1 else 'features'} is undefined")
    b = a / big  # entries in [-1, 1], one of them +-1: the sum of squares is in [1, d]
    nb = np.sqrt(np.sum(b * b, axis=axis, keepdims=True))
    with np.errstate(over="ignore"):
        norm = big * nb
    if not np.isfinite(norm).all():
        raise ValueError(f"the norm of a {what} of {name} overflows float64")
    if (norm < np.finfo(np.float64).tiny).any():  # the gradient's 1 / norm would overflow
        i = int(np.flatnonzero(norm.reshape(-1) < np.finfo(np.float64).tiny)[0])
        raise ValueError(f"{name} has a {what} of subnormal norm ({what} {i}, norm "
                         f"{float(norm.reshape(-1)[i]):.3g} < 2.2e-308): the gradient "
                         "through its normalisation overflows float64; scale it up")
    return b / nb, norm.reshape(-1)


def prepare(x, W, target, angles=True):
    """Validate ``x (N, d)``, ``W (d, C)``, ``target (N,)`` and compute the geometry."""
    x, W, y = check_features(x, W, target)
    if not angles:
        return Geometry(x, W, y, *([None] * 10))
    U, nx = _unit("x", x, 1, "row")
    V, nw = _unit("W", W, 0, "column")
    c = np.clip(U @ V, -1.0, 1.0)
    rows = np.arange(x.shape[0])
    ct = c[rows, y]
    vt = V[:, y].T
    p = vt - ct[:, None] * U  # the part of v orthogonal to u: |p| = sin(theta)
    p -= np.sum(p * U, axis=1)[:, None] * U  # a second Gram-Schmidt pass: p ⟂ u to rounding
    r = U - ct[:, None] * vt
    r -= np.sum(r * vt, axis=1)[:, None] * vt
    sin = np.sqrt(np.sum(p * p, axis=1))
    return Geometry(x, W, y, U, nx, V, nw, c, ct, vt, p, r, sin)


def check_grad_logits(grad_logits, shape):
    """Return *grad_logits* as a finite float64 array of *shape* (N, C)."""
    g = check_array("grad_logits", grad_logits, ndim=2)
    if g.shape != tuple(shape):
        raise ValueError(f"grad_logits must have the shape (N, C) = {tuple(shape)} of the "
                         f"logits; got {g.shape}")
    return g


def through_norm(unit, norm, grad_unit, axis):
    """Gradient through ``a -> a / ‖a‖``: ``(g - (u·g) u) / ‖a‖`` along *axis*."""
    dot = np.sum(unit * grad_unit, axis=axis, keepdims=True)
    return (grad_unit - dot * unit) / np.expand_dims(norm, axis)


#: Below this ``sin θ`` (8 machine epsilons, about 1.8e-15) the direction of
#: ``p = v - c u`` is rounding noise: :func:`unit_or_zero` returns 0 there.
SIN_TINY = 8 * np.finfo(np.float64).eps


def unit_or_zero(vec, norm):
    """``vec / norm`` row by row; 0 where ``norm <= SIN_TINY`` (x parallel or antiparallel to w)."""
    out = np.zeros_like(vec)
    np.divide(vec, norm[:, None], out=out, where=norm[:, None] > SIN_TINY)
    return out


def target_correction(geo, G, delta, kp, kr, ax, bx, aw, bw, grad_x, grad_W):
    """Add to the plain-cosine gradients the target terms of ``A (h(c) - c)``.

    For target logits ``A h(c)`` in place of ``A c``, with
    ``∂A/∂‖x‖ = ax``, ``A/‖x‖ = bx``, ``∂A/∂‖w‖ = aw``, ``A/‖w‖ = bw`` (arrays (N,)):
    ``grad_x += g (ax δ u + bx (h' p - p))``, ``grad_w_y += g (aw δ v + bw (h' r - r))``
    with ``δ = h - c`` and ``g`` the target column of *G*. Modifies the gradients in place.
    """
    g = G[np.arange(G.shape[0]), geo.y]
    grad_x += (g * ax * delta)[:, None] * geo.U + (g * bx)[:, None] * (kp - geo.p)
    corr_w = (g * aw * delta)[:, None] * geo.vt + (g * bw)[:, None] * (kr - geo.r)
    np.add.at(grad_W.T, geo.y, corr_w)
    return grad_x, grad_W


def add_to_target(z, y, value):
    """Add *value* to ``z[n, y[n]]`` for every row, in place; return *z*."""
    z[np.arange(z.shape[0]), y] += value
    return z


def checked_logits(z):
    """Return the logits *z*, refusing them if they overflowed float64."""
    if not np.isfinite(z).all():
        raise ValueError("the logits overflow float64; scale x, W or s down")
    return z


def cosine_grad(geo, G, s, delta, kp, kr):
    """Gradient of the logits ``s cos θ`` with the target ones ``s h(c)``.

    The plain part goes through both normalisations; *delta*, *kp*, *kr* are
    ``h - c``, ``h'(c) p``, ``h'(c) r`` of the targets (see :func:`target_correction`).
    """
    grad_x = through_norm(geo.U, geo.nx, s * (G @ geo.V.T), axis=1)
    grad_W = through_norm(geo.V, geo.nw, s * (geo.U.T @ G), axis=0)
    zero = np.zeros_like(geo.nx)
    return target_correction(geo, G, delta, kp, kr, zero, s / geo.nx, zero,
                             s / geo.nw[geo.y], grad_x, grad_W)


def angle_shift(geo, m):
    r"""Target terms of :math:`h = \cos(\theta + m)`, for :math:`\theta + m \le \pi`.

    Returns ``(delta, kp, kr)``:
    :math:`\cos(\theta + m) - c = -(c\,(1 - \cos m) + \sin\theta \sin m)`
    (exactly 0 for ``m = 0``) and :math:`h'(c)\,p = \cos m\, p + c \sin m\, p/\|p\|`,
    :math:`h'(c)\,r` likewise, from :math:`h'(c) = \sin(\theta + m)/\sin\theta`; the unit
    vector :math:`p/\|p\|` is taken as 0 where :math:`\sin\theta \le` ``SIN_TINY``.
    """
    c, sin = geo.ct, geo.sin
    cm, cs = np.cos(m), (c * np.sin(m))[:, None]
    delta = -(c * (2.0 * np.sin(0.5 * m) ** 2) + sin * np.sin(m))
    nr = np.sqrt(np.sum(geo.r * geo.r, axis=1))
    return (delta, cm * geo.p + cs * unit_or_zero(geo.p, sin),
            cm * geo.r + cs * unit_or_zero(geo.r, nr))
