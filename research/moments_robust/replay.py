"""Replay the worst rows of a red-team CSV on the small-heavy problem with the
corruption draw each row was scored on (grid row i: generator [seed, 17, i];
search row n: [seed, n]), and print the errors, whether a CorruptionWarning
was raised, and per stage where the worst component's error arises.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/replay.py CSV [CSV ...] --top 5 --alpha 0.05

``--no-basis-null`` fits with the heavy-basis null test off (``TensorMoments(robust=True,
basis_null=None)``: the code before that test), for before/after replays.
"""
import argparse
import csv
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
from robust_mlr.stages.clustering import TensorMoments

from run import build_problem


def matched(W, theta):
    """Per true component: ‖Ŵ_ℓ − w‖/s under the Hungarian match."""
    cost = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0)
    r, c = linear_sum_assignment(cost)
    out = np.empty(theta.k)
    out[c] = cost[r, c] / theta.s[c]
    return out


CLUSTERING = "moments_robust"


def fit(pools, theta, alpha, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering=CLUSTERING).fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    per = matched(m.W_, theta)
    P = m.U_ @ np.linalg.pinv(m.U_)
    rec = {"w": round(float(e["w_err"]), 3), "s2": round(float(e["s2_err"]), 3),
           "p": round(float(e["p_err"]), 3),
           "warned": any(issubclass(w.category, CorruptionWarning) for w in ws),
           "msgs": sorted({str(w.message)[:90] for w in ws
                           if issubclass(w.category, CorruptionWarning)}),
           "time": round(time.perf_counter() - t0, 1),
           "worst": int(np.argmax(per)), "per": np.round(per, 3).tolist(),
           "perp_U": np.round(np.linalg.norm(theta.W - P @ theta.W, axis=0) / theta.s,
                              3).tolist()}
    rec["basis_dim"] = m.diagnostics_["clustering"].get("basis_dim")
    reg = m.diagnostics_["regression"]
    rec["collapsed"] = np.flatnonzero((reg.get("posterior_noise") or {}).get(
        "collapsed", [])).tolist()
    if reg.get("example_clip"):
        rec["clip_iterations"] = reg["example_clip"]["iterations"]
        rec["spikes"] = reg["example_clip"]["spikes"]
        rec["excess"] = reg["example_clip"].get("excess")
        rec["moved_se"] = reg["example_clip"].get("moved_se")
    rec["n_classified"] = np.bincount(m.light_labels_[m.light_labels_ >= 0],
                                      minlength=theta.k).tolist()
    if getattr(m, "W_tilde_", None) is not None:
        rec["tilde"] = np.round(matched(m.W_tilde_, theta), 3).tolist()
    return m, rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="*")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--strategy", action="append", default=[],
                    help="a JSON strategy with its draw: 'grid:i:JSON' or 'search:n:JSON'")
    ap.add_argument("--no-clean", action="store_true")
    ap.add_argument("--no-basis-null", action="store_true")
    a = ap.parse_args()
    if a.no_basis_null:
        global CLUSTERING
        CLUSTERING = TensorMoments(robust=True, basis_null=None)
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    clean, rec = fit(pools, theta, a.alpha, a.seed)
    if not a.no_clean:
        print("clean", json.dumps(rec), flush=True)
    settings = attack_settings(clean, a.alpha)
    rows = []
    for f in a.csv:
        rows += [r for r in csv.DictReader(open(f))
                 if r["phase"] != "clean" and r["w_err"] not in ("", "nan")]
    rows.sort(key=lambda r: -float(r["w_err"]))
    todo = [(r["phase"], int(r["number"]), r["strategy"], r["w_err"]) for r in rows[:a.top]]
    for s in a.strategy:
        ph, n, js = s.split(":", 2)
        todo.append((ph, int(n), js, "-"))
    for phase, number, js, was in todo:
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        key = [a.seed, 17, number] if phase.startswith("grid") else [a.seed, number]
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng(key))
        try:
            m, rec = fit(bad, theta, a.alpha, a.seed)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            rec = {"exception": f"{type(exc).__name__}: {str(exc)[:160]}"}
        print(f"{phase} {number} (csv w {float(was) if was != '-' else was})", js, flush=True)
        print("   ", json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
