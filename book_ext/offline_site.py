"""Make the built site work offline.

* MathJax 3 is served from the site itself: the copy shipped by the PyPI
  package ``django-static-mathjax`` (MathJax 3.2.2, ``es5/`` folder) is copied
  to ``_static/mathjax`` and Sphinx's ``mathjax_path`` points at it.
* sphinx-thebe (a default extension of Jupyter Book 1) writes a configuration
  script naming a CDN URL into every page; the book does not use Thebe, so the
  script is removed from every page.
* docutils writes the bibliography as ``<div role="list">`` whose children
  have the role ``doc-biblioentry``; a ``list`` must contain ``listitem``
  children (axe-core: aria-required-children), so the entries get that role.
"""

import shutil
from pathlib import Path

MATHJAX_DIR = "mathjax"  # below _static


def _mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax package

    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (src / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax 3 not found in the django-static-mathjax package at {src}")
    return src


def _copy_mathjax(app):
    if app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / MATHJAX_DIR
    if not (dest / "tex-chtml.js").is_file():
        shutil.copytree(_mathjax_source(), dest, dirs_exist_ok=True)


def _drop_thebe(app, pagename, templatename, context, doctree):
    script_files = context.get("script_files")
    if not script_files:
        return
    kept = []
    for js in script_files:
        name = str(getattr(js, "filename", js) or "")
        body = str(getattr(js, "attributes", {}).get("body", "") or "")
        if "thebe" in name or "THEBE_JS_URL" in body:
            continue
        kept.append(js)
    script_files[:] = kept


def _fix_citation_roles(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _config(app, config):
    config.mathjax_path = f"{MATHJAX_DIR}/tex-chtml.js"


def setup(app):
    app.connect("config-inited", _config)
    app.connect("builder-inited", _copy_mathjax)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _fix_citation_roles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
