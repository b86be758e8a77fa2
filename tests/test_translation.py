"""The Chinese edition's catalogues are complete and faithful to the current English text.

The English chapters are the source. This test extracts their messages again with Sphinx's
gettext builder (``book_ext/translation.py``, about 20 s) and compares them with the committed
catalogues ``locales/zh_CN/LC_MESSAGES/**.po``: a paragraph changed in English has a new msgid,
which no catalogue entry translates, so the test fails until its translation is updated
(``make gettext``, edit, ``make test-translation``; see CONTRIBUTING.md). It also checks that
every translation keeps its message's MyST roles and their targets, its math and its code.
"""

import importlib.util
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("translation", ROOT / "book_ext" / "translation.py")
translation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(translation)

LANG = translation.LANG
PO_FILES = sorted((ROOT / "locales" / LANG / "LC_MESSAGES").rglob("*.po"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _show(msgids, limit=5):
    return "\n  ".join(m[:100].replace("\n", " ") for m in msgids[:limit]) + (
        f"\n  ... and {len(msgids) - limit} more" if len(msgids) > limit else "")


@pytest.fixture(scope="module")
def pot_dir(tmp_path_factory):
    return translation.extract_pot(tmp_path_factory.mktemp("gettext"))


def test_catalogues_exist():
    pages = set(translation.catalogues())
    assert "index" in pages and "chapters/a3_glossary" in pages, sorted(pages)
    assert (ROOT / "locales" / LANG / "LC_MESSAGES" / "figures.po").is_file()


def test_every_current_message_is_translated(pot_dir):
    """Against messages extracted now from the sources: nothing untranslated, fuzzy or obsolete."""
    rows = translation.compare(pot_dir)
    assert rows, "the gettext builder extracted nothing"
    problems = []
    for page, row in rows.items():
        for kind in ("untranslated", "fuzzy", "obsolete"):
            if row[kind]:
                problems.append(f"{page}: {len(row[kind])} {kind}:\n  {_show(row[kind])}")
    assert not problems, ("catalogues out of date; run `make gettext`, translate, "
                          "then `make test-translation`:\n" + "\n".join(problems))


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.stem)
def test_catalogue_entries_are_clean(po_path):
    """No empty, fuzzy or obsolete entry is committed, and every entry keeps the markup."""
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.obsolete_entries()] == [], "obsolete entries (#~): remove them"
    assert [e.msgid for e in po.fuzzy_entries()] == [], "fuzzy entries: review and unflag them"
    assert [e.msgid for e in po if not e.obsolete and not e.msgstr.strip()] == [], "empty msgstr"
    broken = {e.msgid[:80]: translation.markup_problems(e.msgid, e.msgstr)
              for e in po if not e.obsolete}
    assert {k: v for k, v in broken.items() if v} == {}


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.stem)
def test_translations_are_chinese(po_path):
    """A message with English words is translated into Chinese, not copied."""
    po = polib.pofile(str(po_path))
    copied = [e.msgid for e in po if translation.needs_words(e.msgid) and not CJK.search(e.msgstr)
              and e.msgstr == e.msgid and not _is_name(e.msgid)]
    assert copied == [], "copied, not translated:\n  " + _show(copied)


# Words the Chinese edition keeps, as the article does ("scores (也叫 logits)", "sigmoid 函数").
KEPT = {"softmax", "sigmoid", "logit", "logits", "ulp", "xent", "x"}


def _is_name(msgid):
    """Proper names and identifiers that stay as they are (ArcFace, SciPy, `make lab`, softmax)."""
    words = re.sub(r"`[^`]*`|\$[^$]*\$", " ", msgid).split()
    return len(words) <= 6 and all(w[:1].isupper() or not w.isalpha() or w in KEPT for w in words)


# -- the checker itself: it must fail on a broken translation --------------------------------

@pytest.mark.parametrize("msgstr, problem", [
    ("见{term}`交叉熵 <Cross entropy>`与 $x^2$。", None),
    ("见{term}`交叉熵 <Entropy>`与 $x^2$。", "roles"),
    ("见交叉熵与 $x^2$。", "roles"),
    ("见{term}`交叉熵 <Cross entropy>`与 $x^3$。", "math"),
    ("见{term}`交叉熵 <Cross entropy>`与 x^2。", "math"),
])
def test_markup_check_fails_on_changed_markup(msgstr, problem):
    problems = translation.markup_problems("See {term}`the loss <Cross entropy>` and $x^2$.", msgstr)
    if problem is None:
        assert problems == []
    else:
        assert problems and problems[0].startswith(problem), problems


def test_code_and_urls_must_survive():
    msgid = "Run `make book`, then open <https://example.org/a>."
    assert translation.markup_problems(msgid, "运行 `make book`，然后打开 <https://example.org/a>。") == []
    assert translation.markup_problems(msgid, "运行 make book，然后打开 <https://example.org/a>。")
    assert translation.markup_problems(msgid, "运行 `make book`，然后打开网页。")


def test_a_changed_english_paragraph_is_untranslated(tmp_path):
    """compare() flags a message whose English changed since it was translated, and the old one."""
    pot, locales = tmp_path / "pot", tmp_path / "locales"
    (pot / "chapters").mkdir(parents=True)
    (locales / LANG / "LC_MESSAGES" / "chapters").mkdir(parents=True)
    old = polib.POFile()
    old.append(polib.POEntry(msgid="The loss is convex.", msgstr="损失是凸的。"))
    old.append(polib.POEntry(msgid="Exercises", msgstr="练习"))
    old.save(str(locales / LANG / "LC_MESSAGES" / "chapters" / "x.po"))
    new = polib.POFile()
    new.append(polib.POEntry(msgid="The loss is strictly convex.", msgstr=""))
    new.append(polib.POEntry(msgid="Exercises", msgstr=""))
    new.save(str(pot / "chapters" / "x.pot"))
    row = translation.compare(pot, LANG, locales)["chapters/x"]
    assert row["untranslated"] == ["The loss is strictly convex."]
    assert row["obsolete"] == ["The loss is convex."]
    assert row["messages"] == 2


def test_figure_catalogue_is_complete_and_keeps_math():
    po = polib.pofile(str(ROOT / "locales" / LANG / "LC_MESSAGES" / "figures.po"))
    assert len(po) > 0
    assert [e.msgid for e in po if not e.msgstr.strip() or e.fuzzy] == []
    assert {e.msgid: translation.markup_problems(e.msgid, e.msgstr) for e in po
            if translation.markup_problems(e.msgid, e.msgstr)} == {}
    # a template of figure text with computed values keeps each placeholder once ({0}, {1}, ...)
    slots = re.compile(r"\{\d+\}")
    assert [e.msgid for e in po
            if sorted(slots.findall(e.msgid)) != sorted(slots.findall(e.msgstr))] == []
