"""Equal light sizes (t = 8): what the pull rule costs when it is turned off.

For seeds 0-2 (build_problem("default", "fixed", s)): the clean fit as is
and with the rule forced off (PULL_GAIN = -1: every component keeps ŵ_H);
on seed 0 also the eighth red team's worst equal-size row (grid 22,
0.196) both ways, and ``steal`` rows (light-2 flip_gram tasks with pick
"own": the attacked component's tasks rewritten as another component's,
its light Gram shrunk; plus heavy high-Gram tasks) that try to push the
predicted ratio above 0.5.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24 OMP_NUM_THREADS=1 \\
        python3 research/redteam24/pulloff.py > research/redteam24/logs/pulloff.log
"""
import csv
import json
import time
import warnings

import numpy as np

import robust_mlr.stages.regression._pooled as P
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from run import build_problem

GAIN = P.PULL_GAIN
out = open("research/redteam24/logs/pulloff.jsonl", "a")


def fit(theta, pools, seed, gain, what):
    P.PULL_GAIN = gain
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    dt = time.perf_counter() - t0
    P.PULL_GAIN = GAIN
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    an = m.diagnostics_["regression"]["anchor"]
    rec = dict(what=what, seed=seed, gain=gain, w_err=float(e["w_err"]), s2_err=float(e["s2_err"]),
               p_err=float(e["p_err"]), time=dt,
               warned=any(issubclass(w.category, CorruptionWarning) for w in ws),
               pull=an["pull"].tolist(), mse_ratio=np.round(an["mse_ratio"], 3).tolist())
    out.write(json.dumps(rec) + "\n")
    out.flush()
    print(f"{what} seed {seed} gain {gain}: w {rec['w_err']:.4f} s2 {rec['s2_err']:.3f} "
          f"p {rec['p_err']:.4f} warned {int(rec['warned'])} pull {rec['pull']} "
          f"ratio {rec['mse_ratio']} {dt:.2f}s", flush=True)
    return m


import sys
SEEDS = [int(x) for x in sys.argv[1:] if x.isdigit()] or [0, 1, 2]
ONLY = "--steal-only" in sys.argv      # the second run: only the steal_tasks rows (seed 0)
for seed in SEEDS:
    theta, pools = build_problem("default", "fixed", seed)
    if ONLY:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    else:
        clean = fit(theta, pools, seed, GAIN, "clean")
        fit(theta, pools, seed, -1.0, "clean")
    if seed != 0 or "--no-attacks" in sys.argv:
        continue
    settings = attack_settings(clean, 0.05)
    rows = [r for r in csv.DictReader(open(
        "research/redteam/redteam8/final_main/a05_fixed/default_default_fixed_a0.05_s0_n150.csv"))
        if r["phase"] == "grid" and r["number"] == "22"]
    strat = {p: tuple(v) for p, v in json.loads(rows[0]["strategy"]).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings,
                        rng=np.random.default_rng([0, 17, 22]))
    if not ONLY:
        fit(theta, bad, seed, GAIN, "rt8 grid22")
        fit(theta, bad, seed, -1.0, "rt8 grid22")
    import flip  # noqa: F401
    comp = int(np.argmin(np.bincount(pools.heavy.components, minlength=4)))
    for st in ({"light2": ("steal_tasks", {"mode": "steal"})},
               {"heavy": ("steal_tasks", {"mode": "gram"})},
               {"light2": ("steal_tasks", {"mode": "steal"}), "heavy": ("steal_tasks", {"mode": "gram"})},
               {"light2": ("steal_tasks", {"mode": "steal"}), "heavy": ("steal_tasks", {"mode": "gram", "scale": 0.6})}):
        for i in range(2):
            bad = corrupt_pools(pools, strategy_attack(st), 0.05, theta=theta, settings=settings,
                                rng=np.random.default_rng([0, 24, 950 + i]))
            fit(theta, bad, seed, GAIN, f"steal {json.dumps(st)} draw {i}")
    for sc, heavy in (() if ONLY else ((0.97, None), (0.97, "anchor_edge"), (0.5, None))):
        st = {"light2": ("flip_gram", {"component": comp, "heavy": None, "pick": "own",
                                       "scale": sc, "noise": -1, "push": 0.0, "cap": 0.6})}
        if heavy:
            st["heavy"] = (heavy, {"component": comp, "level": 0.7})
        for i in range(2):
            bad = corrupt_pools(pools, strategy_attack(st), 0.05, theta=theta, settings=settings,
                                rng=np.random.default_rng([0, 24, 900 + i]))
            fit(theta, bad, seed, GAIN, f"steal sc{sc} heavy {heavy} draw {i}")
