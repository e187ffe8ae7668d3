"""Where the robust learner's p̂ error comes from, on replayed strategies of
the eighth red team (default problem).

    PYTHONPATH=$PWD:research/redteam/redteam8 OMP_NUM_THREADS=1 \\
        python3 research/phat/diag.py --alpha 0.05 'JSON' ...

Per fit, p̂_ℓ − p_ℓ per true component (Hungarian-matched) for
  p_hat  the learner's p̂,
  regr   the refinement's shares classified at (W̃, r̃²) (p̂ before the bound),
  fin_fl the learner's shares classified at (Ŵ, ŝ²), flagged tasks left out,
  emp    the clean pool's own shares (sampling: no estimator removes it),
  oracle hard counts of every task (clean and corrupted) under the true θ,
  cls    hard counts at the classification's (W̃, r̃²) without flags,
  final  hard counts at the final (Ŵ, ŝ²),
  post   posterior-weighted counts at (Ŵ, ŝ², p̂),
  em     EM for p with (Ŵ, ŝ²) fixed,
and the classification's confusion (rows: true component, then the
corrupted tasks; columns: label, then flagged).
"""
import argparse
import json
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.stages.classification import task_neg_log_lik

from run import build_problem


def hard(data, W, s2):
    lab = np.argmin(task_neg_log_lik(data, W, s2), axis=1)
    return np.bincount(lab, minlength=W.shape[1]) / lab.size


def post(data, W, s2, p):
    L = -task_neg_log_lik(data, W, s2) + np.log(np.maximum(p, 1e-300))
    return np.exp(L - logsumexp(L, axis=1, keepdims=True)).mean(axis=0)


def em(data, W, s2, p, iters=200):
    nll = task_neg_log_lik(data, W, s2)
    for _ in range(iters):
        L = -nll + np.log(np.maximum(p, 1e-300))
        p = np.exp(L - logsumexp(L, axis=1, keepdims=True)).mean(axis=0)
    return p


def report(tag, m, theta, data, mask):
    W = m.W_
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    match = np.empty(theta.k, int)
    match[c] = r                                     # true j -> learner's
    p = theta.p
    comps = data.components.copy()
    clean = ~mask
    emp = np.bincount(comps[clean], minlength=theta.k) / clean.sum()
    true_w = theta.W
    rows = {
        "p_hat": m.p_[match],
        "regr": m.diagnostics_["regression"].get("weights", {}).get("classified", m.p_)[match],
        "fin_fl": m.diagnostics_["regression"].get("weights", {}).get("final", m.p_)[match],
        "emp": emp,
        "oracle": hard(data, true_w, theta.s ** 2),
        "cls": hard(data, m.W_tilde_, m.r2_tilde_)[match],
        "final": hard(data, m.W_, m.s2_)[match],
        "post": post(data, m.W_, m.s2_, m.p_)[match],
        "em": em(data, m.W_, m.s2_, m.p_.copy())[match],
    }
    print(f"{tag}  p = {np.round(p, 4).tolist()}")
    wt = np.linalg.norm(m.W_tilde_[:, match] - theta.W, axis=0) / theta.s
    wf = np.linalg.norm(m.W_[:, match] - theta.W, axis=0) / theta.s
    print("  W~ err/s", np.round(wt, 3).tolist(), " r~2/s2", np.round(m.r2_tilde_[match] / theta.s ** 2, 3).tolist())
    print("  W^ err/s", np.round(wf, 3).tolist(), " s^2/s2", np.round(m.s2_[match] / theta.s ** 2, 3).tolist())
    for key, v in rows.items():
        e = v - p
        print(f"  {key:7s} err {np.round(e, 4).tolist()}  max {np.abs(e).max():.4f}")
    lab = m.light_labels_
    inv = np.empty(theta.k, int)
    inv[match] = np.arange(theta.k)                  # learner's -> true
    labt = np.where(lab >= 0, inv[np.maximum(lab, 0)], theta.k)
    src = np.where(mask, theta.k, comps)
    conf = np.zeros((theta.k + 1, theta.k + 1), int)
    np.add.at(conf, (src, labt), 1)
    print("  confusion (rows true 0..k-1, bad; cols label 0..k-1, removed)")
    for i, row in enumerate(conf):
        print("   ", row.tolist())
    d = m.diagnostics_.get("classification", {})
    print("  flagged", int(np.sum(d.get("flagged", 0))), "excess", d.get("excess"),
          "reclassified", "reclassified" in d,
          "reg removed", m.diagnostics_["regression"].get("removed"), flush=True)


def fit(pools, theta, alpha, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--sizes", default="fixed")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", default="0")
    ap.add_argument("strategies", nargs="*")
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    clean = fit(pools, theta, a.alpha, a.seed)
    report("clean", clean, theta, pools.light2, np.zeros(pools.light2.n_tasks, bool))
    settings = attack_settings(clean, a.alpha)
    for s in a.strategies:
        strat = {p: tuple(v) for p, v in json.loads(s).items()}
        for draw in [int(x) for x in a.draws.split(",")]:
            bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                                settings=settings,
                                rng=np.random.default_rng([a.seed, 17, draw]))
            m = fit(bad, theta, a.alpha, a.seed)
            report(f"{s} draw {draw}", m, theta, bad.light2, bad.masks["light2"])


if __name__ == "__main__":
    main()
