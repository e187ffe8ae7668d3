"""One attacked small fit in detail: per-component errors, light and heavy
estimates' errors, counts. Usage: inspect_seed.py SEED PLAN"""
import sys, warnings
import numpy as np
sys.argv, s, plan = sys.argv[:1] + ["small", "0.05", "0"], int(sys.argv[1]), sys.argv[2]
exec(open(__file__.replace("inspect_seed.py", "attacks.py")).read().split("which, alpha")[0])
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
theta = make_params(8, 3, rng=s)
pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
for i, (att, targets) in enumerate(PLANS[plan]):
    pools = corrupt_pools(pools, att, 0.05, theta=theta, targets=targets, rng=4 + s + 100 * i)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m = MetaLearner.robust(3, 0.05, rng=2 + s).fit(pools)
print([str(w.message)[:300] for w in caught if "Corruption" in w.category.__name__])
reg = m.diagnostics_["regression"]
an = reg["anchor"]
def match(W):
    return [min(np.linalg.norm(W[:, c] - theta.W[:, a]) for a in range(3)) for c in range(W.shape[1])]
print("p_hat", np.round(m.p_, 3), "true p", theta.p)
print("final err per comp", np.round(match(m.W_), 3))
print("light err", np.round(match(an["W_light"]), 3))
print("heavy err", np.round(match(np.nan_to_num(an["W_heavy"], nan=99)), 3))
print("cls W err", np.round(match(m.diagnostics_.get("classification", {}).get("W", m.W_)) , 3) if "W" in m.diagnostics_.get("classification", {}) else "")
print("heavy recs", [{k: v for k, v in h.items() if k in ("anchored", "tasks", "needed", "passed", "light_worst", "anchored_worst", "agreement")} for h in an["heavy"]])
print("anchor stat", an.get("statistic"), an.get("threshold"), "pull", an.get("pull"))
print("masks light2 corrupted per true comp", np.bincount(pools.light2.components[pools.masks["light2"]] if False else [0]))
