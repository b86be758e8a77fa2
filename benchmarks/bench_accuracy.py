"""Print the worst error, in ulp, of xent, a naive NumPy formulation and SciPy's.

Against a 50-digit mpmath reference, over the adversarial inputs of
tests/accuracy_reference.py (tiny and huge losses, ties, masked classes, soft
and smoothed targets, weights, logits from 1e-300 to 1e300), per sample
(reduction="none") for the two losses and per entry for log_softmax.
Exact values below the smallest normal float64 (2.2e-308) are left out (see
tests/test_accuracy.py). Run: python benchmarks/bench_accuracy.py
"""

import pathlib
import sys
import time

import numpy as np
import scipy
import scipy.special as sps

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
from accuracy_reference import (bce_cases, bce_reference, ce_cases, ce_reference,  # noqa: E402
                                log_softmax_cases, log_softmax_reference, ulp_error)

import xent  # noqa: E402

TINY = np.finfo(np.float64).smallest_normal


def coefficients(target, weight, eps, c):
    """a_nj = w_j ((1 - eps) t_nj + eps / C): the loss is -sum_j a_nj log q_nj."""
    t = np.eye(c)[target] if target.ndim == 1 else target
    return ((1 - eps) * t + eps / c) * (1.0 if weight is None else weight)


def ce_naive(s, target, weight, eps):
    """Softmax, then log, then the weighted sum: the textbook composition."""
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    a = coefficients(target, weight, eps, s.shape[1])
    return -(a * np.log(p)).sum(axis=1)


def ce_scipy(s, target, weight, eps):
    a = coefficients(target, weight, eps, s.shape[1])
    return -(a * sps.log_softmax(s, axis=1)).sum(axis=1)


def bce_naive(s, y, w, pw):
    p = 1.0 / (1.0 + np.exp(-s))
    return (1.0 if w is None else w) * -((1.0 if pw is None else pw) * y * np.log(p)
                                         + (1 - y) * np.log(1 - p))


def bce_scipy(s, y, w, pw):
    return (1.0 if w is None else w) * -((1.0 if pw is None else pw) * y * sps.log_expit(s)
                                         + (1 - y) * sps.log_expit(-s))


def lsm_naive(s):
    m = s.max(axis=1, keepdims=True)
    return s - m - np.log(np.exp(s - m).sum(axis=1, keepdims=True))


def worst(results, exact):
    """Worst ulp error of each implementation, and how many values exceed 4 ulp."""
    out = {}
    for name, values in results.items():
        errs = [ulp_error(v, e) for v, e in zip(values, exact) if abs(e) >= TINY]
        errs = np.nan_to_num(np.array(errs), nan=np.inf, posinf=np.inf)
        out[name] = (errs.max(), int((errs > 4).sum()), len(errs))
    return out


def main():
    rng = np.random.default_rng(2024)
    start = time.perf_counter()
    rows = {}
    with np.errstate(all="ignore"):
        res, ex = {"xent": [], "naive NumPy": [], "SciPy": []}, []
        one_by_one = []
        cases = ce_cases(rng) + ce_cases(rng, sizes=(1000,), n_random=2)
        for s, target, weight, eps in cases:
            res["xent"] += list(xent.cross_entropy_with_logits(s, target, weight,
                                                               label_smoothing=eps,
                                                               reduction="none"))
            # one row at a time, each row takes its own path: for labels and logits
            # within +-600, the unshifted one (a batch with a row of 1e300 does not)
            one_by_one += [xent.cross_entropy_with_logits(s[i:i + 1], target[i:i + 1], weight,
                                                          label_smoothing=eps,
                                                          reduction="none")[0]
                           for i in range(len(s))]
            res["naive NumPy"] += list(ce_naive(s, target, weight, eps))
            res["SciPy"] += list(ce_scipy(s, target, weight, eps))
            ex += [ce_reference(s[i], target[i], weight, eps) for i in range(len(s))]
        rows["cross_entropy_with_logits"] = worst(res, ex)
        rows["  the same, one row per call"] = worst({**res, "xent": one_by_one}, ex)

        res, ex = {"xent": [], "naive NumPy": [], "SciPy": []}, []
        for s, y, w, pw in bce_cases(rng):
            res["xent"] += list(xent.binary_cross_entropy_with_logits(s, y, w, pw,
                                                                      reduction="none"))
            res["naive NumPy"] += list(bce_naive(s, y, w, pw))
            res["SciPy"] += list(bce_scipy(s, y, w, pw))
            ex += [bce_reference(s[i], y[i], 1.0 if w is None else w[i],
                                 1.0 if pw is None else pw[i]) for i in range(len(s))]
        rows["binary_cross_entropy_with_logits"] = worst(res, ex)

        res, ex = {"xent": [], "naive NumPy": [], "SciPy": []}, []
        for s in log_softmax_cases(rng):
            res["xent"] += list(xent.log_softmax(s).ravel())
            res["naive NumPy"] += list(lsm_naive(s).ravel())
            res["SciPy"] += list(sps.log_softmax(s, axis=1).ravel())
            ex += [v for i in range(len(s)) for v in log_softmax_reference(s[i])]
        rows["log_softmax (each entry)"] = worst(res, ex)

    print("Worst error in ulp against a 50-digit mpmath reference "
          "(in brackets: values off by more than 4 ulp / values checked)")
    print(f"{'function':34s} {'xent':>22s} {'naive NumPy':>22s} {'SciPy':>22s}")
    for name, r in rows.items():
        cells = [f"{r[k][0]:.3g} [{r[k][1]}/{r[k][2]}]" for k in ("xent", "naive NumPy", "SciPy")]
        print(f"{name:34s} " + " ".join(f"{c:>22s}" for c in cells))
    print(f"({time.perf_counter() - start:.0f} s; numpy {np.__version__}, scipy {scipy.__version__}; "
          "inf: a finite value lost to overflow, underflow or NaN)")


if __name__ == "__main__":
    main()
