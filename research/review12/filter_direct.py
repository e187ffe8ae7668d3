"""The task filter alone (one component), old vs new code: run with
PYTHONPATH pointing at each copy. Clean data of every covariate law (equal
and mixed task sizes) and ladders of leverage (the commit's own test
construction) with equal and mixed sizes; prints iterations, clean tasks
removed, corrupted tasks removed, the error ‖ŵ − w‖/s, passed, time."""
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, make_params, make_tasks
from robust_mlr.generator import LAWS
from robust_mlr.stages.regression.robust import filter_regression


def sizes(kind):
    return 8 if kind == "eq8" else (lambda rng, n: rng.integers(2, 65, n))


def ladder(n, t, d, share, directions, levels, rng, push=1.8, x_dist="gaussian"):
    theta = make_params(d, 1, rng=rng)
    ds = make_tasks(theta, n, t, rng=rng + 1, x_dist=x_dist)
    r = np.random.default_rng(rng + 2)
    bad = np.flatnonzero(r.random(n) < share)
    X, y = ds.X.copy(), ds.y.copy()
    V = np.linalg.qr(r.standard_normal((d, directions)))[0]
    for j, i in enumerate(bad):
        rows = slice(ds.offsets[i], ds.offsets[i + 1])
        v = V[:, j % directions]
        lever = 7.0 * 2.0 ** (-((j // directions) % levels) / 2)
        z = lever * r.choice([-1.0, 1.0], ds.sizes[i])
        X[rows] += (z - X[rows] @ v)[:, None] * v
        y[rows] = X[rows] @ theta.W[:, 0] + push * theta.s[0] * np.sign(z)
    return theta, MetaDataset(X, y, ds.offsets), bad


def shift(n, t, d, share, rng, delta=0.5, x_dist="gaussian"):
    """Corrupted tasks of w + δ·u (a plain coherent shift)."""
    theta = make_params(d, 1, rng=rng)
    ds = make_tasks(theta, n, t, rng=rng + 1, x_dist=x_dist)
    r = np.random.default_rng(rng + 2)
    bad = np.flatnonzero(r.random(n) < share)
    y = ds.y.copy()
    u = r.standard_normal(d)
    u /= np.linalg.norm(u)
    rows = np.concatenate([np.arange(ds.offsets[i], ds.offsets[i + 1]) for i in bad])
    y[rows] += delta * theta.s[0] * (ds.X[rows] @ u)
    return theta, MetaDataset(ds.X, y, ds.offsets), bad


def run(name, theta, ds, bad, seed):
    w0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w, s2, kept, info = filter_regression(ds, 0.05, rng=seed)
    el = time.perf_counter() - w0
    isbad = np.zeros(ds.n_tasks, bool)
    isbad[bad] = True
    err = np.linalg.norm(w - theta.W[:, 0]) / theta.s[0]
    print(f"{name:34s} seed={seed} it={info['iterations']:3d} clean_removed={int((~kept & ~isbad).sum()):4d} "
          f"bad_removed={int((~kept & isbad).sum()):4d}/{isbad.sum():4d} budget={info['budget']} "
          f"err={err:.4f} passed={info['passed']} warn={len(caught)} t={el:.2f}s", flush=True)


if __name__ == "__main__":
    part = sys.argv[1]
    n, d = 4000, 16
    if part == "clean":
        for law in LAWS:
            for kind in ("eq8", "mix2-64"):
                for seed in range(3):
                    theta = make_params(d, 1, rng=seed)
                    ds = make_tasks(theta, n, sizes(kind), rng=seed + 1, x_dist=law)
                    run(f"clean {law} {kind}", theta, ds, [], seed)
    elif part == "ladder":
        for kind in ("eq8", "mix2-64"):
            for law in ("gaussian", "student", "uniform"):
                for dirs, lev in ((6, 3), (12, 4), (2, 3)):
                    for seed in range(2):
                        theta, ds, bad = ladder(n, sizes(kind), d, 0.05, dirs, lev, seed, x_dist=law)
                        run(f"ladder{dirs}x{lev} {law} {kind}", theta, ds, bad, seed)
    elif part == "shift":
        for kind in ("eq8", "mix2-64"):
            for delta in (0.3, 1.0, 3.0):
                for seed in range(3):
                    theta, ds, bad = shift(n, sizes(kind), d, 0.05, seed, delta)
                    run(f"shift{delta} {kind}", theta, ds, bad, seed)
