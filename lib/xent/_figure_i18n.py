"""Figure text in the reader's language (the Chinese edition of the book).

The chapters write their figures' titles, labels and legends in English.
When the environment variable ``XENT_LANG`` names a language (``zh_CN``),
:func:`install_from_env` (called by :func:`xent.plotting.use_book_style`)
makes every figure look up each of its text strings in the compiled gettext
catalogue ``<XENT_LOCALE_DIR>/<XENT_LANG>/LC_MESSAGES/figures.mo`` just
before it is drawn, and replaces it by its translation. Strings that contain
no word (tick labels, numbers, pure ``$...$`` mathematics) are left alone.
With ``XENT_FIGURE_LOG`` naming a file, every string looked up is appended
to it, one JSON object per line, with whether a translation was found: the
build uses the log to report (and a test to refuse) untranslated figure text.
Without ``XENT_LANG`` nothing changes.
"""

import gettext
import json
import os
import re
from pathlib import Path

import matplotlib
import matplotlib.figure
import matplotlib.text
import matplotlib.ticker

__all__ = ["needs_translation", "number_template", "load_catalogue", "translate_figure", "install_from_env"]

_MATH = re.compile(r"\$[^$]*\$")
_WORD = re.compile(r"[A-Za-z]{2,}")
#: Fonts tried after the book's Latin font for characters it lacks (Chinese).
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei"]
_state = {"catalogue": None, "log": None, "original_draw": None}


def needs_translation(text):
    """Whether a figure string contains words (outside ``$...$`` mathematics).

    >>> needs_translation("Loss per sample"), needs_translation("$\\\\sigma(z)$")
    (True, False)
    >>> needs_translation("0.5"), needs_translation("")
    (False, False)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return bool(_WORD.search(_MATH.sub("", text)))


def load_catalogue(locale_dir, language):
    """Read ``figures.mo`` of ``language`` below ``locale_dir``.

    Raises
    ------
    FileNotFoundError
        If the compiled catalogue does not exist.
    """
    path = Path(locale_dir) / language / "LC_MESSAGES" / "figures.mo"
    if not path.is_file():
        raise FileNotFoundError(f"no figure catalogue {path}: compile figures.po first "
                                "(python book_ext/translation.py compile-figures)")
    with open(path, "rb") as fh:
        return gettext.GNUTranslations(fh)


def _translations(catalogue):
    cached = getattr(catalogue, "_xent_translations", None)
    if cached is None:
        cached = catalogue._xent_translations = set(catalogue._catalog.values())  # noqa: SLF001
    return cached


#: A number standing alone (not the digits of a name such as float16 or log1p).
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![A-Za-z0-9_])")


def number_template(text):
    """The string with its numbers replaced by ``{0}``, ``{1}``, ... and the numbers.

    Figure text that quotes computed values (``"epoch 17"``) is translated
    through its template (``"epoch {0}"``), so the catalogue need not know
    every value; digits inside names stay.

    >>> number_template("right from epoch 17, loss 0.25 (float16)")
    ('right from epoch {0}, loss {1} (float16)', ['17', '0.25'])
    """
    numbers = _NUMBER.findall(text)
    counter = iter(range(len(numbers)))
    return _NUMBER.sub(lambda _: "{" + str(next(counter)) + "}", text), numbers


def _lookup(catalogue, text, log):
    msgid = text
    found = catalogue._catalog.get(text)  # noqa: SLF001 - exact lookup, no fallback
    if not found:
        template, numbers = number_template(text)
        if numbers:
            msgid = template
            pattern = catalogue._catalog.get(template)  # noqa: SLF001
            if pattern:  # the translation keeps every placeholder (checked by the tests)
                found = re.sub(r"\{(\d+)\}", lambda m: numbers[int(m.group(1))], pattern)
    if log is not None:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"msgid": msgid, "translated": bool(found)}, ensure_ascii=False) + "\n")
    return found or text


def translate_figure(fig, catalogue, log=None):
    """Replace every worded text string of ``fig`` by its translation.

    Titles, axis labels, legend entries, annotations, suptitles: every
    :class:`matplotlib.text.Text` of the figure, and tick labels given as strings
    (``set_xticks(x, labels)``: the axis formatters are wrapped so that they translate). Returns the number of strings
    replaced. A string with no entry in ``catalogue`` is kept (and logged).
    """
    if not isinstance(fig, matplotlib.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    replaced = 0
    for ax in fig.axes:  # tick labels are made by the formatters while the figure is drawn
        for axis in (ax.xaxis, ax.yaxis):
            if not isinstance(axis.get_major_formatter(), _TranslatingFormatter):
                axis.set_major_formatter(_TranslatingFormatter(axis.get_major_formatter(), catalogue, log))
    for artist in fig.findobj(matplotlib.text.Text):
        text = artist.get_text()
        if not needs_translation(text) or getattr(artist, "_xent_translated", None) == text \
                or text in _translations(catalogue):  # already translated (a tick label)
            continue
        new = _lookup(catalogue, text, log)
        artist.set_text(new)
        artist._xent_translated = new  # drawn twice (savefig after show): translate once
        replaced += new != text
    return replaced


class _TranslatingFormatter(matplotlib.ticker.Formatter):
    """A tick formatter whose worded labels (``set_xticks(x, ["cat", "dog"])``) are translated."""

    def __init__(self, inner, catalogue, log):
        self.inner, self.catalogue, self.log = inner, catalogue, log

    def _translate(self, label):
        return _lookup(self.catalogue, label, self.log) if needs_translation(label) else label

    def __call__(self, x, pos=None):
        return self._translate(self.inner(x, pos))

    def format_ticks(self, values):
        return [self._translate(label) for label in self.inner.format_ticks(values)]

    def set_axis(self, axis):
        self.inner.set_axis(axis)

    def set_locs(self, locs):
        self.inner.set_locs(locs)

    def get_offset(self):
        return self.inner.get_offset()

    def format_data(self, value):
        return self.inner.format_data(value)

    def format_data_short(self, value):
        return self.inner.format_data_short(value)


def _draw(self, renderer):
    translate_figure(self, _state["catalogue"], _state["log"])
    return _state["original_draw"](self, renderer)


def install_from_env():
    """Translate every later figure if ``XENT_LANG`` is set (idempotent).

    Reads ``XENT_LANG``, ``XENT_LOCALE_DIR`` (default: ``locales`` of the
    current or the parent directory) and ``XENT_FIGURE_LOG``. Returns the
    language installed, or None.
    """
    language = os.environ.get("XENT_LANG", "")
    if not language or language.startswith("en"):
        return None
    locale_dir = os.environ.get("XENT_LOCALE_DIR")
    if not locale_dir:
        here = Path.cwd()
        locale_dir = next((p / "locales" for p in (here, *here.parents) if (p / "locales").is_dir()),
                          here / "locales")
    _state["catalogue"] = load_catalogue(locale_dir, language)
    _state["log"] = os.environ.get("XENT_FIGURE_LOG") or None
    if _state["original_draw"] is None:
        _state["original_draw"] = matplotlib.figure.Figure.draw
        matplotlib.figure.Figure.draw = _draw
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    fallback = [name for name in CJK_FONTS if name in installed]
    if not fallback:
        raise RuntimeError(f"no CJK font for {language} figures: install one of {CJK_FONTS} "
                           "(Debian: apt-get install fonts-noto-cjk)")
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", *fallback]
    matplotlib.rcParams["axes.unicode_minus"] = True
    return language
