"""What the browser tests of the built site share (``tests/site``); ``conftest.py`` makes fixtures of it.

* One HTTP server on 127.0.0.1 for the whole session serves the whole ``_build/html`` (both
  editions, so the links between them are followed too).
* One headless Chromium for the whole session, driven from one asyncio loop with Playwright's
  async API (``Browser.run`` runs a coroutine to its end).
* The page visits: a test module registers, with ``@probe(modes, pages)``, a coroutine that reads
  what it needs from an open page. The ``visits`` fixture then opens every page that some probe
  wants, once per mode whatever number of modules look at it, ``XENT_BROWSER_JOBS`` pages at a
  time (default 3), each in a fresh browser context. Per visit it records the console errors and
  the requests (``PageReport``), runs every probe of that mode, runs axe-core once per page and
  theme (the whole rule set in the light theme, the colour rules in the dark theme), and writes a
  screenshot to ``_build/screenshots``. The tests then assert on what was recorded.

Chromium comes from Debian (``apt-get install chromium``); without it the browser tests are
skipped, unless ``XENT_REQUIRE_BROWSER=1`` (as in CI), when they fail.
"""

import asyncio
import collections
import contextlib
import fnmatch
import functools
import http.server
import os
import shutil
import threading
import time
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
TABLET = {"width": 900, "height": 1200}
PHONE = {"width": 390, "height": 844}
JOBS = int(os.environ.get("XENT_BROWSER_JOBS", "3"))
# How each mode opens a page: (viewport, colour scheme). A viewport under 1000 px has touch.
MODES = {"light": (DESKTOP, "light"), "dark": (DESKTOP, "dark"), "phone": (PHONE, "light")}
# axe-core's rules that depend on colours (all that the dark theme changes).
AXE_COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def require_chromium():
    """Skip the calling test module (at import) when there is no Chromium, or fail under CI."""
    if CHROMIUM is None:
        if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
            raise RuntimeError("XENT_REQUIRE_BROWSER=1 but no Chromium: apt-get install chromium")
        pytest.skip("no Chromium found; install it with `apt-get install chromium` "
                    "(Debian) to run the browser test of the site", allow_module_level=True)
    pytest.importorskip("playwright.async_api")


def site_pages():
    """Every page of the built site (both editions), or those ``XENT_SITE_PAGES`` names."""
    if not (HTML / "index.html").is_file():
        return []
    skip = {"search.html"}
    pages = sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                   if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)
    only = os.environ.get("XENT_SITE_PAGES")  # e.g. "chapters/04*": a subset, while working on it
    return [p for p in pages if any(fnmatch.fnmatch(p, pat) for pat in only.split())] if only else pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """``directory`` over HTTP on 127.0.0.1 (a thread), as the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


class Browser:
    """One Chromium for the whole session, driven from one event loop."""

    def __init__(self):
        from playwright.async_api import async_playwright

        self.loop = asyncio.new_event_loop()
        self.pw = self.run(async_playwright().start())
        self.browser = self.run(self.pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS))

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self):
        self.run(self.browser.close())
        self.run(self.pw.stop())
        self.loop.close()


class PageReport:
    """Everything a page did while it loaded."""

    def __init__(self, page, base):
        self.errors, self.outside, self.failed, self.requests = [], [], [], []
        host = urlparse(base).netloc
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self._request(r, host))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})"))

    def snapshot(self):
        """A copy of what the page did until now (axe-core, run later, fetches the style
        sheets once more, resolving their @import against the wrong base)."""
        copy = PageReport.__new__(PageReport)
        copy.errors, copy.outside, copy.failed = list(self.errors), list(self.outside), list(self.failed)
        copy.requests = list(self.requests)
        return copy

    def _request(self, request, host):
        self.requests.append(request.url)
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != host:
            self.outside.append(request.url)


LOAD_ALL_IMAGES = """() => Promise.all(Array.from(document.images, img => {
  img.loading = 'eager';
  return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
}))"""

# The blocks below the fold, skipped by the browser until they come near the screen
# (content-visibility, xent.css), laid out once, as when a reader has scrolled through the page:
# each keeps its size from then on, so nothing moves while axe-core scrolls to an element to read
# its colours (it read those of whatever had moved under that point). test_page_weight.py holds
# the skipping itself.
LAY_OUT_ALL = """async () => {
  const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const style = document.createElement('style');
  style.textContent = '.bd-article section > * { content-visibility: visible !important; }';
  document.head.appendChild(style);
  await frames();
  style.remove();
  await frames();
}"""


async def open_page(browser, base, path, viewport, scheme, media=None):
    """A fresh context and page at ``path``, once it has loaded and MathJax has typeset it."""
    context = await browser.new_context(viewport=viewport, color_scheme=scheme, has_touch=viewport["width"] < 1000)
    page = await context.new_page()
    report = PageReport(page, base)
    await page.goto(f"{base}/{path}", wait_until="load", timeout=120000)  # a busy machine is slow
    # Figures load lazily (book_ext/page_weight.py): the probes see them all loaded, as a reader
    # who scrolls does; test_page_weight.py holds the lazy loading itself.
    await page.evaluate(LOAD_ALL_IMAGES)
    await page.evaluate(LAY_OUT_ALL)
    # reader_fixes.js measures the boxes that scroll a few at a time after load.
    await page.wait_for_function("() => document.documentElement.dataset.xentScrollers === 'done'",
                                 timeout=30000)
    # MathJax 3 typesets after load; wait for its promise on pages that have math.
    await page.wait_for_function(
        "() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)", timeout=30000)
    await page.evaluate("() => window.MathJax ? window.MathJax.startup.promise : null")
    await page.wait_for_load_state("networkidle")
    return context, page, report


# -- the page visits ---------------------------------------------------------------------------

PROBES = []  # (modes, which pages, coroutine function (page, path, mode) -> dict)
PHASES = collections.Counter()


def probe(modes, pages=None):
    """Register ``async def f(page, path, mode) -> dict`` to run on every visit of ``modes``
    (of the pages for which ``pages(path)`` is true; every page by default)."""
    def register(fn):
        PROBES.append((tuple(modes), pages or (lambda path: True), fn))
        return fn
    return register


def wanted():
    """{(path, mode): [the probes to run]} for every visit some registered probe asks for."""
    jobs = collections.defaultdict(list)
    for path in site_pages():
        for mode in MODES:
            for modes, pages, fn in PROBES:
                if mode in modes and pages(path):
                    jobs[(path, mode)].append(fn)
    return jobs


def _shot(page, path, kind):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return page.screenshot(path=str(SHOTS / (path.replace("/", "__") + f".{kind}.png")), full_page=False)


async def _visit(browser, axe, base, path, mode, probes):
    viewport, scheme = MODES[mode]
    clock = [time.perf_counter()]

    def lap(name):  # seconds spent in each phase, summed over the pages by `visit_all`
        now = time.perf_counter()
        PHASES[name] += now - clock[0]
        clock[0] = now

    context, page, report = await open_page(browser, base, path, viewport, scheme)
    lap("open")
    try:
        seen = {}
        for fn in probes:
            seen.update(await fn(page, path, mode))
        lap("evaluate")
        seen["report"] = report.snapshot()
        if mode in ("light", "dark"):
            # The two themes differ only in colours: the dark theme runs axe's colour rules.
            options = {"resultTypes": ["violations"]}
            if mode == "dark":
                options["runOnly"] = {"type": "rule", "values": AXE_COLOUR_RULES}
            seen["violations"] = [v for v in (await axe.run(page, options=options)).response["violations"]
                                  if v["impact"] in ("serious", "critical")]
        lap("axe")
        await _shot(page, path, {"light": "desktop", "dark": "dark", "phone": "phone"}[mode])
        lap("screenshot")
        return seen
    finally:
        await context.close()


def visit_all(browser, base):
    """Every wanted visit, JOBS at a time; {(path, mode): what was seen, or the exception}."""
    from axe_playwright_python.async_playwright import Axe

    axe = Axe()
    gate = asyncio.Semaphore(JOBS)
    jobs = wanted()

    async def one(key, probes):
        async with gate:
            try:
                return key, await _visit(browser.browser, axe, base, *key, probes)
            except Exception as exc:  # reported by the test of that page and mode
                return key, exc

    async def every():
        return dict(await asyncio.gather(*(one(key, probes) for key, probes in jobs.items())))

    start = time.perf_counter()
    seen = browser.run(every())
    print(f"\nbrowser: {len(seen)} page loads in {time.perf_counter() - start:.1f} s ({JOBS} at a time); "
          "time in each phase, summed: " + ", ".join(f"{k} {v:.0f} s" for k, v in PHASES.items()))
    return seen


def seen_on(visits, path, mode):
    """What the visit of ``path`` in ``mode`` recorded (its exception is raised here)."""
    seen = visits[(path, mode)]
    if isinstance(seen, Exception):
        raise seen
    return seen
