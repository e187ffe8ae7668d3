"""Replay: a heavy edge-placement attack (fifth red team) that made the robust
Burer–Monteiro solve slow (11 s against 0.75 s clean) — see README.md.

    PYTHONPATH=. OMP_NUM_THREADS=1 python3 research/redteam/bmscale/slow_heavy_edge.py

Corrupted heavy tasks with designs long along one direction and small noise
(``edge_placement`` on component 0), plus light-pool attacks, at α = 0.05 on
the default problem; two corruption draws, each fit timed against the clean
fit of the same learner.
"""
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, "research/redteam/redteam5")
from run import build_problem, errors  # noqa: E402

from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.adversary.redteam import strategy_attack  # noqa: E402

warnings.simplefilter("ignore")
STRATEGY = {
    "light1": ["copies", {"kind": "clean", "groups": 6}],
    "heavy": ["edge_placement", {"component": 0, "level": 0.9143440374803329,
                                 "direction": "orthogonal", "noise": 0.2914583256045046,
                                 "x_level": 0.2187350143913251}],
    "light2": ["median_push", {"component": 3, "fill": 0.37391896861081486,
                               "direction": "up"}],
}
theta, pools = build_problem("default", "fixed", 0)
m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)                  # warm-up
t = time.perf_counter()
m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
tc = time.perf_counter() - t
print("clean", errors(m, theta), "time", round(tc, 2))
settings = attack_settings(m, 0.05)
for rep in range(2):
    bad = corrupt_pools(pools, strategy_attack(STRATEGY), 0.05, theta=theta, settings=settings,
                        rng=np.random.default_rng([0, 17, 0, rep]))
    t = time.perf_counter()
    mm = MetaLearner.robust(4, 0.05, rng=0).fit(bad)
    ta = time.perf_counter() - t
    clu = mm.diagnostics_["clustering"]
    s = clu["solver"]
    print(rep, errors(mm, theta), "time", round(ta, 2), "x%.1f" % (ta / tc),
          "clustering", round(clu["time"], 2), "set aside", clu.get("far_tasks"), s["status"],
          "updates", s["outer_iterations"], "inner", s["inner_iterations"],
          "dual", s["dual_bound"])
