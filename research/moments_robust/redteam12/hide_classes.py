"""Where the hiding tasks of the best α = 0.05 row are classified (seed 1, draw 1)."""
import json, warnings, numpy as np
from scipy.optimize import linear_sum_assignment
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from run import build_problem
theta, pools = build_problem("smallheavy", "fixed", 1)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = MetaLearner.robust(8, 0.05, rng=1, clustering="moments_robust").fit(pools)
    js = '{"light2": ["hidden_lever", {"rows": 1, "direction": "tilde", "component": 6, "decoy": 1.8, "hide_lever": 14, "lever": 10, "shift": 8.4, "hide": 0.15}]}'
    bad = corrupt_pools(pools, strategy_attack({p: tuple(v) for p, v in json.loads(js).items()}), 0.05, theta=theta,
                        settings=attack_settings(clean, 0.05), rng=np.random.default_rng([1, 1]))
    m = MetaLearner.robust(8, 0.05, rng=1, clustering="moments_robust").fit(bad)
cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
est, true = linear_sum_assignment(cost); to_true = dict(zip(est, true))
mask = bad.masks["light2"]; comps = pools.light2.components
hid = mask & (comps != 6)
lab = m.light_labels_
lt = np.array([to_true.get(l, -1) if l >= 0 else -1 for l in lab])
print("hide tasks by true comp", np.bincount(comps[hid], minlength=8).tolist())
print("their labels (true order, -1 none):", {int(c): int(((lt == c) & hid).sum()) for c in range(-1, 8)})
print("hide tasks classified to own comp:", int((lt[hid] == comps[hid]).sum()), "of", int(hid.sum()))
