"""Fixes of the built site for its readers: devices, print, search, permalinks.

Each fix is held by a test in ``tests/site/test_browser.py``.

* The browser side (``_static/reader_fixes.js``, ``_static/xent.css``, added to
  every page by Jupyter Book): working ☰ and ≡ buttons, tooltips that do not
  stick, figures that keep their text readable and open full size, equations
  and tables that show when they scroll, wrapped code, a print style.
* Print: the dark theme's colours are a ``[data-theme=dark]`` rule set; a
  printed page takes the light theme's values whatever the reader's theme.
  This module copies the light theme's colour variables and code colours from
  the theme's own CSS into ``_static/xent-print.css`` (``@media print``).
* Search: code, outputs and formulas are left out of the search index (their
  words made matches no reader wants, and their text showed as snippets);
  ``book_ext/search_scorer.js`` ranks the chapters above the appendices.
* Pages no page links to are not built: the general index (empty of prose)
  and the proof index (a list of raw labels).
* sphinx-proof and sphinx-exercise give every block's body the same id
  (``proof-content``, ``exercise-content``, ``solution-content``) and every
  proof the id ``proof``; the ids are made unique, and each proposition and
  proof gets a permalink (``#``) like a heading's.
* sphinx-thebe (a default extension of Jupyter Book 1; the book has no Thebe)
  appends its configuration to every page and a style sheet; both are dropped.
"""

import re
from pathlib import Path

from docutils import nodes
from sphinx import search as sphinx_search

HERE = Path(__file__).resolve().parent
PRINT_CSS = "xent-print.css"

# ---- search index: prose only ----------------------------------------------------------------

_NOT_PROSE_CLASSES = {"cell_input", "cell_output"}
_original_dispatch = sphinx_search.WordCollector.dispatch_visit


def _prose_only(self, node):
    """WordCollector.dispatch_visit that skips code, notebook outputs and formulas."""
    if isinstance(node, (nodes.literal_block, nodes.math, nodes.math_block, nodes.raw)):
        raise nodes.SkipNode
    if isinstance(node, nodes.Element) and _NOT_PROSE_CLASSES & set(node.get("classes", ())):
        raise nodes.SkipNode
    _original_dispatch(self, node)


# ---- configuration ---------------------------------------------------------------------------

def _config(app, config):
    config.html_use_index = False  # genindex.html: only glossary terms, linked from nowhere
    config.html_domain_indices = False  # prf-prf.html: raw labels, linked from nowhere
    config.html_search_scorer = str(HERE / "search_scorer.js")
    sphinx_search.WordCollector.dispatch_visit = _prose_only


# ---- Thebe's leftovers -----------------------------------------------------------------------

def _drop_thebe_config(app, doctree, docname):
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "x-thebe-config" in text or "kernelName =" in text:
            raw.parent.remove(raw)


def _drop_thebe_css(app, pagename, templatename, context, doctree):
    css = context.get("css_files")
    if css:
        css[:] = [c for c in css if "thebe" not in str(getattr(c, "filename", c))]


# ---- unique ids and permalinks of propositions, proofs, exercises and solutions --------------

_BLOCK = re.compile(r'<div class="(proof|exercise|solution)\b([^"]*)" id="([^"]+)">')
_CONTENT_ID = re.compile(r'id="(?:proof|exercise|solution)-content"')
_CLAIMS = ("theorem", "proposition", "lemma", "corollary", "definition", "example", "remark",
           "conjecture", "criterion", "algorithm", "axiom", "observation", "property",
           "assumption", "notation")
_LINK = '<a class="headerlink" href="#{0}" title="Link to this {1}">#</a>'


def _unique_ids(body: str) -> str:
    blocks = list(_BLOCK.finditer(body))
    out, last_claim, seen = [body[:blocks[0].start()] if blocks else body], None, set()
    for i, m in enumerate(blocks):
        family, classes, block_id = m.groups()
        if family == "proof" and block_id == "proof":
            base = f"proof-{last_claim}" if last_claim else "proof"
            block_id, n = base, 2
            while block_id in seen:
                block_id, n = f"{base}-{n}", n + 1
            what = "proof"
        elif family == "proof":
            last_claim = block_id
            what = next((k for k in _CLAIMS if k in classes.split()), "statement")
        else:
            what = family
        seen.add(block_id)
        out.append(f'<div class="{family}{classes}" id="{block_id}">')
        # Up to the next block: this block's body. Rename its shared id; add a permalink.
        region = body[m.end():blocks[i + 1].start() if i + 1 < len(blocks) else len(body)]
        region = _CONTENT_ID.sub(f'id="{block_id}-content"', region, count=1)
        link = _LINK.format(block_id, what)
        if what == "proof":
            region = re.sub(r"^(\s*<p>(?:Proof\.|证明。))", lambda p: p.group(1) + link, region, count=1)
        elif re.match(r'\s*<p class="admonition-title">', region):
            region = region.replace("</p>", link + "</p>", 1)
        out.append(region)
    return "".join(out)


def _fix_ids(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and _BLOCK.search(body):
        context["body"] = _unique_ids(body)


# ---- print: the light theme's colours --------------------------------------------------------

_LIGHT_RULE = re.compile(r'html\[data-theme=["\']?light["\']?\]\s*([^{]*)\{([^}]*)\}')


def _light_rules(css: str) -> list[str]:
    """The light theme's rules of ``css``, rewritten to apply under either theme.

    ``html[data-theme] X`` is as specific as the theme's ``html[data-theme=dark] X`` and
    comes later, so in print it wins.
    """
    rules = []
    for tail, declarations in _LIGHT_RULE.findall(css):
        if "," not in tail:  # a selector group may mix themes: left out
            rules.append(f"  html[data-theme]{(' ' + tail.strip()) if tail.strip() else ''}"
                         f" {{{declarations}}}")
    return rules


def _write_print_css(app, exception):
    if exception or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    sources = [static / "styles" / "pydata-sphinx-theme.css", static / "pygments.css"]
    rules = []
    for path in sources:
        if not path.is_file():
            raise RuntimeError(f"reader_fixes: {path} not found; the print style needs it")
        rules += _light_rules(path.read_text(encoding="utf-8"))
    if len(rules) < 10:
        raise RuntimeError("reader_fixes: found no light-theme rules in the theme's CSS")
    css = ("/* Written by book_ext/reader_fixes.py: the light theme's colours, for print. */\n"
           "@media print {\n" + "\n".join(rules) + "\n}\n")
    (static / PRINT_CSS).write_text(css, encoding="utf-8")


def setup(app):
    app.connect("config-inited", _config)
    app.connect("doctree-resolved", _drop_thebe_config, priority=900)
    app.connect("html-page-context", _drop_thebe_css)
    app.connect("html-page-context", _fix_ids)
    app.connect("build-finished", _write_print_css, priority=900)  # after PST writes pygments.css
    app.add_css_file(PRINT_CSS, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
