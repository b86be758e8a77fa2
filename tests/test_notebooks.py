"""Checks of the committed notebooks that nbval does not make.

nbval (``make test-notebooks``) re-executes every chapter and compares its text
outputs strictly; it skips ``image/png`` by default, because the bytes of a PNG
differ with the platform's font rendering. So that figures are still checked,
this file asserts from the stored notebooks that every figure cell did produce
one opaque PNG with alt text, and nbval's comparison of the figure's
``text/plain`` twin (``<Figure size … with N Axes>``) proves that a re-run
produces the same figure structure.
"""

import base64
import io
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")
MACHINE_PATH = re.compile(r"(/root/|/home/|/tmp/|/work/|\.venv/|site-packages)")


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _source(cell):
    return "".join(cell["source"])


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_listed_in_toc(path):
    assert f"chapters/{path.stem}" in TOC, f"{path.name} is not in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_executed_in_order_without_errors(path):
    cells = _code_cells(_load(path))
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "not executed top to bottom in a fresh kernel"
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == []
    streams = [o for c in cells for o in c["outputs"] if o["output_type"] == "stream" and o["name"] == "stderr"]
    assert streams == [], "a cell wrote to stderr (a warning?): " + "".join(streams[0]["text"])[:300]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_machine_paths_in_outputs(path):
    blob = json.dumps([c["outputs"] for c in _code_cells(_load(path))])
    blob = re.sub(r'"image/png": "[^"]*"', "", blob)
    found = MACHINE_PATH.findall(blob)
    assert found == [], f"outputs mention machine paths: {sorted(set(found))}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_nbval_exemptions_are_explained(path):
    """Only volatile outputs may be hidden from nbval, and each says why on the same line."""
    for cell in _code_cells(_load(path)):
        for line in _source(cell).splitlines():
            if "NBVAL_IGNORE_OUTPUT" in line or "NBVAL_SKIP" in line:
                reason = re.sub(r"#\s*NBVAL_(IGNORE_OUTPUT|SKIP)", "", line).strip(" :-—#")
                assert len(reason) >= 10, f"{path.name}: {line!r} gives no reason"
                assert re.search(r"tim|memory|address|volatile|clock|second", reason, re.I), (
                    f"{path.name}: {line!r}: only timings, memory or addresses may be hidden")


def _figures(nb):
    for cell in _code_cells(nb):
        pngs = [o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {})]
        if pngs:
            yield cell, pngs


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_is_one_opaque_image_with_alt_text(path):
    nb = _load(path)
    for cell, pngs in _figures(nb):
        head = _source(cell).splitlines()[0][:60]
        assert len(pngs) == 1, f"{path.name}: cell {head!r} shows {len(pngs)} images (one figure per cell)"
        meta = cell.get("metadata", {}).get("mystnb", {})
        alt = meta.get("image", {}).get("alt", "")
        assert len(alt) >= 20, f"{path.name}: figure cell {head!r} has no alt text in metadata.mystnb.image.alt"
        data = pngs[0] if isinstance(pngs[0], str) else "".join(pngs[0])
        image = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
        if image.shape[-1] == 4:
            assert image[..., 3].min() == 1.0, f"{path.name}: figure {head!r} is transparent (unreadable in dark mode)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figure_cells_show_a_figure(path):
    """A cell that plots must display its figure: nbval would not notice a lost PNG otherwise."""
    for cell in _code_cells(_load(path)):
        src = _source(cell)
        if re.search(r"plotting\.(figure|subplots)\(", src):
            kinds = {k for o in cell["outputs"] for k in o.get("data", {})}
            assert "image/png" in kinds, f"{path.name}: cell drawing a figure shows no image: {src[:80]!r}"


def test_every_library_module_is_used_by_a_chapter():
    """No code file that no chapter uses."""
    modules = sorted(p.stem for p in (ROOT / "lib" / "xent").glob("*.py") if not p.stem.startswith("_"))
    import xent

    text = "\n".join(_source(c) for p in CHAPTERS for c in _load(p)["cells"] if c["cell_type"] == "code")
    unused = []
    for module in modules:
        names = getattr(getattr(xent, module, None), "__all__", [])
        used = re.search(rf"\b{module}\b", text) or any(re.search(rf"\b{n}\(", text) for n in names)
        if not used:
            unused.append(module)
    assert unused == [], f"library modules no chapter uses: {unused}"


# The CPU pin of the Makefile (NB_ENV): without it, an AVX-512 machine re-executes some chapters to
# other last digits than the stored outputs (seen: chapters 7 and 9). These tests make sure the pin
# is applied wherever notebooks run and that NumPy and OpenBLAS still obey its variables.
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
EXECUTES_NOTEBOOKS = re.compile(r"execute_notebooks\.py|\$\(NBVAL\)|nbconvert|jupyter lab")


def _nb_env():
    line = re.search(r"^NB_ENV := (.+)$", MAKEFILE, re.M)
    assert line, "the Makefile defines no NB_ENV"
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line.group(1)))


def test_every_recipe_that_executes_notebooks_is_pinned():
    recipes = [ln.strip() for ln in MAKEFILE.splitlines()
               if ln.startswith("\t") and EXECUTES_NOTEBOOKS.search(ln)]
    assert len(recipes) >= 5, recipes  # book, execute, test-notebooks, test-build, lab
    unpinned = [r for r in recipes if not r.startswith("env $(NB_ENV) ")]
    assert not unpinned, f"recipes that execute notebooks without the CPU pin: {unpinned}"


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the pin applies to x86-64 only")
def test_cpu_pin_takes_effect():
    env = {**os.environ, **{k: v.strip('"') for k, v in _nb_env().items()}}
    probe = (
        "import json, numpy._core._multiarray_umath as m, threadpoolctl\n"
        "blas = [i.get('architecture') for i in threadpoolctl.threadpool_info()\n"
        "        if i['internal_api'] == 'openblas']\n"
        "print(json.dumps({'X86_V4': m.__cpu_features__.get('X86_V4'), 'blas': blas}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["X86_V4"] is False, f"NumPy still dispatches AVX-512 code under NB_ENV: {seen}"
    assert seen["blas"] == ["Haswell"], f"OpenBLAS does not use the pinned kernel: {seen}"


# Visible code fits the text column: no code cell a reader sees (one without the `hide-input`
# tag) is longer than 25 lines, and no line of it is wider than 80 characters, nor any line it
# prints. Checked for every chapter.
FORMATTED = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
MAX_CELL_LINES, MAX_WIDTH = 25, 80


@pytest.mark.parametrize("name", FORMATTED)
def test_visible_code_fits_the_text_column(name):
    nb = _load(ROOT / "chapters" / f"{name}.ipynb")
    problems = []
    for cell in _code_cells(nb):
        lines = _source(cell).splitlines()
        printed = [ln for o in cell["outputs"] if o["output_type"] == "stream"
                   for ln in "".join(o["text"]).splitlines()]
        problems += [f"prints a line of {len(ln)} characters: {ln[:50]!r}"
                     for ln in printed if len(ln) > MAX_WIDTH]
        if "hide-input" in cell.get("metadata", {}).get("tags", []):
            continue
        if len(lines) > MAX_CELL_LINES:
            problems.append(f"cell of {len(lines)} lines: {lines[0][:50]!r}")
        problems += [f"line of {len(ln)} characters: {ln[:50]!r}"
                     for ln in lines if len(ln) > MAX_WIDTH]
    assert problems == [], f"{name}: " + "; ".join(problems)
