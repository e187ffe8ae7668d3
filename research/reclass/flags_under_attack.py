"""Flags per component at the clustering W̃ under an anchor_match replay,
and how many clean light-2 tasks of the attacked component are left.

    PYTHONPATH=$PWD:research/redteam/redteam7 python3 research/reclass/flags_under_attack.py 0.02 fewest aligned
"""
import json, sys, numpy as np, warnings
sys.argv_ = list(sys.argv); sys.argv = ["x"]
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.stages.classification import flag_unfit_tasks
from run import build_problem
alpha = float(sys.argv_[1])
comp = sys.argv_[2] if sys.argv_[2] == "fewest" else int(sys.argv_[2]); mode = sys.argv_[3]
H = ["seeded", {"family": ["anchor_select", {"component": comp, "level": 1.03, "rss": 1.3, "direction": "error"}], "seed": 1}]
strat = {"heavy": tuple(H), "light2": ("anchor_match", {"component": comp, "mode": mode, "level": 0.95, "select": True, "heavy": H})}
theta, pools = build_problem("default", "fixed", 0)
warnings.simplefilter("ignore")
clean = MetaLearner.robust(theta.k, alpha, rng=0).fit(pools)
c = clean.diagnostics_["classification"]
print("clean", c["removed"], c["limit"], c.get("excess"), c.get("reclassified", {}).get("components"))
bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=attack_settings(clean, alpha), rng=np.random.default_rng([0, 17, 0]))
m = MetaLearner.robust(theta.k, alpha, rng=0).fit(bad)
c = m.diagnostics_["classification"]
print("bad", c["removed"], c["limit"], c.get("excess"), c.get("reclassified", {}).get("components"), c.get("reclassified", {}).get("removed"))
from robust_mlr.stages.classification.flagging import excess_flags
lab, fl = flag_unfit_tasks(bad.light2, m.W_tilde_, m.r2_tilde_, 1e-3)
print(excess_flags(lab, fl, 4, 1e-3))
r = m.diagnostics_["regression"]
print({k: (v if not isinstance(v, np.ndarray) else v.shape) for k, v in r.items() if k not in ("anchor",)})
print({k: v for k, v in m.diagnostics_["clustering"].items() if not isinstance(v, np.ndarray)}.keys())
from scipy.optimize import linear_sum_assignment
def errs(W):
    D = np.linalg.norm(W[:, :, None] - theta.W[:, None, :], axis=0) / theta.s[None, :]
    r, cidx = linear_sum_assignment(D); return D[r, cidx], cidx
print("Wt", errs(m.W_tilde_), "W", errs(m.W_)[0], "r2t", m.r2_tilde_, theta.s**2)
print("labels", np.bincount(lab, minlength=4), "final", np.bincount(m.light_labels_[m.light_labels_>=0], minlength=4))
print("git", m.diagnostics_["clustering"]["method"])
comps = bad.light2.components
a = int(errs(m.W_)[1][np.argmax(errs(m.W_)[0])])
print("attacked comp", a, "light2 tasks of a now", int(np.sum(comps == a)), "clean originally", int(np.sum(pools.light2.components == a)))
print("flagged under Wt among comp a tasks", int(np.sum(fl & (comps == a))), "total flagged", int(fl.sum()))
