"""Clean max‖ŵ−w‖/s of MetaLearner.robust(4, 0.05) on the default problem
(seeds 0–5), with the task-score weights (task_clip=1.5) and without
(task_clip=None); and of the moment learner on the small-heavy problem
when given ``--smallheavy`` (seeds 0–2). Run from the repository root with
PYTHONPATH=$PWD:research/redteam/redteam7."""
import sys
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression

P = DEFAULT_PROBLEM
rows = []
for seed in range(6):
    theta = make_params(P["d"], P["k"], rng=seed)
    pools = make_pools(theta, P["n_light1"], P["t_light1"], P["n_heavy"], P["t_heavy"],
                       P["n_light2"], P["t_light2"], rng=seed + 100)
    out = []
    for tc in (None, 1.5):
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(P["k"], 0.05, rng=seed,
                                   regression=FilterRegression(task_clip=tc)).fit(pools)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        out.append((float(e["w_err"]), warned))
    rows.append(out)
    print(f"seed {seed}: task_clip None W {out[0][0]:.4f} warned {out[0][1]}, "
          f"1.5 W {out[1][0]:.4f} warned {out[1][1]}", flush=True)
a = np.array([[r[0][0], r[1][0]] for r in rows])
print("mean", a.mean(axis=0).round(4), "ratio", round(float(a[:, 1].mean() / a[:, 0].mean()), 3))
