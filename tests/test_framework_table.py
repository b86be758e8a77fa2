"""The table of framework counterparts in chapter 11 (sec-practice-mapping), checked row by row.

The test reads the table from the committed notebook. For each row it checks that the ``xent``
column names a real function with exactly its arguments; that the PyTorch column lists every
option of the stored PyTorch reference (tests/fixtures/torch_reference.json) under the same name
as ``xent`` does, and that the ``xent`` function, called with those options, reproduces the stored
PyTorch values; and that the rows that name ``sklearn.metrics.log_loss`` agree with it.
"""

import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.special
from sklearn.metrics import log_loss

import xent

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "11_practice.ipynb"
REFERENCE = json.loads((ROOT / "tests" / "fixtures" / "torch_reference.json").read_text())
CALL = re.compile(r"`(?:[\w.]+\.)?(\w+)\(([^`]*)\)")


def _table():
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells
                if c["cell_type"] == "markdown" and "(sec-practice-mapping)=" in "".join(c["source"]))
    lines = [ln for ln in text.splitlines() if ln.startswith("| `")]
    rows = {}
    for line in lines:
        columns = [c.strip() for c in line.strip("|").split("|")]
        assert len(columns) == 4, line
        name, args = CALL.match(columns[0]).groups()
        torch = CALL.match(columns[1])
        rows[name] = {"args": [a.strip() for a in args.split(",")],
                      "torch": torch.group(1) if torch else None,
                      "torch_args": [a.strip() for a in torch.group(2).split(",")] if torch else [],
                      "torch_text": columns[1], "optax": columns[2], "sklearn": columns[3]}
    return rows


ROWS = _table()


def test_the_table_covers_the_losses():
    assert set(ROWS) == {"cross_entropy_with_logits", "cross_entropy",
                         "binary_cross_entropy_with_logits", "binary_cross_entropy", "log_softmax"}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_xent_column_matches_the_signature(name):
    assert list(inspect.signature(getattr(xent, name)).parameters) == ROWS[name]["args"]


def _options(case, kind):
    if kind == "ce":
        return {"weight": np.array(REFERENCE["cross_entropy"]["weight"]) if case["weight"] else None,
                "ignore_index": case["ignore_index"], "label_smoothing": case["label_smoothing"],
                "reduction": case["reduction"]}
    data = REFERENCE["binary_cross_entropy_with_logits"]
    w, pw = data["weights"][case["weight"]], data["pos_weights"][case["pos_weight"]]
    return {"weight": None if w is None else np.array(w),
            "pos_weight": None if pw is None else np.array(pw), "reduction": case["reduction"]}


@pytest.mark.parametrize("name, key, kind", [("cross_entropy_with_logits", "cross_entropy", "ce"),
                                             ("binary_cross_entropy_with_logits",
                                              "binary_cross_entropy_with_logits", "bce")])
def test_rows_with_a_stored_pytorch_reference(name, key, kind):
    row, data = ROWS[name], REFERENCE[key]
    assert row["torch"] == key
    options = set(_options(data["cases"][0], kind))
    assert options <= set(row["args"]) and options <= set(row["torch_args"])
    f = getattr(xent, name)
    for case in data["cases"]:
        s = np.array(data["logits"][case["logits"]])
        t = np.array(data["targets"][case["target"]])
        got = f(s, t, **_options(case, kind))
        # PyTorch's binary loss errs by a few ulp of |s| (see test_torch_reference.py)
        scale = (1 + np.abs(s[np.isfinite(s)]).max()) * s.size
        np.testing.assert_allclose(got, np.asarray(case["loss"], dtype=float), rtol=1e-12,
                                   atol=1e-15 * scale)


def test_nll_loss_row_equals_the_stored_cross_entropy():
    """torch nll_loss(log p) is cross_entropy(log p), and log_softmax(log p) = log p."""
    row, data = ROWS["cross_entropy"], REFERENCE["cross_entropy"]
    assert row["torch"] == "nll_loss" and "`input = log(probs)`" in row["torch_text"]
    assert {"weight", "reduction"} <= set(row["args"]) & set(row["torch_args"])
    checked = 0
    for case in data["cases"]:
        if (case["logits"] != "plain" or case["label_smoothing"] != 0.0
                or case["target"] not in ("labels", "probabilities")):
            continue
        probs = xent.softmax(np.array(data["logits"]["plain"]))
        t = np.array(data["targets"][case["target"]])
        w = np.array(data["weight"]) if case["weight"] else None
        got = xent.cross_entropy(probs, t, weight=w, reduction=case["reduction"])
        np.testing.assert_allclose(got, np.asarray(case["loss"], dtype=float), rtol=1e-12)
        checked += 1
    assert checked >= 6


def test_binary_cross_entropy_row_equals_the_stored_reference_through_a_sigmoid():
    row, data = ROWS["binary_cross_entropy"], REFERENCE["binary_cross_entropy_with_logits"]
    assert row["torch"] == "binary_cross_entropy"
    for case in data["cases"]:
        if case["logits"] != "plain" or case["pos_weight"] != "none":
            continue
        s = np.array(data["logits"]["plain"])
        y = np.array(data["targets"][case["target"]])
        w = data["weights"][case["weight"]]
        got = xent.binary_cross_entropy(xent.sigmoid(s), y, weight=None if w is None else np.array(w),
                                        reduction=case["reduction"])
        np.testing.assert_allclose(got, np.asarray(case["loss"], dtype=float), rtol=1e-12)


def test_sklearn_column_agrees_with_log_loss(rng):
    assert all("log_loss(" in ROWS[n]["sklearn"] for n in
               ("cross_entropy_with_logits", "cross_entropy", "binary_cross_entropy_with_logits",
                "binary_cross_entropy"))
    n, c = 40, 5
    s, t = rng.normal(size=(n, c)) * 2, rng.integers(0, c, n)
    w = rng.uniform(0.5, 2.0, c)
    p = scipy.special.softmax(s, axis=1)
    want = log_loss(t, p, sample_weight=w[t], labels=range(c))
    assert xent.cross_entropy_with_logits(s, t, weight=w) == pytest.approx(want, rel=1e-12)
    assert xent.cross_entropy(p, t, weight=w) == pytest.approx(want, rel=1e-12)
    v, yb = rng.normal(size=n) * 2, rng.integers(0, 2, n).astype(float)
    want_b = log_loss(yb, scipy.special.expit(v))
    assert xent.binary_cross_entropy_with_logits(v, yb) == pytest.approx(want_b, rel=1e-12)
    assert xent.binary_cross_entropy(scipy.special.expit(v), yb) == pytest.approx(want_b, rel=1e-12)


def test_log_softmax_row():
    assert ROWS["log_softmax"]["torch"] == "log_softmax"
    assert "jax.nn.log_softmax(x, axis)" in ROWS["log_softmax"]["optax"]
    s = np.array([[800.0, 0.0, 10.0], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(xent.log_softmax(s, axis=1), scipy.special.log_softmax(s, axis=1),
                               rtol=1e-15)
