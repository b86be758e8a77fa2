"""The margin losses of face recognition (issue 5): xent.lsoftmax, sphereface, cosface, arcface.

Checked against: central differences (every gradient, for x and W, at random
points and near the angles where the formulas change: 0, pi, the pieces of
psi, ArcFace's threshold), an independent scalar mpmath implementation written
from the papers' formulas, the zero-margin reductions to plain softmax, the
shape of the margin functions, bad inputs, and a short training run.
"""

import inspect
import math

import mpmath
import numpy as np
import pytest

import xent
from xent import (arcface_logits, arcface_logits_grad, combined_margin_logits,
                  combined_margin_logits_grad, cosface_logits, cosface_logits_grad,
                  cross_entropy_with_logits_value_and_grad, gradcheck, lsoftmax_logits,
                  lsoftmax_logits_grad, lsoftmax_psi, soft_margin_logits, soft_margin_logits_grad,
                  sphereface_logits, sphereface_logits_grad)

LOSSES = {  # name: (logits, grad, keyword-argument sets to test)
    "lsoftmax": (lsoftmax_logits, lsoftmax_logits_grad,
                 [dict(m=1), dict(m=2), dict(m=3), dict(m=4), dict(m=5)]),
    "sphereface": (sphereface_logits, sphereface_logits_grad,
                   [dict(m=1), dict(m=2), dict(m=4)]),
    "soft_margin": (soft_margin_logits, soft_margin_logits_grad, [dict(m=0.0), dict(m=1.5)]),
    "cosface": (cosface_logits, cosface_logits_grad, [dict(s=5.0, m=0.35), dict(s=64.0, m=0.0)]),
    "arcface": (arcface_logits, arcface_logits_grad,
                [dict(s=5.0, m=0.5), dict(s=64.0, m=0.2), dict(s=3.0, m=0.0),
                 dict(s=2.0, m=np.pi / 2)]),
    "combined": (combined_margin_logits, combined_margin_logits_grad,
                 [dict(s=5.0), dict(s=4.0, m1=1.35, m2=0.3, m3=0.2),
                  dict(s=3.0, m1=3.0, m2=0.0), dict(s=3.0, m1=2.0, m2=0.4, m3=0.1)]),
}
CASES = [(name, kw) for name, (_, _, kws) in LOSSES.items() for kw in kws]
IDS = [f"{name}-" + ",".join(f"{k}={v:g}" for k, v in kw.items()) for name, kw in CASES]


def random_problem(rng, n=5, d=3, c=4):
    x = rng.normal(size=(n, d))
    W = rng.normal(size=(d, c))
    y = rng.integers(0, c, size=n)
    return x, W, y


def at_angles(rng, W, y, thetas, norms=None):
    """Features x_n at the angle thetas[n] from the column W[:, y[n]]."""
    d = W.shape[0]
    x = np.empty((len(y), d))
    for i, (label, theta) in enumerate(zip(y, thetas)):
        v = W[:, label] / np.linalg.norm(W[:, label])
        e = rng.normal(size=d)
        e -= (e @ v) * v
        e /= np.linalg.norm(e)
        x[i] = (1.0 if norms is None else norms[i]) * (math.cos(theta) * v + math.sin(theta) * e)
    return x


def check_grads(name, kw, x, W, y, G, tol=1e-6, eps=1e-5):
    logits, grad = LOSSES[name][:2]
    gx, gW = grad(x, W, y, G, **kw)
    assert gx.shape == x.shape and gW.shape == W.shape
    ex = gradcheck(lambda z: float(np.sum(G * logits(z, W, y, **kw))),
                   lambda z: grad(z, W, y, G, **kw)[0], x, eps=eps, tol=tol)
    ew = gradcheck(lambda z: float(np.sum(G * logits(x, z, y, **kw))),
                   lambda z: grad(x, z, y, G, **kw)[1], W, eps=eps, tol=tol)
    return ex, ew


# --- gradients ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradient_at_random_points(rng, name, kw):
    for _ in range(3):
        x, W, y = random_problem(rng)
        G = rng.normal(size=(x.shape[0], W.shape[1]))
        check_grads(name, kw, x, W, y, G)


def special_angles(name, kw):
    """Angles near which the formulas change, for the target class.

    psi of L-Softmax is smooth in x at 0 and pi; ArcFace's and the combined margin's
    target has a cone-shaped kink there, its curvature ~ 1/theta: central differences
    with step 1e-6 need theta >~ 1e-3 to reach the tolerance 1e-6.
    """
    eps = 3e-4
    kink = 3e-3 if name in ("arcface", "combined") else eps
    out = [kink, 2 * kink, np.pi - kink, np.pi - 2 * kink, 0.5, 2.5]
    if name in ("lsoftmax", "sphereface"):
        out += [k * np.pi / kw["m"] + sgn * eps for k in range(1, kw["m"]) for sgn in (-1, 1)]
    if name == "arcface":
        out += [np.pi - kw["m"] - eps, np.pi - kw["m"] + eps]
    if name == "combined":
        m1, m2 = kw.get("m1", 1.0), kw.get("m2", 0.5)
        out += [(k * np.pi - m2) / m1 + sgn * eps for k in range(1, 4) for sgn in (-1, 1)
                if 0 < (k * np.pi - m2) / m1 + sgn * eps < np.pi]
    return out


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradient_near_special_angles(rng, name, kw):
    W = rng.normal(size=(3, 4))
    thetas = special_angles(name, kw)
    y = rng.integers(0, 4, size=len(thetas))
    x = at_angles(rng, W, y, thetas, norms=rng.uniform(0.5, 2.0, size=len(thetas)))
    G = rng.normal(size=(len(y), 4))
    check_grads(name, kw, x, W, y, G, eps=1e-6)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("loss", ["lsoftmax", "sphereface"])
def test_multiplicative_gradient_is_smooth_at_zero_and_pi(rng, loss, m):
    """psi is a polynomial in cos(theta): the gradient exists at theta = 0 and pi exactly."""
    W = rng.normal(size=(3, 3))
    y = np.array([0, 1, 2, 0])
    x = np.stack([2.0 * W[:, 0], -0.5 * W[:, 1], 3.0 * W[:, 2], -W[:, 0]])
    G = rng.normal(size=(4, 3))
    check_grads(loss, dict(m=m), x, W, y, G)
    x2 = x + 1e-9 * rng.normal(size=x.shape)  # and the gradient is continuous there
    g1 = LOSSES[loss][1](x, W, y, G, m=m)
    g2 = LOSSES[loss][1](x2, W, y, G, m=m)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6 * np.abs(a).max())


@pytest.mark.parametrize("name,kw,factor", [
    ("arcface", dict(s=10.0, m=0.5), 2.0), ("arcface", dict(s=10.0, m=0.5), 3.0),
    ("combined", dict(s=10.0, m1=1.5, m2=0.3), 2.0),
    ("combined", dict(s=10.0, m1=1.5, m2=0.3), 3.0),
    ("combined", dict(s=10.0, m1=1.5, m2=0.3), -0.7)])  # theta = pi: a kink there too
def test_kink_term_is_dropped_at_theta_zero_and_pi(rng, name, kw, factor):
    """At theta = 0 (and pi) the direction of v - c u is undefined: the logit has a kink. Its
    term is dropped; no rounding noise (radial or not) takes its place."""
    W = rng.normal(size=(3, 2))
    x = factor * W[:, [0]].T  # parallel (or antiparallel) to w_0 to working precision
    G = np.array([[1.0, 0.0]])
    gx, gW = LOSSES[name][1](x, W, np.array([0]), G, **kw)
    assert np.all(np.isfinite(gx)) and np.all(np.isfinite(gW))
    np.testing.assert_allclose(gx, 0.0, atol=1e-14)  # s h(theta) does not depend on |x|
    np.testing.assert_allclose(gW, 0.0, atol=1e-14)


def test_arcface_gradient_next_to_theta_zero(rng):
    W = rng.normal(size=(3, 2))
    x = 2.0 * W[:, [0]].T
    G = np.array([[1.0, 0.0]])
    # on either side, the gradient has magnitude s sin(m) / |x| perpendicular to x
    x1 = at_angles(rng, W, [0], [1e-7], norms=[np.linalg.norm(x)])
    gx1 = arcface_logits_grad(x1, W, np.array([0]), G, s=10.0, m=0.5)[0]
    assert np.linalg.norm(gx1) == pytest.approx(10.0 * math.sin(0.5) / np.linalg.norm(x), rel=1e-6)


# --- an independent scalar reference, from the papers' formulas -----------------------------

DPS = 50  # mpmath's working precision, in decimal digits


def _psi(theta, m):
    k = min(int(mpmath.floor(theta * m / mpmath.pi)), m - 1)
    return (-1) ** k * mpmath.cos(m * theta) - 2 * k


def _ref_logit(name, xn, wj, is_target, kw):
    """One logit from the papers' formulas, in mpmath; xn, wj lists of mpf."""
    dot = mpmath.fsum(a * b for a, b in zip(xn, wj))
    nx = mpmath.sqrt(mpmath.fsum(a * a for a in xn))
    nw = mpmath.sqrt(mpmath.fsum(b * b for b in wj))
    c = dot / (nx * nw)
    theta = mpmath.acos(c)
    s = mpmath.mpf(kw.get("s", 1.0))
    if name == "lsoftmax":  # Liu et al. 2016, eq. (5)-(6)
        return nx * nw * _psi(theta, kw["m"]) if is_target else dot
    if name == "sphereface":  # Liu et al. 2017, A-Softmax, eq. (7)
        return nx * (_psi(theta, kw["m"]) if is_target else c)
    if name == "soft_margin":  # Liang et al. 2017
        return dot - kw["m"] if is_target else dot
    if not is_target:
        return s * c
    if name == "cosface":  # Wang et al. 2018, LMCL
        return s * (c - kw["m"])
    if name == "arcface":  # Deng et al. 2019, with InsightFace's fall-back
        m = mpmath.mpf(kw["m"])
        return s * (mpmath.cos(theta + m) if c > mpmath.cos(mpmath.pi - m)
                    else c - m * mpmath.sin(m))
    if name == "combined":  # cos(m1 theta + m2) - m3, continued as (-1)^k cos t - 2k
        t = mpmath.mpf(kw.get("m1", 1.0)) * theta + mpmath.mpf(kw.get("m2", 0.5))
        k = int(mpmath.floor(t / mpmath.pi))
        return s * ((-1) ** k * mpmath.cos(t) - 2 * k - kw.get("m3", 0.0))
    raise AssertionError(name)


def _mp(a):
    return [mpmath.mpf(float(v)) for v in a]


def reference(name, x, W, y, **kw):
    with mpmath.workdps(DPS):
        return np.array([[float(_ref_logit(name, _mp(x[n]), _mp(W[:, j]), j == y[n], kw))
                          for j in range(W.shape[1])] for n in range(x.shape[0])])


def reference_grad(name, x, W, y, G, **kw):
    """Gradient of sum(G * logits) by central differences in mpmath, step 1e-30 at 50 digits."""
    n_samples, d = x.shape
    n_classes = W.shape[1]
    gx, gW = np.empty(x.shape), np.empty(W.shape)
    with mpmath.workdps(DPS):
        h = mpmath.mpf("1e-30")
        X = [_mp(x[n]) for n in range(n_samples)]
        Wc = [_mp(W[:, j]) for j in range(n_classes)]

        def diff(n, j, vec, i):
            up, down = list(vec), list(vec)
            up[i] += h
            down[i] -= h
            args = (lambda v: (v, Wc[j])) if vec is X[n] else (lambda v: (X[n], v))
            return (_ref_logit(name, *args(up), j == y[n], kw)
                    - _ref_logit(name, *args(down), j == y[n], kw)) / (2 * h)

        for n in range(n_samples):
            for i in range(d):
                gx[n, i] = float(mpmath.fsum(G[n, j] * diff(n, j, X[n], i)
                                             for j in range(n_classes)))
        for j in range(n_classes):
            for i in range(d):
                gW[i, j] = float(mpmath.fsum(G[n, j] * diff(n, j, Wc[j], i)
                                             for n in range(n_samples)))
    return gx, gW


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_logits_match_the_scalar_reference(rng, name, kw):
    x, W, y = random_problem(rng, n=6, d=4, c=3)
    W2 = rng.normal(size=(3, 4))
    y2 = rng.integers(0, 4, size=10)
    thetas = [1e-6, 1e-3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, np.pi - 1e-3, np.pi - 1e-6]
    x2 = at_angles(rng, W2, y2, thetas, norms=rng.uniform(0.5, 2.0, size=10))
    logits = LOSSES[name][0]
    for xx, WW, yy in ((x, W, y), (x2, W2, y2)):
        z = logits(xx, WW, yy, **kw)
        ref = reference(name, xx, WW, yy, **kw)
        assert z.dtype == np.float64 and z.shape == ref.shape
        np.testing.assert_allclose(z, ref, rtol=0, atol=1e-12 * max(1.0, np.abs(ref).max()))


KINKED = ("arcface", "combined")  # targets with a cone-shaped kink at theta = 0 (or pi)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradients_match_high_precision_differences(rng, name, kw):
    """Against mpmath's central differences, also 1e-6 and 1e-9 from 0 and pi.

    Smooth targets: to 1e-14 of the largest entry. Kinked ones: the direction of v - c u
    next to the kink carries the rounding of x / |x| amplified by 1 / sin(theta) (the
    conditioning of the problem), so the bound is 1e-14 + 1e-15 / sin(theta).
    """
    for extreme in (1e-6, 1e-9):
        W = rng.normal(size=(3, 3))
        thetas = [extreme, 0.9, 2.2, np.pi - extreme] + special_angles(name, kw)[6:]
        y = rng.integers(0, 3, size=len(thetas))
        x = at_angles(rng, W, y, thetas, norms=rng.uniform(0.5, 2.0, size=len(thetas)))
        G = rng.normal(size=(len(y), 3))
        gx, gW = LOSSES[name][1](x, W, y, G, **kw)
        rx, rW = reference_grad(name, x, W, y, G, **kw)
        tol = 1e-14 + (1e-15 / extreme if name in KINKED else 0.0)
        assert np.abs(gx - rx).max() <= tol * np.abs(rx).max()
        assert np.abs(gW - rW).max() <= tol * np.abs(rW).max()


# --- zero margins, and the combined margin's special cases ----------------------------------

def test_zero_margins_give_plain_logits(rng):
    x, W, y = random_problem(rng, n=8, d=5, c=6)
    U = x / np.linalg.norm(x, axis=1, keepdims=True)
    V = W / np.linalg.norm(W, axis=0, keepdims=True)
    np.testing.assert_array_equal(lsoftmax_logits(x, W, y, m=1), x @ W)
    np.testing.assert_array_equal(soft_margin_logits(x, W, y, m=0.0), x @ W)
    np.testing.assert_allclose(sphereface_logits(x, W, y, m=1), x @ V, rtol=1e-15, atol=1e-15)
    cos = cosface_logits(x, W, y, s=7.0, m=0.0)
    np.testing.assert_allclose(cos, 7.0 * U @ V, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(arcface_logits(x, W, y, s=7.0, m=0.0), cos)
    np.testing.assert_array_equal(combined_margin_logits(x, W, y, s=7.0, m1=1.0, m2=0.0), cos)
    G = rng.normal(size=cos.shape)  # and so do the gradients
    plain = (G @ W.T, x.T @ G)
    for got in (lsoftmax_logits_grad(x, W, y, G, m=1), soft_margin_logits_grad(x, W, y, G, m=3.0)):
        for a, b in zip(got, plain):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
    ref = cosface_logits_grad(x, W, y, G, s=7.0, m=0.0)
    for got in (arcface_logits_grad(x, W, y, G, s=7.0, m=0.0),
                combined_margin_logits_grad(x, W, y, G, s=7.0, m1=1.0, m2=0.0)):
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_combined_margin_contains_cosface_arcface_sphereface(rng):
    W = rng.normal(size=(4, 5))
    y = rng.integers(0, 5, size=40)
    thetas = np.linspace(0.0, np.pi, 40)
    x = at_angles(rng, W, y, thetas, norms=rng.uniform(0.5, 2.0, size=40))
    G = rng.normal(size=(40, 5))
    # CosFace: m1 = 1, m2 = 0, for every angle, exactly
    np.testing.assert_array_equal(combined_margin_logits(x, W, y, s=30.0, m2=0.0, m3=0.35),
                                  cosface_logits(x, W, y, s=30.0, m=0.35))
    # ArcFace: m1 = 1, m3 = 0, bit for bit while theta + m <= pi
    m = 0.5
    inside = thetas < np.pi - m - 1e-9
    comb = combined_margin_logits(x, W, y, s=30.0, m2=m)
    arc = arcface_logits(x, W, y, s=30.0, m=m)
    np.testing.assert_array_equal(comb[inside], arc[inside])
    gc = combined_margin_logits_grad(x[inside], W, y[inside], G[inside], s=30.0, m2=m)
    ga = arcface_logits_grad(x[inside], W, y[inside], G[inside], s=30.0, m=m)
    for a, b in zip(gc, ga):
        np.testing.assert_array_equal(a, b)
    rows = np.flatnonzero(~inside)  # beyond the threshold they differ, by design
    assert np.all(comb[rows, y[rows]] > arc[rows, y[rows]])
    # SphereFace: integer m1, m2 = m3 = 0, with the feature norm replaced by s
    for m1 in (2, 3, 4):
        U = x / np.linalg.norm(x, axis=1, keepdims=True)
        np.testing.assert_allclose(combined_margin_logits(x, W, y, s=3.0, m1=m1, m2=0.0),
                                   sphereface_logits(3.0 * U, W, y, m=m1), rtol=0, atol=1e-13)


# --- the shape of the margin functions ------------------------------------------------------

@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_psi_is_continuous_and_decreasing(m):
    theta = np.linspace(0.0, np.pi, 200001)
    psi, dpsi = lsoftmax_psi(np.cos(theta), m)
    step = np.diff(psi)
    assert np.all(step <= 1e-15)  # decreasing (flat only at the piece boundaries)
    assert np.abs(step).max() < 2 * m * m * (theta[1] - theta[0])  # no jump anywhere
    assert psi[0] == pytest.approx(1.0) and psi[-1] == pytest.approx(1.0 - 2.0 * m)
    assert np.all(psi <= np.cos(theta) + 1e-12)  # a margin: never above cos(theta)
    # dpsi/dc equals -psi'(theta) / sin(theta), and the derivative is >= 0: psi increases with c
    inner = slice(1, -1)
    dtheta = -m * (1.0 - 2.0 * (np.floor(theta * m / np.pi).clip(0, m - 1) % 2)) \
        * np.sin(m * theta)
    np.testing.assert_allclose(dpsi[inner], -dtheta[inner] / np.sin(theta[inner]), rtol=1e-6,
                               atol=1e-9)
    assert np.all(dpsi >= -1e-12)


def test_psi_refuses_bad_input():
    with pytest.raises(ValueError, match="c contains NaN"):
        lsoftmax_psi(np.array([0.5, np.nan]), 2)
    with pytest.raises(TypeError, match="m must be a positive integer"):
        lsoftmax_psi(0.5, 1.5)
    psi, dpsi = lsoftmax_psi(1.5, 3)  # clipped to 1
    assert float(psi) == 1.0 and float(dpsi) == 9.0


TARGET_CASES = [("lsoftmax", dict(m=m)) for m in (1, 2, 3, 4, 5)] + \
    [("sphereface", dict(m=m)) for m in (1, 3, 4)] + \
    [("soft_margin", dict(m=1.0)), ("cosface", dict(s=64.0, m=0.35)),
     ("arcface", dict(s=64.0, m=0.5)), ("arcface", dict(s=64.0, m=np.pi / 2)),
     ("combined", dict(s=64.0)), ("combined", dict(s=64.0, m1=1.35, m2=0.3, m3=0.2)),
     ("combined", dict(s=64.0, m1=4.0, m2=0.5))]


@pytest.mark.parametrize("name,kw", TARGET_CASES,
                         ids=[f"{n}-{','.join(f'{k}={v:g}' for k, v in kw.items())}"
                              for n, kw in TARGET_CASES])
def test_target_logit_decreases_with_the_angle(rng, name, kw):
    """Sweep the angle between x and its class's weight over [0, pi] (incl. beyond ArcFace's
    threshold pi - m): the target logit never increases, and is continuous except at ArcFace's
    threshold, where it jumps down by s (1 - cos m - m sin m)."""
    W = np.array([[1.5, 0.3], [0.0, -0.7]])
    theta = np.linspace(0.0, np.pi, 20001)
    x = 1.3 * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    y = np.zeros(theta.size, dtype=int)
    z = LOSSES[name][0](x, W, y, **kw)[:, 0]
    step = np.diff(z)
    assert np.all(step <= 1e-12 * np.abs(z).max())
    big = np.abs(step) > 1e-3 * np.abs(z).max()
    if name == "arcface" and kw["m"] > 0:
        m, s = kw["m"], kw["s"]
        assert big.sum() == 1
        i = int(np.flatnonzero(big)[0])
        assert theta[i] <= np.pi - m <= theta[i + 1]
        assert step[i] == pytest.approx(s * (1 - math.cos(m) - m * math.sin(m)), abs=0.02 * s)
    else:
        assert not big.any()


# --- bad input ------------------------------------------------------------------------------

NAMES = list(LOSSES)


def _call(name, x, W, y, grad=False, G=None, **kw):
    logits, gradf = LOSSES[name][:2]
    if grad:
        return gradf(x, W, y, np.zeros((np.shape(x)[0], np.shape(W)[1])) if G is None else G, **kw)
    return logits(x, W, y, **kw)


BAD_ARRAYS = [
    (dict(x=np.ones(3)), ValueError, "x must have 2 dimension"),
    (dict(W=np.ones((3, 4, 1))), ValueError, "W must have 2 dimension"),
    (dict(W=np.ones((2, 4))), ValueError, r"W must have shape \(d, C\) with d = x.shape\[1\] = 3"),
    (dict(x=np.array([[1.0, np.nan, 0.0]] * 2)), ValueError, "x contains NaN"),
    (dict(W=np.full((3, 4), np.inf)), ValueError, r"W contains \+inf"),
    (dict(x=np.array([["a", "b", "c"]] * 2)), TypeError, "x must be a real numeric array"),
    (dict(y=np.array([0.0, 1.0])), TypeError, "target holds class labels"),
    (dict(y=np.array([0, 4])), ValueError, r"target must hold class labels in \[0, 3\]"),
    (dict(y=np.array([0, -1])), ValueError, r"target must hold class labels in \[0, 3\]"),
    (dict(y=np.array([0, 1, 2])), ValueError, r"target must have shape \(2,\)"),
]


@pytest.mark.parametrize("grad", [False, True], ids=["logits", "grad"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad,exc,match", BAD_ARRAYS,
                         ids=[m.split(" ")[0] + str(i) for i, (_, _, m) in enumerate(BAD_ARRAYS)])
def test_bad_arrays_are_refused(rng, name, grad, bad, exc, match):
    args = dict(x=rng.normal(size=(2, 3)), W=rng.normal(size=(3, 4)), y=np.array([0, 1]))
    args.update(bad)
    with pytest.raises(exc, match=match):
        _call(name, args["x"], args["W"], args["y"], grad=grad,
              G=np.zeros((2, 4)) if "x" in bad or "W" in bad else None)


ANGULAR = [n for n in NAMES if n != "soft_margin"]


@pytest.mark.parametrize("grad", [False, True], ids=["logits", "grad"])
@pytest.mark.parametrize("name", ANGULAR)
def test_zero_vectors_are_refused(rng, name, grad):
    x, W, y = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), np.array([0, 1, 2])
    x0 = x.copy()
    x0[1] = 0.0
    with pytest.raises(ValueError, match=r"x has a zero row \(row 1\).*undefined"):
        _call(name, x0, W, y, grad=grad)
    W0 = W.copy()
    W0[:, 3] = 0.0
    with pytest.raises(ValueError, match=r"W has a zero column \(column 3\).*undefined"):
        _call(name, x, W0, y, grad=grad)


def test_soft_margin_allows_zero_vectors():
    z = soft_margin_logits(np.zeros((1, 2)), np.zeros((2, 3)), np.array([1]), m=0.5)
    np.testing.assert_array_equal(z, [[0.0, -0.5, 0.0]])


@pytest.mark.parametrize("name", ["lsoftmax", "soft_margin"])
def test_overflowing_logits_are_refused(name):
    x, W = np.full((1, 2), 1e200), np.full((2, 2), 1e200)
    with pytest.raises(ValueError, match="the logits overflow float64"):
        _call(name, x, W, np.array([0]), m=2 if name == "lsoftmax" else 1.0)


def test_tiny_and_huge_vectors_keep_their_angle():
    x = np.array([[3e-200, 4e-200], [3e200, 4e200]])
    W = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(cosface_logits(x, W, np.array([0, 1]), s=1.0, m=0.0),
                               [[0.6, 0.8], [0.6, 0.8]], rtol=1e-15)


BAD_PARAMS = [
    ("lsoftmax", dict(m=2.0), TypeError, "m must be a positive integer"),
    ("lsoftmax", dict(m=2.5), TypeError, "m must be a positive integer"),
    ("lsoftmax", dict(m=0), ValueError, "m must be a positive integer; got 0"),
    ("lsoftmax", dict(m=True), TypeError, "m must be a positive integer"),
    ("sphereface", dict(m=-4), ValueError, "m must be a positive integer"),
    ("soft_margin", dict(m=-0.1), ValueError, "m must be a finite number >= 0"),
    ("soft_margin", dict(m=np.nan), ValueError, "m must be a finite number >= 0"),
    ("soft_margin", dict(m="1"), TypeError, "m must be a real number"),
    ("cosface", dict(s=0.0), ValueError, "s must be positive and finite"),
    ("cosface", dict(s=-64.0), ValueError, "s must be positive and finite"),
    ("cosface", dict(m=-0.35), ValueError, "m must be a finite number >= 0"),
    ("arcface", dict(s=np.inf), ValueError, "s must be positive and finite"),
    ("arcface", dict(m=-0.5), ValueError, "m must be a finite number >= 0"),
    ("arcface", dict(m=np.pi), ValueError, r"m must be <= pi/2"),
    ("arcface", dict(m=2.0), ValueError, r"m must be <= pi/2"),
    ("combined", dict(m1=0.5), ValueError, "m1 must be a finite number >= 1"),
    ("combined", dict(m2=-0.5), ValueError, "m2 must be a finite number >= 0"),
    ("combined", dict(m3=np.inf), ValueError, "m3 must be a finite number >= 0"),
    ("combined", dict(s=None), TypeError, "s must be a real number"),
]


@pytest.mark.parametrize("grad", [False, True], ids=["logits", "grad"])
@pytest.mark.parametrize("name,kw,exc,match", BAD_PARAMS,
                         ids=[f"{n}-{list(k)[0]}{i}" for i, (n, k, _, _) in enumerate(BAD_PARAMS)])
def test_bad_parameters_are_refused(rng, name, kw, exc, match, grad):
    x, W, y = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), np.array([0, 1])
    with pytest.raises(exc, match=match):
        _call(name, x, W, y, grad=grad, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_bad_grad_logits_are_refused(rng, name):
    x, W, y = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), np.array([0, 1])
    grad = LOSSES[name][1]
    with pytest.raises(ValueError, match=r"grad_logits must have the shape \(N, C\) = \(2, 4\)"):
        grad(x, W, y, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="grad_logits must have 2 dimension"):
        grad(x, W, y, np.zeros(8))
    with pytest.raises(ValueError, match="grad_logits contains NaN"):
        grad(x, W, y, np.full((2, 4), np.nan))


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_inputs_are_not_modified_and_outputs_are_float64(rng, name, kw):
    x, W, y = random_problem(rng)
    G = rng.normal(size=(x.shape[0], W.shape[1]))
    copies = [a.copy() for a in (x, W, y, G)]
    z = LOSSES[name][0](x, W, y, **kw)
    gx, gW = LOSSES[name][1](x, W, y, G, **kw)
    for a, b in zip((x, W, y, G), copies):
        np.testing.assert_array_equal(a, b)
    assert z.dtype == gx.dtype == gW.dtype == np.float64
    assert z.shape == G.shape and gx.shape == x.shape and gW.shape == W.shape
    zi = LOSSES[name][0](x.astype(np.float32), W.astype(np.int64) + 1, y, **kw)
    assert zi.dtype == np.float64


def test_signatures_match_the_issue():
    expected = {
        "lsoftmax_logits": ["m"], "sphereface_logits": ["m"], "soft_margin_logits": ["m"],
        "cosface_logits": ["s", "m"], "arcface_logits": ["s", "m"],
        "combined_margin_logits": ["s", "m1", "m2", "m3"],
    }
    defaults = {"lsoftmax_logits": (4,), "sphereface_logits": (4,), "soft_margin_logits": (1.0,),
                "cosface_logits": (64.0, 0.35), "arcface_logits": (64.0, 0.5),
                "combined_margin_logits": (64.0, 1.0, 0.5, 0.0)}
    for name, kws in expected.items():
        f, g = getattr(xent, name), getattr(xent, name + "_grad")
        params = inspect.signature(f).parameters
        assert list(params) == ["x", "W", "target"] + kws
        assert tuple(params[k].default for k in kws) == defaults[name]
        assert list(inspect.signature(g).parameters) == ["x", "W", "target", "grad_logits"] + kws
        assert ">>> " in inspect.getdoc(f) and ">>> " in inspect.getdoc(g)


# --- training -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kw", [("cosface", dict(s=10.0, m=0.35)),
                                     ("arcface", dict(s=10.0, m=0.5)),
                                     ("lsoftmax", dict(m=2))])
def test_gradient_descent_reduces_the_loss(rng, name, kw):
    """Learn W (features fixed) on a separable 2-D problem with three classes."""
    centres = np.array([[1.0, 0.0], [-0.5, 0.9], [-0.5, -0.9]])
    y = np.repeat(np.arange(3), 20)
    x = centres[y] + 0.15 * rng.normal(size=(60, 2))
    W = 0.1 * rng.normal(size=(2, 3)) + 0.5 * np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -1.0]])
    logits, grad = LOSSES[name][:2]
    losses = []
    for _ in range(300):
        loss, G = cross_entropy_with_logits_value_and_grad(logits(x, W, y, **kw), y)
        losses.append(float(loss))
        W = W - 0.1 * grad(x, W, y, G, **kw)[1]
    assert losses[-1] < 0.5 * losses[0]
    assert losses[-1] < min(losses[:10])
    z = x @ (W / np.linalg.norm(W, axis=0))  # the plain cosine classifier is now right
    assert np.mean(np.argmax(z, axis=1) == y) == 1.0
