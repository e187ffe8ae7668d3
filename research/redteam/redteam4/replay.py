"""Replay the worst trials of a red-team history (research/redteam_default.py
JSON) with warnings recorded and the fit timed; also the largest gap between
trial log lines (a coarse bound on a trial's wall time).

    python3 research/redteam/redteam4/replay.py HISTORY.json LOG [N [TRIAL ...]]
"""
import json
import re
import sys

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools, attack_settings
from robust_mlr.adversary.redteam import strategy_attack
from rt4common import fit, line

rec = json.load(open(sys.argv[1]))
n_top = int(sys.argv[3]) if len(sys.argv) > 3 else 3
a = rec["args"]
theta, pools = make_problem(dict(PROBLEM, sizes=a["sizes"]), np.random.default_rng([a["seed"], 11]))
alpha, seed = a["alpha"], a["seed"]
settings = attack_settings(MetaLearner.robust(theta.k, alpha, rng=seed), alpha)
clean, _ = fit(pools, theta, alpha, seed)
print(line("clean", clean))
stamps = [int(m.group(1)) for m in re.finditer(r"^\[\s*(\d+)s\] trial", open(sys.argv[2]).read(), re.M)]
gaps = np.diff([0] + stamps)
print(f"largest gap between trial lines {gaps.max()} s at trial {int(np.argmax(gaps))} "
      f"(clean fit {clean['time']:.2f} s); crashes: "
      f"{[h['message'] for h in rec['history'] if h['status'] != 'ok']}")
hist = [h for h in rec["history"] if h["status"] == "ok"]
chosen = []
for key in ("w_err", "s2_err", "p_err"):
    for h in sorted(hist, key=lambda h: -h["metrics"][key])[:n_top]:
        if h["number"] not in chosen:
            chosen.append(h["number"])
chosen += [int(x) for x in sys.argv[4:]]
for num in chosen:
    h = rec["history"][num]
    strat = {p: (f, prm) for p, (f, prm) in h["strategy"].items()}
    att = strategy_attack(strat)
    bad = corrupt_pools(pools, att, alpha, theta=theta, settings=settings,
                        rng=np.random.default_rng([seed, num]))
    r, _ = fit(bad, theta, alpha, seed, clean_time=clean["time"])
    fams = {p: f for p, (f, _) in strat.items() if f != "none"}
    print(line(f"trial {num} {fams}", r))
