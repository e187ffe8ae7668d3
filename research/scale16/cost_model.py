"""What the robust fit's passes over light2 cost at the numpy level (research
helper): each primitive a pass is made of, timed alone on the benchmark's
pool at 10⁶ tasks (8·10⁶ rows of d = 32, read in the fit's 4 MB task
blocks), and the sum of those a pass needs. The sum is a lower bound for
the current pass structure with every value computed as now (bit for bit):
it leaves out every per-row step but these.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/cost_model.py [n] [repeat]``
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr._segments import BlockSums, label_sort, task_blocks  # noqa: E402
from robust_mlr.stages._screen_rows import _norms_pass  # noqa: E402

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
pools = scale_pools(n)
L2 = pools.light2
X0, y0, off = L2.X, L2.y, L2.offsets
d, k, sx = X0.shape[1], 4, 1.0123
rng = np.random.default_rng(0)
labels = rng.integers(0, k, L2.n_tasks)
W = rng.standard_normal((d, k))
blocks = task_blocks(off, 8 * d)
n_max = max(int(off[e] - off[a]) for a, e in blocks)
buf, buf2 = np.empty(n_max * d), np.empty(n_max * d)


def best(fn):
    t = []
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        t.append(time.process_time() - c0)
    return min(t)


def each_block(step):
    def run():
        sums = BlockSums()
        for a, e in blocks:
            lo, hi = int(off[a]), int(off[e])
            X = np.divide(X0[lo:hi], sx, out=buf[:(hi - lo) * d].reshape(hi - lo, d))
            step(a, e, X, sums)
    return run


def order(a, e):
    tasks = label_sort(labels[a:e], k)
    t = int(off[a + 1] - off[a])
    return (tasks[:, None] * t + np.arange(t)).ravel(), np.searchsorted(
        labels[a:e][tasks], np.arange(k + 1)) * t


def take(a, e, X, sums):
    rows, _ = order(a, e)
    return np.take(X, rows, axis=0, out=buf2[:X.size].reshape(X.shape), mode="clip")


def grams(a, e, X, sums):
    Xs = take(a, e, X, sums)
    _, runs = order(a, e)
    for c in range(k):
        Xs[runs[c]:runs[c + 1]].T @ Xs[runs[c]:runs[c + 1]]


def gemv(a, e, X, sums):
    Xs = take(a, e, X, sums)
    _, runs = order(a, e)
    for c in range(k):
        Xs[runs[c]:runs[c + 1]] @ W[:, c]


def rss_sums(a, e, X, sums):
    R = X @ W
    R *= R
    sums(off[a:e + 1] - off[a], R)


def row_sums(a, e, X, sums):
    sums(off[a:e + 1] - off[a], X)


with threadpool_limits(limits=1, user_api="blas"):
    t = {"read X once (X.sum)": best(lambda: X0.sum()),
         "scaled read (X / sigma by blocks)": best(each_block(lambda *a: None))}
    base = t["scaled read (X / sigma by blocks)"]
    for name, step in (("X W (k columns)", lambda a, e, X, s: X @ W),
                       ("X W, squared, per-task sums", rss_sums),
                       ("label-order gather", take),
                       ("label-order gather + X^T X per label", grams),
                       ("label-order gather + X w per label", gemv),
                       ("per-task sums of d columns", row_sums)):
        t[name] = best(each_block(step)) - base
    t["screen's norms pass (light2 only)"] = best(lambda: _norms_pass(L2, sx))
    t["screen's norms pass (every pool)"] = best(
        lambda: [_norms_pass(p, sx) for p in (pools.light1, pools.heavy, L2)])
    g = t["label-order gather"]
    passes = {
        "classification at W~ + normal equations": base + t["X W, squared, per-task sums"]
        + t["label-order gather + X^T X per label"],
        "first round: residuals, gradients, moment": base + t["label-order gather + X w per label"]
        + (t["label-order gather + X^T X per label"] - g) + t["per-task sums of d columns"],
        "clipped refit step (each of 2)": base + t["X W (k columns)"],
        "noise levels at the anchored W": base + t["X W, squared, per-task sums"],
    }
print(f"light2: {X0.shape[0]} rows x {d}, {len(blocks)} blocks; best of {repeat} (CPU s); "
      f"load average {os.getloadavg()[0]:.1f}")
for name, v in t.items():
    print(f"  {name:<45s} {v:6.3f}")
total = 0.0
for name, v in passes.items():
    mult = 2 if "each of 2" in name else 1
    total += mult * v
    print(f"  pass: {name:<45s} {v:6.3f}" + (" (x2)" if mult > 1 else ""))
print(f"  five passes over light2, primitives only: {total:.3f} s")
