"""A ladder of leverage (filter_direct.py's construction, each corrupted
task on its own component's w) written into 5 % of light 2 of the quick
problem's shape (d 16, k 3; light-2 sizes 8 or U{2..64}); the robust
learner old vs new vs fixed. Prints the filter's rounds per component,
tasks removed, clean light-2 tasks set aside, W error, warnings, time."""
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, MetaLearner, Pools, make_params, make_pools, metrics


def ladder_pools(seed, t2, directions=6, levels=3, share=0.05, push=1.8):
    theta = make_params(16, 3, rng=seed)
    sizes = 8 if t2 == 8 else (lambda rng, n: rng.integers(2, 65, n))
    pools = make_pools(theta, 6000, 2, 150, 96, 4000, sizes, rng=seed + 1)
    ds = pools.light2
    r = np.random.default_rng(seed + 2)
    bad = np.flatnonzero(r.random(ds.n_tasks) < share)
    X, y = ds.X.copy(), ds.y.copy()
    V = np.linalg.qr(r.standard_normal((16, directions)))[0]
    comp = ds.components
    for j, i in enumerate(bad):                 # a loop over the corrupted tasks (a script)
        rows = slice(ds.offsets[i], ds.offsets[i + 1])
        v = V[:, j % directions]
        lever = 7.0 * 2.0 ** (-((j // directions) % levels) / 2)
        z = lever * r.choice([-1.0, 1.0], ds.sizes[i])
        X[rows] += (z - X[rows] @ v)[:, None] * v
        y[rows] = X[rows] @ theta.W[:, comp[i]] + push * theta.s[comp[i]] * np.sign(z)
    mask = np.zeros(ds.n_tasks, bool)
    mask[bad] = True
    return theta, Pools(pools.light1, pools.heavy, MetaDataset(X, y, ds.offsets, comp)), mask


if __name__ == "__main__":
    for t2 in (8, "mix"):
        for dirs, lev in ((6, 3), (12, 4)):
            for seed in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2):
                theta, pools, mask = ladder_pools(seed, t2, dirs, lev)
                t0 = time.perf_counter()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    model = MetaLearner.robust(3, 0.05, rng=seed + 3).fit(pools)
                el = time.perf_counter() - t0
                reg = model.diagnostics_["regression"]
                its = [c.get("iterations", 0) for c in reg.get("components", [])]
                removed = sum(c.get("removed", 0) for c in reg.get("components", []))
                fl = model.flagged_["light2"]
                err = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
                kinds = sorted({type(w.message).__name__ for w in caught})
                print(f"t2={t2!s:4s} ladder{dirs}x{lev} seed={seed} rounds={its} removed={removed:4d} "
                      f"clean_flagged={int((fl & ~mask).sum()):4d} bad_flagged={int((fl & mask).sum()):4d}/{mask.sum()} "
                      f"w_err={err:.4f} passed={reg.get('passed')} warn={kinds} t={el:.2f}s", flush=True)
