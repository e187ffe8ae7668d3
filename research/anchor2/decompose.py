"""One strategy and draw: errors of the light, heavy and final estimates of the
attacked component along the attack direction u and across it (units of s).

    PYTHONPATH=$PWD python3 research/anchor2/decompose.py STRATEGY DRAW [SIZES]
"""
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, "research/redteam/redteam6")
from run import build_problem  # noqa: E402

from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.adversary._craft import fixed_direction  # noqa: E402
from robust_mlr.adversary.redteam import strategy_attack  # noqa: E402

s, draw = sys.argv[1], int(sys.argv[2])
sizes = sys.argv[3] if len(sys.argv) > 3 else "fixed"
theta, pools = build_problem("default", sizes, 0)
clean = MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
settings = attack_settings(clean, 0.05)
strat = {p: tuple(v) for p, v in json.loads(s).items()}
bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta, settings=settings,
                    rng=np.random.default_rng([0, 17, draw]))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m = MetaLearner.robust(theta.k, 0.05, rng=0).fit(bad)
anc = m.diagnostics_["regression"]["anchor"]
a = strat["heavy"][1].get("component", 0)
W = theta.W
if strat["heavy"][1].get("direction") == "toward":
    dist = np.linalg.norm(W - W[:, [a]], axis=0)
    dist[a] = np.inf
    u = W[:, int(np.argmin(dist))] - W[:, a]
    u /= np.linalg.norm(u)
else:
    u = fixed_direction(W)
for name, Est in (("light", anc["W_light"]), ("heavy", anc["W_heavy"]), ("final", m.W_)):
    c = int(np.argmin(np.linalg.norm(Est - W[:, [a]], axis=0)))
    e = (Est[:, c] - W[:, a]) / theta.s[a]
    print(f"{name:6s} col {c} |e| {np.linalg.norm(e):.3f} along u {e @ u:+.3f} "
          f"across {np.linalg.norm(e - (e @ u) * u):.3f}")
print("T", np.round(anc["statistic"], 1), "share", np.round(anc["light_weight"], 2),
      "allow", np.round(anc["bias_allowance"], 2), "shrunk", anc["shrunk"])
print("heavy", [(h.get("tasks"), h.get("removed"), round(h.get("direction_over_level", 0), 2),
                 round(h.get("top_eig_over_level", 0), 2)) for h in anc["heavy"]])
