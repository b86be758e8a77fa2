"""The edge cases of issue 14, each pinned: fixed, or the documented choice.

References are 50-digit mpmath (``accuracy_reference``) and closed forms;
errors are counted in ulp of the exact value. Every call runs with warnings
as errors: no function may warn on valid input.
"""

import warnings

import mpmath as mp
import numpy as np
import pytest
from accuracy_reference import ce_reference, lse_parts, ulp_error

import xent

U = 2.0 ** -53


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def grad_reference(row, target, weight=None, eps=0.0):
    """Exact gradient of the per-sample loss: ``A q_j - a_j``."""
    c = len(row)
    w = [mp.mpf(1)] * c if weight is None else [mp.mpf(float(v)) for v in weight]
    t = ([mp.mpf(int(j == int(target))) for j in range(c)] if np.ndim(target) == 0
         else [mp.mpf(float(v)) for v in target])
    e = mp.mpf(float(eps))
    a = [((1 - e) * t[j] + e / c) * w[j] for j in range(c)]
    m, ell = lse_parts(row)
    q = [mp.exp(mp.mpf(float(v)) - m - ell) for v in row]
    return [mp.fsum(a) * q[j] - a[j] for j in range(c)]


def worst_grad_ulp(g, ref):
    """Worst error in ulp over the entries whose exact value is a normal float."""
    return max(ulp_error(gv, rv) for gv, rv in zip(g, ref) if abs(rv) > 2.3e-308)


# --- the mean of a batch of total target weight 0 ------------------------------------------

@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("case", ["all ignored", "zero class weights"])
def test_zero_total_weight_gives_a_nan_mean_and_a_zero_gradient(rng, case, eps):
    s = rng.normal(size=(4, 3))
    if case == "all ignored":
        y, w = np.full(4, -100), np.array([1.0, 2.0, 3.0])
    else:  # every label on a class of weight 0; smoothing still spreads weight on the others
        y, w = np.array([0, 0, 0, 0]), np.array([0.0, 2.0, 3.0])
    kw = dict(weight=w, label_smoothing=eps)
    loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, y, **kw)
    assert np.isnan(loss) and np.isnan(xent.cross_entropy_with_logits(s, y, **kw))
    assert np.all(grad == 0) and np.all(xent.cross_entropy_with_logits_grad(s, y, **kw) == 0)
    assert np.isfinite(xent.cross_entropy_with_logits(s, y, reduction="sum", **kw))


def test_zero_total_weight_in_the_probability_form():
    q = np.array([[0.2, 0.8], [0.6, 0.4]])
    w = np.array([0.0, 1.0])
    assert np.isnan(xent.cross_entropy(q, np.array([0, 0]), weight=w))
    assert np.all(xent.cross_entropy_grad(q, np.array([0, 0]), weight=w) == 0)


# --- a zero class weight on a masked (-inf) true logit ------------------------------------

def test_zero_weight_on_a_masked_class_label_and_one_hot_agree():
    s = np.array([[-np.inf, 1.0, 0.0], [0.5, -1.0, 2.0]])
    y = np.array([0, 2])
    w = np.array([0.0, 1.0, 2.0])
    kw = dict(weight=w, reduction="sum")
    by_label = xent.cross_entropy_with_logits(s, y, reduction="none", weight=w)
    by_row = xent.cross_entropy_with_logits(s, np.eye(3)[y], reduction="none", weight=w)
    assert by_label[0] == 0.0 and by_row[0] == 0.0
    np.testing.assert_allclose(by_label, by_row, rtol=4 * U)
    g_label = xent.cross_entropy_with_logits_grad(s, y, **kw)
    g_row = xent.cross_entropy_with_logits_grad(s, np.eye(3)[y], **kw)
    assert np.all(g_label[0] == 0) and np.all(g_row[0] == 0)
    np.testing.assert_allclose(g_label, g_row, rtol=4 * U, atol=0)


# --- label smoothing: logits whose range exceeds the float maximum, the sum of weights ------

def test_smoothing_with_a_range_beyond_the_float_maximum_is_finite():
    s = np.array([[1e308, -1e308, 0.0], [1.5e308, -1.7e308, 1.4e308]])
    y = np.array([0, 2])
    got = xent.cross_entropy_with_logits(s, y, label_smoothing=0.1, reduction="none")
    for row, label, value in zip(s, y, got):
        exact = ce_reference(row, label, eps=0.1)
        assert exact < 1.7e308 and ulp_error(value, exact) <= 4, (value, exact)
    grad = xent.cross_entropy_with_logits_grad(s, y, label_smoothing=0.1, reduction="sum")
    assert np.all(np.isfinite(grad))
    # the uniform half of the target on -1.7e308: a loss of 1.7e308, still finite; with
    # class weights 4 the true loss exceeds the float maximum: inf, quietly
    wide, label = np.array([[1.7e308, -1.7e308]]), np.array([0])
    assert xent.cross_entropy_with_logits(wide, label, label_smoothing=1.0) == 1.7e308
    assert xent.cross_entropy_with_logits(wide, label, weight=np.array([4.0, 4.0]),
                                          label_smoothing=1.0, reduction="sum") == np.inf


def test_smoothing_with_class_weights_is_within_4_ulp(rng):
    c = 1000
    s = rng.normal(0.0, 1.0, (6, c))
    y = rng.integers(0, c, 6)
    s[np.arange(6), y] += 60.0  # confident rows: the loss is about eps times the weight sum
    w = rng.uniform(0.1, 3.0, c)
    got = xent.cross_entropy_with_logits(s, y, weight=w, label_smoothing=0.1, reduction="none")
    worst = max(ulp_error(v, ce_reference(r, t, w, 0.1)) for r, t, v in zip(s, y, got))
    assert worst <= 4, worst


# --- gradient entries: no rounding of s - m, no dependence on the other rows ----------------

def _shifted_cases(rng):
    """Rows whose ``s - m`` rounds by up to 2**-44 (beyond +-600) or 2**-48: 512 and 32 ulp
    of the ``exp`` of the non-target classes, were it not restored."""
    c = 8
    base = rng.normal(0.0, 20.0, (3, c))
    y = rng.integers(0, c, 3)
    far = base.copy()
    far[np.arange(3), y] = 640.0 + rng.uniform(0.0, 1.0, 3)  # the label far ahead, beyond 600
    p = np.zeros((3, c))
    p[:, :3] = rng.dirichlet(np.ones(3), 3)  # zero targets on the other five classes
    return [("labels beyond +-600", far, y, {}),
            ("probability target", base, p, {}),
            ("label smoothing", base, y, {"label_smoothing": 1e-9})]


def test_gradient_entries_are_exact_on_the_shifted_paths(rng):
    for name, s, t, kw in _shifted_cases(rng):
        g = xent.cross_entropy_with_logits_grad(s, t, reduction="sum", **kw)
        for row, target, grow in zip(s, t, g):
            ref = grad_reference(row, target, eps=kw.get("label_smoothing", 0.0))
            worst = worst_grad_ulp(grow, ref)
            assert worst <= 4, (name, worst)


def test_a_rows_results_do_not_depend_on_the_other_rows(rng):
    s = rng.normal(0.0, 3.0, (5, 7))
    y = rng.integers(0, 7, 5)
    far = np.full((1, 7), -1000.0)
    far[0, 3] = 650.0  # beyond +-600: this row takes the shifted path
    p = rng.dirichlet(np.ones(7), 5)
    for target, extra in ((y, np.array([3])), (p, np.eye(7)[[3]])):
        alone_loss, alone_grad = xent.cross_entropy_with_logits_value_and_grad(
            s, target, reduction="sum")
        loss, grad = xent.cross_entropy_with_logits_value_and_grad(
            np.vstack([s, far]), np.concatenate([target, extra]), reduction="none")
        rows = xent.cross_entropy_with_logits(s, target, reduction="none")
        assert np.array_equal(loss[:5], rows)
        assert np.array_equal(grad[:5], alone_grad)
        assert loss[:5].sum() == pytest.approx(alone_loss, rel=1e-15)


# --- a confident row: a one-hot probability target gets the label's exact gradient ---------

@pytest.mark.parametrize("shift", [0.0, 900.0])
def test_confident_one_hot_row_gets_the_exact_gradient(rng, shift):
    c = 10
    s = rng.normal(0.0, 1.0, (4, c)) + shift
    y = rng.integers(0, c, 4)
    s[np.arange(4), y] += 45.0  # q_y - 1 = -T / (1 + T) is about -1e-19: 1 / (1 + T) - 1 is 0
    g_label = xent.cross_entropy_with_logits_grad(s, y, reduction="sum")
    g_row = xent.cross_entropy_with_logits_grad(s, np.eye(c)[y], reduction="sum")
    for row, label, gl, gr in zip(s, y, g_label, g_row):
        ref = grad_reference(row, label)
        assert gr[label] < 0 and worst_grad_ulp(gr, ref) <= 4
        assert worst_grad_ulp(gl, ref) <= 4
    np.testing.assert_allclose(g_row, g_label, rtol=8 * U, atol=0)


# --- logsumexp where its result cancels ----------------------------------------------------

def test_logsumexp_error_is_bounded_by_its_terms_where_it_cancels(rng):
    worst_rel = 0.0
    for _ in range(300):
        a = rng.uniform(1e-6, 1.0)
        s = np.array([-a, -a - np.log(np.expm1(a)) * rng.uniform(0.9, 1.1), -a - 20.0])
        m, ell = lse_parts(s)
        exact = m + ell
        got = xent.logsumexp(s)
        err = abs(mp.mpf(float(got)) - exact)
        assert err <= 4 * U * (abs(m) + ell)  # the documented bound
        worst_rel = max(worst_rel, float(err / abs(exact)) / U if exact != 0 else 0.0)
    assert worst_rel > 4  # the bound is needed: relative to the result, cancellation costs ulps


# --- labels: no wrapping into ignore_index, the value as the user passed it -----------------

def test_unsigned_and_huge_labels_do_not_wrap():
    s = np.zeros((2, 5))
    wraps = np.array([2**64 - 100, 1], dtype=np.uint64)  # int64 of it would be -100
    with pytest.raises(ValueError, match=r"got 18446744073709551516 at index 0"):
        xent.cross_entropy_with_logits(s, wraps)
    with pytest.raises(ValueError, match=r"got 9223372036854775807 at index 1"):
        xent.cross_entropy_with_logits(s, np.array([0, 2**63 - 1]))
    small = np.array([4, 1], dtype=np.uint8)
    assert xent.cross_entropy_with_logits(s, small) == xent.cross_entropy_with_logits(
        s, small.astype(np.int64))
    with pytest.raises(ValueError, match="ignore_index must fit in int64; got 18446744073709551615"):
        xent.cross_entropy_with_logits(s, np.array([1, 1], dtype=np.uint64),
                                       ignore_index=2**64 - 1)


# --- margin losses: features or weights of subnormal norm are refused -----------------------

MARGIN = [(xent.arcface_logits, xent.arcface_logits_grad), (xent.cosface_logits,
          xent.cosface_logits_grad), (xent.sphereface_logits, xent.sphereface_logits_grad),
          (xent.lsoftmax_logits, xent.lsoftmax_logits_grad),
          (xent.combined_margin_logits, xent.combined_margin_logits_grad)]


@pytest.mark.parametrize("logits, grad", MARGIN, ids=[f.__name__ for f, _ in MARGIN])
def test_margin_losses_refuse_subnormal_norms(rng, logits, grad):
    x, W, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), np.array([0, 1, 2])
    tiny_x = x.copy()
    tiny_x[1] = [1e-320, 0.0, 0.0, 0.0]
    tiny_w = W.copy()
    tiny_w[:, 2] = [0.0, 3e-310, 0.0, 1e-315]
    g = np.ones((3, 5))
    for a, b, name in ((tiny_x, W, r"x has a row of subnormal norm \(row 1"),
                       (x, tiny_w, r"W has a column of subnormal norm \(column 2")):
        with pytest.raises(ValueError, match=name):
            logits(a, b, y)
        with pytest.raises(ValueError, match=name):
            grad(a, b, y, g)
    assert np.all(np.isfinite(grad(x * 1e-300, W, y, g)[0]))  # a small normal norm is fine


def test_soft_margin_needs_no_norm_and_stays_finite(rng):
    # SM-Softmax does not normalise: x W is linear in x, subnormal rows are ordinary numbers
    x, W, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), np.array([0, 1, 2])
    x[1] = [1e-320, 0.0, 0.0, 0.0]
    z = xent.soft_margin_logits(x, W, y, m=1.5)
    gx, gw = xent.soft_margin_logits_grad(x, W, y, np.ones((3, 5)), m=1.5)
    assert np.all(np.isfinite(z)) and np.all(np.isfinite(gx)) and np.all(np.isfinite(gw))


# --- no RuntimeWarning on valid input; axis; ragged lists -----------------------------------

def test_binary_gradient_at_the_smallest_probability_is_quiet():
    g = xent.binary_cross_entropy_grad(np.array([5e-324, 0.5]), np.array([1.0, 1.0]),
                                       reduction="sum")
    assert g[0] == -np.inf and g[1] == -2.0  # -1 / 5e-324 is beyond the float range


@pytest.mark.parametrize("axis", [True, False, np.bool_(True), 1.0])
def test_axis_must_be_an_integer(axis):
    for f in (xent.softmax, xent.log_softmax, xent.logsumexp):
        with pytest.raises(TypeError, match="axis must be an integer"):
            f(np.zeros((2, 3)), axis=axis)


def test_ragged_lists_are_refused_by_name():
    with pytest.raises(ValueError, match="logits must be a rectangular array"):
        xent.cross_entropy_with_logits([[1.0, 2.0], [3.0]], [0, 0])
    with pytest.raises(ValueError, match="target must be a rectangular array"):
        xent.cross_entropy_with_logits([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [1.0]])
    with pytest.raises(ValueError, match="s must be a rectangular array"):
        xent.softmax([[1.0], [2.0, 3.0]])
    with pytest.raises(ValueError, match="p must be a rectangular array"):
        xent.binary_cross_entropy([[0.5], [0.5, 0.5]], [[1.0], [1.0, 0.0]])


# --- very negative logits beside a non-negative maximum: the unshifted path ----------------

def test_rows_with_a_non_negative_maximum_and_very_negative_logits(rng):
    # exp(s_j) of the unshifted path for s_j = -650 (normal), -720 (subnormal) and -inf
    # (masked): with m >= 0 every q_j <= exp(s_j), so those rows stay on that path
    # (_unshifted_rows) and keep the 4-ulp bound; a subnormal q_j is off by at most its
    # last place there, 2**-1074
    c = 9
    s = rng.normal(0.0, 3.0, (4, c))
    s[:, 0] = 5.0 + np.abs(s[:, 0])  # the maximum, >= 0
    s[:, 1], s[:, 2], s[:, 3] = -650.0, -720.0, -np.inf
    y = np.array([0, 4, 5, 6])
    assert xent._ce_blocks._unshifted_rows(s, s.max(axis=1)).all()
    low = s - (s.max(axis=1, keepdims=True) + 1.0)  # a negative maximum: the shifted path
    assert not xent._ce_blocks._unshifted_rows(low, low.max(axis=1)).any()
    loss, grad = xent.cross_entropy_with_logits_value_and_grad(s, y, reduction="none")
    for row, label, value, g in zip(s, y, loss, grad):
        assert ulp_error(value, ce_reference(row, label)) <= 4
        ref = grad_reference(row, label)
        assert worst_grad_ulp(g, ref) <= 4
        tiny = [abs(float(gv) - rv) for gv, rv in zip(g, ref) if abs(rv) <= 2.3e-308]
        assert tiny and max(tiny) <= 2.0 ** -1074
