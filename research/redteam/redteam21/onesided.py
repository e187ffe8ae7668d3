"""White-box decoy directions for ``decoy_lever``'s ``vdirs``: directions v
⊥ u along which the clean tasks with a large |score| are the ones whose
score along u pulls back (negative).

The task clip weighs a task by min(1, κ/z), z its largest |score| over the
read directions, symmetric in each score's sign; but on one sample, a
direction v can be chosen whose large-|S_v| tasks have S_u < 0: the
bottom eigenvectors of A = Σ_i S_u,i g_i g_iᵀ (g_i the task's clipped
gradient ⊥ u, S_u,i its score along u, at the clean fit).  Reading v
(the decoy pairs inflate M along it) then weighs the restoring tasks down
more than the pushing ones.

    python3 onesided.py --seed 2 --component 4 --u U.npy --out V.npy [--J 12]
(run with rt21.py's PYTHONPATH; it fits the clean learner once.)
"""
import argparse

import numpy as np
from scipy.optimize import linear_sum_assignment

from robust_mlr import MetaLearner
from run import build_problem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--component", type=int, default=4)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--u", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--J", type=int, default=24)
    ap.add_argument("--sign", type=float, default=1.0, help="-1: the opposite (control)")
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    m = MetaLearner.robust(theta.k, a.alpha, rng=a.seed, clustering="moments_robust").fit(pools)
    cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
    r_, c_ = linear_sum_assignment(cost)
    col = r_[np.argsort(c_)][a.component]
    w, s = m.W_[:, col], np.sqrt(m.s2_[col])
    u = np.load(a.u)
    u = u / np.linalg.norm(u)
    data = pools.light2
    mine = np.flatnonzero(data.components == a.component)
    off = data.offsets
    idx = np.concatenate([np.arange(off[i], off[i + 1]) for i in mine])
    t = np.diff(off)[mine]
    task = np.repeat(np.arange(mine.size), t)
    X, y = data.X[idx], data.y[idx]
    psi = np.clip((y - X @ w) / s, -1.5, 1.5)
    G = np.zeros((mine.size, X.shape[1]))
    np.add.at(G, task, psi[:, None] * X)
    Su = G @ u
    Su = Su / Su.std()
    Gp = G - np.outer(G @ u, u)
    A = (Gp * Su[:, None]).T @ Gp / mine.size
    lam, V = np.linalg.eigh(a.sign * A)
    np.save(a.out, V[:, :a.J])
    print("A eigenvalues (bottom 6, top 3):", np.round(lam[:6], 3), np.round(lam[-3:], 3),
          "mean diag", round(float(np.trace(A) / A.shape[0]), 3))


if __name__ == "__main__":
    main()
