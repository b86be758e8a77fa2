"""The page-weight changes of ``book_ext/page_weight.py`` keep the site working.

* No page loads ``fontawesome.js`` or Font Awesome's full web fonts, and every
  icon the pages and stylesheets use is in the subset fonts; in Chromium the
  header's icons (menu, download, theme, search, contents) are drawn.
* The search index is not loaded with a page, but when a search field gets the
  focus; the search page still finds results.
* Scripts in ``<head>`` are deferred; every page has a meta description.
* Figures are served as lossless WebP with exactly the pixels of the PNG.
* Figures load lazily and keep their place before they load; the ones far below the fold
  load only when the reader comes near them; the print button prints them all.
* The article's blocks below the fold are skipped by the browser (content-visibility) on
  the screen, never in print; a permalink lands on its target all the same.
* Code blocks carry no span for the tokens drawn in the code's own colour, and those tokens
  keep their colour in both themes.
* Every page links one style sheet (``book_ext/css_bundle.py``), the same for every page of an
  edition; it holds every style sheet the theme and the extensions add, in their order, with no
  ``@import`` left and every relative ``url()`` naming a file of the site.

The sizes and Lighthouse scores are measured by ``benchmarks/bench_lighthouse.py``.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
STATIC = HTML / "_static"

if not (HTML / "index.html").is_file():
    pytest.skip("no built site: run `make test-build` first", allow_module_level=True)


def _pages():
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def _head(page):
    text = page.read_text(encoding="utf-8")
    return text[:text.index("</head>")]


def test_no_icon_javascript_and_every_used_icon_in_the_subset():
    from fontTools.ttLib import TTFont

    theme_css = (STATIC / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    table = {}  # icon class -> code point, from the theme's Font Awesome CSS
    for selectors, code in re.findall(r'([^{}]+)\{content:"\\([0-9a-f]{4,5})"\}', theme_css):
        for sel in selectors.split(","):
            m = re.fullmatch(r"\.(fa-[a-z0-9-]+):{1,2}before", sel.strip())
            if m:
                table[m.group(1)] = int(code, 16)
    used = set()
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        assert "fontawesome.js" not in text, f"{page.name} still loads fontawesome.js"
        for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', text):
            used |= {table[c] for c in classes.split() if c in table}
    assert used, "no Font Awesome icon found in the pages"
    cmap = set(TTFont(STATIC / "fa-solid-900-book.woff").getBestCmap())
    missing = sorted(hex(u) for u in used - cmap)
    assert not missing, f"icons missing from the subset font: {missing}"
    css = (STATIC / "book-icons.css").read_text(encoding="utf-8")
    assert "fa-solid-900-book.woff" in css


@pytest.mark.parametrize("edition", ["", "zh_CN/"], ids=["en", "zh_CN"])
def test_one_style_sheet_per_page_holding_them_all(edition):
    root = HTML / edition
    static = root / "_static"
    linked = set()
    for page in _pages():
        if (edition == "") == ("zh_CN" in page.relative_to(HTML).parts):
            continue
        sheets = re.findall(r'<link [^>]*rel="stylesheet"[^>]*>', _head(page))
        assert len(sheets) == 1, f"{page.relative_to(HTML)} links {len(sheets)} style sheets"
        linked |= {(page.parent / re.search(r'href="([^"?]+)', sheets[0]).group(1)).resolve()}
    assert len(linked) == 1, f"the pages of the edition link {len(linked)} different bundles"
    bundle = linked.pop()
    assert bundle.parent == static.resolve() and bundle.name.startswith("bundle-")
    css = bundle.read_text(encoding="utf-8")
    parts = re.findall(r"^/\* (\S+\.css) \*/$", css, flags=re.M)
    # the theme's, Sphinx's and every extension's sheet, the book's own last (they win ties)
    for name in ("basic.css", "styles/pydata-sphinx-theme.css", "styles/sphinx-book-theme.css",
                 "pygments.css", "mystnb", "proof.css", "exercise.css", "sphinx-design.min.css",
                 "explorables.css", "xent-i18n.css", "xent.css", "book-icons.css", "xent-print.css"):
        assert any(name in p for p in parts), f"{name} is not in {bundle.name}"
    assert parts[-3:] == ["xent.css", "book-icons.css", "xent-print.css"]
    for part in parts:  # each sheet in the bundle (theme.css is only the @import of basic.css)
        if part == "styles/theme.css":
            continue
        rule = re.search(r"[^{};/*@]+\{[^{}]+\}", (static / part).read_text(encoding="utf-8"))
        assert rule and rule.group(0).strip() in css, f"{part}'s rules are not in the bundle"
    assert "@import" not in css
    for url in re.findall(r'url\(\s*"?([^")]+)"?\s*\)', css):
        if not url.startswith(("data:", "#")):
            assert (static / url).is_file(), f"{bundle.name}: url({url}) names no file"


def test_scripts_deferred_search_index_not_in_pages_and_descriptions():
    descriptions = {}
    for page in _pages():
        head = _head(page)
        for tag in re.findall(r"<script [^>]*src=[^>]*>", head):
            if page.name == "search.html" or "documentation_options.js" in tag:
                continue
            assert re.search(r"\b(defer|async)\b", tag), f"{page.name}: render-blocking {tag}"
        if page.name != "search.html":
            assert "searchindex.js\"></script>" not in head, f"{page.name} loads the search index"
        m = re.search(r'<meta name="description" content="([^"]+)"', head)
        zh = "zh_CN" in page.relative_to(HTML).parts  # Chinese says as much in fewer characters
        assert m and len(m.group(1)) >= (20 if zh else 40), f"{page.name} has no meta description"
        descriptions[str(page.relative_to(HTML))] = m.group(1)
        # Lighthouse's SEO audit fails an hreflang link whose href is relative (book_ext/i18n.py)
        for link in re.findall(r"<link [^>]*hreflang=[^>]*>", head):
            assert re.search(r'href="https?://', link), f"{page.name}: relative hreflang {link}"
    chapters = [d for name, d in descriptions.items() if re.match(r"\d\d_", Path(name).name)]
    assert len(set(chapters)) == len(chapters), "two chapters share a meta description"


def test_figures_are_lossless_webp_of_the_pngs():
    import numpy as np
    from PIL import Image

    served = set()
    for page in _pages():  # each edition has its own _images folder
        root = HTML / "zh_CN" if "zh_CN" in page.relative_to(HTML).parts else HTML
        served |= {(root, n) for n in re.findall(r'<img [^>]*src="[^"]*_images/([^"/]+)"',
                                                 page.read_text(encoding="utf-8"))}
    figures = sorted((r, n) for r, n in served if n.endswith((".png", ".webp")))
    assert figures, "no figure in the site"
    for root, name in figures:
        png = root / "_images" / (Path(name).stem + ".png")
        webp = png.with_suffix(".webp")
        if name.endswith(".png"):  # served as PNG only when the WebP would be larger
            assert not webp.exists(), f"{name}: a WebP exists but the page serves the PNG"
            continue
        with Image.open(png) as a, Image.open(webp) as b:
            assert b.format == "WEBP" and a.size == b.size
            assert np.array_equal(np.asarray(a.convert("RGBA")), np.asarray(b.convert("RGBA"))), \
                f"{name}: the WebP's pixels differ from the PNG's"
        assert webp.stat().st_size < png.stat().st_size


# In Chromium: the server and the browser are the session's (`server`, `browser`:
# tests/site/conftest.py); without Chromium these tests are skipped (or fail, under
# XENT_REQUIRE_BROWSER=1).

ICONS_DRAWN = """() => Array.from(document.querySelectorAll('i[class*="fa-"]'))
  .filter(i => i.offsetParent !== null)
  .map(i => {
    const before = getComputedStyle(i, '::before');
    return {cls: i.className, w: i.getBoundingClientRect().width,
            family: before.fontFamily, content: before.content};
  })"""


@pytest.mark.parametrize("width", [390, 1280])
def test_icons_drawn_and_search_index_on_demand(browser, server, width):
    async def check():
        context = await browser.browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = await context.new_page()
            urls = []
            page.on("request", lambda r: urls.append(r.url))
            await page.goto(f"{server}/chapters/04_binary_gradient.html", wait_until="load")
            await page.wait_for_load_state("networkidle")
            await page.evaluate("() => document.fonts.ready")
            assert not [u for u in urls if "fontawesome" in u], "Font Awesome's own files were loaded"
            assert not [u for u in urls if "searchindex.js" in u], "the search index loaded with the page"
            icons = await page.evaluate(ICONS_DRAWN)
            assert len(icons) >= 3, f"too few visible icons: {icons}"
            for icon in icons:
                assert icon["w"] > 4 and icon["content"] not in ("none", "normal", '""'), icon
                assert "Book Font Awesome" in icon["family"], icon
            assert await page.evaluate("() => document.fonts.check('900 16px \"Book Font Awesome 6 Free\"')")
            loaded = await page.evaluate("""() => Array.from(document.fonts)
                .filter(f => f.family.includes('Book Font Awesome') && f.status === 'loaded').length""")
            assert loaded >= 1, "the icon subset font did not load"
            # the search index comes when a search field gets the focus (the search button opens it)
            await page.locator("button.search-button__button:visible").first.click()
            await page.wait_for_function("() => typeof Search !== 'undefined' && Search._index != null",
                                         timeout=15000)
            assert [u for u in urls if "searchindex.js" in u]
        finally:
            await context.close()
    browser.run(check())


def test_search_page_finds_results(browser, server):
    async def check():
        context = await browser.browser.new_context()
        try:
            page = await context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(f"{server}/search.html?q=softmax", wait_until="load")
            await page.wait_for_selector("#search-results ul.search li", timeout=20000)
            assert await page.locator("#search-results ul.search li").count() >= 3
            assert errors == []
        finally:
            await context.close()
    browser.run(check())


def test_figures_are_lazy_and_keep_their_size():
    figures = 0
    for page in _pages():
        for tag in re.findall(r'<img [^>]*src="[^"]*_images/[^>]*>', page.read_text(encoding="utf-8")):
            figures += 1
            style = re.search(r'style="width: (\d+)px; height: (\d+)px;"', tag)
            assert style, f"{page.name}: a figure without its nominal size: {tag[:120]}"
            assert 'loading="lazy"' in tag and 'decoding="async"' in tag, f"{page.name}: {tag[:120]}"
            assert f'width="{style.group(1)}" height="{style.group(2)}"' in tag, f"{page.name}: {tag[:120]}"
    assert figures > 20


HEAVY = "chapters/07_margin_losses_experiment.html"
FIGURE_STATE = """() => Array.from(document.querySelectorAll('main img')).map(i => {
  const r = i.getBoundingClientRect();
  return {src: i.getAttribute('src'), top: r.top + scrollY, width: r.width, height: r.height,
          ratio: i.height ? i.width / i.height : 0, nominal: i.getAttribute('width') / i.getAttribute('height'),
          loaded: i.complete && i.naturalWidth > 0};
})"""


async def _fresh(browser, server, path, viewport=(390, 844)):
    context = await browser.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = await context.new_page()
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    await page.goto(f"{server}/{path}", wait_until="load")
    await page.wait_for_load_state("networkidle")
    return context, page, urls


def test_offscreen_figures_load_when_they_come_near(browser, server):
    async def check():
        context, page, urls = await _fresh(browser, server, HEAVY)
        try:
            figures = await page.evaluate(FIGURE_STATE)
            far = [f for f in figures if f["top"] > 4 * 844]
            assert far, f"no figure far below the fold on {HEAVY}: {figures}"
            for f in far:  # not loaded, yet its box has the figure's shape
                assert not f["loaded"] and not [u for u in urls if u.endswith(f["src"].split("/")[-1])], f
                assert abs(f["height"] * f["nominal"] - f["width"]) < 2, f"no place kept for {f}"
            await page.locator(f'main img[src="{far[-1]["src"]}"]').scroll_into_view_if_needed()
            await page.wait_for_function(
                f"""() => {{ const i = document.querySelector('main img[src="{far[-1]["src"]}"]');
                            return i.complete && i.naturalWidth > 0; }}""", timeout=15000)
        finally:
            await context.close()
    browser.run(check())


# Whether every figure had loaded when the browser began to print (a listener ahead of the page's).
PRINT_WATCH = """() => { window.xentPrinted = [];
  window.addEventListener('beforeprint', () => window.xentPrinted.push(
    Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)), true); }"""


def test_the_print_button_prints_every_figure(browser, server):
    async def check():
        context, page, urls = await _fresh(browser, server, HEAVY)
        try:
            assert not await page.evaluate("() => Array.from(document.images).every(i => i.complete)")
            await page.evaluate(PRINT_WATCH)
            await page.evaluate("() => window.print()")  # what the theme's print button calls
            await page.wait_for_function("() => window.xentPrinted.length > 0", timeout=15000)
            assert await page.evaluate("() => window.xentPrinted") == [True]
        finally:
            await context.close()
    browser.run(check())


# Blocks of the article skipped by the browser (content-visibility: auto, xent.css) and not.
SKIPPED = """() => { const blocks = Array.from(document.querySelectorAll('.bd-article section > *'));
  return {blocks: blocks.length,
          auto: blocks.filter(b => getComputedStyle(b).contentVisibility === 'auto').length,
          skipped: blocks.filter(b => !b.checkVisibility({contentVisibilityAuto: true})
                                       && b.checkVisibility()).length}; }"""


@pytest.mark.parametrize("width", [390, 1280])
def test_offscreen_blocks_are_skipped_on_screen_not_in_print(browser, server, width):
    async def check():
        context, page, urls = await _fresh(browser, server, "chapters/a1_errata.html", (width, 844))
        try:
            screen = await page.evaluate(SKIPPED)
            assert screen["blocks"] > 20 and screen["auto"] == screen["blocks"], screen
            assert screen["skipped"] > screen["blocks"] // 2, f"few blocks skipped below the fold: {screen}"
            await page.emulate_media(media="print")
            printed = await page.evaluate(SKIPPED)
            assert printed["auto"] == 0 and printed["skipped"] == 0, printed
        finally:
            await context.close()
    browser.run(check())


# A permalink to a section far down the page scrolls to it, and it stays there as the blocks
# around it are laid out.
@pytest.mark.parametrize("anchor", ["chapters/a1_errata.html#the-chain-rule-indices-and-the-factor-1-n",
                                    "chapters/a1_errata.html#convex-in-what",
                                    HEAVY + "#open-set-identities-never-seen"])
def test_a_permalink_lands_on_its_section(browser, server, anchor):
    async def check():
        path, target = anchor.split("#")
        context, page, urls = await _fresh(browser, server, anchor)
        try:
            if not await page.locator(f"[id='{target}']").count():
                pytest.fail(f"no #{target} on {path}")
            tops = []
            for _ in range(3):
                tops.append(await page.evaluate(
                    f"() => document.getElementById('{target}').getBoundingClientRect().top"))
                await page.wait_for_timeout(400)
            assert all(-2 <= t <= 120 for t in tops), f"#{target} is at {tops} px from the top"
        finally:
            await context.close()
    browser.run(check())


def test_code_has_no_spans_for_tokens_in_the_text_colour():
    import sys
    sys.path.insert(0, str(ROOT / "book_ext"))
    from page_weight import _plain_tokens

    plain = _plain_tokens((STATIC / "pygments.css").read_text(encoding="utf-8"))
    assert {"n", "p"} <= plain, plain
    spans = re.compile(r'<span class="(%s)">' % "|".join(sorted(plain)))
    text = (HTML / HEAVY).read_text(encoding="utf-8")
    assert text.count('<div class="highlight">') > 10
    assert not spans.findall(text), f"{HEAVY}: spans of plain tokens left in the code"
    assert '<span class="o">' in text, "the coloured tokens lost their spans too"


# In a code block, a name token's colour (``span.n``, as pygments.css styles it) and the code's own.
TOKEN_COLOURS = """() => { const pre = document.querySelector('main .cell_input div.highlight pre');
  const probes = ['n', 'p', 'o'].map(c => { const s = document.createElement('span'); s.className = c;
    s.textContent = 'x'; pre.appendChild(s); return getComputedStyle(s).color; });
  return {pre: getComputedStyle(pre).color, n: probes[0], p: probes[1], o: probes[2]}; }"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_unwrapped_code_tokens_keep_their_colour(browser, server, scheme):
    async def check():
        context = await browser.browser.new_context(color_scheme=scheme)
        try:
            page = await context.new_page()
            await page.goto(f"{server}/{HEAVY}", wait_until="load")
            colours = await page.evaluate(TOKEN_COLOURS)
            assert colours["n"] == colours["pre"] and colours["p"] == colours["pre"], colours
            assert colours["o"] != colours["pre"], f"the probe cannot tell colours apart: {colours}"
        finally:
            await context.close()
    browser.run(check())
