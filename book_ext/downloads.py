"""Build what a reader needs to run a downloaded chapter: the library's wheel and the notebooks.

``make book`` and ``make test-build`` run this before the site is built::

    python book_ext/downloads.py [OUT]        # OUT defaults to _build/downloads

It writes into OUT

* the wheel of the library (``pip wheel`` of this repository, without its
  dependencies and without the network: setuptools is pinned in
  requirements.txt), distribution ``cross-entropy-derived``, import name ``xent``;
* ``cross-entropy-derived-notebooks.zip``: every chapter notebook with its
  stored outputs, that wheel, a ``requirements.txt`` pinning every package the
  notebooks import (the versions of this repository's requirements.txt, with
  which the stored outputs were made) and a ``README.txt`` with the commands.

chapters/a4_running_locally.md links both files with Sphinx's ``{download}``
role, so a build without them fails. The zip is reproducible: fixed file
dates, sorted entries.
"""

import ast
import importlib.metadata
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = "cross-entropy-derived"
ZIP_NAME = f"{DIST}-notebooks.zip"
FOLDER = f"{DIST}-notebooks"  # the one top-level folder of the zip
EXTRA_DISTS = ("jupyterlab", "ipykernel")  # to open and run the notebooks
DATE = (2026, 1, 1, 0, 0, 0)

README = """\
Cross-Entropy, Derived: the chapter notebooks, with their stored outputs.

They import the book's library `xent`, distribution {dist} (PyPI's "xent" is
another program: do not `pip install xent`). Its wheel is in this folder.
From this folder, with Python 3.11 or newer:

    python3 -m venv .venv
    source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
    python -m pip install "./{wheel}[plot]" -r requirements.txt
    jupyter lab chapters

requirements.txt pins the versions with which the stored outputs were made.
Run a chapter with Run > Restart Kernel and Run All Cells.
"""


def build_wheel(out):
    """Build the library's wheel into *out* and return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("cross_entropy_derived-*.whl"):
        old.unlink()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--wheel-dir", str(out), str(ROOT)],
                   check=True)
    (wheel,) = out.glob("cross_entropy_derived-*.whl")
    return wheel


def notebook_imports(paths):
    """The top-level modules that the code cells of the notebooks *paths* import."""
    import nbformat

    modules = set()
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            src = "\n".join(line for line in cell.source.splitlines()
                            if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Import):
                    modules.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return modules


def _normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(modules):
    """``name==version`` lines, from requirements.txt, for the distributions that provide
    *modules* (the standard library and xent left out) and for :data:`EXTRA_DISTS`."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_normalise(name)] = f"{name.strip()}=={version.strip()}"
    providers = importlib.metadata.packages_distributions()
    wanted = set(EXTRA_DISTS)
    for module in sorted(modules - set(sys.stdlib_module_names) - {"xent"}):
        if module not in providers:
            raise SystemExit(f"a notebook imports {module!r}, which no installed package provides")
        wanted.update(providers[module])
    missing = sorted(d for d in wanted if _normalise(d) not in pins)
    if missing:
        raise SystemExit(f"not pinned in requirements.txt: {', '.join(missing)}")
    return sorted((pins[_normalise(d)] for d in wanted), key=str.lower)


def _add(archive, name, data):
    info = zipfile.ZipInfo(f"{FOLDER}/{name}", DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build_zip(out, wheel):
    """Write the notebooks' archive into *out* and return its path."""
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    requirements = pinned_requirements(notebook_imports(notebooks))
    path = Path(out) / ZIP_NAME
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "README.txt", README.format(dist=DIST, wheel=wheel.name))
        _add(archive, "requirements.txt", "\n".join(requirements) + "\n")
        _add(archive, wheel.name, wheel.read_bytes())
        for nb in notebooks:
            _add(archive, f"chapters/{nb.name}", nb.read_bytes())
    return path


def main(out=ROOT / "_build" / "downloads"):
    wheel = build_wheel(out)
    archive = build_zip(out, wheel)
    print(f"downloads: {wheel.relative_to(ROOT) if wheel.is_relative_to(ROOT) else wheel}, "
          f"{archive.name}")


if __name__ == "__main__":
    main(*sys.argv[1:])
