"""Check the whole-book PDF that ``make pdf`` builds (``_build/latex/book.pdf``).

``make test`` builds it (target ``test-pdf``) after the strict HTML build and
then runs this file; the checks read the PDF with poppler-utils (``pdfinfo``,
``pdffonts``, ``pdftotext``, ``pdfimages``) and the XeLaTeX log:

* every chapter of ``_toc.yml`` opens a page of its own, in the order of the
  table of contents, under its title;
* every font is embedded, and the Chinese terms are typeset (a CJK font is in
  the PDF and the log has no "Missing character");
* no reference is left unresolved, and no notebook output prints as
  ``<IPython.core.display.HTML object>``: its table is in the PDF;
* when the site is built too, the PDF has the site's propositions, exercises,
  figures and equation numbers, and as many images as the site's chapters.

Without a PDF the test is skipped, unless ``XENT_REQUIRE_PDF=1`` (as in CI and
``make test-pdf``), when it fails.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LATEX = ROOT / "_build" / "latex"
PDF = LATEX / "book.pdf"
HTML = ROOT / "_build" / "html"
POPPLER = ("pdfinfo", "pdffonts", "pdftotext", "pdfimages")

if not PDF.is_file() or not all(shutil.which(tool) for tool in POPPLER):
    if os.environ.get("XENT_REQUIRE_PDF") == "1":
        raise RuntimeError(f"XENT_REQUIRE_PDF=1 but no {PDF} or no poppler-utils: run `make pdf`")
    pytest.skip("no PDF (run `make pdf`) or no poppler-utils", allow_module_level=True)


def _run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _plain(text):
    """Text compared case- and quote-insensitively, whitespace collapsed."""
    text = text.translate(str.maketrans("“”‘’–—", "\"\"''--"))
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.fixture(scope="module")
def pages():
    return _run("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")


@pytest.fixture(scope="module")
def text(pages):
    return "\n".join(pages)


def _toc_documents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*-\s*file:\s*(\S+)", toc, re.M)


def _title(docname):
    """The first level-1 heading of a chapter's source, without Markdown markup."""
    nb = ROOT / f"{docname}.ipynb"
    if nb.is_file():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        source = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", source, re.M)
    assert match, f"{docname} has no title"
    return re.sub(r"[`*_]", "", match.group(1)).strip()


def test_page_count():
    info = _run("pdfinfo", str(PDF))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    chapters = len(_toc_documents())
    # a title page, the contents, a page of its own for every chapter; and a
    # bound on runaway output (a dumped array, a table one row per page)
    assert 3 * chapters <= pages <= 40 * chapters, f"{pages} pages for {chapters} chapters"


def test_every_chapter_opens_a_page_under_its_title_in_toc_order(pages):
    starts = [_plain(p[:400]) for p in pages]
    last = -1
    for doc in _toc_documents():
        title = _plain(_title(doc))
        found = [i for i, head in enumerate(starts)
                 if re.match(r"(chapter|appendix) \S+ " + re.escape(title), head)]
        assert found, f"no page opens chapter {doc} under its title {title!r}"
        assert found[0] > last, f"chapter {doc} is out of the order of _toc.yml"
        last = found[0]


def test_every_font_embedded_and_a_cjk_font_present():
    rows = _run("pdffonts", str(PDF)).splitlines()[2:]
    assert rows, "pdffonts lists no font"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    assert any("CJK" in r.split()[0] for r in rows), "no CJK font: the Chinese terms are missing"


def test_no_missing_character_and_chinese_text_present(text):
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log)))
    assert not missing, f"characters missing from the fonts: {missing}"
    # the article's title and the book's first Chinese term, as the chapters spell them
    assert "交叉熵" in text and "损失函数" in text
    # curly quotes typeset as quotes: no gap in "article’s", none inside “待整理”
    gaps = re.findall(r"\w’ s\b|[“‘] [\u4e00-\u9fff]|[\u4e00-\u9fff] [”’]", text)
    assert not gaps, f"quotes spaced apart: {gaps[:5]}"


def test_no_unresolved_reference():
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"(?:Hyper r|R)eference `([^']+)' on page \d+ undefined", log)
    assert not undefined, f"unresolved references: {sorted(set(undefined))}"
    assert "There were undefined references" not in log
    tex = (LATEX / "book.tex").read_text(encoding="utf-8")
    assert "\\label{None:" not in tex, "sphinx-proof wrote a label without its document"


def test_html_outputs_are_tables(text):
    assert "IPython.core.display" not in text
    plain = _plain(text)
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                html = "".join(out.get("data", {}).get("text/html", ""))
                if "<table" not in html:
                    continue
                headers = [h for h in re.findall(r"<th[^>]*>(.*?)</th>", html) if h.strip()]
                assert headers, f"{nb.name}: an HTML table without headers"
                for header in headers:
                    assert _plain(re.sub(r"<[^>]+>", "", header)) in plain, \
                        f"{nb.name}: table column {header!r} not in the PDF"


NUMBERED = re.compile(r"\b(Proposition|Exercise|Fig\.) (\d+\.\d+)(?!\.?\d)")


def _site_texts():
    from bs4 import BeautifulSoup

    for page in sorted((HTML / "chapters").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.find("main") or soup
        yield page, main


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built site to compare with")
def test_numbers_and_images_equal_to_the_site(text):
    site_numbers, site_equations, site_images = set(), set(), set()
    for page, main in _site_texts():
        site_numbers |= set(NUMBERED.findall(main.get_text(" ")))
        site_equations |= {m.group() for e in main.select("span.eqno")
                           for m in [re.search(r"\(\d+\.\d+\)", e.get_text())] if m}
        site_images |= {img["src"] for img in main.find_all("img") if "_images/" in img.get("src", "")}
        # an explorable figure is HTML on the site and its static image in the PDF
        site_images |= {f"{page.name}#{fig['id']}" for fig in main.select("figure.xent-explorable")}
    pdf_text = re.sub(r"\s+", " ", text)
    pdf_numbers = set(NUMBERED.findall(pdf_text))
    assert site_numbers and site_equations, "no numbered item on the site"
    assert pdf_numbers == site_numbers, (
        f"only on the site: {sorted(site_numbers - pdf_numbers)}; "
        f"only in the PDF: {sorted(pdf_numbers - site_numbers)}")
    eq_in_pdf = {e for e in site_equations if e.replace(" ", "") in pdf_text.replace(" ", "")}
    assert eq_in_pdf == site_equations, f"equation numbers not in the PDF: {sorted(site_equations - eq_in_pdf)}"
    images = [r for r in _run("pdfimages", "-list", str(PDF)).splitlines()[2:] if r.split()[2] == "image"]
    assert len(images) == len(site_images), f"{len(images)} images in the PDF, {len(site_images)} on the site"


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built site")
def test_site_link_to_the_pdf_is_not_broken():
    index = (HTML / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a [^>]*href="([^"]+\.pdf)"[^>]*>Download the book as PDF</a>', index)
    for href in links:  # the site links the PDF only when it was built before the site
        target = HTML / href
        assert target.is_file(), f"the home page links {href}, which is not in the site"
        assert re.search(r"^Pages:\s+\d+", _run("pdfinfo", str(target)), re.M)
