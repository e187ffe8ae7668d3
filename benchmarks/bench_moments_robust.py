"""Moment estimators under the catalogue's clustering attacks.

Heavy pool only: n_H = 20 000 tasks of t_H = 4, d = 64, k = 8 (orthonormal
W, separation 1, s = 0.71), exact subspace, α = 0.05 of the heavy tasks
replaced by ``robust_mlr.adversary.corrupt_pools`` (targets = heavy). Printed:
max centre error max_a ‖Uμ̂_a − w_a‖ / s_a of ``moments`` and
``moments_robust`` (α = 0.05), mean over seeds, and its ratio to the same
method's clean value (target ≤ 2).
Run: ``OMP_NUM_THREADS=1 python3 benchmarks/bench_moments_robust.py [n_seeds]``.
"""

import sys
import warnings

import numpy as np

from robust_mlr import Pools, make_params, make_tasks
from robust_mlr.adversary import CentreShift, corrupt_pools
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import cluster_heavy

ATTACKS = [("clean", None), ("fake_cluster", "fake_cluster"),
           ("cluster_bridging", "cluster_bridging"), ("centre_shift", "centre_shift"),
           ("centre_shift in span", CentreShift(in_span=True)), ("sign_flip", "sign_flip"),
           ("heavy_tailed (Cauchy y)", "heavy_tailed"), ("random_labels", "random_labels")]


def _errors(seed, n=20_000, t=4, d=64, k=8, alpha=0.05):
    theta = make_params(d, k, rng=seed)
    U = np.linalg.qr(theta.W)[0]
    light = make_tasks(theta, 10, 2, rng=seed + 1)
    pools = Pools(light, make_tasks(theta, n, t, rng=seed + 2), light)
    out = {}
    for label, attack in ATTACKS:
        heavy = pools.heavy if attack is None else corrupt_pools(
            pools, attack, alpha, theta=theta, targets=["heavy"], rng=seed + 3).heavy
        for name in ("moments", "moments_robust"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    res = cluster_heavy(heavy, U, k, name, alpha=alpha, rng=seed + 4)
                    err = parameter_errors(res.info["centres"], res.info["noise"],
                                           res.info["weights"], theta)["w_err"]
                except ValueError:          # M2 not of rank k after the attack
                    err = np.inf
            out[label, name] = err
    return out


def main(n_seeds=3):
    runs = [_errors(seed) for seed in range(n_seeds)]
    print(f"n_H=20000, t_H=4, d=64, k=8, alpha=0.05, {n_seeds} seeds: mean max centre "
          f"error (ratio to clean)")
    clean = {m: np.mean([r["clean", m] for r in runs]) for m in ("moments", "moments_robust")}
    for label, _ in ATTACKS:
        cells = []
        for m in ("moments", "moments_robust"):
            e = np.mean([r[label, m] for r in runs])
            cells.append(f"{m}: {e:8.3f} ({e / clean[m]:6.2f}x)")
        print(f"{label:>24}  " + "   ".join(cells))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
