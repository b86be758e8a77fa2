"""The book's formulas typeset at build time: the reader's browser runs no MathJax.

Sphinx writes each formula as TeX (``<span class="math …">\\(…\\)</span>``,
``<div class="math …">\\[…\\]</div>``), which MathJax used to typeset in the
reader's browser: up to 6 s of script on a phone, most of the blocking time
Lighthouse measured (issue 16). Now, once the HTML builder has written every page,
one Node process (``book_ext/prerender_math.js``, MathJax 3.2.2 from npm
``mathjax-full``, pinned in package.json and installed by ``npm ci``) typesets every
formula of the build. MathJax's own output replaces the TeX, so the pages look as
before: the same MathJax version and TeX packages, SVG output drawn in
``currentColor`` (the dark theme and print follow the text colour), one hidden
cache of glyph paths per page, and MathJax's assistive MathML beside each formula
for screen readers. The small MathJax SVG stylesheet is inlined into the head of
pages that have math, and a small script (``math_copy.js``) at their end:
copying text that holds a formula copies its TeX (each formula keeps it in
``data-tex``), where MathJax's context menu used to offer it.

* A TeX error (an undefined macro, a missing brace…) fails the build, naming the
  page and the formula: MathJax in the browser would have shown red text instead.
* Equation numbers, labels and permalinks are Sphinx's (``span.eqno``), untouched.
* Only the HTML builder: the PDF (LaTeX builder) gets the TeX as before.
* The browser loads no MathJax: Sphinx's MathJax script is not added, because
  Sphinx's math renderer for HTML is this extension (``html_math_renderer``), which
  writes the same markup as ``sphinx.ext.mathjax``.
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).with_name("prerender_math.js")
COPY_SCRIPT = Path(__file__).with_name("math_copy.js")
RENDERER = "prerender"
STYLE_ID = "MJX-SVG-styles"

# What Sphinx writes for a formula (sphinx.ext.mathjax's visitors): the TeX is
# HTML-escaped, so the element holds no other tag, except a display formula's
# equation number (span.eqno with its permalink), which stays as it is.
MATH_TAG = re.compile(r'<(span|div) class="([^"]*)"([^>]*)>')
EQNO = re.compile(r'\s*<span class="eqno">.*?</span>', re.S)


class TeXError(ExtensionError):
    pass


def _is_math(classes):
    return "math" in classes.split()


def find_formulas(text):
    """Every formula of a page: (start, end, tex, display), start/end the TeX's span in ``text``."""
    found = []
    pos = 0
    while True:
        m = MATH_TAG.search(text, pos)
        if m is None:
            return found
        pos = m.end()
        tag, classes = m.group(1), m.group(2)
        if not _is_math(classes):
            continue
        start = m.end()
        if tag == "div":
            eqno = EQNO.match(text, start)
            if eqno:
                start = eqno.end()
        end = text.find(f"</{tag}>", start)
        if end < 0 or "<" in text[start:end]:
            raise TeXError(f"unexpected markup inside a formula at offset {m.start()}: "
                           f"{text[m.start():m.start() + 200]!r}")
        source = html.unescape(text[start:end]).strip()
        tex, display = _strip_delimiters(source, tag == "div")
        found.append((start, end, tex, display))
        pos = end


def _strip_delimiters(source, block):
    for left, right, display in ((r"\(", r"\)", False), (r"\[", r"\]", True), ("$$", "$$", True)):
        if source.startswith(left) and source.endswith(right) and len(source) >= len(left) + len(right):
            return source[len(left):-len(right)], display
    if block and source.startswith("\\begin{"):  # amsmath environments (nowrap): MathJax's own
        return source, True
    raise TeXError(f"a formula without MathJax delimiters: {source[:120]!r}")


def _pages(outdir):
    return sorted(p for p in Path(outdir).rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts)


def _node():
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("prerender_math: `node` not found (apt-get install nodejs npm)")
    if not (ROOT / "node_modules" / "mathjax-full" / "package.json").is_file():
        raise ExtensionError("prerender_math: MathJax is not installed: run `npm ci` "
                             "in the repository (the Makefile's node_modules step)")
    return node


def typeset(pages, macros=None):
    """Run MathJax once on ``pages`` ([[(tex, display), …], …]); returns (css, [result per page])."""
    request = {"macros": macros or {},
               "pages": [{"formulas": [{"tex": t, "display": d} for t, d in fs]} for fs in pages]}
    proc = subprocess.run([_node(), str(SCRIPT)], input=json.dumps(request), capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise ExtensionError(f"prerender_math: MathJax failed:\n{proc.stderr[-3000:]}")
    answer = json.loads(proc.stdout)
    return answer["css"], answer["pages"]


def _macros(config):
    tex = (getattr(config, "mathjax3_config", None) or {}).get("tex", {})
    return tex.get("macros", {})


def _prerender(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    files, texts, formulas = [], [], []
    for path in _pages(outdir):
        text = path.read_text(encoding="utf-8")
        try:
            found = find_formulas(text)
        except TeXError as err:
            raise TeXError(f"{path.relative_to(outdir)}: {err}") from None
        if found:
            files.append(path)
            texts.append(text)
            formulas.append(found)
    if not files:
        return
    css, results = typeset([[(tex, disp) for _, _, tex, disp in found] for found in formulas],
                           _macros(app.config))
    problems = []
    for path, found, result in zip(files, formulas, results):
        for err in result["errors"]:
            tex = found[err["index"]][2]
            problems.append(f"{path.relative_to(outdir)}: {err['message']} in the formula {tex!r}")
    if problems:
        raise TeXError("TeX errors in formulas (MathJax):\n  " + "\n  ".join(problems))
    style = f'<style id="{STYLE_ID}">{css}</style>\n'
    script = f"<script>{COPY_SCRIPT.read_text(encoding='utf-8')}</script>\n"
    count = 0
    for path, text, found, result in zip(files, texts, formulas, results):
        out, last = [], 0
        for (start, end, tex, _), rendered in zip(found, result["html"]):
            # the TeX, for a copy of the formula (math_copy.js)
            rendered = rendered.replace("<mjx-container ", f'<mjx-container data-tex="{html.escape(tex)}" ', 1)
            out += [text[last:start], rendered]
            last = end
        out.append(text[last:])
        page = "".join(out)
        page = page.replace("</head>", style + "</head>", 1)
        page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + result["cache"], page, count=1)
        page = page.replace("</body>", script + "</body>", 1)
        path.write_text(page, encoding="utf-8")
        count += len(found)
    logger.info(f"prerender_math: {count} formulas on {len(files)} pages typeset by MathJax")


# The markup of the "mathjax" renderer, looked up when a page is written: myst-parser replaces
# sphinx.ext.mathjax's display visitor by its own (amsmath environments, their numbers).
def _visit_math(self, node):
    self.builder.app.registry.html_inline_math_renderers["mathjax"][0](self, node)


def _visit_displaymath(self, node):
    self.builder.app.registry.html_block_math_renderers["mathjax"][0](self, node)


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    # The same markup as sphinx.ext.mathjax; the TeX is typeset at build-finished.
    app.add_html_math_renderer(RENDERER, (_visit_math, None), (_visit_displaymath, None))
    app.connect("config-inited", lambda app, config: setattr(config, "html_math_renderer", RENDERER))
    app.connect("build-finished", _prerender, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
