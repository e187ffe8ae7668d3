"""Does the fit reclassify at the refit's estimates and regress again (the
recheck), and what did the first regression pass's refit agreement say?
The first pass's diagnostics are captured by wrapping the regression
stage's ``fit`` (read-only instrumentation, no defence change).

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam14 \\
        OMP_NUM_THREADS=1 python3 research/moments_robust/redteam14/recheck_probe.py DRAW 'JSON'
"""
import json
import sys
import warnings

import numpy as np

import biased  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression

from run import build_problem

draw, js = int(sys.argv[1]), sys.argv[2]
theta, pools = build_problem("smallheavy", "fixed", 1)
mk = lambda: MetaLearner.robust(8, 0.05, rng=1, clustering="moments_robust")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clean = mk().fit(pools)
strat = {p: tuple(v) for p, v in json.loads(js).items()}
bad = corrupt_pools(pools, strategy_attack(strat), 0.05, theta=theta,
                    settings=attack_settings(clean, 0.05), rng=np.random.default_rng([1, draw]))
passes = []
orig = FilterRegression.fit


def spy(self, *a, **kw):
    out = orig(self, *a, **kw)
    ec = out.info_.get("example_clip") or {}
    passes.append((parameter_errors(out.W_, out.s2_, np.full(theta.k, 1 / theta.k), theta)["w_err"],
                   max(ec.get("moved_se") or [0]), out.info_.get("refit_agrees"),
                   out.info_.get("passed")))
    return out


FilterRegression.fit = spy
with warnings.catch_warnings(record=True) as ws:
    warnings.simplefilter("always")
    m = mk().fit(bad)
for i, (w, mv, ag, ps) in enumerate(passes):
    print(f"regression pass {i + 1}: W {float(w):.3f} moved_se {mv:.2f} refit_agrees {ag} passed {ps}")
print("reclassified:", {k: v for k, v in m.diagnostics_["classification"].get("reclassified", {}).items()
                        if k != "flagged"})
print("final W", round(float(parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]), 3),
      "warnings", sorted({w.category.__name__ for w in ws}))
