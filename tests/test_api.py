"""The public API of xent, as issue 3 specifies it, each function documented with examples."""

import inspect

import pytest

import xent

API = {
    "activations": ["sigmoid", "softmax", "log_softmax", "logsumexp"],
    "losses": ["classification_error", "mean_squared_error", "binary_cross_entropy",
               "binary_cross_entropy_with_logits", "cross_entropy", "cross_entropy_with_logits"],
    "value_and_grad": ["cross_entropy_with_logits_value_and_grad",
                       "binary_cross_entropy_with_logits_value_and_grad"],
    "checking": ["numerical_gradient", "gradcheck"],
}
LOSSES = API["losses"]
PUBLIC = [name for names in API.values() for name in names] + [f + "_grad" for f in LOSSES]


@pytest.mark.parametrize("name", PUBLIC)
def test_exported_and_documented_with_examples(name):
    f = getattr(xent, name)
    assert callable(f)
    doc = inspect.getdoc(f)
    assert ">>> " in doc, f"{name} has no example"


@pytest.mark.parametrize("name", LOSSES)
def test_each_gradient_has_its_loss_signature(name):
    loss, grad = getattr(xent, name), getattr(xent, name + "_grad")
    assert inspect.signature(loss) == inspect.signature(grad)
    assert inspect.signature(loss).parameters["reduction"].default == "mean"


def test_cross_entropy_with_logits_signature_matches_the_issue():
    params = inspect.signature(xent.cross_entropy_with_logits).parameters
    assert list(params) == ["logits", "target", "weight", "ignore_index", "label_smoothing",
                            "reduction"]
    assert params["ignore_index"].default == -100 and params["label_smoothing"].default == 0.0
    assert list(inspect.signature(xent.binary_cross_entropy_with_logits).parameters) == [
        "s", "y", "weight", "pos_weight", "reduction"]
