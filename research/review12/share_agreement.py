"""How far the share's trimmed Σ̂ (the start of the last round) is from
the last round's Σ̂ on every task, on clean data of every covariate law
and under share_attack.py's placement: the largest |eigenvalue − 1| of
S^{-1/2} Σ̂ S^{-1/2} (S the share's Σ̂, eigenvalues floored as the
whitening's). Pools of about twice the cap (d = 8 and 16)."""
import sys

import numpy as np

from robust_mlr import Pools, make_params, make_pools
from robust_mlr.covariates import _extreme_tasks, _rounds_sample, _trim_round, estimate_second_moment
from robust_mlr.generator import LAWS


def discrepancy(S, Sigma):
    vals, Q = np.linalg.eigh((S + S.T) / 2)
    root = Q / np.sqrt(np.maximum(vals, 1e-12 * vals.max()))
    return float(np.abs(np.linalg.eigvalsh(root.T @ Sigma @ root) - 1).max())


def agreement(datasets, alpha, rng, n_rounds=5):
    share = _rounds_sample(datasets, rng)
    start = estimate_second_moment(share, alpha, n_rounds - 1)[0]
    t = np.concatenate([ds.sizes for ds in datasets])
    Sigma, _ = _trim_round(datasets, t, start, _extreme_tasks(datasets), alpha)
    return discrepancy(start, Sigma)


if __name__ == "__main__":
    for d in (8, 16):
        for law in LAWS:
            out = []
            for seed in range(3):
                theta = make_params(d, 2, rng=seed)
                P = make_pools(theta, 2500 * d, 2, 25 * d, 64, 5000 * d, 8, x_dist=law, rng=seed + 1)
                ds = [P[name] for name in Pools.names]
                out.append(agreement(ds, 0.05, np.random.default_rng(seed)))
            print(f"d={d:2d} {law:20s} clean discrepancy " + " ".join(f"{x:.4f}" for x in out), flush=True)
