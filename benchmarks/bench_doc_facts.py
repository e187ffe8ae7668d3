"""Small facts quoted in the docs, printed in seconds.

* condition numbers of the generator's covariate laws at d = 8
  (docs/data.md);
* the clean per-task statistic z of the default problem's light-1 pool
  (t = 2): median, 99th percentile and maximum of ‖z‖², unclipped
  (docs/robust_subspace.md, "Clipping"), and the same for the tasks of the
  ``subspace_spike`` attack at α = 0.05;
* the filter stage's bulk-edge ratio on the clean default light-1 pool,
  problem seeds 0–2 (docs/robust_subspace.md);
* the filter on light tasks of one example (which the stage refuses):
  ``mlr_filter`` on the clipped statistics of a clean pool of 20 000 tasks
  of t = 1, α = 0.05, against t = 2 (docs/robust_subspace.md);
* Meta-SP with the step (1 + √(k/t))⁻² on the default light-1 pool
  (d = 32, k = 4, t = 2): subspace error after 1 and 60 steps
  (docs/baselines.md);
* the size and build time of ``sos.SubsetIndex(40, 4)`` (docs/sos.md).

    OMP_NUM_THREADS=1 python3 benchmarks/bench_doc_facts.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from robust_mlr import make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import DEFAULT_PROBLEM, covariate_moment
from robust_mlr.stages.subspace import estimate_subspace, meta_sp, mlr_filter, task_statistics
from sos import SubsetIndex


def main():
    for law in ("correlated", "fourier", "polynomial"):
        print(f"condition number of Sigma_x, {law}, d = 8: "
              f"{np.linalg.cond(covariate_moment(law, 8)):.1f}")
    P = DEFAULT_PROBLEM
    for seed in range(3):
        theta = make_params(P["d"], P["k"], rng=seed)
        pools = make_pools(theta, P["n_light1"], P["t_light1"], 2, 2, 2, 2, rng=seed + 1)
        if seed == 0:
            z2 = np.sum(task_statistics(pools.light1, clip=None) ** 2, axis=1)
            print(f"clean ||z||^2 (t = 2, unclipped, seed 0): median {np.median(z2):.1f}, "
                  f"99th percentile {np.quantile(z2, 0.99):.1f}, max {z2.max():.1f}")
            bad = corrupt_pools(pools, "subspace_spike", 0.05, theta=theta, rng=0)
            zb = np.sum(task_statistics(bad.light1, clip=None) ** 2, axis=1)[bad.masks["light1"]]
            print(f"subspace_spike tasks (alpha = 0.05): ||z||^2 from {zb.min():.0f} to "
                  f"{zb.max():.0f}, median {np.median(zb):.0f}")
        res = estimate_subspace(pools.light1, P["k"], "filter", alpha=0.05, rng=seed)
        print(f"filter on the clean light-1 pool, seed {seed}: bulk ratio "
              f"{res.info['bulk_ratio']:.3f}, removed {int((~res.kept).sum())} tasks")
    for t in (1, 2):
        theta = make_params(P["d"], P["k"], rng=0)
        light = make_pools(theta, 20_000, t, 2, 2, 2, 2, rng=1).light1
        Z = task_statistics(light, clip=2.0)
        y = light.y
        c = 2.0 * 1.4826 * np.median(np.abs(y))
        q = light.task_sums(np.clip(y, -c, c)[:, None] ** 2)[:, 0] / light.sizes
        U, kept, info = mlr_filter(Z, q, P["k"], 0.05, rng=0)
        print(f"filter on clean tasks of t = {t}: removed {100 * np.mean(~kept):.1f} %, "
              f"subspace error {metrics.subspace_error(U, theta):.2f}")
    theta = make_params(P["d"], P["k"], rng=0)
    light = make_pools(theta, P["n_light1"], P["t_light1"], 2, 2, 2, 2, rng=1).light1
    gamma = (1 + np.sqrt(P["k"] / P["t_light1"])) ** -2
    errs = []
    for steps in (1, 60):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = meta_sp(light, P["k"], gamma=gamma, max_iter=steps, tol=0.0)
        errs.append(metrics.subspace_error(res.U, theta))
    print(f"Meta-SP, step (1 + sqrt(k/t))^-2 = {gamma:.3f}: subspace error {errs[0]:.2f} after "
          f"1 step, {errs[1]:.2f} after 60")
    t0 = time.perf_counter()
    idx = SubsetIndex(40, 4)
    print(f"SubsetIndex(40, 4): {len(idx)} subsets in {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
