"""Open every page of the built site in headless Chromium, as a reader would.

The site (``_build/html``) is served over HTTP on 127.0.0.1 by a thread of this
test. Each page is opened in three ways: desktop width in the light theme,
desktop width in the dark theme, and a phone width. For each we assert:

* no console error and no uncaught page error;
* no request leaves the machine, and no request fails (no 404);
* every formula is typeset (by MathJax, at build time): no MathJax error node, no raw TeX
  (``$$``, ``\\frac``, ``\\begin``) left in the prose;
* every image has loaded and has alt text;
* headings do not skip a level;
* axe-core finds no serious or critical accessibility violation (once per page
  and theme);
* at desktop width every display formula fits its column, and no code cell or
  output hides part of a line behind a sideways scroll;
* in the dark theme, figures are opaque and HTML output tables are not light slabs;
* at the phone width nothing overflows the page; every equation, table or figure
  wider than the screen scrolls inside its own box and shows a shade on the edge
  that has more; no word in a table is broken mid-letter; figures are never shown
  so small that their text is under ~9 CSS px.

Then, on chosen pages: the ☰ and ≡ buttons open their drawers at phone and
tablet width and ☰ collapses the sidebar on a wide screen; a tapped button
leaves no tooltip behind; a tapped figure opens full size; a chapter printed
to PDF is a light-coloured handout; search ranks chapters first and shows
prose in its snippets; ids are unique and propositions and proofs have permalinks.

All page loads run in the session's one browser, several at a time (``XENT_BROWSER_JOBS``,
default 3), before the per-page tests assert on what they recorded: ``_probe`` below reads
what they need, and ``visits`` (tests/site/conftest.py, sitebrowser.py) opens each page once per
mode for every module that probes it, and runs axe-core once per page and theme.
``XENT_SITE_PAGES="chapters/04* index.html"`` limits the per-page tests to some pages.
A screenshot of each page at each width is written to ``_build/screenshots``.
Chromium comes from Debian (``apt-get install chromium``); without it the test
is skipped, unless ``XENT_REQUIRE_BROWSER=1`` (as in CI), when it fails.
"""

import collections
import re
import shutil
import subprocess
from urllib.parse import urlparse

import pytest

import sitebrowser
from sitebrowser import DESKTOP, HTML, PHONE, ROOT, TABLET
from sitebrowser import open_page as _open
from sitebrowser import seen_on as _seen

RAW_TEX = re.compile(r"\$\$|\\frac|\\begin\{|\\sum_|\\partial")
# The display equations that were rewritten to fit a phone's width (the widest of the book).
MUST_FIT_ON_PHONE = {"equation-eq-binary-grad", "equation-eq-classification-error", "equation-eq-bce"}

sitebrowser.require_chromium()
pytest.importorskip("axe_playwright_python.async_playwright")

PAGES = sitebrowser.site_pages()

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


# Lines of code and outputs longer than their box (part of the line hidden behind a scroll).
HIDDEN_CODE = """() => Array.from(document.querySelectorAll('main pre, main .cell_output .text_html'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.closest('.cell') ? 'cell ' : '') + e.textContent.trim().slice(0, 50))"""

# Boxes wider than the screen: each must scroll in its own box and show a shade on its edge.
SCROLLERS = """() => Array.from(document.querySelectorAll(
    'main div.math > mjx-container[display="true"], main table, main .cell_output .text_html, main .xent-figure-box'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => ({what: (e.closest('div.math') || {}).id || e.tagName + '.' + e.className,
              scrolls: ['auto', 'scroll'].includes(getComputedStyle(e).overflowX),
              shaded: e.classList.contains('xent-scroll-right') && getComputedStyle(e).boxShadow !== 'none'}))"""

DISPLAY_MATH = """() => Array.from(document.querySelectorAll('main div.math > mjx-container[display="true"]'))
  .map(c => ({id: c.closest('div.math').id, fits: c.scrollWidth <= c.clientWidth + 1}))"""

# A word of a table cell laid out on two lines was broken mid-letter.
BROKEN_WORDS = """() => {
  const broken = [];
  document.querySelectorAll('main table td, main table th').forEach(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('mjx-container')) continue;  // MathJax lays out its own text
      // Latin words and numbers (Chinese text may break between any two characters).
      for (const m of n.textContent.matchAll(/[A-Za-z\\u00C0-\\u024F0-9]{2,}/g)) {
        const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(r.getClientRects()).filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  });
  return broken;
}"""

# Each figure's shown width over its nominal width (the figure at the book style's dpi).
FIGURE_SCALES = """() => Array.from(document.querySelectorAll('main .cell_output img'))
  .filter(i => i.offsetParent !== null)
  .map(i => ({src: i.getAttribute('src'), nominal: parseFloat(i.style.width) || i.naturalWidth,
              shown: i.getBoundingClientRect().width}))"""

FIGURE_ALPHA = """() => Array.from(document.querySelectorAll('main img'))
  .filter(i => i.src.endsWith('.png')).map(i => {
    const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(i, 0, 0);
    return g.getImageData(1, 1, 1, 1).data[3];})"""

# HTML output tables in the dark theme: the box behind them and their text colour.
OUTPUT_TABLES = """() => Array.from(document.querySelectorAll('main .cell_output .text_html')).map(d => ({
  background: getComputedStyle(d).backgroundColor,
  cell: getComputedStyle(d.querySelector('td, th') || d).color}))"""




@sitebrowser.probe(["light", "dark", "phone"])
async def _probe(page, path, mode):
    """What the per-page tests below assert on, read once per page and mode (``visits``)."""
    seen = {}
    if mode == "light":
        seen["merror"] = await page.locator('mjx-merror, [data-mml-node="merror"]').count()
        seen["prose"] = await page.evaluate(PROSE_TEXT)
        seen["math_nodes"] = await page.locator(".math").count()
        seen["mjx"] = await page.locator("mjx-container").count()
        seen["wide_math"] = await page.evaluate(WIDE_MATH)
        seen["hidden_code"] = await page.evaluate(HIDDEN_CODE)
        seen["images"] = await page.evaluate(IMAGES)
        seen["levels"] = await page.evaluate(HEADINGS)
    if mode == "dark":
        seen["theme"] = await page.evaluate("() => document.documentElement.dataset.theme")
        seen["alpha"] = await page.evaluate(FIGURE_ALPHA)
        seen["output_tables"] = await page.evaluate(OUTPUT_TABLES)
        seen["body_color"] = await page.evaluate("() => getComputedStyle(document.body).color")
    if mode == "phone":
        seen["overflow"] = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        seen["scrollers"] = await page.evaluate(SCROLLERS)
        seen["display_math"] = await page.evaluate(DISPLAY_MATH)
        seen["broken_words"] = await page.evaluate(BROKEN_WORDS)
        seen["figures"] = await page.evaluate(FIGURE_SCALES)
    return seen


def _clean(report):
    assert report.outside == [], f"requests to another host: {report.outside}"
    assert report.failed == [], f"failed requests: {report.failed}"
    assert report.errors == [], f"console errors: {report.errors}"


def _axe_message(violations):
    return "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                     for v in violations)


@pytest.mark.parametrize("path", PAGES)
def test_page_desktop_light(visits, path):
    seen = _seen(visits, path, "light")
    _clean(seen["report"])
    assert seen["merror"] == 0, "MathJax reported an error in a formula"
    raw = sorted(set(RAW_TEX.findall(seen["prose"])))
    assert not raw, f"raw TeX left untypeset in the text: {raw}"
    if seen["math_nodes"]:
        assert seen["mjx"] >= seen["math_nodes"], "some formulas were not typeset"
    assert seen["wide_math"] == [], "formulas wider than the text column at desktop width"
    assert seen["hidden_code"] == [], "code or output lines hidden behind a sideways scroll"
    images = seen["images"]
    assert [i["src"] for i in images if not i["ok"]] == [], "images that did not load"
    assert [i["src"] for i in images if not i["alt"]] == [], "images without alt text"
    levels = seen["levels"]
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert levels[:1] == [1] and not jumps, f"headings out of order: {levels}"
    assert seen["violations"] == [], "accessibility: " + _axe_message(seen["violations"])


@pytest.mark.parametrize("path", PAGES)
def test_page_desktop_dark(visits, path):
    seen = _seen(visits, path, "dark")
    assert seen["theme"] == "dark"
    _clean(seen["report"])
    assert seen["violations"] == [], "accessibility (dark): " + _axe_message(seen["violations"])
    # Figures keep an opaque white background, so black text on them stays readable.
    assert all(alpha == 255 for alpha in seen["alpha"]), "a figure has a transparent background"
    # Output tables sit on the page's dark background, in the body's text colour.
    for table in seen["output_tables"]:
        assert table["background"] in ("rgba(0, 0, 0, 0)", "transparent"), table
        assert table["cell"] == seen["body_color"], table


@pytest.mark.parametrize("path", PAGES)
def test_page_phone(visits, path):
    from xent.plotting import STYLE

    seen = _seen(visits, path, "phone")
    _clean(seen["report"])
    assert seen["overflow"] <= 1, f"the page is {seen['overflow']}px wider than a {PHONE['width']}px phone screen"
    hidden = [s["what"] for s in seen["scrollers"] if not (s["scrolls"] and s["shaded"])]
    assert hidden == [], "wider than the screen, without a scroll box that shows it"
    unfit = [m["id"] for m in seen["display_math"] if m["id"] in MUST_FIT_ON_PHONE and not m["fits"]]
    assert unfit == [], "equations rewritten to fit a phone do not fit"
    assert seen["broken_words"] == [], "words in a table broken mid-letter"
    # A figure's text is the style's font size at its nominal width: 11 pt at 100 dpi = 15.3 px.
    text_px = STYLE["font.size"] * STYLE["figure.dpi"] / 72
    small = [f["src"] for f in seen["figures"] if text_px * f["shown"] / f["nominal"] < 9]
    assert small == [], f"figures shown so small that their text is under 9 CSS px"



CHAPTER = "chapters/04_binary_gradient.html"


def _drawer_open(page, dialog_id):
    return page.evaluate(f"""() => {{ const d = document.getElementById('{dialog_id}');
        return !!d && d.open && d.getBoundingClientRect().width > 100
               && d.querySelectorAll('a[href]').length > 2; }}""")


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_sidebar_buttons_open_the_drawers(browser, server, viewport):
    async def check():
        context, page, report = await _open(browser.browser, server, CHAPTER, viewport, "light")
        try:
            for button, dialog in [("primary-toggle", "pst-primary-sidebar-modal"),
                                   ("secondary-toggle", "pst-secondary-sidebar-modal")]:
                visible = page.locator(f".bd-header-article .{button}")
                assert await visible.is_visible(), f"the {button} button is not shown"
                await visible.tap()
                await page.wait_for_timeout(300)
                assert await _drawer_open(page, dialog), f"tapping {button} did not open {dialog}"
                await page.keyboard.press("Escape")
                await page.wait_for_timeout(300)
                assert not await page.evaluate(f"() => document.getElementById('{dialog}').open")
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


def test_sidebar_button_collapses_the_sidebar_on_a_wide_screen(browser, server):
    async def check():
        context, page, report = await _open(browser.browser, server, CHAPTER, DESKTOP, "light")
        shown = "() => getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
        try:
            assert await page.evaluate(shown) == "visible"
            await page.locator(".bd-header-article .primary-toggle").click()
            await page.wait_for_timeout(600)
            assert await page.evaluate(shown) == "hidden", "the sidebar did not collapse"
            assert not await _drawer_open(page, "pst-primary-sidebar-modal")
            await page.locator(".bd-header-article .primary-toggle").click()
            await page.wait_for_timeout(600)
            assert await page.evaluate(shown) == "visible", "the sidebar did not come back"
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


# Bootstrap's attempts to show a tooltip: its cancelable `show.bs.tooltip` event, seen on the
# window after every listener of the document has had its say (reader_fixes.js vetoes it there).
WATCH_TOOLTIPS = """() => { window.xentTips = [];
  window.addEventListener('show.bs.tooltip', e => window.xentTips.push(e.target)); }"""
SHOWN_TOOLTIPS = "() => Array.from(document.querySelectorAll('.tooltip.show')).map(t => t.textContent)"
TRIED_SINCE = "([el, n]) => window.xentTips.slice(n).includes(el)"
OPEN_DIALOGS = "() => Array.from(document.querySelectorAll('dialog[open]')).map(d => d.id)"


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_no_tooltip_stays_after_a_tap(browser, server, viewport, edition):
    """Tap each header icon that has a tooltip: Bootstrap tries to show the tooltip (the tap
    leaves the icon hovered and focused), and no tooltip may be shown, after the tap or after
    the drawer or dialog the tap opened is closed again."""
    path = CHAPTER if edition == "en" else f"{edition}/{CHAPTER}"
    if not (HTML / path).is_file():
        pytest.skip(f"the {edition} edition is not built (make test-build-zh)")

    async def check():
        context, page, report = await _open(browser.browser, server, path, viewport, "light")
        try:
            await page.evaluate(WATCH_TOOLTIPS)
            icons = page.locator('.bd-header-article [data-bs-toggle="tooltip"]').filter(visible=True)
            names = [(await icons.nth(i).get_attribute("class")).split() for i in range(await icons.count())]
            for needed in ["primary-toggle", "secondary-toggle", "theme-switch-button", "search-button"]:
                assert any(needed in n for n in names), f"no visible {needed} in the header: {names}"
            for i, name in enumerate(names):
                icon = await icons.nth(i).element_handle()
                tried = await page.evaluate("() => window.xentTips.length")
                await icon.tap()
                # the tooltip's delay has passed once Bootstrap tries to show it
                await page.wait_for_function(TRIED_SINCE, arg=[icon, tried], timeout=10000)
                assert await page.evaluate(SHOWN_TOOLTIPS) == [], f"a tooltip shown after tapping {name}"
                if await page.evaluate(OPEN_DIALOGS):
                    tried = await page.evaluate("() => window.xentTips.length")
                    await page.keyboard.press("Escape")
                    await page.wait_for_function(f"() => ({OPEN_DIALOGS})().length === 0", timeout=5000)
                    if await page.evaluate("el => document.activeElement === el", icon):
                        # the focus came back to the icon: Bootstrap tries again after its delay
                        await page.wait_for_function(TRIED_SINCE, arg=[icon, tried], timeout=10000)
                    assert await page.evaluate(SHOWN_TOOLTIPS) == [], f"a tooltip shown after closing {name}"
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


def test_tooltips_still_show_for_the_mouse_and_the_keyboard(browser, server):
    """The fix above keeps the tooltips where they help: under a hovering mouse (and gone when
    it leaves), and on the icon the keyboard's focus reaches."""
    async def check():
        context, page, report = await _open(browser.browser, server, CHAPTER, DESKTOP, "light")
        try:
            icon = page.locator(".bd-header-article .theme-switch-button")
            shown = "() => Array.from(document.querySelectorAll('.tooltip.show')).length"
            await icon.hover()
            await page.wait_for_function(f"() => ({shown})() === 1", timeout=10000)
            await icon.click()  # a click with the mouse still over the icon keeps its tooltip
            await page.mouse.move(600, 700)
            await page.wait_for_function(f"() => ({shown})() === 0", timeout=10000)
            await page.evaluate("() => document.querySelector('.bd-header-article .primary-toggle').focus()")
            for _ in range(5):  # Tab to the icon
                await page.keyboard.press("Tab")
                if await icon.evaluate("el => el === document.activeElement"):
                    break
            assert await icon.evaluate("el => el === document.activeElement"), "Tab never reached the icon"
            await page.wait_for_function(f"() => ({shown})() === 1", timeout=10000)
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


def test_a_tapped_figure_opens_full_size(browser, server):
    async def check():
        context, page, report = await _open(browser.browser, server, CHAPTER, PHONE, "light")
        try:
            figure = page.locator("main .cell_output img").first
            nominal = float(await figure.evaluate("i => parseFloat(i.style.width) || 0"))
            assert nominal > 0, "the figure has no nominal width (xent.plotting's retina PNG)"
            await figure.scroll_into_view_if_needed()
            await figure.tap()
            zoom = page.locator("dialog#xent-zoom[open] img")
            await zoom.wait_for(timeout=5000)
            shown = (await zoom.bounding_box())["width"]
            assert shown >= nominal - 1, f"the full-size figure is {shown}px wide, not {nominal}px"
            await page.keyboard.press("Escape")
            await page.wait_for_timeout(200)
            assert await page.locator("dialog#xent-zoom[open]").count() == 0
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


# Elements drawn as a frame (border or shadow) that hold nothing: no text, image or formula.
EMPTY_FRAMES = """() => Array.from(document.querySelectorAll('main *')).filter(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (s.display === 'none' || s.visibility === 'hidden' || r.height === 0) return false;
  const framed = ['Top', 'Right', 'Bottom', 'Left'].filter(k => parseFloat(s['border' + k + 'Width']) > 0).length >= 2
                 || s.boxShadow !== 'none';
  if (e.closest('mjx-container')) return false;  // MathJax draws rules and brackets as boxes
  return framed && !e.innerText.trim() && !e.querySelector('img, svg, mjx-container, canvas');
}).map(e => e.tagName + '.' + e.className)"""

PRINTED = """() => {
  const visible = sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null);
  return {
    background: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.querySelector('main p')).color,
    code: getComputedStyle(document.querySelector('main div.highlight') || document.body).backgroundColor,
    cell: getComputedStyle(document.querySelector('main .cell_input') || document.body).backgroundColor,
    title: visible('main h1')[0].innerText,
    cut: visible('main pre').filter(p => p.scrollWidth > p.clientWidth + 1).length,
    buttons: visible('.toggle-button, summary, .bd-sidebar-primary, .bd-header-article').length,
    solutions: visible('.solution .admonition-title ~ *').length,
    solution_blocks: document.querySelectorAll('.solution').length,
  };
}"""


def _luminance(css_colour):
    r, g, b = (int(v) for v in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_a_printed_chapter_is_a_light_handout(browser, server):
    out = ROOT / "_build" / "print"
    out.mkdir(parents=True, exist_ok=True)

    async def check():
        context, page, report = await _open(browser.browser, server, CHAPTER, DESKTOP, "dark")
        try:
            assert await page.evaluate("() => document.documentElement.dataset.theme") == "dark"
            await page.emulate_media(media="print")
            await page.wait_for_timeout(300)
            printed = await page.evaluate(PRINTED)
            assert _luminance(printed["background"]) > 0.95, printed
            assert _luminance(printed["text"]) < 0.35, printed
            assert _luminance(printed["code"]) > 0.85 and _luminance(printed["cell"]) > 0.85, printed
            assert re.match(r"4\. ", printed["title"]), f"no chapter number in the title: {printed['title']!r}"
            assert printed["cut"] == 0, "code lines cut at the page edge"
            assert printed["buttons"] == 0, "buttons, toggles' labels or sidebars printed"
            assert printed["solution_blocks"] and printed["solutions"] >= printed["solution_blocks"], \
                "the solutions are not printed open"
            assert await page.evaluate(EMPTY_FRAMES) == [], "empty frames printed"
            await page.pdf(path=str(out / "04_binary_gradient.pdf"), format="A4", print_background=True)
            _clean(report)
        finally:
            await context.close()
    browser.run(check())
    pdf = out / "04_binary_gradient.pdf"
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "4. Learning, two classes" in text
        assert "Click to" not in text and "Show code cell" not in text


# Sphinx indexes glossary terms with search priority -1 (not listed as objects), so a
# term is found through the text of the glossary page, not through its anchor.
@pytest.mark.parametrize("query, expected", [("softmax", "05_multiclass_gradient.html"),
                                              ("Kullback", "a3_glossary.html")])
def test_search_finds_chapters_and_terms(browser, server, query, expected):
    async def check():
        context, page, report = await _open(browser.browser, server, f"search.html?q={query}", DESKTOP, "light")
        try:
            await page.wait_for_selector("#search-results ul li", timeout=30000)
            links = await page.eval_on_selector_all("#search-results a", "as => as.map(a => a.getAttribute('href'))")
            assert any(expected in (href or "") for href in links), f"{query!r} did not find {expected}: {links[:10]}"
            assert report.outside == [] and report.errors == [], (report.outside, report.errors)
        finally:
            await context.close()
    browser.run(check())


def test_search_ranks_chapters_first_and_shows_prose(browser, server):
    async def check():
        context, page, report = await _open(browser.browser, server, "search.html?q=gradient", DESKTOP, "light")
        try:
            await page.wait_for_selector("#search-results ul li", timeout=30000)
            await page.wait_for_function("""() => { const li = document.querySelectorAll('#search-results ul li');
                return document.querySelector('#search-results p.search-summary')
                       && Array.from(li).every(l => l.querySelector('p.context')); }""", timeout=30000)
            results = await page.eval_on_selector_all("#search-results ul li", """ls => ls.map(l => ({
                href: l.querySelector('a').getAttribute('href'),
                context: (l.querySelector('p.context') || {}).textContent || ''}))""")
            kinds = ["appendix" if re.search(r"chapters/a\d", r["href"]) else "chapter" for r in results]
            assert "chapter" in kinds and "appendix" in kinds, kinds
            assert kinds == sorted(kinds, key=lambda k: k == "appendix"), f"an appendix above a chapter: {results}"
            chrome = re.compile(r"Contents|Show code cell|Toggle|Click to|Color mode|Download|"
                                + RAW_TEX.pattern)
            bad = [(r["href"], chrome.findall(r["context"])) for r in results if chrome.search(r["context"])]
            assert bad == [], "search snippets show page chrome, code or raw TeX"
            _clean(report)
        finally:
            await context.close()
    browser.run(check())


def test_ids_are_unique_and_claims_have_permalinks():
    problems = []
    for page in PAGES:
        text = (HTML / page).read_text(encoding="utf-8")
        dup = [i for i, n in collections.Counter(re.findall(r'\bid="([^"]+)"', text)).items() if n > 1]
        problems += [f"{page}: id {i!r} used more than once" for i in dup]
        for block_id in re.findall(r'<div class="proof\b[^"]*" id="([^"]+)"', text):
            if f'href="#{block_id}"' not in text:
                problems.append(f"{page}: {block_id} has no permalink")
    assert problems == []


def test_no_unlinked_page_and_no_thebe():
    """The general index and the proof index (linked from nowhere) are not built, and no page
    carries Thebe's configuration (the book has no Thebe)."""
    assert not (HTML / "genindex.html").exists() and not (HTML / "prf-prf.html").exists()
    problems = []
    for page in PAGES + ["search.html"]:
        text = (HTML / page).read_text(encoding="utf-8")
        problems += [f"{page}: {m}" for m in re.findall(r'href="[^"]*(?:genindex|prf-prf)\.html"|thebe', text)]
    assert problems == []


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
        if page in (listing, f"zh_CN/{listing}"):  # the bibliography, in either edition
            continue
        text = (HTML / page).read_text(encoding="utf-8")
        main = re.search(r"<main\b.*?</main>", text, re.S)
        assert main, f"{page} has no <main> element"
        problems += [f"{page}: {url}" for url in external.findall(main.group(0))
                     if urlparse(url).hostname not in ("127.0.0.1", "localhost")]
    assert problems == []
