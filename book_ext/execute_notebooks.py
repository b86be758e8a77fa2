"""Execute every chapter, in parallel, into the build's notebook cache.

``make book`` and ``make test-build`` run this before ``jupyter-book build``.
It empties the cache ``_build/.jupyter_cache``, adds every notebook that
``_toc.yml`` lists and executes them in a pool of one process per CPU core, each in
its own directory and a fresh kernel. ``_config.yml`` sets
``execute_notebooks: cache``, so the build then takes every notebook's outputs
from this run instead of executing the notebooks one after another; a notebook
missing from the cache (because it failed here) is executed again by the build,
which stops on its error. The cache is emptied first, so every build executes
every notebook. Each kernel's BLAS runs on one thread: the pool already keeps
every core busy, and kernels that each start a thread per core would contend
for them (measured on 2 cores: 47 s instead of 57 s, with the same outputs).

Usage: ``python book_ext/execute_notebooks.py [--cache DIR] [--from DIR]`` (from the
repository root); ``--cache`` names another cache (the Chinese edition executes into its own).
Exits with status 1 if any notebook fails.

``--from DIR`` (``make test``): take the notebooks that nbval has just executed instead of
executing them once more. ``make test-notebooks`` re-executes every chapter top to bottom in a
fresh kernel and compares the outputs with the committed ones; loaded as a pytest plugin
(``-p book_ext.execute_notebooks --keep-executed DIR``), this file writes each notebook whose
every code cell nbval ran and passed, with the outputs of that run, to ``DIR``. With ``--from
DIR``, a notebook found there whose code is that of the current source goes into the emptied
cache with those outputs; any other notebook (changed since, skipped or failed there, or not
found) is executed here as usual. So the site still shows what a fresh execution of the current
sources printed and drew, and the English edition's notebooks are executed once in
``make test``, not twice. ``make test`` empties ``DIR`` before nbval, so nothing older is used.
"""

import json
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 300  # seconds per cell, as execute.timeout in _config.yml


def _toc_notebooks():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = (ROOT / f"{name}.ipynb" for name in re.findall(r"^\s*-?\s*file:\s*(\S+)", toc, re.M))
    return sorted((p for p in listed if p.is_file()), key=lambda p: p.stat().st_size, reverse=True)


def _take_executed(cache, nb_path, executed_dir):
    """Cache the nbval-executed copy of ``nb_path`` if ``executed_dir`` has one for its current
    code; return whether it did."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    executed = Path(executed_dir) / nb_path.name
    if not executed.is_file():
        return False
    source_nb = nbformat.read(str(nb_path), as_version=4)
    executed_nb = nbformat.read(str(executed), as_version=4)
    run = executed_nb.metadata.pop("xent_nbval_run", {})
    if run.get("source") != str(nb_path):
        return False
    # The cache matches a notebook by a hash of its code cells (and kernel): the same hash means
    # that nbval executed exactly the code the build renders.
    if cache.create_hashed_notebook(executed_nb)[1] != cache.create_hashed_notebook(source_nb)[1]:
        return False
    cache.cache_notebook_bundle(CacheBundleIn(executed_nb, str(nb_path),
                                              data={"execution_seconds": run.get("seconds")}),
                                check_validity=False, overwrite=True)
    return True


def main() -> int:
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    args = sys.argv[1:]
    cache_dir, executed_dir = CACHE, None
    while args:
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--cache":
            cache_dir = Path(value).resolve()
        elif flag == "--from":
            executed_dir = Path(value).resolve()
        else:
            raise SystemExit(f"unknown option {flag}")
    notebooks = _toc_notebooks()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # inherited by every kernel of the pool
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache = get_cache(str(cache_dir))
    taken = [nb for nb in notebooks if executed_dir and _take_executed(cache, nb, executed_dir)]
    if executed_dir:
        print(f"took {len(taken)} of {len(notebooks)} notebooks as nbval executed them ({executed_dir})")
    todo = [nb for nb in notebooks if nb not in taken]
    for nb in todo:  # largest first, so that the pool ends together
        cache.add_nb_to_project(str(nb))
    if not todo:
        return 0
    logger = logging.getLogger("execute_notebooks")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    start = time.perf_counter()
    result = load_executor("local-parallel", cache, logger=logger).run_and_cache(timeout=TIMEOUT)
    elapsed = time.perf_counter() - start
    failed = result.excepted + result.errored
    print(f"executed {len(result.succeeded)} of {len(todo)} notebooks in {elapsed:.1f} s")
    for uri in failed:
        print(f"FAILED: {Path(uri).relative_to(ROOT)}", file=sys.stderr)
    return 1 if failed else 0


# -- as a pytest plugin of nbval: keep the notebooks that it executed -------------------------

def pytest_addoption(parser):
    parser.addoption("--keep-executed", metavar="DIR", default=None,
                     help="write each notebook whose every code cell nbval ran and passed, "
                          "with the outputs of this run, to DIR (book_ext/execute_notebooks.py)")


_RUNS = {}  # nbval's notebook collector -> {cell number: (passed, outputs, seconds)}
_RAW = {}  # nbval's cell -> its outputs as the kernel sent them
_RUNNING = [None]  # the cell nbval is running


def pytest_configure(config):
    """nbval merges each cell's stream outputs before it compares them (``coalesce_streams``);
    keep them as the kernel sent them, so that the build merges them as it does any notebook's."""
    if not config.getoption("keep_executed"):
        return
    import nbval.plugin

    merge = nbval.plugin.coalesce_streams

    def keep_then_merge(outputs):
        cell = _RUNNING[0]
        if cell is not None and outputs is getattr(cell, "test_outputs", None):
            _RAW[cell] = json.loads(json.dumps(outputs))
        return merge(outputs)

    nbval.plugin.coalesce_streams = keep_then_merge


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _RUNNING[0] = item
    yield
    _RUNNING[0] = None


def pytest_runtest_makereport(item, call):
    if type(item).__name__ != "IPyNbCell" or not item.config.getoption("keep_executed"):
        return
    cells = _RUNS.setdefault(item.parent, {})
    if call.when == "call" or call.excinfo is not None:  # a failed setup counts as not passed
        cells[item.cell_num] = (call.excinfo is None, _RAW.pop(item, None), call.duration)


def pytest_sessionfinish(session):
    folder = session.config.getoption("keep_executed", None)
    if not folder:
        return
    import copy

    import nbformat

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for collector, cells in _RUNS.items():
        nb = copy.deepcopy(collector.nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if len(cells) != len(code) or not all(ok and outputs is not None for ok, outputs, _ in cells.values()):
            continue  # some cell was skipped or failed: the build executes this notebook itself
        for number, cell in enumerate(code):
            cell.outputs = [nbformat.from_dict(out) for out in cells[number][1]]
        source = Path(str(collector.path)).resolve()
        nb.metadata["xent_nbval_run"] = {"source": str(source), "seconds": sum(s for _, _, s in cells.values())}
        nbformat.write(nb, str(folder / source.name))


if __name__ == "__main__":
    sys.exit(main())
