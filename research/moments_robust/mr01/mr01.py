"""Replay the seventeenth red team's worst alpha = 0.01 rows and split the
target component's error by stage (run from the repository root):

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17 \\
        OMP_NUM_THREADS=1 python3 research/moments_robust/mr01/mr01.py --seed 2 [--clean-only]

One clean fit, then (seed 2) the two worst rows (component 4 on draw 2,
component 6 on draw 1; 4 lever rows at 2.2 RMS, residual 1.6 s, pushed
along the clean fit's own error of the component) and the same row along
a fixed direction (component 4, draw 2). For each fit: W, whether a
CorruptionWarning was raised, the per-component errors, and for the target
component its error e = ŵ − w at three stages (the filter's least-squares
fit, the clipped refit, the final estimate after the heavy anchor), split
into the clean fit's error at that stage and the attack's added shift
(e − e_clean), with the added shift's component along the push direction u.
"""
import argparse
import json
import time
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment

import hidden  # noqa: F401  (registers hidden_lever)
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary._craft import fixed_direction
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import robust as _robust
from robust_mlr.stages.regression._clipped_test import orthonormal

from run import build_problem

CAPTURE = []
_orig = _robust.clipped_refit


def _capture(*a, **kw):
    W_in = np.array(a[3], copy=True)
    W, info = _orig(*a, **kw)
    info = dict(info, directions=kw.get("directions"))
    CAPTURE.append((W_in, np.array(W, copy=True), info))
    return W, info


_robust.clipped_refit = _capture


def match(W, theta):
    """column of W matched to each true component (Hungarian)."""
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    col = np.empty(theta.k, int)
    col[c] = r
    return col


def fit(pools, theta, alpha, seed):
    CAPTURE.clear()
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering="moments_robust").fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    col = match(m.W_, theta)
    W_filter, W_refit, info = CAPTURE[-1]       # the last regression (after a recheck)
    reg = m.diagnostics_["regression"]
    clip = reg.get("example_clip") or {}
    stage = {"filter": W_filter[:, col], "refit": W_refit[:, col], "final": m.W_[:, col]}
    rec = {"w": round(float(e["w_err"]), 4), "s2": round(float(e["s2_err"]), 4),
           "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
           "msgs": sorted({str(w.message)[:80] for w in ws
                           if issubclass(w.category, CorruptionWarning)}),
           "time": round(time.perf_counter() - t0, 1),
           "per": np.round(np.linalg.norm(m.W_[:, col] - theta.W, axis=0) / theta.s, 4).tolist(),
           "refits": len(CAPTURE),
           "clipped_test": np.round(clip.get("clipped_test", []), 3).tolist(),
           "score_test": np.round(clip.get("score_test", []), 3).tolist(),
           "moved_se": clip.get("moved_se"), "spikes": clip.get("spikes"),
           "removed": reg.get("removed"),
           "refit_agrees": reg.get("refit_agrees"),
           "clip_shares": clip.get("clipped")}
    rec["_dirs"] = (info["directions"], col)
    return rec, stage, m


def split(stage, clean, theta, a, u):
    out = {}
    for name in ("filter", "refit", "final"):
        e = (stage[name][:, a] - theta.W[:, a]) / theta.s[a]
        e0 = (clean[name][:, a] - theta.W[:, a]) / theta.s[a]
        add = e - e0
        out[name] = {"err": round(float(np.linalg.norm(e)), 4),
                     "clean_err": round(float(np.linalg.norm(e0)), 4),
                     "added": round(float(np.linalg.norm(add)), 4),
                     "added_u": round(float(add @ u), 4),
                     "clean_u": round(float(e0 @ u), 4)}
    return out


ROWS = [(4, 2, "clean"), (6, 1, "clean"), (4, 2, "fixed")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--clean-only", action="store_true")
    ap.add_argument("--rows", default="all", help="'all' or e.g. '0,2' (indices into ROWS)")
    ap.add_argument("--param", action="append", default=[],
                    help="other hidden_lever parameters for component 4, draw 2, its clean "
                         "error direction (JSON)")
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    rec, clean, m = fit(pools, theta, a.alpha, a.seed)
    rec.pop("_dirs")
    print("clean", json.dumps(rec), flush=True)
    if a.clean_only:
        return
    settings = attack_settings(m, a.alpha)
    rows = ROWS if a.rows == "all" else [ROWS[int(i)] for i in a.rows.split(",")]
    rows = [(c, d, k, {}) for c, d, k in rows] + [(4, 2, "clean", json.loads(p))
                                                  for p in a.param]
    for comp, draw, kind, extra in rows:
        path = f"research/moments_robust/redteam17/clean_err_s{a.seed}_a{a.alpha}_c{comp}.npy"
        direction = path if kind == "clean" else "fixed"
        strat = {"light2": ("hidden_lever", {"component": comp, "rows": 4, "lever": 2.2,
                                             "resid": 1.6, "direction": direction,
                                             **extra})}
        u = np.load(path) if kind == "clean" else fixed_direction(theta.W)
        u = u / np.linalg.norm(u)
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng([a.seed, draw]))
        rec, stage, _ = fit(bad, theta, a.alpha, a.seed)
        rec["split"] = split(stage, clean, theta, comp, u)
        D, col = rec.pop("_dirs")
        if D is not None:   # how much of u the target's read directions hold
            rec["u_read"] = round(float(np.linalg.norm(orthonormal(D[col[comp]]).T @ u)), 3)
            rec["n_read"] = int(orthonormal(D[col[comp]]).shape[1])
        print(f"row c{comp} draw {draw} dir {kind} {json.dumps(extra)}", json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
