"""Peak memory and wall time of xent.chunked_cross_entropy against the unchunked computation.

    python benchmarks/bench_chunked.py                      # the sweep of the issue (about 10 min)
    python benchmarks/bench_chunked.py --quick              # a small sweep (seconds)
    python benchmarks/bench_chunked.py --chunk-sweep 100000 # time and memory per chunk size
    python benchmarks/bench_chunked.py --json results.json  # also write the figures as JSON

Both versions compute the mean cross entropy of the logits ``x @ W`` (float64, the
library's dtype) and its gradients with respect to ``x`` and ``W``:

* unchunked: ``S = x @ W``; ``loss, G = cross_entropy_with_logits_value_and_grad(S, y)``;
  ``grad_x = G @ W.T``; ``grad_W = x.T @ G`` (two N x V arrays: S and G);
* chunked: ``chunked_cross_entropy(x, W, y, chunk_size)``.

Memory is the peak resident set size (RSS) of a fresh process, one per
configuration, measured around one call: the kernel's high-water mark is reset
(``/proc/self/clear_refs``) once the inputs exist, so "peak extra" is everything
the call adds, BLAS buffers and all, including its outputs (grad_W alone is
d x V). "working" subtracts the outputs' size. tracemalloc's peak (NumPy reports
its allocations to it) is shown beside it as a cross-check.

Time is the best of --repeats calls in another fresh process, calling the two
versions alternately so that a busy machine slows both alike. The benchmark is
not part of the test suite: its figures depend on the machine.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc

import numpy as np

SWEEP = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]
QUICK = [1_000, 5_000, 20_000]
MB = 1e6


def _inputs(n, d, v, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    w = rng.standard_normal((d, v)) / np.sqrt(d)
    y = rng.integers(0, v, n)
    return x, w, y


def _unchunked(x, w, y, chunk_size=None):
    from xent import cross_entropy_with_logits_value_and_grad

    loss, g = cross_entropy_with_logits_value_and_grad(x @ w, y)
    return loss, g @ w.T, x.T @ g


def _chunked(x, w, y, chunk_size):
    from xent import chunked_cross_entropy

    return chunked_cross_entropy(x, w, y, chunk_size=chunk_size)


METHODS = {"unchunked": _unchunked, "chunked": _chunked}


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def child_memory(method, n, d, v, chunk_size):
    """Peak RSS and traced peak of one call, in a process that did nothing else."""
    x, w, y = _inputs(n, d, v)
    f = METHODS[method]
    f(x[:2], w[:, :3], y[:2] % 3, chunk_size)  # load modules and BLAS before measuring
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the high-water mark VmHWM to the current RSS
    before = _status("VmRSS")
    out = f(x, w, y, chunk_size)
    rss_peak = _status("VmHWM") - before
    outputs = sum(a.nbytes for a in out[1:])
    del out
    tracemalloc.start()
    f(x, w, y, chunk_size)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rss_peak": rss_peak, "traced_peak": traced, "outputs": outputs}


def child_time(n, d, v, chunk_size, repeats):
    """Best wall time of each version, called alternately; and their agreement."""
    x, w, y = _inputs(n, d, v)
    best = {m: float("inf") for m in METHODS}
    results = {}
    for _ in range(repeats):
        for m, f in METHODS.items():
            t0 = time.perf_counter()
            results[m] = f(x, w, y, chunk_size)
            best[m] = min(best[m], time.perf_counter() - t0)
    (lu, gxu, gwu), (lc, gxc, gwc) = results["unchunked"], results["chunked"]
    rel = max(abs(lc - lu) / abs(lu), np.abs(gxc - gxu).max() / np.abs(gxu).max(),
              np.abs(gwc - gwu).max() / np.abs(gwu).max())
    return {"time_unchunked": best["unchunked"], "time_chunked": best["chunked"],
            "max_rel_diff": float(rel)}


def _run_child(*args):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", json.dumps(args)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(n, d, v, chunk_size, repeats):
    row = {"N": n, "d": d, "V": v, "chunk_size": chunk_size}
    for m in METHODS:
        mem = _run_child("memory", m, n, d, v, chunk_size)
        row.update({f"{k}_{m}": val for k, val in mem.items()})
    row.update(_run_child("time", n, d, v, chunk_size, repeats))
    return row


def _print_rows(rows):
    head = (f"{'V':>8} {'chunk':>6} | {'peak extra MB':>24} | {'working MB':>19} | "
            f"{'traced MB':>19} | {'time s':>17} | {'ratio':>5} | {'rel diff':>8}")
    print(head)
    print(f"{'':>15} | {'unchunked':>11} {'chunked':>12} | {'unchunked':>9} {'chunked':>9} | "
          f"{'unchunked':>9} {'chunked':>9} | {'unchunked':>8} {'chunked':>8} | {'':>5} |")
    for r in rows:
        work = {m: (r[f"rss_peak_{m}"] - r[f"outputs_{m}"]) / MB for m in METHODS}
        r["time_ratio"] = r["time_chunked"] / r["time_unchunked"]
        r["memory_ratio"] = r["rss_peak_unchunked"] / r["rss_peak_chunked"]
        print(f"{r['V']:>8} {r['chunk_size']:>6} | {r['rss_peak_unchunked'] / MB:>11.1f} "
              f"{r['rss_peak_chunked'] / MB:>12.1f} | {work['unchunked']:>9.1f} {work['chunked']:>9.1f} | "
              f"{r['traced_peak_unchunked'] / MB:>9.1f} {r['traced_peak_chunked'] / MB:>9.1f} | "
              f"{r['time_unchunked']:>8.3f} {r['time_chunked']:>8.3f} | {r['time_ratio']:>5.2f} | "
              f"{r['max_rel_diff']:>8.1e}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--N", type=int, default=2048)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--V", type=int, nargs="+", default=None, help="classes (default: the sweep)")
    p.add_argument("--chunk-size", type=int, default=None, help="default: the library's")
    p.add_argument("--chunk-sweep", type=int, metavar="V", default=None,
                   help="instead of a sweep of V, try chunk sizes 512..32768 at this V")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true", help=f"V in {QUICK}, N = 512")
    p.add_argument("--json", metavar="PATH", help="write the figures to PATH")
    p.add_argument("--child", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        kind, *args = json.loads(a.child)
        print(json.dumps((child_memory if kind == "memory" else child_time)(*args)))
        return
    from xent import DEFAULT_CHUNK_SIZE

    chunk = a.chunk_size or DEFAULT_CHUNK_SIZE
    n = 512 if a.quick and a.N == 2048 else a.N
    if a.chunk_sweep:
        configs = [(a.chunk_sweep, c) for c in (512, 1024, 2048, 4096, 8192, 16384, 32768)]
    else:
        configs = [(v, chunk) for v in (a.V or (QUICK if a.quick else SWEEP))]
    print(f"float64, N = {n}, d = {a.d}, best of {a.repeats}; NumPy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    rows = []
    for v, c in configs:
        rows.append(measure(n, a.d, v, c, a.repeats))
        print(f"  measured V = {v}, chunk_size = {c}", file=sys.stderr, flush=True)
    _print_rows(rows)
    if not a.chunk_sweep:
        big = rows[-1]
        work = [(r["rss_peak_chunked"] - r["outputs_chunked"]) / MB for r in rows if r["V"] >= chunk]
        print(f"\nchunked working memory for V >= chunk_size: {min(work, default=0):.1f} to "
              f"{max(work, default=0):.1f} MB (target: independent of V)")
        print(f"at V = {big['V']}: unchunked / chunked peak extra memory = {big['memory_ratio']:.1f}x "
              "(target >= 10x)")
        print(f"time ratio chunked / unchunked: {min(r['time_ratio'] for r in rows):.2f} to "
              f"{max(r['time_ratio'] for r in rows):.2f} (target <= 1.3)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"command": " ".join(sys.argv), "numpy": np.__version__, "rows": rows}, f,
                      indent=1)


if __name__ == "__main__":
    main()
