"""What the most capped information ⌊αn⌋ tasks can add does to the ratio:
the clean fit (problem seeds 0-2, light sizes 2-64 and equal) with the
ratio's capped Gram of every component scaled by (1 + e/tr G), e =
⌊αn⌋·t_cap·tau (bound.py: all the adversary's tasks at the size cap with
rows at tau, spread isotropically, added to the component's clean tasks).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/gram19/maxinfo.py
"""
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression import _pooled
from robust_mlr.threat import ThreatModel, size_cap

orig = _pooled.capped_grams


def inflated(data, labels, k, alpha, weights_by_task=True, level=_pooled.ROW_CAP_LEVEL):
    G, tau = orig(data, labels, k, alpha, weights_by_task, level)
    e = ThreatModel(alpha).budget(data.n_tasks) * min(size_cap(data.sizes), data.sizes.max()) * tau
    tr = np.trace(G, axis1=1, axis2=2)
    return G * (1 + e / tr)[:, None, None], tau


for sizes in ("hetero", "fixed"):
    for seed in range(3):
        theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
        out = []
        for f in (orig, inflated):
            _pooled.capped_grams = f
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
            out.append(np.round(m.diagnostics_["regression"]["anchor"]["mse_ratio"], 3).tolist())
        print(f"{sizes} seed {seed}: ratio clean {out[0]}  with the most capped information {out[1]}",
              flush=True)
