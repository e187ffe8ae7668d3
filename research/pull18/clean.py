"""Clean fits of the default robust learner (alpha 0.05, problem seeds 0-4,
both light size laws) on this code: max||w^-w||/s and the anchor's per
component pull and predicted mean squared error ratio.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull18/clean.py
"""
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors

for sizes in ("fixed", "hetero"):
    errs = []
    for seed in range(5):
        theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        a = m.diagnostics_["regression"]["anchor"]
        errs.append(e["w_err"])
        print(f"{sizes} seed {seed}: w {e['w_err']:.4f} s2 {e['s2_err']:.4f} p {e['p_err']:.4f} "
              f"pull {a['pull'].tolist()} mse_ratio {np.round(a['mse_ratio'], 2).tolist()}",
              flush=True)
    print(f"{sizes}: mean {np.mean(errs):.4f} max {np.max(errs):.4f}", flush=True)
