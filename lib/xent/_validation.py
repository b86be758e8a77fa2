"""Input checks shared by every public function of :mod:`xent`.

Each helper takes the *name* of the argument as the caller spells it, so that
an error says which argument is wrong and how: ``ValueError`` for a bad value
or shape, ``TypeError`` for a bad type. All checks run before any arithmetic.
The helpers return float64 (or int64) arrays made with :func:`numpy.asarray`:
no copy when the input already has that dtype, so callers must never write
into what they return (the library never modifies its inputs).

Helpers
-------
check_reduction(reduction)                       -> "mean" | "sum" | "none"
check_array(name, x, ndim=None, min_ndim=0, neg_inf=False, pos_inf=False,
            finite_rows=False)
check_probabilities(name, p, ndim=None, min_ndim=1)   entries in [0, 1]
check_same_shape(name_a, a, name_b, b)
check_labels(name, target, n_samples, n_classes, ignore_index=None)
check_distributions(name, target, shape)         rows in [0, 1] summing to 1
check_class_target(name, target, shape, ignore_index=None) -> (kind, array)
check_class_weight(name, weight, n_classes)      None or (C,) array >= 0
check_broadcast_weight(name, weight, shape, of)  None or array >= 0
check_label_smoothing(value), check_ignore_index(value), check_positive(name, v)
as_array(name, x)                                np.asarray, ragged lists refused
"""

import numbers

import numpy as np

__all__ = ["REDUCTIONS", "ROW_SUM_TOL", "as_array", "check_reduction", "check_array",
           "check_probabilities", "check_same_shape", "check_labels",
           "check_distributions", "check_features", "check_class_target", "check_class_weight",
           "check_broadcast_weight", "check_label_smoothing", "check_ignore_index",
           "check_positive"]

#: The accepted values of every ``reduction`` argument.
REDUCTIONS = ("mean", "sum", "none")
#: How far from 1 a row of a probability target may sum.
ROW_SUM_TOL = 1e-6


def check_reduction(reduction):
    """Return *reduction* if it is ``"mean"``, ``"sum"`` or ``"none"``."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'mean', 'sum', 'none'; got {reduction!r}")
    return reduction


def as_array(name, x):
    """``np.asarray(x)``, refusing ragged nested lists with an error that names *name*."""
    try:
        return np.asarray(x)
    except ValueError as exc:  # NumPy: "setting an array element with a sequence ..."
        raise ValueError(f"{name} must be a rectangular array; got a ragged nested sequence "
                         f"(rows of different lengths)") from exc


def check_array(name, x, ndim=None, min_ndim=0, neg_inf=False, pos_inf=False,
                finite_rows=False, values=True):
    """Return *x* as a float64 array after checking type, shape and values.

    Booleans and integers are accepted and converted; complex, text and
    object arrays are refused (``TypeError``). ``ndim`` asks for an exact
    number of axes, ``min_ndim`` for at least that many; arrays with an empty
    axis are refused. NaN is always refused; ``-inf`` / ``+inf`` only if
    ``neg_inf`` / ``pos_inf`` is true. ``values=False`` skips the pass over
    the values: for a caller that finds NaN and inf in a pass of its own and
    then calls again with ``values=True`` for the error.
    """
    arr = as_array(name, x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    arr = np.asarray(arr, dtype=np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s); "
                         f"got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a batch needs at least one sample")
    if not values:
        return arr
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()  # one cheap pass: NaN and inf propagate into the sum
    if not np.isfinite(total):  # (or finite entries overflowed it: look closer)
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN")
        if not neg_inf and (arr == -np.inf).any():
            raise ValueError(f"{name} contains -inf; it must be finite")
        if not pos_inf and (arr == np.inf).any():
            raise ValueError(f"{name} contains +inf; it must be finite"
                             + (" (only -inf, a masked class, is allowed)" if neg_inf else ""))
        if finite_rows and not np.isfinite(arr).any(axis=-1).all():
            raise ValueError(f"{name}: every row needs a finite entry "
                             "(a row of -inf has no softmax)")
    return arr


def check_probabilities(name, p, ndim=None, min_ndim=1):
    """Return *p* as float64 after checking that every entry is in [0, 1]."""
    arr = check_array(name, p, ndim=ndim, min_ndim=min_ndim, neg_inf=True, pos_inf=True)
    if (arr < 0).any() or (arr > 1).any():
        raise ValueError(f"{name} must contain probabilities in [0, 1]; "
                         f"got values in [{arr.min():g}, {arr.max():g}]")
    return arr


def check_same_shape(name_a, a, name_b, b):
    """Refuse arrays *a* and *b* of different shapes."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_b} must have the shape of {name_a}, {np.shape(a)}; "
                         f"got {np.shape(b)}")


def check_labels(name, target, n_samples, n_classes, ignore_index=None):
    """Return integer class labels of shape ``(n_samples,)`` in ``[0, n_classes)``.

    A label equal to *ignore_index* (if given) is also accepted.
    """
    arr = as_array(name, target)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} holds class labels and must have an integer dtype; "
                        f"got dtype {arr.dtype}")
    if arr.shape != (n_samples,):
        raise ValueError(f"{name} must have shape ({n_samples},), one label per sample; "
                         f"got {arr.shape}")
    # compared in the labels' own dtype (NumPy compares with Python ints exactly), so that no
    # unsigned or 64-bit label wraps into ignore_index or into range on the way to int64
    bad = (arr < 0) | (arr >= n_classes)
    if ignore_index is not None:
        bad &= arr != ignore_index
    if bad.any():
        raise ValueError(f"{name} must hold class labels in [0, {n_classes - 1}]; "
                         f"got {int(arr[bad][0])} at index {np.flatnonzero(bad)[0]}")
    return arr.astype(np.int64, copy=False)


def check_features(x, W, target, classes="C"):
    """Return ``x (N, d)``, ``W (d, classes)`` and labels ``target (N,)`` of a linear layer."""
    x = check_array("x", x, ndim=2)
    W = check_array("W", W, ndim=2)
    if W.shape[0] != x.shape[1]:
        raise ValueError(f"W must have shape (d, {classes}) with d = x.shape[1] = {x.shape[1]}; "
                         f"got {W.shape}")
    return x, W, check_labels("target", target, x.shape[0], W.shape[1])


def check_distributions(name, target, shape):
    """Return a probability target of *shape*: entries in [0, 1], rows summing to 1."""
    arr = check_probabilities(name, target, ndim=len(shape))
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {arr.shape}")
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ROW_SUM_TOL
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}: each row must sum to 1 (a probability distribution); "
                         f"row {i} sums to {float(sums[i])!r}")
    return arr


def check_class_target(name, target, shape, ignore_index=None):
    """Classify a multiclass target: ``("index", labels)`` or ``("prob", rows)``.

    A 1-D target holds integer labels; a 2-D target of *shape* ``(N, C)``
    holds one probability distribution per sample.
    """
    n, c = shape
    nd = np.ndim(as_array(name, target))
    if nd == 1:
        return "index", check_labels(name, target, n, c, ignore_index)
    if nd == 2:
        return "prob", check_distributions(name, target, shape)
    raise ValueError(f"{name} must be labels of shape ({n},) or probabilities of shape "
                     f"({n}, {c}); got shape {np.shape(target)}")


def check_class_weight(name, weight, n_classes):
    """Return None or a float64 array of *n_classes* non-negative class weights."""
    if weight is None:
        return None
    arr = check_array(name, weight, ndim=1)
    if arr.shape != (n_classes,):
        raise ValueError(f"{name} must have one entry per class, shape ({n_classes},); "
                         f"got {arr.shape}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative; got {arr.min():g}")
    return arr


def check_broadcast_weight(name, weight, shape, of):
    """Return None or a non-negative float64 array that broadcasts to *shape*."""
    if weight is None:
        return None
    arr = check_array(name, weight)
    try:
        ok = np.broadcast_shapes(arr.shape, tuple(shape)) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name} of shape {arr.shape} does not broadcast to the shape "
                         f"{tuple(shape)} of {of}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative; got {arr.min():g}")
    return arr


def check_label_smoothing(value):
    """Return *value* as a float in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"label_smoothing must be a real number; got {type(value).__name__}")
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"label_smoothing must be in [0, 1]; got {value!r}")
    return float(value)


def check_ignore_index(value):
    """Return *value* as a Python int within int64 (the dtype labels are computed in)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"ignore_index must be an integer; got {type(value).__name__}")
    if not -2**63 <= int(value) < 2**63:
        raise ValueError(f"ignore_index must fit in int64; got {int(value)}")
    return int(value)


def check_positive(name, value):
    """Return *value* as a positive finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite; got {value!r}")
    return float(value)
