r"""The book's explorable figures: every number behind every slider position, from xent.

Each function returns an :class:`~xent._explorable.Explorable`, which a
notebook cell displays: on the site, sliders over the precomputed values (the
book's script only looks them up); in print, a static image of the initial
positions. The functions compute with the library's losses and gradients
only; the exact reference of :func:`precision_loss` is mpmath's.

Examples
--------
>>> from xent import explorables
>>> fig = explorables.softmax_loss()
>>> [round(float(v), 4) for v in fig.value("p")]
[0.7856, 0.1753, 0.0391]
>>> round(float(fig.value("ce", s1=6, s2=6, s3=6)), 4)  # equal logits: log 3
1.0986
"""

import numpy as np

from ._explorable import Explorable
from .activations import sigmoid, softmax
from .arcface import arcface_logits
from .binary_logits import binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad
from .cosface import cosface_logits
from .logits import cross_entropy_with_logits, cross_entropy_with_logits_grad
from .losses import mean_squared_error, mean_squared_error_grad
from .plotting import COLORS
from .sphereface import sphereface_logits

__all__ = ["softmax_loss", "neuron_training", "convexity_slices", "margin_boundaries",
           "precision_loss"]


def _slider(sid, label, values, init, fmt="{:g}"):
    return {"id": sid, "label": label, "labels": [fmt.format(v) for v in values],
            "init": int(np.argmin(np.abs(np.asarray(values, float) - init)))}


def _mse_logit_grad(s, y):
    """d/ds of the two-class squared error of sigmoid(s), through xent's gradient."""
    p = sigmoid(s)
    g = mean_squared_error_grad(np.column_stack([1 - p, p]), y.astype(int), reduction="none")
    return (g[:, 1] - g[:, 0]) * p * (1 - p)


def softmax_loss(values=np.arange(-3.0, 3.01, 0.5), init=(2.0, 0.5, -1.0)):
    """Three logits on sliders, class 1 the true one: p, cross entropy, p - y, squared error."""
    v = np.asarray(values, float)
    S = np.stack(np.meshgrid(v, v, v, indexing="ij"), axis=-1).reshape(-1, 3)
    label = np.zeros(len(S), dtype=int)
    P = softmax(S)
    shape = (len(v),) * 3
    deps = ("s1", "s2", "s3")
    fields = {
        "p": (deps, P.reshape(shape + (3,))),
        "grad": (deps, cross_entropy_with_logits_grad(S, label, reduction="none")
                 .reshape(shape + (3,))),
        "ce": (deps, cross_entropy_with_logits(S, label, reduction="none").reshape(shape)),
        "se": (deps, mean_squared_error(P, label, reduction="none").reshape(shape)),
        "p1": (deps, P[:, 0].reshape(shape)),
        "y": ((), np.array([1.0, 0.0, 0.0])),
    }
    return Explorable(
        "softmax", title="Softmax and its loss (true class: 1)",
        caption="Move the three logits: the softmax probabilities, the cross entropy -log p1, its "
                "gradient p - y with respect to the logits, and the squared error, all computed by "
                "xent for every position of the sliders. Adding the same amount to every logit "
                "changes nothing.",
        alt="Two bar charts. Left: the probabilities of classes 1 to 3 beside the one-hot target. "
            "Right: the gradient p - y of the cross entropy, negative for the true class and "
            "positive for the others.",
        sliders=[_slider(f"s{k}", f"logit s{k}", v, init[k - 1]) for k in (1, 2, 3)],
        fields=fields,
        panels=[{"type": "bars", "title": "probabilities p and target y", "ylim": [0, 1.1],
                 "labels": ["class 1", "class 2", "class 3"],
                 "series": [{"y": "p", "label": "p = softmax(s)", "color": COLORS["ce"]},
                            {"y": "y", "label": "target y", "color": COLORS["neutral"]}]},
                {"type": "bars", "title": "gradient dL/ds = p - y", "ylim": [-1.1, 1.1],
                 "labels": ["class 1", "class 2", "class 3"],
                 "series": [{"y": "grad", "label": "p - y", "color": COLORS["mse"]}]}],
        readouts=[("p1", "p1, probability of the true class", "f4"),
                  ("ce", "cross entropy -log p1 (nats)", "f4"),
                  ("se", "squared error sum (p - y)^2", "f4")])


def neuron_training(w_values=np.arange(0.0, 3.01, 0.5), b_values=np.arange(0.0, 3.01, 0.5),
                    eta_values=(0.05, 0.1, 0.15, 0.3, 0.6, 1.2), epochs=300, every=10):
    """One sigmoid neuron, x = 1, y = 0, trained by each loss from the sliders' start."""
    W, B, E = np.meshgrid(w_values, b_values, eta_values, indexing="ij")
    shape, x, y = W.shape, 1.0, np.zeros(W.size)
    runs = {}
    for loss in ("ce", "mse"):
        w, b, eta, history = W.ravel().copy(), B.ravel().copy(), E.ravel(), []
        for _ in range(epochs + 1):
            s = w * x + b
            history.append(sigmoid(s))
            g = (binary_cross_entropy_with_logits_grad(s, y, reduction="none") if loss == "ce"
                 else _mse_logit_grad(s, y))
            w, b = w - eta * g * x, b - eta * g
        runs[loss] = np.array(history).T.reshape(shape + (epochs + 1,))
    deps = {"ce": ("w", "b", "eta_ce"), "mse": ("w", "b", "eta_mse")}
    fields = {"epoch": ((), np.arange(0, epochs + 1, every)), "ends": ((), np.array([0, epochs])),
              "half": ((), np.array([0.5, 0.5])), "start": (("w", "b"), runs["ce"][:, :, 0, 0])}
    for loss, h in runs.items():
        right = h < 0.5
        first = np.where(right.any(axis=-1), right.argmax(axis=-1), np.nan)
        fields[f"p_{loss}"] = (deps[loss], h[..., ::every])
        fields[f"first_{loss}"] = (deps[loss], first)
        fields[f"final_{loss}"] = (deps[loss], h[..., -1])
    return Explorable(
        "neuron", title="One neuron (x = 1, target y = 0) trained by each loss",
        caption=f"Choose the starting weight w and bias b and a learning rate for each loss; the "
                f"curves are the neuron's prediction during {epochs} epochs of gradient descent "
                f"with the gradients of xent (points every {every} epochs). From a confidently "
                f"wrong start, squared error hardly moves at first; cross entropy moves at once.",
        alt="Prediction of the neuron against the epoch, for cross entropy and for squared error, "
            "starting near 1 and falling towards the target 0, with the threshold 0.5 dashed.",
        sliders=[_slider("w", "starting weight w", w_values, 2.0),
                 _slider("b", "starting bias b", b_values, 2.0),
                 _slider("eta_ce", "learning rate, cross entropy", eta_values, 0.15),
                 _slider("eta_mse", "learning rate, squared error", eta_values, 0.15)],
        fields=fields,
        panels=[{"type": "lines", "title": "prediction σ(wx + b)", "xlabel": "epoch",
                 "ylabel": "prediction", "xlim": [0, epochs], "ylim": [0, 1],
                 "series": [{"x": "epoch", "y": "p_ce", "label": "cross entropy",
                             "color": COLORS["ce"], "reveal": True},
                            {"x": "epoch", "y": "p_mse", "label": "squared error",
                             "color": COLORS["mse"], "reveal": True},
                            {"x": "ends", "y": "half", "label": "threshold 0.5",
                             "color": COLORS["neutral"], "dash": True}]}],
        readouts=[("start", "first prediction σ(w + b)", "f4"),
                  ("first_ce", "cross entropy: right (p < 0.5) from epoch", "f0", "never"),
                  ("first_mse", "squared error: right (p < 0.5) from epoch", "f0", "never"),
                  ("final_ce", f"cross entropy: prediction after {epochs} epochs", "f4"),
                  ("final_mse", f"squared error: prediction after {epochs} epochs", "f4")])


def convexity_slices(shifts=np.arange(-1.5, 1.01, 0.25), w_grid=np.linspace(-3.0, 9.0, 121), n=20,
                     seed=11):
    """Mean losses of s = w x on 1-D data whose classes overlap less as the shift grows."""
    rng = np.random.default_rng(seed)
    a, b = np.abs(rng.normal(size=n)), np.abs(rng.normal(size=n))
    h = w_grid[1] - w_grid[0]
    y = np.r_[np.ones(n), np.zeros(n)]
    out = {k: [] for k in ("x_pos", "x_neg", "ce", "se", "d2_ce", "d2_se", "w_star", "separable")}
    for c in shifts:
        x = np.r_[c + a, -c - b]
        S = np.outer(w_grid, x).ravel()
        Y = np.tile(y, len(w_grid))
        ce = binary_cross_entropy_with_logits(S, Y, reduction="none")
        ce = ce.reshape(len(w_grid), -1).mean(axis=1)
        p = sigmoid(S)
        se = mean_squared_error(np.column_stack([1 - p, p]), Y.astype(int),
                                reduction="none").reshape(len(w_grid), -1).mean(1)
        separable = (c + a).min() > (-c - b).max()
        w_star = np.nan
        if not separable:  # the gradient is increasing (convex loss): bisect its zero
            lo, hi = -50.0, 50.0
            for _ in range(80):
                mid = (lo + hi) / 2
                g = binary_cross_entropy_with_logits_grad(mid * x, y) @ x
                lo, hi = (mid, hi) if g < 0 else (lo, mid)
            w_star = (lo + hi) / 2
        for k, val in (("x_pos", c + a), ("x_neg", -c - b), ("ce", ce), ("se", se),
                       ("d2_ce", np.diff(ce, 2).min() / h**2),
                       ("d2_se", np.diff(se, 2).min() / h**2),
                       ("w_star", w_star), ("separable", "yes" if separable else "no")):
            out[k].append(val)
    dep = ("shift",)
    fields = {k: (dep, np.array(v, dtype=object if k == "separable" else float))
              for k, v in out.items()}
    fields.update({"w": ((), w_grid), "one": ((), np.ones(n)), "zero": ((), np.zeros(n))})
    return Explorable(
        "convexity", title="Logistic loss and squared error along the weight (s = w x)",
        caption="Move the classes apart: the mean cross entropy of the model s = w x stays convex "
                "(its smallest second difference on the grid is positive) and has a minimiser "
                "while the classes overlap; once they are separable it decreases for ever and has "
                "none. The squared error after the sigmoid has negative curvature: not convex.",
        alt="Three panels: the data on a line, positives above and negatives below; the mean "
            "cross entropy against the weight w, a convex curve; the mean squared error against "
            "w, an S-shaped, non-convex curve.",
        sliders=[_slider("shift", "class shift c (overlap <-> separable)", shifts, -0.5)],
        fields=fields,
        panels=[{"type": "lines", "title": "data x (class 1 up, class 0 down)", "xlabel": "x",
                 "ylabel": "label", "xlim": [-5, 5], "ylim": [-0.5, 1.5],
                 "series": [{"x": "x_pos", "y": "one", "label": "class 1", "color": COLORS["ce"],
                             "marker": True},
                            {"x": "x_neg", "y": "zero", "label": "class 0", "color": COLORS["mse"],
                             "marker": True}]},
                {"type": "lines", "title": "mean cross entropy", "xlabel": "weight w",
                 "ylabel": "loss (nats)", "xlim": [-3, 9], "ylim": [0, 3],
                 "series": [{"x": "w", "y": "ce", "color": COLORS["ce"]},
                            {"vline": "w_star", "label": "minimiser w*",
                             "color": COLORS["neutral"]}]},
                {"type": "lines", "title": "mean squared error after sigmoid", "xlabel": "weight w",
                 "ylabel": "loss", "xlim": [-3, 9], "ylim": [0, 2],
                 "series": [{"x": "w", "y": "se", "color": COLORS["mse"]}]}],
        readouts=[("separable", "classes linearly separable", "s"),
                  ("w_star", "minimiser w* of the cross entropy", "f3", "none (no minimiser)"),
                  ("d2_ce", "smallest second difference, cross entropy", "e2"),
                  ("d2_se", "smallest second difference, squared error", "e2")])


def _boundary(logits_fn, theta):
    """theta2 (degrees) on the boundary of class 1 for each theta1, NaN where none."""
    x = np.column_stack([np.cos(theta), np.sin(theta)])
    h = logits_fn(x, np.eye(2), np.zeros(theta.size, dtype=int))[:, 0]
    with np.errstate(invalid="ignore"):
        return h, np.where(h >= -1, np.degrees(np.arccos(np.clip(h, -1, 1))), np.nan)


def margin_boundaries(sphere_m=(1, 2, 3, 4, 5), cos_m=np.arange(0.0, 0.501, 0.05),
                      arc_m=np.arange(0.0, 0.801, 0.05)):
    """Decision boundaries of two classes in the angle plane, one slider per margin loss."""
    theta = np.radians(np.arange(0.0, 180.01, 2.0))
    fine = np.radians(np.arange(0.0, 180.01, 0.5))
    def sphere(m):
        return lambda x, W, t: sphereface_logits(x, W, t, m=int(m))

    def cos(m):
        return lambda x, W, t: cosface_logits(x, W, t, s=1.0, m=float(m))

    def arc(m):
        return lambda x, W, t: arcface_logits(x, W, t, s=1.0, m=float(m))

    losses = {"sphere": ("SphereFace", sphere_m, sphere, "m = {:g}"),
              "cos": ("CosFace", cos_m, cos, "m = {:.2f}"),
              "arc": ("ArcFace", arc_m, arc, "m = {:.2f} rad")}
    init = {"sphere": 4, "cos": 0.35, "arc": 0.5}  # the papers' margins
    fields = {"theta": ((), np.degrees(theta)), "diag": ((), np.array([0.0, 180.0]))}
    sliders, panels, readouts = [], [], []
    for key, (name, ms, make, fmt) in losses.items():
        curves, gaps, shares = [], [], []
        for m in ms:
            curves.append(_boundary(make(m), theta)[1])
            h, _ = _boundary(make(m), fine)
            other = make(m)(np.column_stack([np.cos(fine), np.sin(fine)]), np.eye(2),
                            np.ones(fine.size, dtype=int))[:, 0]
            neither = ~(h[:, None] > other[None, :]) & ~(h[None, :] > other[:, None])
            shares.append(100 * neither.mean())
            i45 = 90  # 45 degrees on the 0.5-degree grid
            gaps.append(np.degrees(np.arccos(h[i45])) - 45 if h[i45] >= -1 else np.nan)
        fields.update({key: ((key,), np.array(curves)), f"gap_{key}": ((key,), np.array(gaps)),
                       f"share_{key}": ((key,), np.array(shares))})
        sliders.append(_slider(key, f"{name} margin", ms, init[key], fmt))
        panels.append({"type": "lines", "title": name, "xlabel": "θ1 (degrees)",
                       "ylabel": "θ2 (degrees)", "xlim": [0, 180], "ylim": [0, 180],
                       "series": [{"x": "diag", "y": "diag", "label": "softmax", "dash": True,
                                   "color": COLORS["neutral"]},
                                  {"x": "theta", "y": key, "label": "class 1 boundary",
                                   "color": COLORS["ce"]},
                                  {"x": key, "y": "theta", "label": "class 2 boundary",
                                   "color": COLORS["model1"]}]})
        readouts += [(f"gap_{key}", f"{name}: gap θ2 - θ1 at θ1 = 45° (degrees)", "f1",
                      "none"),
                     (f"share_{key}", f"{name}: share of the square in the margin band (%)", "f1")]
    return Explorable(
        "margins", title="Decision boundaries in the angle plane",
        caption="θ1 and θ2 are the angles between a unit feature and the unit weights of "
                "two classes. Above the blue curve class 1 meets its margin, h(θ1) > cos θ2; "
                "right of the orange one class 2 does; between them neither. Softmax's "
                "boundary is the diagonal. Each curve is computed from the library's logits.",
        alt="Three square panels, SphereFace, CosFace and ArcFace, each with the dashed diagonal "
            "of softmax and two boundary curves, one above and one below the diagonal, that move "
            "apart as the margin grows.",
        sliders=sliders, fields=fields, panels=panels, readouts=readouts)


def _bce_formulas(t, dtype):
    """Loss of logit t, label 1, in *dtype*: -log sigmoid(t), and eq-numerics-bce-stable."""
    t = np.asarray(t, dtype=dtype)
    one = dtype(1)
    with np.errstate(under="ignore", over="ignore", divide="ignore"):
        naive = -np.log(one / (one + np.exp(-t)))
        stable = np.maximum(t, dtype(0)) - t + np.log1p(np.exp(-np.abs(t)))
    return naive + dtype(0), stable + dtype(0)  # + 0: no "-0"


def precision_loss(t_values=np.arange(0.0, 40.01, 0.5), t_curve=np.arange(0.0, 40.01, 0.25),
                   floor=1e-17):
    """Relative error of the binary loss of logit t, label 1, naive and stable, in three precisions.

    The exact loss log(1 + e^-t) comes from mpmath at 50 digits (mpmath must be installed).
    """
    import mpmath as mp

    mp.mp.dps = 50
    dtypes = (np.float64, np.float32, np.float16)

    def exact(ts):
        return [mp.log1p(mp.exp(-mp.mpf(float(v)))) for v in ts]

    def rel(values, ex):
        return np.array([float(abs(mp.mpf(float(c)) - e) / e) for c, e in zip(values, ex)])

    ex_curve, ex_points = exact(t_curve), exact(t_values)
    out = {k: [] for k in ("naive", "stable", "rel_naive", "rel_stable", "c_naive", "c_stable",
                           "band", "eps")}
    for dt in dtypes:
        info = np.finfo(dt)
        n, s = _bce_formulas(t_curve, dt)
        out["c_naive"].append(np.clip(rel(n, ex_curve), floor, 10))
        out["c_stable"].append(np.clip(rel(s, ex_curve), floor, 10))
        n, s = _bce_formulas(t_values, dt)
        out["naive"].append(n.astype(float))
        out["stable"].append(s.astype(float))
        out["rel_naive"].append(rel(n, ex_points))
        out["rel_stable"].append(rel(s, ex_points))
        tiny = [v for v, e in zip(t_curve, ex_curve) if e < info.smallest_normal]
        out["band"].append([tiny[0] if tiny else np.nan, t_curve[-1]])
        out["eps"].append([float(info.eps), float(info.eps)])
    per_point = ("naive", "stable", "rel_naive", "rel_stable")
    fields = {k: (("dtype", "t") if k in per_point else ("dtype",), np.array(v))
              for k, v in out.items()}
    fields.update({"t": ((), t_curve), "ends": ((), np.array([t_curve[0], t_curve[-1]])),
                   "exact": (("t",), np.array([float(e) for e in ex_points])),
                   "t_now": (("t",), np.asarray(t_values, float))})
    return Explorable(
        "precision", title="Binary cross entropy of a sample right by a margin t",
        caption="Relative error against a 50-digit mpmath reference of the pipeline "
                "-log sigmoid(t) and of the stable form max(t, 0) - t + log1p(exp(-|t|)), "
                "computed in float64, float32 or float16 (errors below "
                f"{floor:g} drawn at {floor:g}). The dashed line is the precision's machine "
                "epsilon; in the shaded band the exact loss is below the smallest normal number "
                "of that precision.",
        alt="Relative error, on a logarithmic axis, against the margin t from 0 to 40: the naive "
            "curve rises steadily until it reaches 1, all digits lost; the stable curve stays "
            "near the machine epsilon of the chosen precision.",
        sliders=[{"id": "dtype", "label": "precision", "labels": ["float64", "float32", "float16"],
                  "init": 0},
                 _slider("t", "margin t (logit, label 1)", t_values, 20.0)],
        fields=fields,
        panels=[{"type": "lines", "title": "relative error of the loss", "xlabel": "margin t",
                 "ylabel": "relative error", "xlim": [0, 40], "ylim": [floor / 3, 10], "ylog": True,
                 "series": [{"band": "band", "color": COLORS["neutral"]},
                            {"x": "t", "y": "c_naive", "label": "-log σ(t)",
                             "color": COLORS["mse"]},
                            {"x": "t", "y": "c_stable", "label": "stable form",
                             "color": COLORS["ce"]},
                            {"x": "ends", "y": "eps", "label": "machine epsilon", "dash": True,
                             "color": COLORS["neutral"]},
                            {"vline": "t_now", "color": COLORS["accent"]}]}],
        readouts=[("exact", "exact loss log(1 + e^-t)", "e3"),
                  ("naive", "-log sigmoid(t) in this precision", "e3"),
                  ("stable", "stable form in this precision", "e3"),
                  ("rel_naive", "relative error, -log sigmoid(t)", "e2"),
                  ("rel_stable", "relative error, stable form", "e2")])
