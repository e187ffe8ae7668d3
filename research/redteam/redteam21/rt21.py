"""Twenty-first red team driver (small-heavy problem, moments_robust, α 0.01).

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21 \\
        OMP_NUM_THREADS=1 python3 research/redteam/redteam21/rt21.py --seed 2 \\
        --row 'JSON' [--row 'JSON' ...] [--no-task-clip]

Each --row is a JSON dict {"attack": name, "draw": int, ...attack params};
"direction": "clean" means the clean fit's error of the component (the
seventeenth team's saved vector, ⊥ span(W)).  One clean fit first.
Prints W, warned, the target's error, its added shift along u, the read
directions' count and how much of u they hold, the share of the target's
rows the task clip weighed, the refit's readings and time.
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment

import decoy  # noqa: F401  (registers decoy_lever, hidden_lever)
from robust_mlr import MetaLearner, make_params, make_pools
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
OPTS = {}
CLUSTER = {"clustering": "moments_robust"}


def _capture(*a, **kw):
    if len(a) > 9 and "leverage_cap" in OPTS:   # passed by position: make it a keyword
        a, kw = a[:9], dict(kw, leverage_cap=a[9])
    kw.update(OPTS)
    W, info = _orig(*a, **kw)
    CAPTURE.append((np.array(a[3], copy=True), kw.get("directions"), info))
    return W, info


_robust.clipped_refit = _capture


def match(W, theta):
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    col = np.empty(theta.k, int)
    col[c] = r
    return col


def fit(pools, theta, alpha, seed):
    CAPTURE.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    exc = ""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, alpha, rng=seed, **CLUSTER).fit(pools)
        except Exception as e:  # noqa: BLE001 - a finding
            exc = f"{type(e).__name__}: {e}"[:200]
            m = None
    rec = {"time": round(time.perf_counter() - t0, 1), "cpu": round(time.process_time() - c0, 1),
           "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
           "msgs": sorted({str(w.message)[:90] for w in ws
                           if issubclass(w.category, CorruptionWarning)})}
    if m is None:
        rec["exception"] = exc
        return rec, None, None
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    col = match(m.W_, theta)
    rec["w"] = round(float(e["w_err"]), 4)
    rec["per"] = np.round(np.linalg.norm(m.W_[:, col] - theta.W, axis=0) / theta.s, 4).tolist()
    if CAPTURE:
        _, D, info = CAPTURE[-1]
        rec["moved_se"] = np.round(info.get("moved_se", []), 2).tolist()
        rec["tw"] = np.round(info.get("task_weighed", []), 2).tolist()
        rec["ct"] = np.round(info.get("clipped_test", []), 3).tolist()
        rec["st"] = np.round(info.get("score_test", []), 3).tolist()
        rec["it"] = info.get("iterations")
        rec["_D"] = D
    rec["removed"] = m.diagnostics_["regression"].get("removed")
    lab = m.light_labels_
    rec["ncls"] = np.bincount(lab[lab >= 0], minlength=theta.k)[col].tolist()
    rec["flag"] = int((lab < 0).sum())
    return rec, m, col


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--row", action="append", default=[])
    ap.add_argument("--no-task-clip", action="store_true")
    ap.add_argument("--opt", default="{}", help="other clipped_refit keywords (JSON), e.g. "
                    "'{\"leverage_cap\": null}'")
    ap.add_argument("--problem", default="smallheavy", choices=("smallheavy", "default"),
                    help="default: make_params(32, 4, rng=seed), make_pools(theta, 20000, 2, "
                         "400, 128, 20000, 8, rng=seed + 1), MetaLearner.robust(4, alpha)")
    a = ap.parse_args()
    if a.no_task_clip:
        OPTS["task_clip"] = None
    OPTS.update(json.loads(a.opt))
    if a.problem == "default":
        CLUSTER.clear()
        theta = make_params(32, 4, rng=a.seed)
        pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=a.seed + 1)
    else:
        theta, pools = build_problem("smallheavy", "fixed", a.seed)
    rec, m, col = fit(pools, theta, a.alpha, a.seed)
    rec.pop("_D", None)
    print("clean", json.dumps(rec), flush=True)
    W_clean = m.W_[:, col]
    settings = attack_settings(m, a.alpha)
    for js in a.row:
        row = json.loads(js)
        name = row.pop("attack", "decoy_lever")
        draw = row.pop("draw", 2)
        comp = row.get("component", 4)
        if row.get("direction", "clean") == "clean":
            row["direction"] = (f"research/moments_robust/redteam17/"
                                f"clean_err_s{a.seed}_a{a.alpha}_c{comp}.npy")
            if a.problem == "default" or not os.path.exists(row["direction"]):
                # this fit's own clean error of the component, ⊥ span(W), saved here
                row["direction"] = (f"research/redteam/redteam21/"
                                    f"clean_err_{a.problem}_s{a.seed}_a{a.alpha}_c{comp}.npy")
                e0 = (W_clean[:, comp] - theta.W[:, comp]) / theta.s[comp]
                e0 = e0 - theta.W @ np.linalg.lstsq(theta.W, e0, rcond=None)[0]
                np.save(row["direction"], e0 / np.linalg.norm(e0))
        u = np.load(row["direction"]) if row["direction"].endswith(".npy") else fixed_direction(theta.W)
        u = u / np.linalg.norm(u)
        bad = corrupt_pools(pools, strategy_attack({"light2": (name, row)}), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng([a.seed, draw]))
        rec, mb, colb = fit(bad, theta, a.alpha, a.seed)
        if mb is not None:
            e = (mb.W_[:, colb[comp]] - theta.W[:, comp]) / theta.s[comp]
            e0 = (W_clean[:, comp] - theta.W[:, comp]) / theta.s[comp]
            rec["tgt"] = round(float(np.linalg.norm(e)), 4)
            rec["s2_ratio"] = round(float(mb.s2_[colb[comp]] / theta.s[comp] ** 2), 4)
            rec["add_u"] = round(float((e - e0) @ u), 4)
            D = rec.pop("_D", None)
            if D is not None:
                B = orthonormal(D[colb[comp]])
                rec["n_read"] = int(B.shape[1])
                rec["u_read"] = round(float(np.linalg.norm(B.T @ u)), 3)
                Dc = D[colb[comp]]
                # |cos| of u with each read direction (inflated first, then
                # the top 2 of M, of C and of their ratio)
                rec["u_cols"] = np.round(np.abs(u @ Dc) / np.linalg.norm(Dc, axis=0), 2).tolist()
        print("row", name, "draw", draw, json.dumps(row).replace(
            "research/moments_robust/redteam17/", ""), json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
