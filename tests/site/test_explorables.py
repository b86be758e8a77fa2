"""Drive every explorable figure of the built site in headless Chromium.

For each explorable the page of its chapter is served from ``_build/html`` on
127.0.0.1 and opened; the test moves a slider with the keyboard (ArrowRight,
as a reader without a mouse would), reads the numbers the page shows and
compares them with the numbers this test computes with ``xent`` for the new
slider position. It also asserts that no request leaves 127.0.0.1, that
the script is loaded from the site (and only on pages with an explorable),
that nothing overflows the page at a phone width of 390 px, and that in dark
mode the figure's text takes the theme's light colour. It prints the bytes
each explorable adds to its page and the time to interactive.

Chromium comes from Debian (``apt-get install chromium``); without it the test
is skipped, unless ``XENT_REQUIRE_BROWSER=1`` (as in CI), when it fails.
"""

import gzip
import re
from urllib.parse import urlparse

import numpy as np
import pytest

import xent

import sitebrowser
from sitebrowser import HTML

sitebrowser.require_chromium()

# explorable -> the chapter page that shows it (chapter 7 may be split: found by content)
NAMES = ["softmax", "neuron", "convexity", "margins", "precision"]


def _page_of(name):
    for p in sorted(HTML.glob("chapters/*.html")):
        if f'id="xe-{name}"' in p.read_text(encoding="utf-8"):
            return str(p.relative_to(HTML))
    return None


# The server and the browser are the session's (`server`, `browser`: tests/site/conftest.py).

async def _open(browser, base, path, width=1280, scheme="light"):
    context = await browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = await context.new_page()
    report = {"outside": [], "errors": [], "requests": []}
    host = urlparse(base).netloc
    page.on("request", lambda r: report["requests"].append(r.url))
    page.on("request", lambda r: urlparse(r.url).scheme in ("http", "https")
            and urlparse(r.url).netloc != host and report["outside"].append(r.url))
    page.on("pageerror", lambda e: report["errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and report["errors"].append(m.text))
    await page.goto(f"{base}/{path}", wait_until="load")
    return context, page, report


async def _readouts(page, name):
    return await page.eval_on_selector_all(
        f"#xe-{name} dd[data-field]", "els => Object.fromEntries(els.map(e => [e.dataset.field, e.textContent]))")


async def _press(page, name, slider, times=1, key="ArrowRight"):
    await page.focus(f"#xe-{name}-{slider}")
    for _ in range(times):
        await page.keyboard.press(key)


def _num(text):
    return float(text.replace("−", "-"))


# -- what the page must show, computed here with xent for the slider positions ---------------

async def _check_softmax(page):
    await _press(page, "softmax", "s2", 2)                 # 0.5 -> 1.5
    await _press(page, "softmax", "s3", 1, "ArrowLeft")    # -1 -> -1.5
    s = np.array([[2.0, 1.5, -1.5]])
    shown = await _readouts(page, "softmax")
    p = xent.softmax(s)[0]
    assert _num(shown["p1"]) == pytest.approx(p[0], abs=6e-5)
    assert _num(shown["ce"]) == pytest.approx(xent.cross_entropy_with_logits(s, np.array([0])), abs=6e-5)
    assert _num(shown["se"]) == pytest.approx(xent.mean_squared_error(xent.softmax(s), np.array([0])), abs=6e-5)
    assert await page.text_content('#xe-softmax output[data-for="s2"]') == "1.5"
    bars = await page.eval_on_selector_all("#xe-softmax .xe-panel:nth-child(2) text.xe-small",
                                     "els => els.map(e => e.textContent)")
    grad = xent.cross_entropy_with_logits_grad(s, np.array([0]))[0]
    assert [float(b) for b in bars] == pytest.approx(np.round(grad, 2), abs=0.0051)


async def _check_neuron(page):
    await page.focus("#xe-neuron button.xe-play")          # the replay button, from the keyboard
    await page.keyboard.press("Enter")
    assert await page.eval_on_selector("#xe-neuron button.xe-play", "b => b.disabled")   # running
    await page.wait_for_function("() => !document.querySelector('#xe-neuron button.xe-play').disabled",
                           timeout=10_000)
    assert await page.eval_on_selector_all("#xe-neuron svg path", "els => els.length") == 3
    await _press(page, "neuron", "eta_mse", 3)             # 0.15 -> 1.2
    shown = await _readouts(page, "neuron")
    for loss, eta in (("ce", 0.15), ("mse", 1.2)):
        w, b, ps = 2.0, 2.0, []
        for _ in range(301):
            s = np.array([w + b])
            p = xent.sigmoid(s)[0]
            ps.append(p)
            if loss == "ce":
                g = xent.binary_cross_entropy_with_logits_grad(s, np.zeros(1))[0]
            else:
                P = np.array([[1 - p, p]])
                gp = xent.mean_squared_error_grad(P, np.array([0]))[0]
                g = (gp[1] - gp[0]) * p * (1 - p)
            w, b = w - eta * g, b - eta * g
        ps = np.array(ps)
        assert int(shown[f"first_{loss}"]) == int(np.argmax(ps < 0.5))
        assert _num(shown[f"final_{loss}"]) == pytest.approx(ps[-1], abs=6e-5)


async def _check_convexity(page):
    await _press(page, "convexity", "shift", 6)            # -0.5 -> 1.0: separable
    shown = await _readouts(page, "convexity")
    assert shown["separable"] == "yes" and shown["w_star"].startswith("none")
    await _press(page, "convexity", "shift", 8, "ArrowLeft")   # -> -1.0: overlapping
    shown = await _readouts(page, "convexity")
    rng = np.random.default_rng(11)
    a, b = np.abs(rng.normal(size=20)), np.abs(rng.normal(size=20))
    x, y = np.r_[-1.0 + a, 1.0 - b], np.r_[np.ones(20), np.zeros(20)]
    w = _num(shown["w_star"])
    grad = lambda v: xent.binary_cross_entropy_with_logits_grad(v * x, y) @ x
    assert shown["separable"] == "no" and grad(w - 1e-3) < 0 < grad(w + 1e-3)   # w* to 3 decimals
    assert _num(shown["d2_ce"]) > 0 > _num(shown["d2_se"])


async def _check_margins(page):
    await _press(page, "margins", "arc", 2)                # 0.50 -> 0.60
    await _press(page, "margins", "cos", 1, "ArrowLeft")   # 0.35 -> 0.30
    shown = await _readouts(page, "margins")
    assert _num(shown["gap_arc"]) == pytest.approx(np.degrees(0.6), abs=0.051)
    x45 = np.array([[np.cos(np.pi / 4), np.sin(np.pi / 4)]])
    h = xent.cosface_logits(x45, np.eye(2), np.array([0]), s=1.0, m=0.3)[0, 0]
    assert _num(shown["gap_cos"]) == pytest.approx(np.degrees(np.arccos(h)) - 45, abs=0.051)
    assert await page.text_content('#xe-margins output[data-for="arc"]') == "m = 0.60 rad"


async def _check_precision(page):
    import mpmath as mp

    await _press(page, "precision", "dtype", 1)            # float32
    await _press(page, "precision", "t", 10, "ArrowLeft")  # 20 -> 15
    shown = await _readouts(page, "precision")
    mp.mp.dps = 50
    exact = mp.log1p(mp.exp(-15))
    t32 = np.float32(15.0)
    stable = np.log1p(np.exp(-t32))                  # max(t, 0) - t is exactly 0 in float32
    assert _num(shown["exact"]) == pytest.approx(float(exact), rel=6e-4)
    assert _num(shown["stable"]) == pytest.approx(float(stable), rel=6e-4)
    naive = -np.log(np.float32(1) / (np.float32(1) + np.exp(-t32)))
    assert _num(shown["naive"]) == pytest.approx(float(naive), rel=6e-4, abs=1e-30)
    assert _num(shown["rel_stable"]) < 2 * np.finfo(np.float32).eps
    # float64 stable form at t = 15 is the library's value
    await _press(page, "precision", "dtype", 1, "ArrowLeft")
    lib = xent.binary_cross_entropy_with_logits(np.array([15.0]), np.ones(1))
    assert _num((await _readouts(page, "precision"))["stable"]) == pytest.approx(lib, rel=6e-4)


CHECKS = {"softmax": _check_softmax, "neuron": _check_neuron, "convexity": _check_convexity,
          "margins": _check_margins, "precision": _check_precision}


@pytest.mark.parametrize("name", NAMES)
def test_explorable(name, server, browser):
    path = _page_of(name)
    assert path, f"no page of the built site shows the explorable {name!r}"

    async def check():
        context, page, report = await _open(browser.browser, server, path)
        try:
            await page.wait_for_selector(f"#xe-{name}[data-ready='true']", timeout=10_000)
            tti = await page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " const s = performance.getEntriesByType('resource')"
                "   .find(e => e.name.includes('/_static/explorables.js'));"
                " return [n.domInteractive, s ? s.responseEnd : null]; }")
            assert await page.query_selector(f"#xe-{name} .xe-note") is None   # the notebook-only note is gone
            await CHECKS[name](page)
            assert report["errors"] == [] and report["outside"] == []
            scripts = [u for u in report["requests"] if urlparse(u).path.endswith("/explorables.js")]
            assert len(scripts) == 1 and scripts[0].startswith(server + "/_static/")
            ready_ms, init_ms = await page.evaluate(f"() => {{ const d = document.getElementById('xe-{name}').dataset;"
                                                    " return [Number(d.readyAt), Number(d.initMs)]; }")
            served = (HTML / path).read_text(encoding="utf-8")
            figure = re.search(rf'<figure class="xent-explorable" id="xe-{name}">.*?</figure>', served, re.S)
            fig_bytes = len(figure.group(0).encode())
            static = sum((HTML / "_static" / f).stat().st_size for f in ("explorables.js", "explorables.css"))
            gz = len(gzip.compress(figure.group(0).encode(), 9))
            print(f"\n{name}: {path}: figure {fig_bytes} B ({gz} B gzipped) + script and style {static} B; "
                  f"interactive {ready_ms:.0f} ms after navigation start (DOM interactive {tti[0]:.0f} ms, "
                  f"script done {tti[1]:.0f} ms); drawing took {init_ms:.1f} ms")
        finally:
            await context.close()
    browser.run(check())


@pytest.mark.parametrize("name", NAMES)
def test_phone_width_and_dark_mode(name, server, browser):
    async def check():
        context, page, report = await _open(browser.browser, server, _page_of(name), width=390, scheme="dark")
        try:
            await page.wait_for_selector(f"#xe-{name}[data-ready='true']", timeout=10_000)
            overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the page is {overflow}px wider than the phone"
            wide = await page.evaluate(f"() => document.getElementById('xe-{name}').getBoundingClientRect().right"
                                       " - window.innerWidth")
            assert wide <= 0
            assert await page.evaluate("() => document.documentElement.dataset.theme") == "dark"
            fill = await page.eval_on_selector(f"#xe-{name} svg text", "e => getComputedStyle(e).fill")
            body = await page.evaluate("() => getComputedStyle(document.body).color")
            assert fill == body, "the figure's text does not follow the theme's text colour"
            rgb = [int(v) for v in re.findall(r"\d+", fill)[:3]]
            assert sum(rgb) > 3 * 150, f"text colour {fill} is too dark for the dark theme"
            slider = await page.eval_on_selector(f"#xe-{name} input[type=range]", "e => e.dataset.slider")
            await _press(page, name, slider)
            assert report["errors"] == [] and report["outside"] == []
        finally:
            await context.close()
    browser.run(check())


def test_script_only_on_pages_with_an_explorable():
    pages = sorted(HTML.rglob("*.html"))
    with_fig = [p for p in pages if 'class="xent-explorable"' in p.read_text(encoding="utf-8")]
    expected = {_page_of(n) for n in NAMES}
    if (HTML / "zh_CN").is_dir():  # the Chinese edition has the same explorables
        expected |= {f"zh_CN/{page}" for page in expected}
    assert {str(p.relative_to(HTML)) for p in with_fig} == expected
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert ("explorables.js" in text) == (p in with_fig), p.name
    assert (HTML / "_static" / "explorables.js").is_file()
