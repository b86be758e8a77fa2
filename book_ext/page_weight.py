"""Lighter pages: what a first visit downloads, and what blocks the first paint.

Measured with ``benchmarks/bench_lighthouse.py``; each item below names what it
saved there.

* Icons without JavaScript. pydata-sphinx-theme loads Font Awesome's
  ``fontawesome.js`` (1.5 MB, 540 kB gzipped) on every page to turn its
  ``<i class="fa-solid fa-bars">`` icons into SVG. The theme's CSS already
  draws the same icons from Font Awesome's web font; the script is removed, and
  the font is replaced by a subset holding only the icons the site uses (found
  in the built pages and the theme's scripts), a few kB instead of 156 kB.
* Scripts deferred: Sphinx's and the extensions' script files load with
  ``defer`` (in their order, after the page is parsed), except the small
  ``documentation_options.js`` that inline scripts extend.
* The search index on demand: the theme loads ``searchtools.js``,
  ``language_data.js`` and ``searchindex.js`` on every page for its search
  field; they now load when a search field first gets the focus (the search
  page itself loads them as before).
* Figures as lossless WebP: the notebooks' PNG figures are written again as
  lossless WebP (the same pixels, 60 % fewer bytes on chapter 7) and the pages
  point at the WebP; the PNG files stay beside them.
* Figures load lazily (``loading="lazy"``, ``decoding="async"``), with their width and
  height, so that they keep their place before they load; printing loads them all first
  (``reader_fixes.js``). Lighthouse, chapter 7's experiment page on a phone: 268 kB of
  offscreen images no longer load with the page.
* The theme's check of which code blocks scroll runs one block per task (see
  ``TAB_STOPS``), so that it does not lay out, in one long task, the blocks that the browser
  skips below the fold (``xent.css``, content-visibility).
* Code: the spans of the tokens that pygments.css draws in the code's own colour, in both
  themes (names, punctuation, white space), are removed; their text stays.
* A ``<meta name="description">`` for every page: its first paragraph.
"""

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

ICON_CSS = "book-icons.css"
# Font Awesome's web fonts as the theme's CSS declares them: class, file, family, weight.
FONTS = (
    ("fa-solid-900", "Font Awesome 6 Free", 900),
    ("fa-regular-400", "Font Awesome 6 Free", 400),
    ("fa-brands-400", "Font Awesome 6 Brands", 400),
)
# Every rule of the themes that names Font Awesome's families, pointed at the subsets.
ICON_FAMILIES = """:root{--fa-font-solid:normal 900 1em/1 "Book Font Awesome 6 Free";
--fa-font-regular:normal 400 1em/1 "Book Font Awesome 6 Free";
--fa-font-brands:normal 400 1em/1 "Book Font Awesome 6 Brands";
--fa-style-family-classic:"Book Font Awesome 6 Free";
--fa-style-family-brands:"Book Font Awesome 6 Brands"}
.fa{font-family:var(--fa-style-family,"Book Font Awesome 6 Free")}
.fa-classic,.fa-regular,.fa-solid,.far,.fas{font-family:"Book Font Awesome 6 Free"}
.fa-brands,.fab{font-family:"Book Font Awesome 6 Brands"}
.bd-sidebar-secondary.hide:not(:hover) .onthispage:after{font-family:"Book Font Awesome 6 Free"}
"""
FONTAWESOME_JS = re.compile(r'<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\s*')
SEARCH_JS = re.compile(
    r'<script src="([^"]*_static/searchtools\.js)"></script>\s*'
    r'<script src="([^"]*_static/language_data\.js)"></script>\s*'
    r'<script src="([^"]*searchindex\.js)"></script>')
SEARCH_LOADER = """<script>
/* The search index loads on demand: when a search field first gets the focus. */
(function () {
  var srcs = %s, started = false;
  function load() {
    if (started) return;
    started = true;
    srcs.reduce(function (ready, src) {
      return ready.then(function () {
        return new Promise(function (done, fail) {
          var s = document.createElement("script");
          s.src = src; s.onload = done; s.onerror = fail;
          document.head.appendChild(s);
        });
      });
    }, Promise.resolve());
  }
  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches('input[type="search"], input[name="q"]')) load();
  });
})();
</script>"""
DESCRIPTION_CHARS = 155


# --- scripts deferred, meta description ------------------------------------

def _defer_scripts(app, pagename, templatename, context, doctree):
    if pagename == "search":  # its template loads searchindex.js, which needs searchtools.js first
        return
    from sphinx.builders.html._assets import _JavaScript

    scripts = context.get("script_files", [])
    for i, js in enumerate(scripts):
        attrs = getattr(js, "attributes", None)
        name = str(getattr(js, "filename", "") or "")
        if attrs is None or not name or attrs.get("body"):
            continue
        if name.endswith("documentation_options.js") or "async" in attrs or "defer" in attrs:
            continue
        # a new object: the builder shares the script objects between pages
        scripts[i] = _JavaScript(js.filename, priority=js.priority, **{**attrs, "defer": "defer"})


def _first_paragraph(doctree):
    for para in doctree.findall(nodes.paragraph):
        text = re.sub(r"\s+", " ", para.astext()).strip()
        if len(text) > 40:
            return text
    return None


def _description(app, pagename, context, doctree):
    text = _first_paragraph(doctree) if doctree is not None else None
    if text is None:
        root = app.env.get_doctree(app.config.root_doc)
        text = _first_paragraph(root) or app.config.project
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def _meta_description(app, pagename, templatename, context, doctree):
    text = _description(app, pagename, context, doctree)
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
    context["metatags"] = context.get("metatags", "") + tag


# --- icons -----------------------------------------------------------------

def _used_icons(outdir):
    names = set()
    files = [p for p in outdir.rglob("*.html") if "_sources" not in p.parts]
    files += list((outdir / "_static").glob("*.js")) + [
        p for p in (outdir / "_static" / "scripts").glob("*.js") if p.name != "fontawesome.js"]
    for path in files:
        names |= set(re.findall(r"\bfa-[a-z0-9-]+", path.read_text(encoding="utf-8", errors="replace")))
    return names


def _codepoints(theme_css, names):
    """The code point of each icon name, from the theme's ``.fa-x:before{content:"\\f0c9"}``."""
    points = {}
    for selectors, code in re.findall(r'([^{}]+)\{content:"\\([0-9a-f]{4,5})"\}', theme_css):
        for sel in selectors.split(","):
            m = re.fullmatch(r"\.(fa-[a-z0-9-]+):{1,2}before", sel.strip())
            if m and m.group(1) in names:
                points[m.group(1)] = int(code, 16)
    return points


def _css_codepoints(static):
    """Icons the stylesheets draw themselves (``content:"\\f107"``, ``--pst-icon-bell:""``)."""
    points = set()
    for css in list(static.glob("*.css")) + list((static / "styles").glob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        if css.name == "pydata-sphinx-theme.css":  # skip Font Awesome's table of every icon
            text = re.sub(r'\.fa-[^{}]*:before\{content:"[^"]*"\}', "", text)
        points |= {int(c, 16) for c in re.findall(r'"\\(f[0-9a-f]{3,4})"', text)}
        points |= {ord(c) for c in re.findall('"([\ue000-\uf8ff])"', text)}  # written unescaped
    return points


def _subset_icons(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset

    outdir = Path(app.outdir)
    static = outdir / "_static"
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    names = _used_icons(outdir)
    points = set(_codepoints(theme_css, names).values()) | _css_codepoints(static)
    rules = []
    for stem, family, weight in FONTS:
        source = static / "vendor" / "fontawesome" / "webfonts" / f"{stem}.ttf"
        options = subset.Options()
        options.flavor = "woff"  # woff2 would need the brotli package
        options.layout_features = []
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=points)
        subsetter.subset(font)
        target = f"{stem}-book.woff"
        subset.save_font(font, str(static / target), options)
        rules.append(f'@font-face{{font-display:block;font-family:"Book {family}";font-style:normal;'
                     f'font-weight:{weight};src:url({target}) format("woff")}}')
    (static / ICON_CSS).write_text(
        "/* Font Awesome subsets holding the icons this site uses (book_ext/page_weight.py),\n"
        "   in place of the theme's fontawesome.js and full web fonts. */\n"
        + "\n".join(rules) + "\n" + ICON_FAMILIES, encoding="utf-8")
    _rewrite_pages(outdir)
    _slice_theme_tab_stops(static)


def _webp_figures(outdir):
    """Write a lossless WebP beside every PNG of ``_images``; the names, where smaller."""
    from PIL import Image

    smaller = set()
    for png in sorted((outdir / "_images").glob("*.png")):
        webp = png.with_suffix(".webp")
        # Effort 4 of libwebp's 0-6: on this book's figures effort 6 took 8-10x the CPU time
        # (about 3 s a figure, some 90 s per edition) for 0.2 % fewer bytes in all.
        with Image.open(png) as im:
            im.save(webp, "WEBP", lossless=True, quality=100, method=4, exact=True)
        if webp.stat().st_size < png.stat().st_size:
            smaller.add(png.stem)
        else:
            webp.unlink()
    return smaller


def _rewrite_pages(outdir):
    webp = _webp_figures(outdir) if (outdir / "_images").is_dir() else set()

    def to_webp(m):
        return m.group(1) + (".webp" if m.group(2) in webp else ".png") + '"'

    for page in outdir.rglob("*.html"):
        if "_sources" in page.parts or "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = FONTAWESOME_JS.sub("", text)
        if page.name != "search.html":
            new = SEARCH_JS.sub(lambda m: SEARCH_LOADER % _js_list(m.groups()), new)
        new = re.sub(r'(<img [^>]*src="[^"]*_images/([^"/]+))\.png"', to_webp, new)
        new = FIGURE_IMG.sub(_lazy, new)
        if new != text:
            page.write_text(new, encoding="utf-8")


# pydata-sphinx-theme 0.17 measures every code block at load (a tab stop for each one that
# scrolls); measuring lays out the blocks that the browser skips below the fold (xent.css), in one
# long task. Each block is measured in a task of its own.
TAB_STOPS = ".forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})"
TAB_STOPS_SLICED = (".forEach(e=>setTimeout(()=>{e.tabIndex=e.scrollWidth>e.clientWidth"
                    "||e.scrollHeight>e.clientHeight?0:-1}))")


def _slice_theme_tab_stops(static):
    path = static / "scripts" / "pydata-sphinx-theme.js"
    text = path.read_text(encoding="utf-8")
    if TAB_STOPS_SLICED in text:
        return
    if text.count(TAB_STOPS) != 1:
        raise RuntimeError(f"page_weight: the theme's tab-stop code was not found in {path}; "
                           "update TAB_STOPS for this theme version")
    path.write_text(text.replace(TAB_STOPS, TAB_STOPS_SLICED), encoding="utf-8")


# A figure of the notebooks: myst-nb writes its nominal size in its style.
FIGURE_IMG = re.compile(r'<img (?![^>]*\bloading=)([^>]*src="[^"]*_images/[^"]*"[^>]*'
                        r'style="width: (\d+)px; height: (\d+)px;"[^>]*)>')


def _lazy(m):
    """Figures load when they come near the screen (the print style loads them all first:
    reader_fixes.js); width and height keep their place on the page before they load."""
    return (f'<img loading="lazy" decoding="async" width="{m.group(2)}" height="{m.group(3)}" '
            f'{m.group(1)}>')


# --- code: the tokens drawn in the code's own colour lose their <span> ----------------------

# Code blocks, not the notebooks' outputs (highlight-myst-ansi), whose plain text is drawn in
# another colour (xent.css draws the code blocks' plain text in the code's colour).
HIGHLIGHT = re.compile(r'<div class="highlight-(?!myst-ansi)[^"]*"><div class="highlight"><pre>.*?</pre>', re.S)
TOKEN_RULE = re.compile(r'html\[data-theme="(light|dark)"\] \.highlight(?: \.([\w-]+))? \{([^}]*)\}')


def _plain_tokens(css):
    """Pygments' token classes styled, in both themes, exactly as the code around them (the
    theme's pygments.css gives names and punctuation the text colour): their spans draw nothing."""
    base, rules = {}, {}
    for theme, cls, decl in TOKEN_RULE.findall(css):
        decl = re.sub(r"\s+", " ", decl).strip().rstrip(";")
        if not cls:
            base[theme] = re.search(r"\bcolor: *(#[0-9A-Fa-f]+)", decl).group(1)
        else:
            rules.setdefault(cls, {}).setdefault(theme, []).append(decl)
    if set(base) != {"light", "dark"}:
        raise RuntimeError("page_weight: no code colours for both themes in pygments.css")
    return {cls for cls, by_theme in rules.items()
            if all(by_theme.get(t) == [f"color: {base[t]}"] for t in ("light", "dark"))}


def _unwrap_plain_tokens(app, exception):
    """Lighthouse: the spans of names and punctuation were a third of the elements of the
    heaviest pages (2,700 of 12,600 on the errata); the text stays, in the same colour."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    plain = _plain_tokens((outdir / "_static" / "pygments.css").read_text(encoding="utf-8"))
    if not plain:
        return
    span = re.compile(r'<span class="(?:%s)">([^<]*)</span>' % "|".join(map(re.escape, sorted(plain))))
    for page in outdir.rglob("*.html"):
        if "_sources" in page.parts or "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = HIGHLIGHT.sub(lambda m: span.sub(r"\1", m.group(0)), text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def _js_list(items):
    return "[" + ", ".join('"' + html.unescape(s).replace('"', "") + '"' for s in items) + "]"


def setup(app):
    app.add_css_file(ICON_CSS, priority=900)
    app.connect("html-page-context", _defer_scripts, priority=950)
    app.connect("html-page-context", _meta_description)
    app.connect("build-finished", _subset_icons)
    app.connect("build-finished", _unwrap_plain_tokens, priority=910)  # after the theme's pygments.css
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
