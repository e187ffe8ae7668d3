"""End to end at small heavy tasks, on a generator written here from scratch
(not ``make_pools``, with which the methods were tuned).

k = 8 components, d = 64, s = 0.5, W with orthonormal columns, p uniform,
x ~ N(0, I); pools light1 6·10⁴ × 2, heavy 2·10⁴ × 4, light2 4·10⁴ × 8.
Prints max_a ‖ŵ_a − w_a‖ / s after matching, for the default learner
(``MetaLearner(k)``: its clustering picks likelihood EM at t_H = 4) and the
robust one, per seed, and the fit time.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_small_tH.py [--seeds 5] [--robust]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from robust_mlr import MetaDataset, MetaLearner, Pools, metrics


def independent_pools(seed, k=8, d=64, s=0.5, sizes=((60_000, 2), (20_000, 4), (40_000, 8))):
    """Pools drawn directly with numpy: W = Q of a Gaussian d × k matrix (so
    ‖w_a‖ = 1), equal noise s, uniform component of every task."""
    rng = np.random.default_rng([seed, 2024])
    W = np.linalg.qr(rng.standard_normal((d, k)))[0]
    pools = []
    for n, t in sizes:
        z = rng.integers(k, size=n)
        X = rng.standard_normal((n * t, d))
        y = np.einsum("ij,ij->i", X, W[:, np.repeat(z, t)].T) + s * rng.standard_normal(n * t)
        pools.append(MetaDataset(X, y, np.arange(n + 1) * t, components=z))
    return W, np.full(k, s), np.full(k, 1 / k), Pools(*pools)


def error(model, W, s):
    """max_a ‖ŵ_a − w_a‖ / s_a after the best matching."""
    perm = metrics.match_components(model.W_, W)
    return float(np.max(np.linalg.norm(model.W_[:, perm] - W, axis=0) / s))


def run(seeds=5, robust=False):
    """Returns ``[(seed, error, seconds)]`` and prints them."""
    rows = []
    for seed in range(seeds):
        W, s, p, pools = independent_pools(seed)
        learner = MetaLearner.robust(8, 0.05, rng=seed) if robust else MetaLearner(8, rng=seed)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = learner.fit(pools)
        rows.append((seed, error(model, W, s), time.perf_counter() - t0))
        print(f"seed {seed}: max ||w_hat - w|| / s = {rows[-1][1]:.3f}   fit {rows[-1][2]:.1f} s"
              f"   clustering {model.diagnostics_['clustering']['by_size']['stage']}", flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--robust", action="store_true")
    a = ap.parse_args()
    run(a.seeds, a.robust)
