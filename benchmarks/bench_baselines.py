"""Per-iteration cost of the iterative baselines against floors measured in
the same process.

Problem: d = 32, k = 4, n = 20 000 light tasks of t = 2 (N = 40 000).
Floors: one pass over the data (the BLAS product X @ V, V of k columns) and
one ``MetaDataset.task_sums`` (``np.add.reduceat``) of an N × d array — the
reduction every Meta-SP / AMHT-LRS / EM iteration needs once. The baselines
reduce through a sparse task-indicator product instead; the ratio column
shows each iteration's cost in units of that reduceat.
Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_baselines.py``.
"""

import warnings

import numpy as np
from bench_pipeline import best_of       # same folder: run as a script


def main():
    from robust_mlr import make_params, make_pools, make_tasks
    from robust_mlr.baselines import EMLearner
    from robust_mlr.stages.subspace import amht_lrs, meta_sp

    theta = make_params(32, 4, rng=0)
    data = make_tasks(theta, 20_000, 2, rng=1)
    data8 = make_tasks(theta, 5_000, 8, rng=1)
    V = np.linalg.qr(np.random.default_rng(0).standard_normal((32, 4)))[0]
    blas = best_of(lambda: data.X @ V, 5)
    reduceat = best_of(lambda: data.task_sums(data.X), 5)
    print(f"floors (N = {data.n_examples}, d = 32): X @ V {blas * 1e3:.2f} ms, "
          f"task_sums (reduceat) of N x d {reduceat * 1e3:.2f} ms")
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn, iters in (
                ("meta_sp t=2", lambda: meta_sp(data, 4, max_iter=20, tol=0.0), 20),
                ("amht_lrs t=8", lambda: amht_lrs(data8, 4, max_iter=10, tol=0.0), 10)):
            rows.append((name, best_of(fn, 3) / iters))
        pools = make_pools(theta, 20_000, 2, 10, 8, 10, 2, rng=2)
        em = EMLearner(4, n_init=1, max_iter=20, tol=0.0, pools=("light1",), rng=0)
        rows.append(("em t=2 (incl. init)", best_of(lambda: em.fit(pools), 3) / 20))
    for name, sec in rows:
        print(f"{name:22s} {sec * 1e3:8.2f} ms / iteration = {sec / reduceat:5.2f} x reduceat"
              f" = {sec / blas:6.1f} x X @ V")


if __name__ == "__main__":
    main()
