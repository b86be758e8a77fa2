"""Two editions of one book: English in ``_build/html``, Chinese in ``_build/html/zh_CN``.

* Every page gets a visible link to the same page in the other edition (a
  relative link, so it works offline and from ``file://``). The head has no
  ``<link rel="alternate" hreflang>``: that link must carry an absolute URL
  (Lighthouse's SEO audit fails a relative one), and the book has no host of
  its own to name; the visible link, with its ``hreflang``, says the same.
* In the English edition, every run of Chinese characters in the text (the
  article's terms beside the English ones) is wrapped in
  ``<span lang="zh-CN" class="xent-zh">``: the browser then picks a Chinese
  font for it, and the CSS (``book_ext/static/xent-i18n.css``) keeps it
  upright inside emphasis instead of a synthetic slant.
* In a translated edition, ``{glue:text}`` roles inside translated paragraphs
  work: Sphinx parses each translated message as a separate document, which
  has no notebook attached, so myst-nb's glue roles found no data there
  ("No key ... found"). Such a role becomes a reference to the page's own glue
  data, which myst-nb resolves after reading.

The Chinese edition's configuration is written by ``book_ext/translation.py
config`` (language, ``locale_dirs``, theme strings).
"""

import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

EDITIONS = {"en": ("English", "en", ""), "zh_CN": ("中文版", "zh-CN", "zh_CN")}
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
STATIC = Path(__file__).parent / "static"
_bodiless = set()


def edition(config):
    """The edition being built: ``zh_CN`` or ``en``."""
    return "zh_CN" if (config.language or "en").startswith("zh") else "en"


def switch_href(pagename, building):
    """Relative URL, from page ``pagename`` of edition ``building``, of the same page in the other.

    >>> switch_href("chapters/01_x", "en")
    'zh_CN/chapters/01_x.html'
    >>> switch_href("chapters/01_x", "zh_CN")
    '../../chapters/01_x.html'
    >>> switch_href("index", "zh_CN")
    '../index.html'
    """
    depth = pagename.count("/")
    if building == "en":
        return "../" * depth + "zh_CN/" + pagename + ".html"
    return "../" * (depth + 1) + pagename + ".html"


class zh_text(nodes.inline):  # noqa: N801 - a docutils node class
    """A run of Chinese characters inside English text."""


def _visit_zh(self, node):
    self.body.append('<span lang="zh-CN" class="xent-zh">')


def _depart_zh(self, node):
    self.body.append("</span>")


class MarkChinese(SphinxPostTransform):
    """Wrap runs of Chinese characters of an English page in :class:`zh_text`."""

    default_priority = 900
    formats = ("html",)

    def run(self):
        if edition(self.config) != "en":
            return
        skip = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw,
                nodes.FixedTextElement)
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or isinstance(parent, skip) or isinstance(parent, zh_text):
                continue
            if any(isinstance(a, skip) for a in _ancestors(parent)):
                continue
            value = str(text)
            if not CJK_RUN.search(value):
                continue
            pieces, last = [], 0
            for m in CJK_RUN.finditer(value):
                if m.start() > last:
                    pieces.append(nodes.Text(value[last:m.start()]))
                pieces.append(zh_text("", m.group(0)))
                last = m.end()
            if last < len(value):
                pieces.append(nodes.Text(value[last:]))
            parent.replace(text, pieces)


def _ancestors(node):
    while node is not None:
        yield node
        node = node.parent


class TranslateTocCaptions(SphinxTransform):
    """Translate the part captions of the table of contents.

    sphinx-external-toc inserts the toctrees (priority 100) after Sphinx's Locale transform
    (20) has translated the page, so their captions would stay English; the gettext builder
    extracts them all the same, and this transform applies their translations.
    """

    default_priority = 110

    def apply(self):
        if edition(self.config) == "en":
            return
        from sphinx import addnodes
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        dirs = [str(Path(self.env.srcdir, d)) for d in self.config.locale_dirs]
        catalog, found = init_locale(dirs, self.config.language, domain)
        if not found:
            return
        for node in self.document.findall(addnodes.toctree):
            caption = node.get("rawcaption")
            if caption and catalog.gettext(caption) != caption:
                node.apply_translated_message(caption, catalog.gettext(caption))


class TranslateAltText(SphinxPostTransform):
    """Translate the alt text of the notebooks' figures.

    myst-nb creates an output's image only after reading, when it selects the mime type for
    the builder (a post-transform of priority 4), so Sphinx's Locale transform never sees it and
    the gettext builder never extracts it. ``book_ext/translation.py`` adds the alt texts of the
    notebooks' cell metadata to each page's catalogue; this transform applies them.
    """

    default_priority = 50
    formats = ("html",)

    def run(self):
        if edition(self.config) == "en":
            return
        catalog = _catalog(self.env, self.config)
        if catalog is None:
            return
        for image in self.document.findall(nodes.image):
            alt = image.get("alt")
            if alt and catalog.gettext(alt) != alt:
                image["alt"] = catalog.gettext(alt)


def _catalog(env, config):
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(env.docname, config.gettext_compact)
    dirs = [str(Path(env.srcdir, d)) for d in config.locale_dirs]
    catalog, found = init_locale(dirs, config.language, domain)
    return catalog if found else None


def _patch_glue():
    """Make ``{glue:text}`key` `` of a translated message a reference to the page's own glue data.

    Sphinx parses each translated message as a separate document, which has no notebook
    attached, so the role found no data there ("No key ... found in glue data"). The
    role then takes the form ``{glue:text}`/<page>.ipynb::key:fmt` ``, a pending reference
    that myst-nb resolves after reading from the glue data it saved for the page.
    """
    from myst_nb.ext.glue import roles

    if getattr(roles.PasteTextRole.run, "_xent", False):
        return
    original = roles.PasteTextRole.run

    def run(self):
        if "nb_renderer" not in self.document and "::" not in self.text:
            env = self.document.settings.env
            doc = "/" + env.doc2path(env.docname, base=False)
            text = self.text if ":" in self.text else self.text + ":s"
            self.text = f"{doc}::{text}"
        return original(self)

    run._xent = True
    roles.PasteTextRole.run = run


def switch_link(pagename, building):
    """The HTML of the link from page ``pagename`` to the same page in the other edition."""
    other = "zh_CN" if building == "en" else "en"
    label, lang, _ = EDITIONS[other]
    href = switch_href(pagename, building)
    title = "阅读本页的中文版" if other == "zh_CN" else "Read this page in English"
    return (f'<p class="xent-lang-switch"><a href="{href}" hreflang="{lang}" lang="{lang}" '
            f'title="{title}">{label}</a></p>\n')


def _page_context(app, pagename, templatename, context, doctree):
    building = edition(app.config)
    if context.get("body") is not None:
        context["body"] = switch_link(pagename, building) + context["body"]
    else:  # index and search pages have no body: the link goes in after writing
        _bodiless.add(pagename)


def _add_switch_to_bodiless_pages(app, exception):
    """Pages rendered without a body (the indices, search): the link after <article>."""
    if exception is not None or app.builder.format != "html":
        return
    for pagename in sorted(_bodiless):
        path = Path(app.outdir) / (pagename + ".html")
        if not path.is_file():
            continue
        html = path.read_text(encoding="utf-8")
        if "xent-lang-switch" not in html and '<article class="bd-article">' in html:
            html = html.replace('<article class="bd-article">', '<article class="bd-article">\n'
                                + switch_link(pagename, edition(app.config)), 1)
            path.write_text(html, encoding="utf-8")


def _config_inited(app, config):
    config.html_static_path.append(str(STATIC))
    if edition(config) != "en":
        _patch_glue()


def setup(app):
    app.add_node(zh_text, html=(_visit_zh, _depart_zh))
    app.add_post_transform(MarkChinese)
    app.add_transform(TranslateTocCaptions)
    app.add_post_transform(TranslateAltText)
    app.add_css_file("xent-i18n.css")
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _add_switch_to_bodiless_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
