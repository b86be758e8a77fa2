"""Time cross_entropy_with_logits_value_and_grad beside the naive and SciPy compositions.

A 4096 x 1000 float64 batch of logits with integer labels, mean reduction:
the loss and its gradient with respect to the logits, for two batches: an
untrained model's logits with random labels (the issue's benchmark), and a
confident model's, whose tiny losses send every row through xent's exact sum
(see lib/xent/_ce_blocks.py and _kernels.py), so that its cost is on record
too. The implementations are first checked to agree, then timed in interleaved rounds (each round runs every
implementation once, in turn, so that a slow moment of the machine hits all of
them), and the ratios are computed from the medians of this one run. The target
of issue 3 is xent at least 1.5 times faster than the naive composition.
Run: python benchmarks/bench_speed.py [rounds]
"""

import sys
import time

import numpy as np
import scipy
import scipy.special as sps

import xent

N, C = 4096, 1000


def naive(s, y):
    """Softmax, then log, then indexing, then the gradient, as a textbook writes them."""
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    loss = -np.log(p)[np.arange(len(y)), y].mean()
    grad = (p - np.eye(s.shape[1])[y]) / len(y)
    return loss, grad


def with_scipy(s, y):
    """SciPy's log_softmax, then indexing, then the gradient exp(log_softmax) - one-hot."""
    lsm = sps.log_softmax(s, axis=1)
    loss = -lsm[np.arange(len(y)), y].mean()
    grad = np.exp(lsm)
    grad[np.arange(len(y)), y] -= 1.0
    grad /= len(y)
    return loss, grad


def one_exp(s, out):
    """The floor: one pass of exp over the logits, into a preallocated array."""
    return np.exp(s, out=out)


def batches():
    """Untrained logits with random labels, and a confident, mostly right model's logits."""
    rng = np.random.default_rng(0)
    s = rng.normal(0.0, 3.0, (N, C))
    y = rng.integers(0, C, N)
    confident = s.copy()
    confident[np.arange(N), y] += 15.0  # the right class ahead: tiny losses, the exact path
    return {"random labels": (s, y), "confident model": (confident, y)}


def run(title, s, y, rounds):
    out = np.empty_like(s)
    ref_loss, ref_grad = xent.cross_entropy_with_logits_value_and_grad(s, y)
    for f in (naive, with_scipy):
        loss, grad = f(s, y)
        assert abs(loss - ref_loss) <= 1e-12 * ref_loss
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-18)
    impls = {"xent value_and_grad": lambda: xent.cross_entropy_with_logits_value_and_grad(s, y),
             "naive NumPy composition": lambda: naive(s, y),
             "SciPy log_softmax composition": lambda: with_scipy(s, y),
             "one np.exp pass (floor)": lambda: one_exp(s, out)}
    times = {k: [] for k in impls}
    for f in impls.values():  # warm up: page faults, caches
        f()
    for _ in range(rounds):
        for name, f in impls.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    med = {k: float(np.median(v)) * 1e3 for k, v in times.items()}
    best = {k: float(np.min(v)) * 1e3 for k, v in times.items()}
    base = med["xent value_and_grad"]
    print(f"\n{title}:")
    print(f"{'implementation':32s} {'median ms':>10s} {'best ms':>9s} {'median / xent':>14s}")
    for k in impls:
        print(f"{k:32s} {med[k]:10.1f} {best[k]:9.1f} {med[k] / base:14.2f}")
    print(f"xent is {med['naive NumPy composition'] / base:.2f}x faster than the naive composition "
          f"(best times: {best['naive NumPy composition'] / best['xent value_and_grad']:.2f}x) "
          f"and {med['SciPy log_softmax composition'] / base:.2f}x faster than SciPy's; it costs "
          f"{base / med['one np.exp pass (floor)']:.2f} passes of exp.")


def main(rounds=15):
    print(f"Cross entropy with logits, loss and gradient: {N} x {C} float64, mean reduction, "
          f"{rounds} interleaved rounds (numpy {np.__version__}, scipy {scipy.__version__}); "
          "target: xent >= 1.5x faster than the naive composition")
    for title, (s, y) in batches().items():
        run(title, s, y, rounds)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
