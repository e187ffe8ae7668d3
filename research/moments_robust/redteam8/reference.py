"""The regression filter's quantities for one component at its filter's fit
(least squares over the tasks the final fit kept; the light-median step then
moves ŵ, and a small move along the decoys' direction, amplified by their
leverage, would swamp the gradients there):
λ₁ of the kept tasks' gradient covariance C, tr C/d, λ₁ of the per-example
moment M = mean r² x xᵀ and the direction it peaks in, the Marchenko–Pastur
edge, and C and M along the shift u, the decoys' v and the inflaters' z;
clean and attacked (the worst silent row by default).

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam8/reference.py
"""
import json
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary._craft import fixed_direction
from robust_mlr.adversary.median_attacks import decoy_direction
from robust_mlr.adversary.park_attacks import inflater_direction
from robust_mlr.adversary.redteam import strategy_attack

from run import build_problem

WORST = ('{"light1": ["none", {}], "heavy": ["anchor_edge", {"component": 6, "level": 1.2, '
         '"rss": 1.3, "pick": "own", "direction": "orthogonal"}], "light2": ["median_park", '
         '{"component": 6, "shift": 1.65, "decoys": 0.05, "decoy_level": 0.9, "noise": 0.2, '
         '"park": 0.0, "inflate": 0.1, "inflate_noise": 1.5}]}')


def stats(m, pools, theta, a):
    cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    ell = int(r[list(c).index(a)])
    sub = pools.light2.subset(np.flatnonzero(m.light_labels_ == ell))
    w = np.linalg.lstsq(sub.X, sub.y, rcond=None)[0]
    res = sub.X @ w - sub.y
    g = sub.task_sums(sub.X * res[:, None]) / np.sqrt(sub.sizes)[:, None]
    g -= g.mean(axis=0)
    n, d = g.shape
    C = g.T @ g / n
    M = (sub.X * (res ** 2)[:, None]).T @ sub.X / sub.X.shape[0]
    lc, vc = np.linalg.eigh(C)
    lm, vm = np.linalg.eigh(M)
    s2 = theta.s[a] ** 2
    dirs = {"u": fixed_direction(theta.W), "v": decoy_direction(theta.W),
            "z": inflater_direction(theta.W)}
    mp = (1 + 2 * np.sqrt(d / n)) ** 2
    out = {"kept": n, "lam_C": lc[-1] / s2, "trC_d": np.trace(C) / d / s2,
           "lam_M": lm[-1] / s2, "edge": mp * max(np.trace(C) / d, lm[-1]) / s2,
           "ratio": lc[-1] / (mp * max(np.trace(C) / d, lm[-1])),
           "C_top_dir": {k: abs(vc[:, -1] @ v) for k, v in dirs.items()},
           "M_top_dir": {k: abs(vm[:, -1] @ v) for k, v in dirs.items()},
           "C_along": {k: v @ C @ v / s2 for k, v in dirs.items()},
           "M_along": {k: v @ M @ v / s2 for k, v in dirs.items()}}
    return json.loads(json.dumps(out, default=float), parse_float=lambda x: round(float(x), 3))


def main():
    warnings.simplefilter("ignore")
    theta, pools = build_problem("smallheavy", "fixed", 1)
    clean = MetaLearner.robust(8, 0.05, rng=1, clustering="moments_robust").fit(pools)
    print("clean", json.dumps(stats(clean, pools, theta, 6)))
    strat = {p: tuple(v) for p, v in json.loads(WORST).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                        settings=attack_settings(clean, 0.05), rng=np.random.default_rng([1, 1]))
    m = MetaLearner.robust(8, 0.05, rng=1, clustering="moments_robust").fit(bad)
    print("worst", json.dumps(stats(m, bad, theta, 6)))


if __name__ == "__main__":
    main()
