"""One style sheet per page: the theme's and the extensions' CSS files, bundled after the build.

A page of this book links 15 style sheets (the theme's, Sphinx's, each extension's and the
book's own), and ``styles/theme.css`` ``@import``s ``basic.css``, a second round trip. All of
them block the first paint: on a phone, with Lighthouse's simulated slow 4G, each round of
requests costs about 150 ms. At the end of the build (after ``page_weight`` has written its
files) this extension concatenates each page's local style sheets, in their order, into one
``_static/bundle-<hash>.css``, with ``@import`` inlined and relative ``url()``s rebased onto
``_static``, and links that file alone, where the first of them was. The cascade is unchanged:
the rules keep their order, and nothing else of the head lay between those links.
"""

import hashlib
import os
import posixpath
import re
from pathlib import Path

LINK = re.compile(r'[ \t]*<link (?=[^>]*\brel="stylesheet")[^>]*\bhref="([^"?#]+)[^"]*"[^>]*>\n?')
IMPORT = re.compile(r'@import\s+(["\'])([^"\']+)\1\s*;')  # the string form, as theme.css has
URL = re.compile(r'url\(\s*(?:"([^"]*)"|\'([^\']*)\'|([^)"\'\s]*))\s*\)')
DROP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/|@charset\s+\"[^\"]*\";")
OUTSIDE = ("data:", "http:", "https:", "//", "/", "#")


def _css(path, static):
    """The text of *path*, its ``@import``s inlined, its relative URLs rebased onto *static*."""
    text = DROP.sub("", path.read_text(encoding="utf-8"))
    base = posixpath.normpath(path.parent.relative_to(static).as_posix())

    def rebase(m):
        url = next(g for g in m.groups() if g is not None)
        if base == "." or not url or url.startswith(OUTSIDE):
            return m.group(0)
        return 'url("%s")' % posixpath.normpath(posixpath.join(base, url))

    def inline(m):
        target = (path.parent / m.group(2)).resolve()
        return f"/* {target.relative_to(static).as_posix()} */\n{_css(target, static)}\n"

    text = IMPORT.sub(inline, URL.sub(rebase, text))
    if "@import" in text:  # another form (url(), media queries): not handled
        raise RuntimeError(f"css_bundle: {path}: an @import this bundler does not inline")
    return text


def _local_sheets(page, head, static):
    """The stylesheet links of *head* that name files of *static*: [(match, path)]."""
    found = []
    for m in LINK.finditer(head):
        path = (page.parent / m.group(1)).resolve()
        if path.is_file() and static in path.parents:
            found.append((m, path))
    return found


def _subsequence(short, long):
    it = iter(long)
    return all(p in it for p in short)


def bundle_pages(outdir):
    """Rewrite every page of *outdir* to link one bundle; return the bundles' names.

    Where every page's list of style sheets is a subsequence of the longest one (here: the pages
    without an explorable lack only ``explorables.css``, whose rules all sit under
    ``.xent-explorable``), all pages share one bundle, which a reader's browser caches once.
    """
    outdir = Path(outdir).resolve()
    static = outdir / "_static"
    pages = []
    for page in outdir.rglob("*.html"):
        if "_sources" in page.parts or "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        end = text.find("</head>")
        sheets = _local_sheets(page, text[:end], static) if end > 0 else []
        if len(sheets) < 2:
            continue
        first, last = sheets[0][0], sheets[-1][0]
        tags = re.findall(r"<(?:link|style)\b[^>]*>", text[first.start():last.end()])
        if len(tags) != len(sheets) or any("media=" in t for t in tags):
            raise RuntimeError(f"css_bundle: {page}: a style between the style sheets, or one with "
                               "a media attribute: the bundle would change the cascade")
        pages.append((page, text, first.start(), last.end(), tuple(p for _, p in sheets)))
    longest = max((key for *_, key in pages), key=len, default=())
    bundles = {}
    for page, text, start, stop, key in pages:
        key = longest if _subsequence(key, longest) else key
        if key not in bundles:
            body = "".join(f"/* {p.relative_to(static).as_posix()} */\n{_css(p, static)}\n"
                           for p in key)
            name = f"bundle-{hashlib.sha256(body.encode()).hexdigest()[:12]}.css"
            (static / name).write_text(body, encoding="utf-8")
            bundles[key] = name
        href = Path(os.path.relpath(static / bundles[key], page.parent)).as_posix()
        link = f'<link rel="stylesheet" type="text/css" href="{href}" />\n'
        page.write_text(text[:start] + link + text[stop:], encoding="utf-8")
    return sorted(bundles.values())


def _bundle(app, exception):
    if exception is None and app.builder.format == "html":
        bundle_pages(app.outdir)


def setup(app):
    app.connect("build-finished", _bundle, priority=990)  # after page_weight's files
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
