"""Capture the anchor's inputs on one attacked fit (for offline analysis).

    PYTHONPATH=$PWD:research/redteam/redteam7 python3 research/anchor4/capture.py ALPHA DRAW STRATEGY OUT.pkl [SIZES]
"""
import json
import pickle
import sys

import numpy as np

import robust_mlr.stages.regression._pooled as P
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem

alpha, draw, strat, out = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
sizes = sys.argv[5] if len(sys.argv) > 5 else "fixed"
cap = {"median": [], "pool": []}
orig_ms, orig_pool = P.median_step, P.pool_estimates


def ms(*a, **k):
    cap["median"].append([np.copy(x) if isinstance(x, np.ndarray) else x for x in a])
    return orig_ms(*a, **k)


def pool(*a, **k):
    cap["pool"].append([np.copy(x) if isinstance(x, np.ndarray) else x for x in a[:6]])
    return orig_pool(*a, **k)


P.median_step, P.pool_estimates = ms, pool
theta, pools = build_problem("default", sizes, 0)
clean = MetaLearner.robust(theta.k, alpha, rng=0).fit(pools)
settings = attack_settings(clean, alpha)
cap = {"median": [], "pool": []}
s = {p: tuple(v) for p, v in json.loads(strat).items()}
bad = corrupt_pools(pools, strategy_attack(s), alpha, theta=theta, settings=settings,
                    rng=np.random.default_rng([0, 17, draw]))
m = MetaLearner.robust(theta.k, alpha, rng=0).fit(bad)
cap["W_final"], cap["W_true"], cap["s"] = m.W_, theta.W, theta.s
pickle.dump(cap, open(out, "wb"))
