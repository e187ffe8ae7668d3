"""Does drawing to the end at a fixed (biased) fit remove more clean tasks
than one draw per refit? Sizes bimodal (2 or 128): at a fit off by Δ a
clean task's gradient has mean √t_i·Δ, so the clean gradients spread along
Δ by Var(√t)·|Δ|², which the per-example moment does not hold. Corrupted
tasks (small or large) shift w by δ along u; compare old/new removed clean
tasks (split by size), W error, iterations."""
import sys
import time

import numpy as np

from robust_mlr import MetaDataset, make_params, make_tasks
from robust_mlr.stages.regression.robust import filter_regression


def case(seed, delta, bad_size, share=0.05, n=4000, d=16, big=128):
    theta = make_params(d, 1, rng=seed)
    r = np.random.default_rng(seed + 2)
    t = np.where(r.random(n) < 0.5, 2, big)
    ds = make_tasks(theta, n, t, rng=seed + 1)
    cand = np.flatnonzero(ds.sizes == bad_size) if bad_size else np.arange(n)
    bad = r.choice(cand, int(share * n), replace=False)
    u = r.standard_normal(d)
    u /= np.linalg.norm(u)
    rows = np.concatenate([np.arange(ds.offsets[i], ds.offsets[i + 1]) for i in bad])
    y = ds.y.copy()
    y[rows] += delta * theta.s[0] * (ds.X[rows] @ u) + r.standard_normal(rows.size) * 0.0
    return theta, MetaDataset(ds.X, y, ds.offsets), bad


def main():
    for bad_size in (2, 128, 0):
        for delta in (0.5, 1.0, 2.0, 4.0):
            for seed in range(3):
                theta, ds, bad = case(seed, delta, bad_size)
                isbad = np.zeros(ds.n_tasks, bool)
                isbad[bad] = True
                t0 = time.perf_counter()
                w, s2, kept, info = filter_regression(ds, 0.05, rng=seed)
                err = np.linalg.norm(w - theta.W[:, 0]) / theta.s[0]
                cr = ~kept & ~isbad
                print(f"bad_size={bad_size:3d} delta={delta} seed={seed} it={info['iterations']:3d} "
                      f"clean_removed={cr.sum():4d} (t=2: {(cr & (ds.sizes == 2)).sum():4d}) "
                      f"bad_removed={(~kept & isbad).sum():4d}/{isbad.sum()} err={err:.4f} "
                      f"passed={info['passed']} t={time.perf_counter() - t0:.2f}s", flush=True)


if __name__ == "__main__":
    main()
