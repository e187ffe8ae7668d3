"""Probe grids of one light-2 family on the small-heavy problem with the
regression's inner records, including the per-example clipped refit: one
clean fit, then each strategy of the grid on its draw ([seed, n]), one JSON
line per fit (``search:n:JSON`` replays it with ``replay.py``).

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam10/probe10.py --seed 1 --alpha 0.05 \\
        --family lever_shift --base 'JSON' --grid 'lever=5,8;shift=6' --draws 1

Recorded for the worst (Hungarian-matched) component, at each regression
pass: the error before / after the clipped refit (with its ŝ/s, iterations
and clipped share), before / after the light-median step, the tasks
classified to it and how many are the adversary's. No code of the package is
changed: the two steps are wrapped where the regression looks them up.
"""
import argparse
import itertools
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
import robust_mlr.stages.regression._pooled as pooled
import robust_mlr.stages.regression.robust as robust

from run import build_problem

CLIP, MED = [], []
_clip, _med = robust.clipped_refit, pooled.light_median_step


def _clip_w(data, labels, kept, W, s2, *args, **kw):
    W_new, info = _clip(data, labels, kept, W, s2, *args, **kw)
    CLIP.append((np.array(W), W_new.copy(), np.array(s2), info,
                 np.asarray(labels).copy(), np.asarray(kept).copy()))
    return W_new, info


def _med_w(light, labels, W):
    W_new, info = _med(light, labels, W)
    MED.append((np.array(W), W_new.copy(), np.asarray(labels).copy()))
    return W_new, info


robust.clipped_refit = _clip_w
pooled.light_median_step = _med_w


def matched(W, theta):
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    perm = np.empty(theta.k, int)
    perm[c] = r
    return cost[r, c][np.argsort(c)] / theta.s, perm


def fit(pools, theta, alpha, seed):
    comps = pools.light2.components
    CLIP.clear()
    MED.clear()
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering="moments_robust").fit(pools)
    dt = time.perf_counter() - t0
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    per, perm = matched(m.W_, theta)
    a = int(np.argmax(per))
    c = int(perm[a])
    reg = m.diagnostics_["regression"]
    rec = {"w": round(float(e["w_err"]), 3), "s2": round(float(e["s2_err"]), 3),
           "p": round(float(e["p_err"]), 3),
           "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
           "msgs": sorted({str(w.message)[:100] for w in ws
                           if issubclass(w.category, CorruptionWarning)}),
           "time": round(dt, 1), "worst": a, "per": np.round(per, 3).tolist()}
    comp = reg["components"][c] if reg.get("components") else {}
    rec["filter"] = {"removed": comp.get("removed"),
                     "top": round(float(comp.get("top_eig_over_edge", np.nan)), 3)}
    keep = (m.diagnostics_.get("screen", {}).get("light2") or {}).get("kept")
    full = comps
    if keep is not None and np.size(keep) == comps.size:
        comps = comps[np.asarray(keep, bool)]      # the screened pool the stages see
    rec["screened"] = int(pools.light2.n_tasks - comps.size)
    w_true, s = theta.W[:, a], theta.s[a]

    def err(W):
        return round(float(np.linalg.norm(W[:, c] - w_true) / s), 3)
    for i, (Wb, Wa, s2, info, lab, kept) in enumerate(CLIP):
        rec[f"clip{i}"] = {"before": err(Wb), "after": err(Wa),
                           "s_hat": round(float(np.sqrt(s2[c]) / s), 3),
                           "it": info["iterations"], "share": info["clipped"][c],
                           "n_cls": int(np.sum(lab == c)),
                           "kept": int(np.sum((lab == c) & kept)),
                           "adv_kept": int(np.sum((lab == c) & kept & (comps < 0)))}
    for i, (Wb, Wa, lab) in enumerate(MED):
        rec[f"med{i}"] = {"before": err(Wb), "after": err(Wa)}
    rec["recheck"] = (m.diagnostics_["classification"].get("reclassified") or {}).get("moved")
    if getattr(m, "W_tilde_", None) is not None:
        rec["tilde"] = round(float(np.linalg.norm(m.W_tilde_[:, c] - w_true) / s), 3)
    rec["n_cls_final"] = int(np.sum(m.light_labels_ == c))
    lab = m.light_labels_
    rec["adv_final"] = int(np.sum((lab == c) & ((full if lab.size == full.size else comps) < 0)))
    rec["evidence"] = [x[:80] for x in m.diagnostics_.get("evidence", [])]
    return m, rec


def value(x):
    try:
        return int(x) if x.lstrip("-").isdigit() else float(x)
    except ValueError:
        return {"true": True, "false": False}.get(x, x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--family", default="lever_shift")
    ap.add_argument("--base", default="{}")
    ap.add_argument("--grid", default="")
    ap.add_argument("--draws", default="1")
    ap.add_argument("--other", default="{}", help="JSON {pool: [family, params]} added")
    ap.add_argument("--clean-time", type=float, default=None,
                    help="skip the clean fit's record (still fitted for the settings)")
    a = ap.parse_args()
    import robust_mlr.adversary  # noqa: F401 - registers every family
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    clean, rec = fit(pools, theta, a.alpha, a.seed)
    print("clean", json.dumps(rec), flush=True)
    settings = attack_settings(clean, a.alpha)
    base = json.loads(a.base)
    grid = [(k, [value(x) for x in v.split(",")])
            for k, v in (item.split("=") for item in a.grid.split(";") if item)]
    for combo in itertools.product(*[v for _, v in grid]):
        params = dict(base, **{k: v for (k, _), v in zip(grid, combo)})
        strat = dict(json.loads(a.other), light2=[a.family, params])
        for n in [int(x) for x in a.draws.split(",")]:
            st = {p: tuple(v) for p, v in strat.items()}
            bad = corrupt_pools(pools, strategy_attack(st), a.alpha, theta=theta,
                                settings=settings, rng=np.random.default_rng([a.seed, n]))
            try:
                _, r = fit(bad, theta, a.alpha, a.seed)
                r["ratio"] = round(r["time"] / rec["time"], 2)
            except Exception as exc:  # noqa: BLE001 - a crash is a finding
                import traceback
                r = {"exception": f"{type(exc).__name__}: {str(exc)[:160]}",
                     "trace": traceback.format_exc().strip().splitlines()[-1]}
            print(f"search:{n}:{json.dumps(strat)}", flush=True)
            print("    full", json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
