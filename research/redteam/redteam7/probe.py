"""Replay strategies on the default problem, a few corruption draws each, with
the pooling's diagnostics per (Hungarian-matched) component.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/redteam/redteam7/probe.py --alpha 0.05 --draws 0,1,2 \\
        '{"heavy": ["anchor_edge", {"component": 0}], "light2": ["edge_placement", {"component": 0}]}'

Per fit: the three errors, whether a CorruptionWarning was raised, and for
the worst component the error of its heavy estimate ‖ŵ_H − w‖/s, of its
light estimate, the test's T against q and the shrink, and the cosine of
D = ŵ_L − ŵ_H with the heavy error ŵ_H − w (where a directional test along
D would look). ``--json FILE``
appends one JSON line per fit.
"""
import argparse
import json
import time
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem


def _cos(a, b):
    return a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-300)


def record(model, theta, ws, dt):
    e = parameter_errors(model.W_, model.s2_, model.p_, theta)
    W = model.W_
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    match = dict(zip(c, r))                          # true component -> learner's
    per = np.array([np.linalg.norm(W[:, match[j]] - theta.W[:, j]) / theta.s[j]
                    for j in range(theta.k)])
    worst = int(np.argmax(per))
    anc = ((model.diagnostics_.get("regression") or {}).get("anchor")) or {}
    out = {"w": float(e["w_err"]), "s2": float(e["s2_err"]), "p": float(e["p_err"]),
           "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
           "time": round(dt, 2), "per": np.round(per, 3).tolist(), "worst": worst}
    if "W_heavy" in anc:
        ell = match[worst]
        out.update(
            heavy=float(np.linalg.norm(anc["W_heavy"][:, ell] - theta.W[:, worst]) / theta.s[worst]),
            light=float(np.linalg.norm(anc["W_light"][:, ell] - theta.W[:, worst]) / theta.s[worst]),
            T=float(anc["statistic"][ell]), q=float(anc["threshold"]),
            shrunk=bool(anc["shrunk"][ell]), failed=bool(anc["failed"][ell]),
            allowance=float(anc["bias_allowance"][ell]),
            # where a directional test along D = ŵ_L − ŵ_H would look: its
            # cosine with the heavy estimate's error ŵ_H − w
            cos_D_heavy=float(_cos(anc["W_light"][:, ell] - anc["W_heavy"][:, ell],
                                   anc["W_heavy"][:, ell] - theta.W[:, worst])),
            pull_capped=float(anc.get("pull_capped", np.zeros(theta.k))[ell]),
            heavy_rec={k: v for k, v in anc["heavy"][ell].items()
                       if k in ("tasks", "removed", "top_eig_over_level", "passed",
                                "median_directions", "median_shift")})
    return out


def fit(pools, theta, alpha, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    return m, ws, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--sizes", default="fixed")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", default="0")
    ap.add_argument("--json", default=None)
    ap.add_argument("strategies", nargs="*")
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    clean, ws, dt = fit(pools, theta, a.alpha, a.seed)
    print("clean", json.dumps(record(clean, theta, ws, dt)), flush=True)
    settings = attack_settings(clean, a.alpha)
    for s in a.strategies:
        strat = {p: tuple(v) for p, v in json.loads(s).items()}
        print(s, flush=True)
        for draw in [int(x) for x in a.draws.split(",")]:
            att = strategy_attack(strat)
            bad = corrupt_pools(pools, att, a.alpha, theta=theta, settings=settings,
                                rng=np.random.default_rng([a.seed, 17, draw]))
            m, ws, dt = fit(bad, theta, a.alpha, a.seed)
            rec = record(m, theta, ws, dt)
            pred = getattr(att.attacks.get("light2"), "predicted_", None)
            if pred is not None:
                rec["predicted"] = {"T": round(pred["T"], 1), "heavy": float(
                    np.linalg.norm(pred["w_heavy"] - theta.W[:, pred["component"]])
                    / theta.s[pred["component"]])}
            print(f"  draw {draw}:", json.dumps(rec), flush=True)
            if a.json:
                with open(a.json, "a") as fh:
                    fh.write(json.dumps(dict(rec, strategy=s, draw=draw)) + "\n")


if __name__ == "__main__":
    main()
