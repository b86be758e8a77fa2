"""The explorable figures: every value behind a slider against an independent computation.

References are SciPy, scikit-learn, mpmath and plain NumPy formulas, not the
library's own functions. The lookup that the site's script does (index tables
over the sliders) is re-done here from the JSON, so that the data the browser
reads is the data that was checked.
"""

import io
import json
import re

import matplotlib.image as mpimg
import mpmath as mp
import numpy as np
import pytest
import scipy.special as sps
from sklearn.linear_model import LogisticRegression

import xent
from xent import explorables
from xent._explorable import Explorable, fmt_value

BUILDERS = [explorables.softmax_loss, explorables.neuron_training, explorables.convexity_slices,
            explorables.margin_boundaries, explorables.precision_loss]


@pytest.fixture(scope="module")
def figs():
    return {f.__name__: f() for f in BUILDERS}


def js_lookup(data, field, pos):
    """What explorables.js does: mixed-radix index over the field's sliders, then the table."""
    lengths = {s["id"]: len(s["labels"]) for s in data["sliders"]}
    f, k = data["fields"][field], 0
    for d in f["deps"]:
        k = k * lengths[d] + pos[d]
    return f["table"][data["indexes"][f["index"]][k]]


def payload(fig):
    html = fig._repr_html_()
    m = re.search(r'<script type="application/json" class="xe-data">(.*)</script>', html)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_softmax_values(figs, rng):
    fig = figs["softmax_loss"]
    values = np.arange(-3.0, 3.01, 0.5)
    data = payload(fig)
    for _ in range(30):
        i, j, k = rng.integers(0, len(values), size=3)
        s = values[[i, j, k]]
        p = sps.softmax(s)
        y = np.array([1.0, 0, 0])
        pos = {"s1": i, "s2": j, "s3": k}
        assert np.allclose(fig.value("p", **pos).astype(float), p, rtol=1e-13)
        assert np.isclose(fig.value("ce", **pos), -np.log(p[0]), rtol=1e-13)
        assert np.allclose(fig.value("grad", **pos).astype(float), p - y, atol=1e-15)
        assert np.isclose(fig.value("se", **pos), ((p - y) ** 2).sum(), rtol=1e-13)
        assert np.allclose(js_lookup(data, "p", pos), p, rtol=1e-3)           # 4 digits kept
        assert np.isclose(js_lookup(data, "ce", pos), -np.log(p[0]), rtol=1e-3)
    # shift invariance: the same frame one step up on every slider
    a = fig.value("p", s1=3, s2=5, s3=7).astype(float)
    b = fig.value("p", s1=4, s2=6, s3=8).astype(float)
    assert np.allclose(a, b, rtol=1e-13)


def _neuron_reference(w, b, eta, loss, epochs=300):
    ps = []
    for _ in range(epochs + 1):
        p = 1 / (1 + np.exp(-(w + b)))
        ps.append(p)
        g = p if loss == "ce" else 4 * p * p * (1 - p)          # y = 0
        w, b = w - eta * g, b - eta * g
    return np.array(ps)


@pytest.mark.parametrize("pos", [dict(w=4, b=4, eta_ce=2, eta_mse=2), dict(w=6, b=1, eta_ce=5, eta_mse=0),
                                 dict(w=0, b=0, eta_ce=0, eta_mse=3)])
def test_neuron_trainings(figs, pos):
    fig = figs["neuron_training"]
    w = np.arange(0.0, 3.01, 0.5)[pos["w"]]
    b = np.arange(0.0, 3.01, 0.5)[pos["b"]]
    etas = (0.05, 0.1, 0.15, 0.3, 0.6, 1.2)
    for loss in ("ce", "mse"):
        ref = _neuron_reference(w, b, etas[pos[f"eta_{loss}"]], loss)
        assert np.allclose(fig.value(f"p_{loss}", **pos).astype(float), ref[::10], rtol=1e-10)
        assert np.isclose(fig.value(f"final_{loss}", **pos), ref[-1], rtol=1e-10)
        first = fig.value(f"first_{loss}", **pos)
        right = np.flatnonzero(ref < 0.5)
        assert (np.isnan(first) and right.size == 0) or first == right[0]


def test_neuron_matches_chapter_6(figs):
    """The chapter's start (w = b = 2, eta = 0.15): right from epochs 17 and 59."""
    fig = figs["neuron_training"]
    assert fig.value("first_ce") == 17 and fig.value("first_mse") == 59
    assert fig.value("start") == pytest.approx(1 / (1 + np.exp(-4.0)), rel=1e-14)


def test_convexity_slices(figs):
    fig = figs["convexity_slices"]
    rng = np.random.default_rng(11)
    a, b = np.abs(rng.normal(size=20)), np.abs(rng.normal(size=20))
    y = np.r_[np.ones(20), np.zeros(20)]
    w_grid = np.linspace(-3.0, 9.0, 121)
    seen = set()
    for i, c in enumerate(np.arange(-1.5, 1.01, 0.25)):
        x = np.r_[c + a, -c - b]
        separable = (c + a).min() > (-c - b).max()
        seen.add(separable)
        assert fig.value("separable", shift=i) == ("yes" if separable else "no")
        S = np.outer(w_grid, x)
        ce_ref = np.logaddexp(0, -(2 * y - 1) * S).mean(axis=1)
        se_ref = (2 * (sps.expit(S) - y) ** 2).mean(axis=1)
        assert np.allclose(fig.value("ce", shift=i).astype(float), ce_ref, rtol=1e-12)
        assert np.allclose(fig.value("se", shift=i).astype(float), se_ref, rtol=1e-12)
        assert fig.value("d2_ce", shift=i) > 0 > fig.value("d2_se", shift=i)   # the caption's claim
        w_star = fig.value("w_star", shift=i)
        if separable:
            assert np.isnan(w_star)
        else:
            model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000)
            model.fit(x[:, None], y)
            assert w_star == pytest.approx(model.coef_[0, 0], rel=1e-6)
    assert seen == {True, False}, "the slider should reach both overlapping and separable data"


def test_margin_boundaries(figs):
    fig = figs["margin_boundaries"]
    theta = np.arange(0.0, 180.01, 2.0)
    for i, m in enumerate(np.arange(0.0, 0.801, 0.05)):
        curve = fig.value("arc", arc=i).astype(float)
        ok = theta < 180 - np.degrees(m)
        assert np.allclose(curve[ok], np.minimum(theta[ok] + np.degrees(m), 180), atol=1e-9)
        assert fig.value("gap_arc", arc=i) == pytest.approx(np.degrees(m), abs=1e-9)
    for i, m in enumerate(np.arange(0.0, 0.501, 0.05)):
        expected = np.degrees(np.arccos(np.cos(np.pi / 4) - m)) - 45
        assert fig.value("gap_cos", cos=i) == pytest.approx(expected, abs=1e-9)
    for i, m in enumerate((1, 2, 3, 4, 5)):
        gap = fig.value("gap_sphere", sphere=i)
        if 45 * m <= 180:
            assert gap == pytest.approx(45 * (m - 1), abs=1e-5)   # arccos near -1: sqrt(eps)
        else:
            assert np.isnan(gap)
    # zero margin (softmax): only the diagonal of the 361 x 361 grid, a tie, is in neither region
    diagonal = 100 / 361
    for key in ("arc", "cos", "sphere"):
        assert fig.value(f"share_{key}", **{key: 0}) == pytest.approx(diagonal, rel=1e-12)
    assert fig.value("share_arc", arc=10) > 20 * diagonal


def test_precision_loss(figs):
    fig = figs["precision_loss"]
    t_values = np.arange(0.0, 40.01, 0.5)
    mp.mp.dps = 50
    lib = xent.binary_cross_entropy_with_logits(t_values, np.ones(t_values.size), reduction="none")
    for i, t in enumerate(t_values):
        exact = mp.log1p(mp.exp(-mp.mpf(t)))
        assert fig.value("exact", t=i) == pytest.approx(float(exact), rel=1e-15)
        assert fig.value("stable", dtype=0, t=i) == lib[i]                    # float64: the library
        assert fig.value("naive", dtype=0, t=i) == -np.log(sps.expit(t))
        for d, dt in enumerate((np.float64, np.float32, np.float16)):
            stable = fig.value("stable", dtype=d, t=i)
            assert fig.value("rel_stable", dtype=d, t=i) == pytest.approx(
                float(abs(mp.mpf(stable) - exact) / exact), rel=1e-12)
            if exact >= np.finfo(dt).smallest_normal:                         # outside the band
                assert fig.value("rel_stable", dtype=d, t=i) < 2 * np.finfo(dt).eps
    # the chapter's lead-in: the pipeline fails (relative error 1) sooner the lower the precision;
    # within t <= 40 only float16's exact loss falls below its smallest normal number (the band)
    fails = [t_values[[fig.value("rel_naive", dtype=d, t=i) for i in range(t_values.size)].index(1.0)]
             for d in range(3)]
    assert fails[0] > fails[1] > fails[2]
    bands = [fig.value("band", dtype=d)[0] for d in range(3)]
    assert np.isnan(bands[0]) and np.isnan(bands[1]) and 0 < bands[2] < 40
    # the pipeline returns 0 (relative error 1) at t = 20 in float32 and float16, not in float64
    k = 40
    assert fig.value("naive", dtype=1, t=k) == 0 and fig.value("naive", dtype=2, t=k) == 0
    assert fig.value("rel_naive", dtype=0, t=k) < 1e-6


@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__)
def test_html_is_deterministic_and_complete(build, figs):
    fig = figs[build.__name__]
    html = fig._repr_html_()
    assert html == build()._repr_html_()
    assert f'id="xe-{fig.name}"' in html and "0x" not in html
    assert 'role="img" aria-label="' in html and "<figcaption>" in html
    assert 'class="xe-note"' in html   # says, where the script does not run, where it does
    data = payload(fig)
    for r in fig.readouts:   # the readouts' initial text is the script's formatting of the data
        init = {s["id"]: s["init"] for s in data["sliders"]}
        shown = re.search(rf'data-field="{r[0]}">([^<]*)<', html).group(1)
        assert shown == fmt_value(js_lookup(data, r[0], init), *r[2:])
    for s in data["sliders"]:
        assert re.search(rf'<input type="range" id="xe-{fig.name}-{s["id"]}" min="0" '
                         rf'max="{len(s["labels"]) - 1}"', html)
    assert repr(fig).startswith(f"<Explorable '{fig.name}'")


@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__)
def test_png_is_opaque(build, figs):
    image = mpimg.imread(io.BytesIO(figs[build.__name__]._repr_png_()), format="png")
    assert image.shape[0] > 200 and (image.shape[-1] == 3 or image[..., 3].min() == 1.0)


def test_bad_input_is_refused():
    common = dict(title="t", caption="c", alt="a", panels=[], readouts=[])
    slider = [{"id": "a", "label": "a", "labels": ["0", "1"], "init": 0}]
    with pytest.raises(ValueError, match="name"):
        Explorable("bad name!", sliders=slider, fields={}, **common)
    with pytest.raises(ValueError, match="field 'f'"):
        Explorable("ok", sliders=slider, fields={"f": (("a",), np.zeros(3))}, **common)


def test_formats():
    assert fmt_value(None, "f2", "never") == "never" and fmt_value(float("nan"), "f2") == "none"
    assert fmt_value(3.14159, "f2") == "3.14" and fmt_value(4.2e-18, "e3") == "4.200e-18"
    assert fmt_value("inf", "e3") == "inf"
