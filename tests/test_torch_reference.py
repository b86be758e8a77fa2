"""xent against PyTorch's losses and gradients, stored by tests/fixtures/make_torch_reference.py.

Every combination of weight / ignore_index / label_smoothing / reduction for
``cross_entropy_with_logits``, and of weight / pos_weight / reduction for
``binary_cross_entropy_with_logits``, on ordinary and far-apart logits.
"""

import json
import pathlib

import numpy as np
import pytest

import xent

DATA = json.loads((pathlib.Path(__file__).parent / "fixtures" / "torch_reference.json").read_text())
CE, BCE = DATA["cross_entropy"], DATA["binary_cross_entropy_with_logits"]


def _id(case):
    return "-".join(f"{k}={v}" for k, v in case.items() if k not in ("loss", "grad"))


def _close(actual, expected):
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=float), rtol=1e-12, atol=1e-15)


def _close_bce_loss(actual, expected, s, w, pw, reduction):
    """PyTorch computes (1 - y) s + (1 + (pw - 1) y) softplus(-s), which cancels
    when the loss is much smaller than |s|: it errs by up to a few ulp of |s|, where
    xent is exact (see test_accuracy.py). Allow that absolute error, entry by entry."""
    scale = (np.abs(s) + 1.0) * (1.0 if w is None else w) * (1.0 if pw is None else 1.0 + pw)
    atol = 1e-15 * {"none": scale, "sum": scale.sum(), "mean": scale.mean()}[reduction]
    expected = np.asarray(expected, dtype=float)
    assert np.all(np.abs(actual - expected) <= 1e-12 * np.abs(expected) + atol), (actual, expected)


def test_fixture_is_from_pytorch_and_covers_the_options():
    assert DATA["torch_version"].startswith("2.")
    options = {(c["weight"], c["label_smoothing"], c["reduction"], c["target"])
               for c in CE["cases"]}
    assert len(options) >= 2 * 3 * 3 * 5
    assert {c["pos_weight"] for c in BCE["cases"]} == {"none", "per_label"}


@pytest.mark.parametrize("case", CE["cases"], ids=_id)
def test_cross_entropy_with_logits_matches_pytorch(case):
    s = np.array(CE["logits"][case["logits"]])
    target = np.array(CE["targets"][case["target"]])
    kwargs = dict(weight=np.array(CE["weight"]) if case["weight"] else None,
                  ignore_index=case["ignore_index"], label_smoothing=case["label_smoothing"],
                  reduction=case["reduction"])
    loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, target, **kwargs)
    _close(loss, case["loss"])
    _close(grad, case["grad"])
    _close(xent.cross_entropy_with_logits(s, target, **kwargs), case["loss"])
    _close(xent.cross_entropy_with_logits_grad(s, target, **kwargs), case["grad"])


@pytest.mark.parametrize("case", BCE["cases"], ids=_id)
def test_binary_cross_entropy_with_logits_matches_pytorch(case):
    s = np.array(BCE["logits"][case["logits"]])
    y = np.array(BCE["targets"][case["target"]])
    w, pw = BCE["weights"][case["weight"]], BCE["pos_weights"][case["pos_weight"]]
    kwargs = dict(weight=None if w is None else np.array(w),
                  pos_weight=None if pw is None else np.array(pw), reduction=case["reduction"])
    loss, grad = xent.binary_cross_entropy_with_logits_value_and_grad(s, y, **kwargs)
    scale = (s, kwargs["weight"], kwargs["pos_weight"], case["reduction"])
    _close_bce_loss(loss, case["loss"], *scale)
    _close(grad, case["grad"])
    _close_bce_loss(xent.binary_cross_entropy_with_logits(s, y, **kwargs), case["loss"], *scale)
    _close(xent.binary_cross_entropy_with_logits_grad(s, y, **kwargs), case["grad"])
