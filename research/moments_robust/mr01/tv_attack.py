"""The white-box limit, played: an adversary that turns component a's task
law in light 2 into the law of w_a + δ·s·u exactly, by replacement
(docs/adversary.md, "What no estimator can do"), with u the clean fit's
own error of the component (white box) or a fixed direction.

Each of the component's tasks (X, y) is replaced with probability
(1 − p'/p)₊, p and p' its likelihoods under w and w + δ s u, by a task
drawn from the excess of P' (a fresh task of w + δ s u accepted with
probability (1 − p/p')₊): the pool's law is then exactly that of
w + δ s u, at an expected n_a·TV_t(δ) replaced tasks. δ = 0.051 gives
p·TV_16(δ) = α = 0.01 (``robust_mlr.limits.shift_tv``); the replaced
tasks are capped at ⌊αn⌋. The replaced tasks look like clean tasks of a
shifted component: no test can tell them apart as n grows.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/mr01/tv_attack.py [--seed 2 --component 4]
"""
import argparse
import json
import warnings

import numpy as np

from robust_mlr import MetaDataset, MetaLearner
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.limits import shift_tv
from robust_mlr.metrics import parameter_errors

from run import build_problem


def shifted_pool(data, theta, a, u, delta, budget, rng):
    w, s = theta.W[:, a], float(theta.s[a])
    off = data.offsets
    X, y = data.X.copy(), data.y.copy()
    mine = np.flatnonzero(data.components == a)
    t = np.diff(off)[mine]
    # per task: r·Xu and ‖Xu‖² in units of s (the likelihood ratio's statistics)
    rows = np.repeat(np.arange(mine.size), t)
    idx = np.concatenate([np.arange(off[i], off[i + 1]) for i in mine])
    r = (y[idx] - X[idx] @ w) / s
    xu = X[idx] @ u
    ru = np.bincount(rows, r * xu, mine.size)
    uu = np.bincount(rows, xu * xu, mine.size)
    log_ratio = delta * ru - 0.5 * delta ** 2 * uu       # log p'/p
    go = rng.random(mine.size) < np.clip(1.0 - np.exp(log_ratio), 0.0, 1.0)
    chosen = mine[go]
    if chosen.size > budget:
        chosen = rng.choice(chosen, budget, replace=False)
    d = X.shape[1]
    for i in chosen:                             # a draw from P' excess per replaced task
        n = int(off[i + 1] - off[i])
        while True:
            Xi = rng.standard_normal((n, d))
            e = rng.standard_normal(n)
            yi = Xi @ w + s * delta * (Xi @ u) + s * e
            # log p/p' at this task: −δ (r'·Xu) − δ²‖Xu‖²/2 with r' = e
            lr = -delta * (e @ (Xi @ u)) - 0.5 * delta ** 2 * float((Xi @ u) @ (Xi @ u))
            if rng.random() < max(0.0, 1.0 - np.exp(lr)):
                break
        X[off[i]:off[i + 1]], y[off[i]:off[i + 1]] = Xi, yi
    return MetaDataset(X, y, off, components=data.components), chosen.size, int(go.sum())


def fit(pools, theta, alpha, seed, a):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering="moments_robust").fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    err = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0) / theta.s[None, :]
    per = err.min(axis=0)
    col = int(np.argmin(err[:, a]))
    return {"w": round(float(e["w_err"]), 4), "target": round(float(per[a]), 4),
            "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
            "msgs": sorted({str(w.message)[:80] for w in ws
                            if issubclass(w.category, CorruptionWarning)})}, m.W_[:, col]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--component", type=int, default=4)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--draws", type=int, default=2)
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    c = a.component
    rec, w_clean = fit(pools, theta, a.alpha, a.seed, c)
    print("clean", json.dumps(rec), flush=True)
    p = float(np.mean(pools.light2.components == c))
    t = int(np.median(pools.light2.sizes))
    lo, hi = 0.0, 1.0                            # δ with p·TV_t(δ) = α
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if p * shift_tv(t, mid) < a.alpha else (lo, mid)
    delta = lo
    budget = int(np.floor(a.alpha * pools.light2.n_tasks))
    e_clean = (w_clean - theta.W[:, c]) / theta.s[c]
    W = theta.W
    u_fixed = np.linalg.qr(np.column_stack([W, np.eye(W.shape[0])]))[0][:, W.shape[1]]
    u_white = e_clean - W @ np.linalg.lstsq(W, e_clean, rcond=None)[0]
    u_white /= np.linalg.norm(u_white)
    print(f"p {p:.4f} t {t} delta {delta:.4f} budget {budget} |e_clean| "
          f"{np.linalg.norm(e_clean):.4f} along u_white {e_clean @ u_white:.4f}", flush=True)
    for name, u in (("white", u_white), ("fixed", u_fixed)):
        for draw in range(a.draws):
            rng = np.random.default_rng([a.seed, 77, draw])
            bad, n_rep, n_want = shifted_pool(pools.light2, theta, c, u, delta, budget, rng)
            rec, w_hat = fit(pools.replace(light2=bad), theta, a.alpha, a.seed, c)
            e = (w_hat - theta.W[:, c]) / theta.s[c]
            rec.update(replaced=n_rep, wanted=n_want, added_u=round(float((e - e_clean) @ u), 4))
            print(f"{name} draw {draw}", json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
