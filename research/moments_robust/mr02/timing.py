"""mr02: CPU time of clean fits, MetaLearner.robust(8, 0.01,
clustering="moments_robust") on small-heavy seed 1 (3 fits), and the
default problem's MetaLearner.robust(4, 0.05) (3 fits); the code is
whichever robust_mlr is first on PYTHONPATH.

    PYTHONPATH=<code>:research/redteam/redteam7 OMP_NUM_THREADS=1 python3 research/moments_robust/mr02/timing.py
"""
import time
import warnings

from robust_mlr import MetaLearner, make_params, make_pools
from run import build_problem

warnings.simplefilter("ignore")
theta, pools = build_problem("smallheavy", "fixed", 1)
th2 = make_params(32, 4, rng=0)
p2 = make_pools(th2, 20000, 2, 400, 128, 20000, 8, rng=1)
for name, make, data in (("smallheavy", lambda: MetaLearner.robust(8, 0.01, rng=1, clustering="moments_robust"), pools),
                         ("default", lambda: MetaLearner.robust(4, 0.05, rng=0), p2)):
    out = []
    for _ in range(3):
        c0 = time.process_time()
        m = make().fit(data)
        out.append(time.process_time() - c0)
    print(name, "cpu", [round(t, 2) for t in out], "min", round(min(out), 2),
          "regression", round(m.diagnostics_["regression"].get("cpu_seconds", float("nan")), 3)
          if isinstance(m.diagnostics_.get("regression"), dict) else "", flush=True)
