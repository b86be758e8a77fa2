"""Serve the script and style of the explorable figures, on the pages that have one.

A notebook cell that displays an ``xent._explorable.Explorable`` writes a
``<figure class="xent-explorable">`` into its page. On such pages (and only
there) this extension links ``_static/explorables.js`` and
``_static/explorables.css``, copied from ``book_ext/static``: the figures work
offline, from the site itself, and every other page loads nothing more. (Files
in the book's own ``_static`` folder would be linked on every page.)
"""

import shutil
from pathlib import Path

STATIC = Path(__file__).parent / "static"
FILES = ("explorables.js", "explorables.css")
MARKER = 'class="xent-explorable"'


def _copy(app):
    if app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static"
    dest.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(STATIC / name, dest / name)


def _link(app, pagename, templatename, context, doctree):
    if MARKER in (context.get("body") or ""):
        # called during html-page-context, these add the files to this page only
        app.add_css_file("explorables.css")
        app.add_js_file("explorables.js", defer="defer")


def setup(app):
    app.connect("builder-inited", _copy)
    app.connect("html-page-context", _link)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
