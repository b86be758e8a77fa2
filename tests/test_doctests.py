"""The Examples of every module of xent are run, so that they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import xent

MODULES = sorted(m.name for m in pkgutil.iter_modules(xent.__path__, "xent."))


def test_every_public_module_is_listed():
    assert {"xent.activations", "xent.binary", "xent.multiclass", "xent.logits",
            "xent.losses", "xent.gradcheck"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    module = importlib.import_module(name)
    # NumPy >= 2 prints scalars as np.float64(...), so the examples print float(...)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
