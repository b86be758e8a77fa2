"""``book_ext/execute_notebooks.py``: the notebooks nbval executed go into the build's cache only
when they are the current code, fully run and passed (``make test`` builds the English site from
them instead of executing every chapter a second time)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "book_ext" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(metadata=KERNEL)
    nb.cells = [nbformat.v4.new_markdown_cell("# A page")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return nb


def _executed(folder, source, nb, outputs):
    run = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
    for cell, out in zip((c for c in run.cells if c.cell_type == "code"), outputs):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=out)]
    run.metadata["xent_nbval_run"] = {"source": str(source), "seconds": 0.1}
    folder.mkdir(exist_ok=True)
    nbformat.write(run, str(folder / source.name))


def _cached_outputs(cache, path):
    record = cache.match_cache_notebook(nbformat.read(str(path), as_version=4))
    nb = cache.get_cache_bundle(record.pk).nb
    return [o.get("text") for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_the_executed_notebook_of_the_current_code_is_cached(tmp_path):
    source = tmp_path / "page.ipynb"
    nb = _notebook(source, "print(6 * 7)")
    _executed(tmp_path / "run", source, nb, ["42\n"])
    cache = get_cache(str(tmp_path / "cache"))
    assert execute_notebooks._take_executed(cache, source, tmp_path / "run")
    assert _cached_outputs(cache, source) == ["42\n"]


def test_a_notebook_changed_since_nbval_ran_is_executed_again(tmp_path):
    source = tmp_path / "page.ipynb"
    nb = _notebook(source, "print(6 * 7)")
    _executed(tmp_path / "run", source, nb, ["42\n"])
    _notebook(source, "print(6 * 9)")  # edited after the nbval run
    cache = get_cache(str(tmp_path / "cache"))
    assert not execute_notebooks._take_executed(cache, source, tmp_path / "run")
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(str(source), as_version=4))


def test_a_notebook_nbval_did_not_keep_is_executed_again(tmp_path):
    source = tmp_path / "page.ipynb"
    _notebook(source, "print(6 * 7)")
    cache = get_cache(str(tmp_path / "cache"))
    assert not execute_notebooks._take_executed(cache, source, tmp_path / "run")


def test_nbval_keeps_a_notebook_only_when_every_cell_passed(tmp_path):
    """nbval itself, with the plugin: the passing notebook is written with this run's outputs
    (streams as the kernel sent them), the one with a differing output is not."""
    good = tmp_path / "good.ipynb"
    _notebook(good, "print(6 * 7)", "import sys; print('a', flush=True); print('b')")
    nb = nbformat.read(str(good), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    code[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    code[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\nb\n")]
    for number, cell in enumerate(code, start=1):
        cell.execution_count = number
    nbformat.write(nb, str(good))
    bad = tmp_path / "bad.ipynb"
    nb.cells[1].source = "print(6 * 9)"  # prints 54, not the stored 42
    nbformat.write(nb, str(bad))
    kept = tmp_path / "kept"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                             "--nbval-current-env", "-p", "book_ext.execute_notebooks",
                             "--keep-executed", str(kept), "--rootdir", str(tmp_path), str(good), str(bad)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1 and "1 failed, 3 passed" in result.stdout, result.stdout[-2000:]
    assert sorted(p.name for p in kept.iterdir()) == ["good.ipynb"]
    run = nbformat.read(str(kept / "good.ipynb"), as_version=4)
    texts = [[o.text for o in c.outputs] for c in run.cells if c.cell_type == "code"]
    assert texts[0] == ["42\n"] and "".join(texts[1]) == "a\nb\n"
    assert run.metadata["xent_nbval_run"]["source"] == str(good.resolve())
