"""The anchor's record on the attacked component for row INDEX of ROWS at
problem SEED (key [seed, 24, index], as rt24.py), on the code first on PYTHONPATH.

    python3 research/heavy19/record.py SEED ROWS INDEX
"""
import json
import sys
import warnings

import numpy as np

import flip  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem

seed, rows, i = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
theta, pools = build_problem("default", "hetero", seed)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = MetaLearner.robust(4, 0.05, rng=seed).fit(pools)
    row = json.load(open(rows))[i]
    strat = {p: tuple(v) for p, v in row["strategy"].items()}
    att = strategy_attack(strat)
    bad = corrupt_pools(pools, att, 0.05, theta=theta, settings=attack_settings(clean, 0.05),
                        rng=np.random.default_rng(row.get("key", [seed, 24, i])))
    m = MetaLearner.robust(4, 0.05, rng=seed).fit(bad)
an = m.diagnostics_["regression"]["anchor"]
for c, rec in enumerate(an["heavy"]):
    err = np.linalg.norm(an["W_heavy"][:, [c]] - theta.W, axis=0).min() / theta.s[0]
    print(f"comp {c}: heavy err {err:.4f} " + str({k: (round(v, 3) if isinstance(v, float) else v)
                                                 for k, v in rec.items()
                                                 if not isinstance(v, (list, np.ndarray))}))
