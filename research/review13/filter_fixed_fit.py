"""The task filter alone (``filter_regression``, one component, α = 0.05)
on clean and attacked task sets of several size laws and covariate laws,
to compare the code at two commits (run with PYTHONPATH at each). Prints,
per case, over seeds: clean tasks removed (mean, max), corrupted tasks
removed, rounds, share of fits whose test passed, ŵ error / s, ŝ²/s².

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/filter_fixed_fit.py [seeds]
"""
import sys

import numpy as np

from robust_mlr import Pools, make_params, make_tasks
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.regression import filter_regression

SIZES = {"t1": 1, "t2": 2, "t8": 8, "2|128": lambda r, n: r.choice([2, 128], n),
         "U2-64": lambda r, n: r.integers(2, 65, n)}
LAWS = ("gaussian", "student", "uniform", "polynomial")


def one(size, law, attack, seed, n=4000, d=16, alpha=0.05):
    theta = make_params(d, 1, rng=seed)
    ds = make_tasks(theta, n, SIZES[size], x_dist=law, rng=seed + 1)
    bad = np.zeros(ds.n_tasks, bool)
    if attack != "clean":
        pools = corrupt_pools(Pools(ds, ds, ds), attack, alpha, theta=theta,
                              targets=["light2"], rng=seed + 2)
        ds = pools.light2
        bad = pools.masks["light2"]
    with np.errstate(all="ignore"):
        w, s2, kept, info = filter_regression(ds, alpha, rng=seed + 3)
    return (int((~kept & ~bad).sum()), int((~kept & bad).sum()), int(bad.sum()),
            info["iterations"], info["passed"],
            np.linalg.norm(w - theta.W[:, 0]) / theta.s[0], s2 / theta.s[0] ** 2)


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    cases = [(s, law, "clean") for s in SIZES for law in LAWS]
    cases += [(s, "gaussian", a) for s in ("t2", "2|128", "U2-64")
              for a in ("gradient_aligned", "leverage", "centre_shift")]
    for size, law, attack in cases:
        R = [one(size, law, attack, seed) for seed in range(seeds)]
        cl, bd, nb, it, ok, err, s2 = map(np.array, zip(*R))
        print(f"{size:6s} {law:10s} {attack:16s} clean_removed {cl.mean():6.1f} (max {cl.max():3d}) "
              f"bad_removed {bd.mean():6.1f}/{nb.mean():.0f} rounds {it.mean():4.1f} "
              f"passed {ok.mean():.2f} w_err {err.mean():.4f} (max {err.max():.4f}) "
              f"s2 {s2.mean():.4f}", flush=True)


if __name__ == "__main__":
    main()
