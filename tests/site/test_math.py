"""Formulas typeset at build time (``book_ext/prerender_math.py``), in both editions.

In the built pages (``_build/html`` and ``_build/html/zh_CN``):

* every formula Sphinx wrote (``.math``) holds MathJax's SVG output and no TeX is left
  in it; no formula is a MathJax error; every glyph a formula uses is in its page's cache;
* every formula has MathJax's assistive MathML (screen readers read the math);
* numbered equations keep their id and their number with a permalink to that id;
* no page loads MathJax, and the site ships no MathJax script.

In headless Chromium, offline (no request leaves 127.0.0.1), on every page of both
editions: every formula is drawn (its SVG has a size, every glyph reference resolves),
``window.MathJax`` does not exist, and in the dark theme the formulas take the text
colour (read on the dark visit that every page gets, ``sitebrowser.py``). One page is also
checked in print media.

The build itself fails on a TeX error, naming the page and the formula: checked here
on a page written for the purpose.
"""

import functools
import http.server
import os
import re
import shutil
import threading
import types
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

import sys  # noqa: E402

sys.path.insert(0, str(ROOT / "book_ext"))
import prerender_math  # noqa: E402
import sitebrowser  # noqa: E402  (tests/site: the shared page visits)


def _pages():
    if not (HTML / "index.html").is_file():
        return []
    skip = {"genindex.html", "search.html"}
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)


PAGES = _pages()
MATH_OPEN = re.compile(r'<(span|div) class="([^"]*)"[^>]*>')
CONTAINER = re.compile(r'<mjx-container data-tex="[^"]*" class="MathJax" jax="SVG"')
GLYPH_USE = re.compile(r'xlink:href="#(MJX-[^"]+)"')
GLYPH_DEF = re.compile(r'<path id="(MJX-[^"]+)"')
EQUATION = re.compile(r'<div class="math[^"]*" id="(equation-[^"]+)">\s*<span class="eqno">\(([^)<]+)\)'
                      r'<a class="headerlink" href="#([^"]+)"')


def test_the_site_was_built():
    assert PAGES, "no built site: run `make test-build` (and `make test-build-zh`)"
    assert any(p.startswith("zh_CN/") for p in PAGES), "no Chinese edition: run `make test-build-zh`"


def _math_elements(text):
    """(tag, inner HTML) of every element Sphinx wrote for a formula."""
    found = []
    for m in MATH_OPEN.finditer(text):
        if "math" not in m.group(2).split():
            continue
        tag = m.group(1)
        # the element ends at the close tag that balances it
        depth, pos = 1, m.end()
        pattern = re.compile(rf"<(/?){tag}\b[^>]*>")
        while depth:
            t = pattern.search(text, pos)
            assert t, f"unclosed <{tag}> of a formula"
            depth += -1 if t.group(1) else 1
            pos = t.end()
        found.append((tag, text[m.end():pos]))
    return found


@pytest.mark.parametrize("path", PAGES)
def test_every_formula_is_typeset_in_the_page(path):
    text = (HTML / path).read_text(encoding="utf-8")
    elements = _math_elements(text)
    for tag, inner in elements:
        assert len(CONTAINER.findall(inner)) == 1, f"a formula not typeset: {inner[:160]!r}"
        outside = re.sub(r"<mjx-container.*</mjx-container>", "", inner, flags=re.S)
        outside = re.sub(r'<span class="eqno">.*?</span>', "", outside, flags=re.S)
        assert not re.sub(r"<[^>]+>", "", outside).strip(), f"TeX left beside a formula: {outside[:160]!r}"
        assert "<mjx-assistive-mml" in inner and "<math " in inner, "a formula without assistive MathML"
        if tag == "div":
            assert 'display="true"' in inner, "a display formula typeset inline"
    body = re.sub(r"<style.*?</style>", "", text, flags=re.S)  # MathJax's stylesheet names merror
    assert 'data-mml-node="merror"' not in body and "data-mjx-error" not in body, "a MathJax error node"
    used, defined = set(GLYPH_USE.findall(text)), set(GLYPH_DEF.findall(text))
    assert used <= defined, f"glyphs missing from the page's cache: {sorted(used - defined)[:5]}"
    assert text.count('id="MJX-SVG-global-cache"') == (1 if elements else 0)
    assert not re.search(r'<script[^>]*src="[^"]*mathjax', text, re.I), "the page loads MathJax"
    assert "window.MathJax" not in text, "the page configures MathJax"


@pytest.mark.parametrize("path", [p for p in PAGES if 'id="equation-' in (HTML / p).read_text(encoding="utf-8")])
def test_numbered_equations_keep_their_number_and_permalink(path):
    text = (HTML / path).read_text(encoding="utf-8")
    equations = EQUATION.findall(text)
    assert equations, "a page with equation ids but no numbered equation found"
    for eq_id, number, href in equations:
        assert href == eq_id, f"{eq_id}: the permalink points at {href}"
        assert re.fullmatch(r"\d+(\.\d+)*", number), f"{eq_id}: number {number!r}"
    ids = [e[0] for e in equations]
    assert len(ids) == len(set(ids)), "duplicate equation ids"


def test_no_mathjax_script_in_the_site():
    assert PAGES
    for static in [HTML / "_static", HTML / "zh_CN" / "_static"]:
        if static.is_dir():
            assert not (static / "mathjax").exists(), f"{static}/mathjax: MathJax is still shipped"
            assert not list(static.rglob("tex-*.js")), "a MathJax component is still shipped"


def test_find_formulas_reads_what_sphinx_writes():
    page = ('<p><span class="math notranslate nohighlight">\\(a &lt; b\\)</span> and '
            '<div class="math notranslate nohighlight" id="equation-x">\n<span class="eqno">(1.2)'
            '<a class="headerlink" href="#equation-x" title="Link">#</a></span>\\[\\frac{1}{2}\\]</div>'
            '<div class="math notranslate nohighlight">\\begin{align}x&amp;=1\\end{align}</div>'
            '<span class="mathx">\\(no\\)</span>')
    found = prerender_math.find_formulas(page)
    assert [(tex, disp) for _, _, tex, disp in found] == [
        ("a < b", False), ("\\frac{1}{2}", True), ("\\begin{align}x&=1\\end{align}", True)]
    start, end = found[1][:2]
    assert page[start:end] == "\\[\\frac{1}{2}\\]"  # the equation number stays outside
    with pytest.raises(prerender_math.TeXError):
        prerender_math.find_formulas('<span class="math">x + 1</span>')


def test_a_tex_error_fails_the_build_naming_page_and_formula(tmp_path):
    (tmp_path / "chapters").mkdir()
    good = '<span class="math notranslate nohighlight">\\(x^2\\)</span>'
    (tmp_path / "chapters" / "ok.html").write_text(f"<html><head></head><body>{good}</body></html>")
    bad = '<span class="math notranslate nohighlight">\\(\\sigma(\\undefinedmacro s)\\)</span>'
    (tmp_path / "chapters" / "bad.html").write_text(f"<html><head></head><body>{good}{bad}</body></html>")
    app = types.SimpleNamespace(outdir=str(tmp_path), builder=types.SimpleNamespace(format="html"),
                                config=types.SimpleNamespace(mathjax3_config=None))
    with pytest.raises(prerender_math.TeXError) as err:
        prerender_math._prerender(app, None)
    message = str(err.value)
    assert "chapters/bad.html" in message and "\\undefinedmacro" in message
    assert "chapters/ok.html" not in message
    # and a good page is typeset in place, with its glyph cache and the stylesheet
    (tmp_path / "chapters" / "bad.html").unlink()
    prerender_math._prerender(app, None)
    out = (tmp_path / "chapters" / "ok.html").read_text()
    assert 'jax="SVG"' in out and 'id="MJX-SVG-global-cache"' in out and prerender_math.STYLE_ID in out


# --- in the browser ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site():
    if not PAGES:
        pytest.fail("no built site: run `make test-build`")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium: apt-get install chromium")
        pytest.skip("no Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


DRAWN = """() => {
  const out = {formulas: 0, undrawn: [], unresolved: [], colours: [], mathjax: typeof window.MathJax};
  document.querySelectorAll('.math').forEach(el => {
    out.formulas += 1;
    const svg = el.querySelector('mjx-container > svg');
    const box = svg && svg.getBoundingClientRect();
    if (!svg || (el.offsetParent !== null && (box.width <= 0 || box.height <= 0)))
      out.undrawn.push((el.id || '') + ' ' + el.textContent.slice(0, 40));
    if (svg && el.offsetParent !== null)
      out.colours.push([getComputedStyle(svg.querySelector('g')).fill, getComputedStyle(el).color]);
  });
  document.querySelectorAll('mjx-container use').forEach(u => {
    const ref = (u.getAttribute('xlink:href') || u.getAttribute('href') || '').slice(1);
    if (!document.getElementById(ref)) out.unresolved.push(ref);
  });
  return out;
}"""


def _load(chromium, url, scheme="light", media=None):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    host, report = urlparse(url).netloc, {"outside": [], "failed": [], "errors": []}
    page.on("request", lambda r: urlparse(r.url).scheme in ("http", "https")
            and urlparse(r.url).netloc != host and report["outside"].append(r.url))
    page.on("requestfailed", lambda r: report["failed"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and report["failed"].append(r.url))
    page.on("pageerror", lambda e: report["errors"].append(str(e)))
    if media:
        page.emulate_media(media=media)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, report


MATH_PAGES = [p for p in PAGES if 'jax="SVG"' in (HTML / p).read_text(encoding="utf-8")]
MATH_RESOURCES = """() => performance.getEntriesByType('resource').map(e => e.name)
  .filter(name => name.toLowerCase().includes('mathjax'))"""


@sitebrowser.probe(["dark"], pages=lambda path: path in MATH_PAGES)
async def _drawn(page, path, mode):
    """Read on the shared visit of each page with math in the dark theme (``visits``)."""
    return {"drawn": await page.evaluate(DRAWN), "mathjax_requests": await page.evaluate(MATH_RESOURCES),
            "math_theme": await page.evaluate("() => document.documentElement.dataset.theme")}


@pytest.mark.parametrize("path", [p for p in sitebrowser.site_pages() if p in MATH_PAGES])
def test_every_formula_is_drawn_offline(visits, path):
    seen = sitebrowser.seen_on(visits, path, "dark")
    report, drawn = seen["report"], seen["drawn"]
    assert report.outside == [] and report.failed == [] and report.errors == [], vars(report)
    assert seen["mathjax_requests"] == [], "MathJax was requested"
    assert drawn["mathjax"] == "undefined", "MathJax runs in the page"
    assert drawn["formulas"] > 0
    assert drawn["undrawn"] == [], f"formulas not drawn: {drawn['undrawn'][:5]}"
    assert drawn["unresolved"] == [], f"glyphs not found: {sorted(set(drawn['unresolved']))[:5]}"
    assert seen["math_theme"] == "dark"
    wrong = [c for c in drawn["colours"] if c[0] != c[1]]
    assert drawn["colours"] and not wrong, f"formulas not in the text colour: {wrong[:3]}"


def test_formulas_print(chromium, site):
    heaviest = max(MATH_PAGES, key=lambda p: (HTML / p).read_text(encoding="utf-8").count('jax="SVG"'))
    context, page, report = _load(chromium, f"{site}/{quote(heaviest)}", media="print")
    try:
        seen = page.evaluate(DRAWN)
        assert seen["formulas"] > 0 and seen["undrawn"] == [] and seen["unresolved"] == []
        assert page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        context.close()


COPY = """() => {
  const para = Array.from(document.querySelectorAll('main p'))
    .find(p => p.querySelector('mjx-container[data-tex]') && p.textContent.trim().length > 20);
  const range = document.createRange(); range.selectNodeContents(para);
  const sel = document.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  const data = new DataTransfer();
  document.dispatchEvent(new ClipboardEvent('copy', {clipboardData: data, bubbles: true, cancelable: true}));
  return {copied: data.getData('text/plain'),
          tex: Array.from(para.querySelectorAll('mjx-container[data-tex]')).map(m => m.dataset.tex)};
}"""


def test_copying_text_copies_the_tex_of_its_formulas(chromium, site):
    path = next(p for p in MATH_PAGES if p.startswith("chapters/"))
    context, page, report = _load(chromium, f"{site}/{quote(path)}")
    try:
        seen = page.evaluate(COPY)
        assert seen["tex"], "no paragraph with a formula"
        for tex in seen["tex"]:
            assert f"${tex}$" in seen["copied"], f"{tex!r} not in the copied text {seen['copied'][:200]!r}"
    finally:
        context.close()
