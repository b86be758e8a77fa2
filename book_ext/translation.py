"""The Chinese edition's machinery: configuration, message extraction, status.

Usage (from the repository root; the Makefile's targets call these)::

    python book_ext/translation.py config LANG OUT.yml     # _config.yml + language settings
    python book_ext/translation.py pot OUTDIR               # extract the .pot files (gettext builder)
    python book_ext/translation.py status [LANG]            # per-page untranslated/fuzzy counts
    python book_ext/translation.py fill [LANG]              # copy messages that are formulas only
    python book_ext/translation.py compile-figures [LANG]   # figures.po -> figures.mo
    python book_ext/translation.py figure-report LOG        # list the figure strings not translated
    python book_ext/translation.py figure-log LOG [LANG]    # add the figures' new strings to figures.po

The English text is the source: ``make gettext`` re-extracts every message
from the chapters into ``_build/gettext/**.pot`` and merges them into
``locales/<LANG>/LC_MESSAGES/**.po`` with sphinx-intl, which marks changed
messages fuzzy and removed ones obsolete; ``status`` lists what needs work.
Figure text has its own catalogue, ``figures.po``, filled from the log that
executing the notebooks with ``XENT_LANG`` writes (see ``xent._figure_i18n``).
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
import yaml

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
LANG = "zh_CN"
FIGURES = "figures"  # the figure catalogue's domain, not a page of the book

#: What each edition changes in _config.yml.
EDITION = {
    "zh_CN": {
        "title": "交叉熵，推导详解",
        "author": "《交叉熵，推导详解》作者",
        "search_bar_text": "搜索本书…",
    },
}


def edition_config(language=LANG, *, execute="cache", cache=None):
    """The configuration of one edition, as a dict: _config.yml plus the language settings."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve()) + "/"
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    extra = sphinx.setdefault("config", {})
    extra["gettext_compact"] = False  # one catalogue per page
    extra["gettext_uuid"] = False
    extra["gettext_location"] = True
    execute_cfg = config.setdefault("execute", {})
    execute_cfg["execute_notebooks"] = execute
    if cache:
        execute_cfg["cache"] = str(cache)
    if language and language != "en":
        strings = EDITION[language]
        config["title"] = strings["title"]
        config["author"] = strings["author"]
        extra["language"] = language
        extra["locale_dirs"] = [str(LOCALES)]
        extra["html_search_language"] = "zh"
        extra.setdefault("html_theme_options", {})["search_bar_text"] = strings["search_bar_text"]
    return config


def glossary_terms(language=LANG, locales=LOCALES):
    """The Chinese terms of the glossary: the part before the parenthesis of each term's translation."""
    po = polib.pofile(str(Path(locales) / language / "LC_MESSAGES" / "chapters" / "a3_glossary.po"))
    terms = set()
    for entry in po:
        m = re.fullmatch(r"([^（）\s][^（）]*?)\s*（[^（）]+）", entry.msgstr.strip())
        if m and "\n" not in entry.msgid and len(entry.msgid) < 40:
            terms.update(t for t in re.split(r"\s+", m.group(1)) if re.search(r"[\u4e00-\u9fff]", t))
    return sorted(terms)


def write_search_dict(language, out):
    """A jieba user dictionary of the glossary's terms, so that search keeps 交叉熵 whole."""
    out = Path(out)
    out.write_text("".join(f"{term} 100000 n\n" for term in glossary_terms(language)), encoding="utf-8")
    return out


def write_config(language, out, **kwargs):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    config = edition_config(language, **kwargs)
    if language and language != "en":
        words = write_search_dict(language, out.parent / f"search_dict.{language}.txt")
        config["sphinx"]["config"]["html_search_options"] = {"dict": str(words.resolve())}
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def extract_pot(outdir):
    """Run the gettext builder on the current sources; return the folder holding the .pot files.

    The notebooks are not executed: their committed outputs are the text that is extracted.
    """
    outdir = Path(outdir).resolve()
    cfg = write_config("en", outdir / "_config.gettext.yml", execute="off")
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
                    "--config", str(cfg), "--path-output", str(outdir), "--builder", "custom",
                    "--custom-builder", "gettext", "--quiet"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    add_alt_texts(outdir / "_build" / "gettext")
    return outdir / "_build" / "gettext"


ROLE = re.compile(r"\{([A-Za-z][\w:.-]*)\}`([^`]*)`")
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$", re.S)
LITERAL = re.compile(r"``.+?``|`[^`]+`", re.S)
URL = re.compile(r"https?://[^\s<>()`]+[^\s<>()`.,;:]")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


def _role_targets(text):
    out = []
    for name, content in ROLE.findall(text):
        m = re.search(r"<([^<>]+)>\s*$", content)
        out.append((name, (m.group(1) if m else content).strip()))
    return sorted(out)


def markup(text):
    """The parts of a message a translation must keep: roles with their targets, math, code, URLs.

    >>> markup("See {term}`the loss <Cross entropy>`, $x^2$ and `xent`.")["roles"]
    [('term', 'Cross entropy')]
    >>> markup("See {term}`the loss <Cross entropy>`, $x^2$ and `xent`.")["math"]
    ['$x^2$']
    """
    rest = ROLE.sub(" ", text)
    literals = LITERAL.findall(rest)
    rest = LITERAL.sub(" ", rest)
    return {"roles": _role_targets(text), "math": sorted(MATH.findall(rest)),
            "literals": sorted(literals), "urls": sorted(URL.findall(text)),
            "links": sorted(LINK_TARGET.findall(rest))}


def needs_words(text):
    """Whether a message has words to translate outside its roles, math, code spans and URLs.

    >>> needs_words("$N \\times d$"), needs_words("{ref}`err-log-base`"), needs_words("the same")
    (False, False, True)
    """
    rest = URL.sub(" ", LITERAL.sub(" ", MATH.sub(" ", ROLE.sub(" ", text))))
    if "\\" in rest and not re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}", _TEX.sub(" ", rest)):
        return False  # a display formula (or a SymPy output): LaTeX only
    return bool(re.search(r"[A-Za-z]{2,}", rest))


_TEX = re.compile(r"\\(?:begin|end)\{[^}]*\}|\\[A-Za-z]+|\{[^{}]*\}|[_^]\w")


def fill_untranslatable(language=LANG, locales=LOCALES):
    """Give every message without words (formulas, roles, code) its own text as translation."""
    filled = 0
    for path in catalogues(language, locales).values():
        po = polib.pofile(str(path), wrapwidth=0)
        changed = False
        for entry in po:
            if not entry.obsolete and not entry.msgstr and not needs_words(entry.msgid):
                entry.msgstr, changed = entry.msgid, True
                filled += 1
        if changed:
            po.wrapwidth = 0
            po.save(str(path))
    return filled


def markup_problems(msgid, msgstr):
    """What a translation changed of its message's roles, math, code spans, URLs and link targets.

    Roles (with their targets) and math must appear exactly as often as in the English; every
    code span, URL and link target of the English must appear in the translation.
    """
    source, target = markup(msgid), markup(msgstr)
    problems = []
    for kind in ("roles", "math"):
        if source[kind] != target[kind]:
            problems.append(f"{kind}: {source[kind]} became {target[kind]}")
    for kind in ("literals", "urls", "links"):
        left = list(target[kind])
        for item in source[kind]:
            if item in left:
                left.remove(item)
            else:
                problems.append(f"{kind}: {item!r} is missing")
    return problems


def add_alt_texts(pot_dir):
    """Add the alt text of every notebook figure (cell metadata ``mystnb.image.alt``) to its page's .pot.

    myst-nb creates output images after the gettext builder has extracted the messages, so their
    alt text is not extracted; ``book_ext/i18n.py`` translates it from these entries.
    """
    import nbformat

    added = 0
    for pot_path in sorted(Path(pot_dir).rglob("*.pot")):
        page = pot_path.relative_to(pot_dir).with_suffix("")
        notebook = ROOT / page.with_suffix(".ipynb")
        if not notebook.is_file():
            continue
        pot = polib.pofile(str(pot_path), wrapwidth=0)
        known = {e.msgid for e in pot}
        for cell in nbformat.read(notebook, as_version=4).cells:
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")
            if alt and alt not in known:
                pot.append(polib.POEntry(msgid=alt, msgstr="", comment="alt text of a figure"))
                known.add(alt)
                added += 1
        pot.wrapwidth = 0
        pot.save(str(pot_path))
    return added


def catalogues(language=LANG, locales=LOCALES):
    """Every page catalogue of ``language`` (not the figure catalogue), keyed by page name."""
    base = Path(locales) / language / "LC_MESSAGES"
    return {str(p.relative_to(base).with_suffix("")): p for p in sorted(base.rglob("*.po"))
            if p.stem != FIGURES or p.parent != base}


def compare(pot_dir, language=LANG, locales=LOCALES):
    """Per page, the messages of ``pot_dir`` that the catalogue lacks or has fuzzy, and its obsolete ones.

    A message is untranslated when the page's catalogue has no entry with exactly that msgid
    (so an English paragraph changed since its translation counts), or an empty msgstr.
    """
    pot_dir = Path(pot_dir)
    rows = {}
    pos = catalogues(language, locales)
    pots = {str(p.relative_to(pot_dir).with_suffix("")): p for p in sorted(pot_dir.rglob("*.pot"))}
    for page in sorted(set(pots) | set(pos)):
        pot = polib.pofile(str(pots[page])) if page in pots else []
        po = polib.pofile(str(pos[page])) if page in pos else None
        entries = {e.msgid: e for e in po if not e.obsolete} if po is not None else {}
        wanted = [e.msgid for e in pot]
        untranslated = [m for m in wanted if m not in entries or not entries[m].msgstr.strip()]
        fuzzy = [m for m in wanted if m in entries and entries[m].fuzzy]
        obsolete = ([e.msgid for e in po if e.obsolete] if po is not None else []) + \
                   [m for m in entries if m not in set(wanted)]
        rows[page] = {"messages": len(wanted), "untranslated": untranslated, "fuzzy": fuzzy,
                      "obsolete": obsolete}
    return rows


def figure_status(language=LANG):
    po = LOCALES / language / "LC_MESSAGES" / f"{FIGURES}.po"
    if not po.is_file():
        return 0, []
    cat = polib.pofile(str(po))
    return len(cat), [e.msgid for e in cat if not e.msgstr.strip() or e.fuzzy]


def status(language=LANG, pot_dir=None):
    with tempfile.TemporaryDirectory() as tmp:
        rows = compare(pot_dir or extract_pot(tmp), language)
    width = max(len(p) for p in rows)
    print(f"{'page':<{width}}  messages  untranslated  fuzzy  obsolete")
    bad = 0
    for page, row in rows.items():
        n_u, n_f, n_o = len(row["untranslated"]), len(row["fuzzy"]), len(row["obsolete"])
        bad += n_u + n_f + n_o
        print(f"{page:<{width}}  {row['messages']:8d}  {n_u:12d}  {n_f:5d}  {n_o:8d}")
    n_fig, missing = figure_status(language)
    print(f"{'(figure text)':<{width}}  {n_fig:8d}  {len(missing):12d}")
    print(f"{bad + len(missing)} message(s) need work; edit locales/{language}/LC_MESSAGES/*.po")
    return 0


def compile_figures(language=LANG):
    po = LOCALES / language / "LC_MESSAGES" / f"{FIGURES}.po"
    catalogue = polib.pofile(str(po))
    catalogue.save_as_mofile(str(po.with_suffix(".mo")))
    return po.with_suffix(".mo")


def merge_figure_log(log, language=LANG):
    """Add every figure string of ``log`` that figures.po lacks (untranslated); return them."""
    po_path = LOCALES / language / "LC_MESSAGES" / f"{FIGURES}.po"
    catalogue = polib.pofile(str(po_path)) if po_path.is_file() else polib.POFile()
    catalogue.metadata.setdefault("Content-Type", "text/plain; charset=UTF-8")
    known = {e.msgid for e in catalogue}
    added = []
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        msgid = json.loads(line)["msgid"]
        if msgid not in known:
            catalogue.append(polib.POEntry(msgid=msgid, msgstr=""))
            known.add(msgid)
            added.append(msgid)
    catalogue.save(str(po_path))
    return added


def figure_report(log):
    """The figure strings of an execution log that had no translation, in order, once each."""
    missing = {}
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if not entry["translated"]:
            missing[entry["msgid"]] = None
    return list(missing)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "config":
        language, out = args[0], args[1]
        cache = args[2] if len(args) > 2 else None
        print(write_config(language, out, cache=cache))
    elif cmd == "pot":
        print(extract_pot(args[0]))
    elif cmd == "status":
        return status(args[0] if args else LANG, args[1] if len(args) > 1 else None)
    elif cmd == "fill":
        print(f"{fill_untranslatable(args[0] if args else LANG)} message(s) without words copied")
    elif cmd == "compile-figures":
        print(compile_figures(args[0] if args else LANG).relative_to(ROOT))
    elif cmd == "figure-report":
        missing = figure_report(args[0])
        for msgid in missing:
            print(f"figure text not translated (add it to figures.po): {msgid!r}")
        print(f"{len(missing)} figure string(s) without translation")
    elif cmd == "figure-log":
        added = merge_figure_log(args[0], args[1] if len(args) > 1 else LANG)
        for msgid in added:
            print(f"new figure string: {msgid!r}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
