"""The library as users install it: the wheel, in a fresh environment with NumPy alone.

The wheel is built as ``make book`` builds it (``book_ext/downloads.py``) and
installed by pip, without the network, into a new virtual environment that
holds nothing but NumPy, the one declared dependency (this environment's own
NumPy, made visible there through a ``.pth`` file, with its metadata, so that
pip sees the dependency satisfied). There ``import xent`` must work, the
losses must give the values they give here, ``pip check`` must be clean, and
``xent.plotting`` must say which extra installs Matplotlib.
"""

import email
import importlib.metadata
import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest

import xent

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book_ext"))
import downloads  # noqa: E402

# Run in the fresh environment: prints what the losses give there, as JSON.
PROBE = r"""
import importlib.util, json, sys
import numpy as np
import xent
s = np.array([[2.0, 0.0, -1.0], [40.0, 0.0, -np.inf], [0.5, 0.5, 3.0]])
y = np.array([0, 0, 2])
loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, y, label_smoothing=0.1)
out = {
    "matplotlib_imported": "matplotlib" in sys.modules,
    "matplotlib_installed": importlib.util.find_spec("matplotlib") is not None,
    "file": xent.__file__,
    "ce": xent.cross_entropy_with_logits(s, y, reduction="none").tolist(),
    "ls_loss": float(loss), "ls_grad": grad.tolist(),
    "binary": float(xent.binary_cross_entropy(np.array([0.9, 0.2]), np.array([1.0, 0.0]))),
    "softmax": xent.softmax(s).tolist(),
}
try:
    from xent import plotting
except ImportError as exc:
    out["plotting_error"] = str(exc)
print(json.dumps(out))
"""


def _numpy_only_dir(tmp):
    """A folder holding (links to) this environment's NumPy and its metadata, nothing else."""
    site = Path(np.__file__).resolve().parent.parent
    folder = tmp / "numpy-only"
    folder.mkdir()
    entries = [p for p in site.iterdir()
               if p.name in ("numpy", "numpy.libs")
               or (p.name.startswith("numpy-") and p.name.endswith(".dist-info"))]
    assert any(p.name == "numpy" for p in entries), entries
    for p in entries:
        (folder / p.name).symlink_to(p, target_is_directory=p.is_dir())
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return downloads.build_wheel(tmp_path_factory.mktemp("wheelhouse"))


def test_wheel_declares_its_name_and_dependencies(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = email.message_from_string(
            z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
    assert meta["Name"] == "cross-entropy-derived"
    assert meta["Version"] == xent.__version__
    requires = sorted(meta.get_all("Requires-Dist"))
    assert requires == ['matplotlib>=3.8; extra == "plot"', "numpy>=1.26"], requires
    assert meta.get_all("Provides-Extra") == ["plot"]
    packages = {n.split("/")[0] for n in names if not n.startswith("cross_entropy_derived-")}
    assert packages == {"xent"}, packages  # no tests, no notebooks, no second top-level module
    shipped = {n.split("/")[1] for n in names if n.startswith("xent/")}
    assert shipped == {p.name for p in (ROOT / "lib" / "xent").glob("*.py")}


def test_wheel_installs_and_runs_with_numpy_alone(wheel, tmp_path):
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "numpy_only.pth").write_text(f"{_numpy_only_dir(tmp_path)}\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull  # no extra indexes, no constraints: --no-index only
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(pip + ["install", "--quiet", "--no-index", "--find-links", str(wheel.parent),
                          "cross-entropy-derived"], check=True, env=clean)
    listed = subprocess.run(pip + ["list", "--format=json"], check=True, env=clean,
                            capture_output=True, text=True).stdout
    assert {d["name"] for d in json.loads(listed)} == {"cross-entropy-derived", "numpy"}
    subprocess.run(pip + ["check"], check=True, env=clean, capture_output=True)

    result = subprocess.run([python, "-I", "-c", PROBE], check=True, env=clean,
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.stderr == ""  # no warning either
    out = json.loads(result.stdout)
    assert Path(out["file"]).is_relative_to(env)  # the installed copy, not lib/ of the repository
    assert not out["matplotlib_imported"] and not out["matplotlib_installed"]
    assert "pip install 'cross-entropy-derived[plot]'" in out["plotting_error"]

    # the same NumPy, the same code: the same numbers as in this environment, to the last bit
    exec(compile(PROBE.split("try:")[0], "probe", "exec"), here := {})
    assert out["ce"] == here["out"]["ce"] and out["ls_grad"] == here["out"]["ls_grad"]
    assert out["ls_loss"] == here["out"]["ls_loss"] and out["binary"] == here["out"]["binary"]
    assert out["softmax"] == here["out"]["softmax"]
    # and the right ones: the first row against the formula m - s_y + log(sum exp(s - m))
    assert out["ce"][0] == pytest.approx(np.log1p(np.exp(-2.0) + np.exp(-3.0)), rel=1e-15)
    assert out["ce"][1] == pytest.approx(np.exp(-40.0), rel=1e-15)


def test_import_xent_does_not_import_matplotlib():
    code = ("import sys, xent; assert 'matplotlib' not in sys.modules; "
            "p = xent.plotting; assert 'matplotlib' in sys.modules; "
            "from xent import plotting; assert plotting is p is sys.modules['xent.plotting']; "
            "assert 'plotting' in dir(xent)")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        xent.nonexistent  # noqa: B018


def test_notebook_archive(wheel, tmp_path):
    archive = downloads.build_zip(tmp_path, wheel)
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        requirements = z.read(f"{downloads.FOLDER}/requirements.txt").decode().split()
        readme = z.read(f"{downloads.FOLDER}/README.txt").decode()
    chapters = {f"{downloads.FOLDER}/chapters/{p.name}" for p in (ROOT / "chapters").glob("*.ipynb")}
    assert chapters and chapters <= names
    assert f"{downloads.FOLDER}/{wheel.name}" in names
    assert f'pip install "./{wheel.name}[plot]" -r requirements.txt' in readme
    pinned = {line.split("==")[0].lower() for line in requirements}
    # every package a notebook imports is pinned, at the version of requirements.txt
    for module in downloads.notebook_imports(sorted((ROOT / "chapters").glob("*.ipynb"))):
        if module in sys.stdlib_module_names or module == "xent":
            continue
        dists = importlib.metadata.packages_distributions()[module]
        assert {d.lower() for d in dists} & pinned, module
    lines = set((ROOT / "requirements.txt").read_text().split())
    assert set(requirements) <= lines
    assert {"jupyterlab", "numpy", "sympy", "matplotlib"} <= pinned


def test_running_locally_links_the_built_files(wheel):
    page = (ROOT / "chapters" / "a4_running_locally.md").read_text()
    assert f"../_build/downloads/{wheel.name}>" in page  # the version of pyproject.toml
    assert f"../_build/downloads/{downloads.ZIP_NAME}>" in page
    assert f'pip install "./{wheel.name}[plot]" -r requirements.txt' in page

