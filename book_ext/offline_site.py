"""Make the built site work offline.

* The formulas need no MathJax from a CDN, nor any in the browser: MathJax
  typesets them during the build (book_ext/prerender_math.py).
* sphinx-thebe (a default extension of Jupyter Book 1) writes a configuration
  script naming a CDN URL into every page; the book does not use Thebe, so the
  script is removed from every page.
* docutils writes the bibliography as ``<div role="list">`` whose children
  have the role ``doc-biblioentry``; a ``list`` must contain ``listitem``
  children (axe-core: aria-required-children), so the entries get that role.
"""

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


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _fix_citation_roles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
