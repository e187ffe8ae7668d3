"""Replay strategies once each on the default problem with the anchor's diagnostics.

    PYTHONPATH=$PWD:research/redteam/redteam6 python3 research/redteam/redteam6/probe.py \\
        --alpha 0.05 '{"heavy": ["anchor_starve", {}], "light2": ["edge_placement", {"component": 0}]}'
"""
import argparse
import json
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem


def show(model, theta, tag, dt, ws):
    e = parameter_errors(model.W_, model.s2_, model.p_, theta)
    reg = model.diagnostics_.get("regression") or {}
    anc = reg.get("anchor") or {}
    heavy = anc.get("heavy", [])
    per = np.linalg.norm(model.W_ - theta.W, axis=0) / theta.s
    print(f"{tag}: w {e['w_err']:.3f} s2 {e['s2_err']:.3f} p {e['p_err']:.3f} {dt:.1f}s "
          f"warn {any(issubclass(w.category, CorruptionWarning) for w in ws)} "
          f"per-comp {np.round(per, 3)}")
    print("   anchored", [h.get("anchored") for h in heavy], "tasks", [h.get("tasks") for h in heavy],
          "removed", [h.get("removed") for h in heavy],
          "eig/level", [round(h.get("top_eig_over_level", np.nan), 2) for h in heavy])
    print("   T", np.round(anc.get("statistic", []), 1), "q", anc.get("threshold"),
          "shrunk", anc.get("shrunk"), "assign", reg.get("heavy_assignment"))
    nc = reg.get("noise_check") or {}
    print("   s2", np.round(model.s2_, 4), "true", np.round(theta.s ** 2, 4), "heavy c",
          np.round(nc.get("heavy_centre", []), 4), "light", np.round(nc.get("s2_light", []), 4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--sizes", default="fixed")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draw", type=int, default=0)
    ap.add_argument("strategies", nargs="*")
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        clean = MetaLearner.robust(theta.k, a.alpha, rng=a.seed).fit(pools)
    show(clean, theta, "clean", time.perf_counter() - t0, ws)
    settings = attack_settings(clean, a.alpha)
    for s in a.strategies:
        strat = {p: tuple(v) for p, v in json.loads(s).items()}
        bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                            settings=settings, rng=np.random.default_rng([a.seed, 17, a.draw]))
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, a.alpha, rng=a.seed).fit(bad)
        show(m, theta, s, time.perf_counter() - t0, ws)


if __name__ == "__main__":
    main()
