"""The whole book as one PDF (``make pdf``), and the site's link to it.

Fixes for the LaTeX build of Jupyter Book 1 (sphinx-jupyterbook-latex 1.0,
myst-nb 1.4, sphinx-proof 0.4.0), each needed for the PDF to match the site:

* Numbers. With parts in the table of contents, sphinx-jupyterbook-latex sets
  ``numfig_secnum_depth = 2``: right for the numbers LaTeX computes itself
  (figures and equations, ``\\thefigure`` = chapter.n once the part level is
  counted), wrong for the numbers Sphinx computes and writes as text
  (propositions, exercises: "Proposition 8.2.1" where the site says
  "Proposition 8.1"). Sphinx numbers with depth 1, as for the site, and the
  LaTeX writer is then given depth 2 again.
* sphinx-proof 0.4.0 finds a proposition's document by comparing the chapter
  title with the section's names; a title with curly quotes does not match and
  it writes ``\\label{None:...}`` and an empty number. The document is taken
  instead from the nearest enclosing section that names a document: Sphinx's
  LaTeX builder gives every section of an inlined document its ``docname``.
* myst-nb does not render ``text/html`` outputs in LaTeX: a table printed with
  ``IPython.display.HTML`` showed as ``<IPython.core.display.HTML object>``.
  ``_config.yml`` ranks ``text/html`` above ``text/plain`` for the LaTeX
  builder, and here each such HTML table becomes a docutils table.
* The unnumbered part of the table of contents (errata, notation, ...) is the
  book's appendix: ``\\appendix`` before it gives lettered chapters, so that
  chapter numbers 1, 2, ... are those of the site.

For the HTML builder: when ``_build/latex/book.pdf`` exists (``make book``
builds it first when XeLaTeX is installed), it is copied into the site as
``cross-entropy-derived.pdf`` and the home page links it ("Download the book as
PDF"). Without it there is no link, so the link is never broken.
"""

import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

PDF_NAME = "cross-entropy-derived.pdf"  # the file name readers download


# --- numbers ---------------------------------------------------------------

def _numbers_as_site(app):
    """Sphinx numbers propositions and exercises with the site's depth."""
    if app.builder.name == "latex":
        app.config.numfig_secnum_depth = 1


def _latex_depth_back(app, env):
    """Once numbered, the LaTeX writer gets the depth sphinx-jupyterbook-latex set."""
    if app.builder.name == "latex" and getattr(env, "jblatex_captions_to_parts", False):
        app.config.numfig_secnum_depth = 2
    return []


# --- sphinx-proof's document lookup ----------------------------------------

def _patch_sphinx_proof():
    import sphinx_proof.nodes as proof_nodes

    original = proof_nodes.find_parent
    if getattr(original, "_book_fixed", False):
        return

    def find_parent(env, node, parent_tag):
        probe = node.parent
        while probe is not None:
            if isinstance(probe, nodes.section) and probe.get("docname") in env.titles:
                return probe["docname"]
            probe = probe.parent
        return original(env, node, parent_tag)

    find_parent._book_fixed = True
    proof_nodes.find_parent = find_parent


# --- HTML tables in LaTeX --------------------------------------------------

def _html_table(html):
    """A docutils table from the first <table> of an HTML output, or None."""
    from bs4 import BeautifulSoup

    table_tag = BeautifulSoup(html, "html.parser").find("table")
    if table_tag is None:
        return None
    head_rows, body_rows = [], []
    for tr in table_tag.find_all("tr"):
        cells = [(c.name, c.get_text(" ", strip=True)) for c in tr.find_all(["th", "td"])]
        in_head = tr.find_parent("thead") is not None or all(n == "th" for n, _ in cells)
        (head_rows if in_head and not body_rows else body_rows).append([t for _, t in cells])
    ncols = max(len(r) for r in head_rows + body_rows)
    table = nodes.table(classes=["output-html-table"])
    tgroup = nodes.tgroup(cols=ncols)
    table += tgroup
    tgroup.extend(nodes.colspec(colwidth=1) for _ in range(ncols))
    for rows, part in ((head_rows, nodes.thead()), (body_rows, nodes.tbody())):
        if not rows:
            continue
        for cells in rows:
            row = nodes.row()
            for text in cells + [""] * (ncols - len(cells)):
                entry = nodes.entry()
                entry += nodes.paragraph(text=text)
                row += entry
            part += row
        tgroup += part
    return table


class HtmlOutputsAsTables(SphinxPostTransform):
    """Replace raw HTML table outputs by docutils tables, for LaTeX."""

    default_priority = 100
    builders = ("latex",)

    def run(self, **kwargs):
        for raw in list(self.document.findall(nodes.raw)):
            if raw.get("format") != "html" or "text_html" not in raw.get("classes", []):
                continue
            table = _html_table(raw.astext())
            if table is None:
                logger.warning("an HTML output without a table is left out of the PDF",
                               location=raw)
                raw.parent.remove(raw)
            else:
                raw.replace_self(table)


# --- the appendix ----------------------------------------------------------

class AppendixBeforeUnnumberedPart(SphinxPostTransform):
    """``\\appendix`` before the first unnumbered part that follows a numbered one."""

    default_priority = 800  # after sphinx-jupyterbook-latex made the parts (700)
    builders = ("latex",)

    def run(self, **kwargs):
        sitemap = getattr(self.config, "external_site_map", None)
        if sitemap is None or not getattr(self.env, "jblatex_captions_to_parts", False):
            return
        seen_numbered, caption = False, None
        for tree in sitemap.root.subtrees:
            if tree.numbered:
                seen_numbered = True
            elif seen_numbered:
                caption = tree.caption
                break
        if caption is None:
            return
        for section in self.document.findall(nodes.section):
            if section.get("docname") == caption and isinstance(section.parent, addnodes.start_of_file):
                parent = section.parent
                parent.insert(parent.index(section), nodes.raw("", "\\appendix\n", format="latex"))
                return


# --- the site's link to the PDF --------------------------------------------

def _pdf_path(app):
    return Path(app.outdir).parent / "latex" / "book.pdf"


def _pdf_link(app, pagename, templatename, context, doctree):
    if pagename != app.config.root_doc or not getattr(app.env, "book_pdf_size", None):
        return
    body = context.get("body", "")
    size_mb = app.env.book_pdf_size / 1e6
    link = (f'<p class="book-pdf"><a class="reference download" href="{PDF_NAME}" download>'
            f"Download the book as PDF</a> ({size_mb:.1f} MB)</p>\n")
    cut = body.find("</h1>")
    if cut < 0:
        raise RuntimeError("the home page has no <h1>: nowhere to put the PDF link")
    cut = body.find("</p>", cut)
    cut = len(body) if cut < 0 else cut + len("</p>")
    context["body"] = body[:cut] + "\n" + link + body[cut:]


def _note_pdf(app):
    if app.builder.format != "html":
        return
    pdf = _pdf_path(app)
    app.env.book_pdf_size = pdf.stat().st_size if pdf.is_file() else None
    if app.env.book_pdf_size is None:
        logger.info("no %s: the site is built without the PDF link (run `make pdf`)", pdf)


def _copy_pdf(app, exception):
    if exception is None and app.builder.format == "html" and getattr(app.env, "book_pdf_size", None):
        shutil.copyfile(_pdf_path(app), Path(app.outdir) / PDF_NAME)


def setup(app):
    _patch_sphinx_proof()
    app.connect("builder-inited", _numbers_as_site, priority=900)
    # after Sphinx's own handler (priority 500), which assigns the numbers
    app.connect("env-get-updated", _latex_depth_back, priority=900)
    app.add_post_transform(HtmlOutputsAsTables)
    app.add_post_transform(AppendixBeforeUnnumberedPart)
    app.connect("builder-inited", _note_pdf)
    app.connect("html-page-context", _pdf_link)
    app.connect("build-finished", _copy_pdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
