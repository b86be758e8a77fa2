"""Open every page of the built site in headless Chromium, as a reader would.

The site (``_build/html``) is served over HTTP on 127.0.0.1 by a thread of this
test. Each page is opened in three ways: desktop width in the light theme,
desktop width in the dark theme, and a phone width. For each we assert:

* no console error and no uncaught page error;
* no request leaves the machine, and no request fails (no 404);
* MathJax has typeset every formula: no MathJax error node, and no raw TeX
  (``$$``, ``\\frac``, ``\\begin``) left in the prose;
* every image has loaded and has alt text;
* headings do not skip a level;
* axe-core finds no serious or critical accessibility violation;
* at desktop width every display formula fits its column; at the phone width
  nothing overflows the page (wide equations and code scroll inside their own box).

A screenshot of each page at each width is written to ``_build/screenshots``.
Chromium comes from Debian (``apt-get install chromium``); without it the test
is skipped, unless ``XENT_REQUIRE_BROWSER=1`` (as in CI), when it fails.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RAW_TEX = re.compile(r"\$\$|\\frac|\\begin\{|\\sum_|\\partial")

if CHROMIUM is None:
    if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
        raise RuntimeError("XENT_REQUIRE_BROWSER=1 but no Chromium: apt-get install chromium")
    pytest.skip("no Chromium found; install it with `apt-get install chromium` "
                "(Debian) to run the browser test of the site", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


def _pages():
    if not (HTML / "index.html").is_file():
        return []
    skip = {"genindex.html", "search.html"}
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)


PAGES = _pages()


@pytest.fixture(scope="session")
def server():
    if not PAGES:
        pytest.fail("no built site in _build/html: run `make test-build` (or `make book`) first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe():
    return axe_module.Axe()


class PageReport:
    """Everything a page did while it loaded."""

    def __init__(self, page, base):
        self.errors, self.outside, self.failed = [], [], []
        host = urlparse(base).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self._request(r, host))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})"))

    def _request(self, request, host):
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != host:
            self.outside.append(request.url)


def _open(browser, base, path, viewport, scheme):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    report = PageReport(page, base)
    page.goto(f"{base}/{path}", wait_until="load")
    # MathJax 3 typesets after load; wait for its promise on pages that have math.
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)",
                           timeout=20000)
    page.evaluate("() => window.MathJax ? window.MathJax.startup.promise : null")
    page.wait_for_load_state("networkidle")
    return context, page, report


PROSE_TEXT = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, .cell_input, script, style, mjx-container, .MathJax')
       .forEach(n => n.remove());
  return clone.innerText;
}"""

IMAGES = """() => Array.from(document.querySelectorAll('main img')).map(i => ({
  src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0,
  alt: (i.getAttribute('alt') || '').trim()}))"""

# Display formulas wider than their box (they would need sideways scrolling).
WIDE_MATH = """() => Array.from(document.querySelectorAll('main div.math mjx-container'))
  .filter(c => c.scrollWidth > c.clientWidth + 1)
  .map(c => (c.closest('div.math').id || '') + ' ' + c.textContent.slice(0, 40))"""

HEADINGS = """() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6'))
  .filter(h => h.offsetParent !== null || h.closest('details'))
  .map(h => parseInt(h.tagName[1]))"""


@pytest.mark.parametrize("path", PAGES)
def test_page_desktop_light(browser, server, axe, path):
    context, page, report = _open(browser, server, path, DESKTOP, "light")
    try:
        assert report.outside == [], f"requests to another host: {report.outside}"
        assert report.failed == [], f"failed requests: {report.failed}"
        assert report.errors == [], f"console errors: {report.errors}"
        assert page.locator("mjx-merror").count() == 0, "MathJax reported an error in a formula"
        prose = page.evaluate(PROSE_TEXT)
        raw = sorted(set(RAW_TEX.findall(prose)))
        assert not raw, f"raw TeX left untypeset in the text: {raw}"
        math_nodes = page.locator(".math").count()
        if math_nodes:
            assert page.locator("mjx-container").count() >= math_nodes, "some formulas were not typeset"
        assert page.evaluate(WIDE_MATH) == [], "formulas wider than the text column at desktop width"
        images = page.evaluate(IMAGES)
        assert [i["src"] for i in images if not i["ok"]] == [], "images that did not load"
        assert [i["src"] for i in images if not i["alt"]] == [], "images without alt text"
        levels = page.evaluate(HEADINGS)
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert levels[:1] == [1] and not jumps, f"headings out of order: {levels}"
        violations = [v for v in axe.run(page).response["violations"]
                      if v["impact"] in ("serious", "critical")]
        assert violations == [], "accessibility: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (path.replace("/", "__") + ".desktop.png")), full_page=False)
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_desktop_dark(browser, server, axe, path):
    context, page, report = _open(browser, server, path, DESKTOP, "dark")
    try:
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        assert report.outside == [] and report.failed == [] and report.errors == [], (
            report.outside, report.failed, report.errors)
        violations = [v for v in axe.run(page).response["violations"]
                      if v["impact"] in ("serious", "critical")]
        assert violations == [], "accessibility (dark): " + "; ".join(
            f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
        # Figures keep an opaque white background, so black text on them stays readable.
        backgrounds = page.evaluate("""() => Array.from(document.querySelectorAll('main img'))
            .filter(i => i.src.endsWith('.png')).map(i => {
              const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
              const g = c.getContext('2d'); g.drawImage(i, 0, 0);
              return g.getImageData(1, 1, 1, 1).data[3];})""")
        assert all(alpha == 255 for alpha in backgrounds), "a figure has a transparent background"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (path.replace("/", "__") + ".dark.png")), full_page=False)
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_phone(browser, server, path):
    context, page, report = _open(browser, server, path, PHONE, "light")
    try:
        assert report.outside == [] and report.failed == [] and report.errors == [], (
            report.outside, report.failed, report.errors)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than a {PHONE['width']}px phone screen"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (path.replace("/", "__") + ".phone.png")), full_page=False)
    finally:
        context.close()


# Sphinx indexes glossary terms with search priority -1 (not listed as objects), so a
# term is found through the text of the glossary page, not through its anchor.
@pytest.mark.parametrize("query, expected", [("softmax", "05_multiclass_gradient.html"),
                                              ("Kullback", "a3_glossary.html")])
def test_search_finds_chapters_and_terms(browser, server, query, expected):
    context, page, report = _open(browser, server, f"search.html?q={query}", DESKTOP, "light")
    try:
        page.wait_for_selector("#search-results ul li", timeout=20000)
        links = page.eval_on_selector_all("#search-results a", "as => as.map(a => a.getAttribute('href'))")
        assert any(expected in (href or "") for href in links), f"{query!r} did not find {expected}: {links[:10]}"
        assert report.outside == [] and report.errors == [], (report.outside, report.errors)
    finally:
        context.close()


def test_every_internal_link_resolves():
    """A link check of the built site: every relative href and src points at a file that exists,
    and every #fragment names an id on the target page."""
    ids_cache = {}
    href = re.compile(r'(?:href|src)="([^"#?]*)(#[^"]*)?"')
    problems = []
    for page in PAGES:
        source = HTML / page
        text = source.read_text(encoding="utf-8")
        for target, fragment in href.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, data: ... not fetched
                continue
            path = (source.parent / target).resolve() if target else source
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                problems.append(f"{page}: {target} does not exist")
                continue
            if fragment and fragment != "#" and path.suffix == ".html":
                if path not in ids_cache:
                    ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
                if fragment[1:] not in ids_cache[path]:
                    problems.append(f"{page}: {target}{fragment} names no element")
    assert problems == []


def test_external_links_are_listed_in_one_place():
    """The book's text links to other hosts only from the bibliography's list of external links
    (local addresses such as `make serve`'s are allowed anywhere); none of them is fetched."""
    listing = "chapters/a5_bibliography.html"
    assert 'id="external-links"' in (HTML / listing).read_text(encoding="utf-8")
    external = re.compile(r'href="(https?://[^"]+)"')
    problems = []
    for page in PAGES:
        if page == listing:
            continue
        text = (HTML / page).read_text(encoding="utf-8")
        main = re.search(r"<main\b.*?</main>", text, re.S)
        assert main, f"{page} has no <main> element"
        problems += [f"{page}: {url}" for url in external.findall(main.group(0))
                     if urlparse(url).hostname not in ("127.0.0.1", "localhost")]
    assert problems == []
