"""Replay strategies (JSON arguments) on the default problem, seed 0, α = 0.05,
three draws each: final, light and heavy errors per component, T, the
allowance and the heavy filters' records.

    PYTHONPATH=$PWD python3 research/anchor2/probe2.py STRATEGY [STRATEGY ...]
"""
import json, sys, warnings, numpy as np
sys.path[:0] = ["research/redteam/redteam6"]
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem
theta, pools = build_problem("default", "fixed", 0)
clean = MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
settings = attack_settings(clean, 0.05)
strats = sys.argv[1:]
for s in strats:
  for draw in range(3):
    strat = {p: tuple(v) for p, v in json.loads(s).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings, rng=np.random.default_rng([0, 17, draw]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(theta.k, 0.05, rng=0).fit(bad)
    anc = m.diagnostics_["regression"]["anchor"]
    def err(W):
        E = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0) / theta.s
        return E.min(axis=1)
    Wt = theta.W
    print(draw, "final", np.round(err(m.W_), 3), "light", np.round(err(anc["W_light"]), 3), "heavy", np.round(err(anc["W_heavy"]), 3),
          "T", np.round(anc["statistic"], 1), "allow", np.round(anc["bias_allowance"], 2), np.round(anc["bias_norm"], 2).tolist(), "removed", [(h.get("removed"), h.get("direction_rounds")) for h in anc["heavy"]], "dir", [round(h.get("direction_over_level", 0), 2) for h in anc["heavy"]], "eig", [round(h.get("top_eig_over_level"),2) for h in anc["heavy"]])
