"""Replay strategies on the small-heavy problem with the regression's inner
records: per fit the errors, the CorruptionWarnings, the time ratio to a clean
fit and, for the worst (Hungarian-matched) component, its error before and
after the light-median step, the step's direction against the shift, the
filter's removals and top eigenvalue, the tasks classified to it, the
recheck and the collapse / fabricable tests.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam7/probe.py --seed 1 --alpha 0.05 \\
        'search:0:{"light2": ["median_decoy", {"component": 6}]}'

A strategy is ``phase:number:JSON`` with the corruption draw of the red-team
driver (grid row i: generator [seed, 17, i]; search row n: [seed, n]).
The light-median step is wrapped (not changed) to record its input.
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
import robust_mlr.stages.regression._pooled as pooled

from run import build_problem

CALLS = []
_orig = pooled.light_median_step


def _wrapped(light, labels, W):
    W_new, info = _orig(light, labels, W)
    CALLS.append((np.array(W), W_new.copy(), np.asarray(labels).copy()))
    return W_new, info


pooled.light_median_step = _wrapped


def matched(W, theta):
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    perm = np.empty(theta.k, int)
    perm[c] = r
    return cost[r, c][np.argsort(c)] / theta.s, perm


def fit(pools, theta, alpha, seed):
    comps = pools.light2.components
    CALLS.clear()
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
    if keep is not None and np.size(keep) == comps.size:
        comps = comps[np.asarray(keep, bool)]
    rec["screened"] = int(pools.light2.n_tasks - comps.size)
    rec["passes"] = len(CALLS)
    rec["reg_passed"] = reg.get("passed")
    rec["evidence"] = [e[:80] for e in m.diagnostics_.get("evidence", [])]
    w_true, s = theta.W[:, a], theta.s[a]
    for i, (Wb, Wa, lab) in enumerate(CALLS):
        d_b, d_a = Wb[:, c] - w_true, Wa[:, c] - w_true
        rec[f"pass{i}"] = {"before": round(float(np.linalg.norm(d_b) / s), 3),
                           "after": round(float(np.linalg.norm(d_a) / s), 3),
                           "n_cls": int(np.sum(lab == c)),
                           "own_in": int(np.sum((lab == c) & (comps == a))),
                           "own_flagged": int(np.sum((lab < 0) & (comps == a))),
                           "own_other": int(np.sum((lab >= 0) & (lab != c) & (comps == a))),
                           "adv_in": int(np.sum((lab == c) & (comps < 0)))}
    anc = reg.get("anchor") or {}
    rec["fabricable"] = anc.get("fabricable")
    rec["collapsed"] = np.flatnonzero((reg.get("posterior_noise") or {}).get(
        "collapsed", [])).tolist()
    rec["recheck"] = (m.diagnostics_["classification"].get("reclassified") or {}).get("moved")
    if getattr(m, "W_tilde_", None) is not None:
        rec["tilde"] = round(float(np.linalg.norm(m.W_tilde_[:, c] - w_true) / s), 3)
        rec["r2_tilde"] = round(float(m.r2_tilde_[c] / s ** 2), 3)
    rec["n_cls_final"] = int(np.sum(m.light_labels_ == c))
    return m, rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategy", nargs="+", help="phase:number:JSON")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    import robust_mlr.adversary  # noqa: F401 - registers every family
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    clean, rec = fit(pools, theta, a.alpha, a.seed)
    print("clean", json.dumps(rec), flush=True)
    settings = attack_settings(clean, a.alpha)
    for s in a.strategy:
        ph, n, js = s.split(":", 2)
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        key = [a.seed, 17, int(n)] if ph.startswith("grid") else [a.seed, int(n)]
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng(key))
        try:
            _, r = fit(bad, theta, a.alpha, a.seed)
            r["ratio"] = round(r["time"] / rec["time"], 2)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            r = {"exception": f"{type(exc).__name__}: {str(exc)[:160]}"}
        print(f"{ph} {n}", js, "\n   ", json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
