"""Bad input gets a clear ValueError or TypeError naming the argument and the problem.

One row per bad input: the call, the expected exception, and a pattern its
message must match. Every row is also run on the gradient (and value-and-grad)
twin of the function, which checks its input the same way.
"""

import numpy as np
import pytest

import xent

S = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])  # logits, N=2, C=3
P = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])  # probabilities
Y = np.array([1, 2])  # labels
T = np.array([[0.0, 1.0, 0.0], [0.25, 0.25, 0.5]])  # probability targets
B = np.array([0.3, 0.9])  # binary probabilities
BY = np.array([0.0, 1.0])  # binary targets
NAN2 = np.array([[np.nan, 1.0, 0.0], [0.0, 1.0, 0.0]])

CE_LOGITS = ("cross_entropy_with_logits", "cross_entropy_with_logits_grad",
             "cross_entropy_with_logits_value_and_grad")
BCE_LOGITS = ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
              "binary_cross_entropy_with_logits_value_and_grad")
CE_PROBS = ("cross_entropy", "cross_entropy_grad")
BCE_PROBS = ("binary_cross_entropy", "binary_cross_entropy_grad")
CLASSIC = ("classification_error", "classification_error_grad", "mean_squared_error",
           "mean_squared_error_grad")
ACTIVATIONS = ("softmax", "log_softmax", "logsumexp")

# (functions, positional args, keyword args, exception, message pattern)
TABLE = [
    # --- cross entropy with logits
    (CE_LOGITS, (S[:, :2], Y), {}, ValueError, None),  # fine: a sanity row, see below
    (CE_LOGITS, (S, np.array([1, 2, 0])), {}, ValueError, r"target must have shape \(2,\)"),
    (CE_LOGITS, (S, np.array([1, 3])), {}, ValueError, r"target must hold class labels in \[0, 2\]; got 3"),
    (CE_LOGITS, (S, np.array([-1, 0])), {}, ValueError, "class labels in .* got -1"),
    (CE_LOGITS, (S, np.array([1.0, 2.0])), {}, TypeError, "target holds class labels and must have an integer dtype"),
    (CE_LOGITS, (S, np.array([True, False])), {}, TypeError, "integer dtype; got dtype bool"),
    (CE_LOGITS, (S, T[:, :2]), {}, ValueError, r"target must have shape \(2, 3\)"),
    (CE_LOGITS, (S, -T), {}, ValueError, r"target must contain probabilities in \[0, 1\]"),
    (CE_LOGITS, (S, 2 * T), {}, ValueError, r"target must contain probabilities in \[0, 1\]"),
    (CE_LOGITS, (S, T * 0.9), {}, ValueError, "target: each row must sum to 1.*row 0 sums to 0.9"),
    (CE_LOGITS, (S, NAN2), {}, ValueError, "target contains NaN"),
    (CE_LOGITS, (NAN2, Y), {}, ValueError, "logits contains NaN"),
    (CE_LOGITS, (np.where(S > 2, np.inf, S), Y), {}, ValueError, r"logits contains \+inf.*only -inf"),
    (CE_LOGITS, (np.array([[-np.inf] * 3, [0.0, 1.0, 2.0]]), Y), {}, ValueError, "logits: every row needs a finite entry"),
    (CE_LOGITS, (S[0], Y[:1]), {}, ValueError, r"logits must have 2 dimension\(s\); got shape \(3,\)"),
    (CE_LOGITS, (np.zeros((0, 3)), np.zeros(0, int)), {}, ValueError, "logits is empty"),
    (CE_LOGITS, (S.astype(complex), Y), {}, TypeError, "logits must be a real numeric array; got dtype complex128"),
    (CE_LOGITS, (np.array([["a", "b"]]), Y), {}, TypeError, "logits must be a real numeric array"),
    (CE_LOGITS, (S, Y), {"reduction": "average"}, ValueError, "reduction must be one of 'mean', 'sum', 'none'; got 'average'"),
    (CE_LOGITS, (S, Y), {"reduction": None}, ValueError, "reduction must be one of"),
    (CE_LOGITS, (S, Y), {"label_smoothing": 1.5}, ValueError, r"label_smoothing must be in \[0, 1\]; got 1.5"),
    (CE_LOGITS, (S, Y), {"label_smoothing": -0.1}, ValueError, r"label_smoothing must be in \[0, 1\]"),
    (CE_LOGITS, (S, Y), {"label_smoothing": float("nan")}, ValueError, r"label_smoothing must be in \[0, 1\]"),
    (CE_LOGITS, (S, Y), {"label_smoothing": "0.1"}, TypeError, "label_smoothing must be a real number"),
    (CE_LOGITS, (S, Y), {"weight": np.ones(2)}, ValueError, r"weight must have one entry per class, shape \(3,\); got \(2,\)"),
    (CE_LOGITS, (S, Y), {"weight": np.array([1.0, -1.0, 1.0])}, ValueError, "weight must be non-negative; got -1"),
    (CE_LOGITS, (S, Y), {"weight": np.array([1.0, np.nan, 1.0])}, ValueError, "weight contains NaN"),
    (CE_LOGITS, (S, Y), {"ignore_index": 1.5}, TypeError, "ignore_index must be an integer"),
    # --- binary cross entropy with logits
    (BCE_LOGITS, (S[0], BY), {}, ValueError, r"y must have the shape of s, \(3,\); got \(2,\)"),
    (BCE_LOGITS, (B, np.array([0.0, 1.5])), {}, ValueError, r"y must contain probabilities in \[0, 1\]"),
    (BCE_LOGITS, (B, np.array([-0.5, 1.0])), {}, ValueError, r"y must contain probabilities in \[0, 1\]"),
    (BCE_LOGITS, (np.array([np.nan, 1.0]), BY), {}, ValueError, "s contains NaN"),
    (BCE_LOGITS, (np.array([np.inf, 1.0]), BY), {}, ValueError, r"s contains \+inf; it must be finite"),
    (BCE_LOGITS, (np.array([-np.inf, 1.0]), BY), {}, ValueError, "s contains -inf; it must be finite"),
    (BCE_LOGITS, (B, np.array([np.nan, 1.0])), {}, ValueError, "y contains NaN"),
    (BCE_LOGITS, (np.float64(1.0), np.float64(1.0)), {}, ValueError, r"s must have at least 1 dimension\(s\)"),
    (BCE_LOGITS, (np.zeros(0), np.zeros(0)), {}, ValueError, "s is empty"),
    (BCE_LOGITS, (B, BY), {"weight": np.ones(3)}, ValueError, r"weight of shape \(3,\) does not broadcast to the shape \(2,\) of s"),
    (BCE_LOGITS, (B, BY), {"weight": np.array([1.0, -2.0])}, ValueError, "weight must be non-negative; got -2"),
    (BCE_LOGITS, (S, T), {"pos_weight": np.ones(2)}, ValueError, r"pos_weight of shape \(2,\) does not broadcast to the shape \(2, 3\) of s"),
    (BCE_LOGITS, (S, T), {"pos_weight": -np.ones(3)}, ValueError, "pos_weight must be non-negative"),
    (BCE_LOGITS, (B, BY), {"reduction": "mean "}, ValueError, "reduction must be one of"),
    # --- from probabilities
    (CE_PROBS, (S, Y), {}, ValueError, r"probs must contain probabilities in \[0, 1\]; got values in \[-1, 3\]"),
    (CE_PROBS, (P, Y[:1]), {}, ValueError, r"target must have shape \(2,\)"),
    (CE_PROBS, (P, np.array([[[0.0]]])), {}, ValueError, r"target must be labels of shape \(2,\) or probabilities of shape \(2, 3\)"),
    (CE_PROBS, (P, Y), {"weight": np.ones((1, 3))}, ValueError, r"weight must have 1 dimension\(s\)"),
    (CE_PROBS, (NAN2, Y), {}, ValueError, "probs contains NaN"),
    (BCE_PROBS, (np.array([1.2, 0.3]), BY), {}, ValueError, r"p must contain probabilities in \[0, 1\]"),
    (BCE_PROBS, (np.array([np.nan, 0.3]), BY), {}, ValueError, "p contains NaN"),
    (BCE_PROBS, (B, BY[:1]), {}, ValueError, "y must have the shape of p"),
    (CLASSIC, (P, np.array([0, 5])), {}, ValueError, r"target must hold class labels in \[0, 2\]; got 5 at index 1"),
    (CLASSIC, (P * 2, Y), {}, ValueError, r"probs must contain probabilities in \[0, 1\]"),
    (CLASSIC, (P, T * 0.5), {}, ValueError, "target: each row must sum to 1.*row 0 sums to 0.5"),
    (CLASSIC, (P[0], Y), {}, ValueError, r"probs must have 2 dimension\(s\)"),
    (CLASSIC, (P, Y), {"reduction": "max"}, ValueError, "reduction must be one of"),
    # --- activations
    (ACTIVATIONS, (np.array([np.inf, 0.0]),), {}, ValueError, r"s contains \+inf"),
    (ACTIVATIONS, (np.array([np.nan, 0.0]),), {}, ValueError, "s contains NaN"),
    (ACTIVATIONS, (np.array([-np.inf, -np.inf]),), {}, ValueError, "every slice along axis -1 needs a finite entry"),
    (ACTIVATIONS, (np.zeros(0),), {}, ValueError, "s is empty"),
    (ACTIVATIONS, (np.float64(2.0),), {}, ValueError, r"s must have at least 1 dimension\(s\)"),
    (ACTIVATIONS, (S,), {"axis": 2}, ValueError, r"axis 2 is out of range for s of shape \(2, 3\)"),
    (ACTIVATIONS, (S,), {"axis": 0.5}, TypeError, "axis must be an integer; got float"),
    (ACTIVATIONS, (S,), {"axis": True}, TypeError, "axis must be an integer; got bool"),
    (("sigmoid",), (np.array([np.nan]),), {}, ValueError, "s contains NaN"),
    (("sigmoid",), ("text",), {}, TypeError, "s must be a real numeric array"),
]
TABLE = TABLE[1:]  # the first row only shows the layout


@pytest.mark.parametrize("names, args, kwargs, error, message",
                         [pytest.param(*row, id=f"{row[0][0]}-{i}") for i, row in enumerate(TABLE)])
def test_bad_input_is_refused_with_a_clear_message(names, args, kwargs, error, message):
    for name in names:
        with pytest.raises(error, match=message):
            getattr(xent, name)(*args, **kwargs)


def test_good_versions_of_the_table_inputs_work():
    """The table's bad inputs differ from these good ones in one respect each."""
    assert np.isfinite(xent.cross_entropy_with_logits(S, Y, np.ones(3), label_smoothing=0.5))
    assert np.isfinite(xent.cross_entropy_with_logits(S, T, ignore_index=0))
    assert np.isfinite(xent.binary_cross_entropy_with_logits(S, T, np.ones(3), np.ones(3)))
    assert np.isfinite(xent.binary_cross_entropy(B, BY, weight=np.ones(2)))
    assert np.isfinite(xent.cross_entropy(P, Y)) and np.isfinite(xent.cross_entropy(P, T))
    for name in CLASSIC:
        assert np.all(np.isfinite(getattr(xent, name)(P, Y)))
    assert np.isfinite(xent.cross_entropy_with_logits(np.where(S < 0, -np.inf, S), Y))


def test_row_sums_are_checked_with_a_documented_tolerance():
    from xent._validation import ROW_SUM_TOL
    ok = T + np.array([[0.0, 0.0, 0.5 * ROW_SUM_TOL], [0.0, 0.0, 0.0]])
    assert np.isfinite(xent.cross_entropy_with_logits(S, ok))
    bad = T + np.array([[0.0, 0.0, 2 * ROW_SUM_TOL], [0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="row 0 sums to"):
        xent.cross_entropy_with_logits(S, bad)


def test_huge_finite_inputs_are_not_mistaken_for_inf():
    s = np.array([[1.7e308, 1.7e308, 0.0]])  # their sum overflows; they are finite
    np.testing.assert_allclose(xent.log_softmax(s), [[-np.log(2), -np.log(2), -1.7e308]])
    assert xent.cross_entropy_with_logits(s, np.array([0])) == pytest.approx(np.log(2))


def test_ignore_index_may_be_a_label_outside_the_classes():
    assert xent.cross_entropy_with_logits(S, np.array([-100, 1])) == pytest.approx(
        xent.cross_entropy_with_logits(S[1:], np.array([1])))
    with pytest.raises(ValueError, match="got -100"):
        xent.cross_entropy_with_logits(S, np.array([-100, 1]), ignore_index=-1)
