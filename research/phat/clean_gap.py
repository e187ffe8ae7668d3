"""Clean default problem: p̂ (shares classified at the clustering's W̃, r̃²)
against the shares classified at the final (Ŵ, ŝ²), in units of the shares'
standard error √(p̂(1 − p̂)/n).

    PYTHONPATH=$PWD python3 research/phat/clean_gap.py [SEEDS] [SIZES] [ALPHAS]
"""
import sys
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.classification import flag_unfit_tasks

seeds = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "0,1,2,3,4").split(",")]
sizes_list = (sys.argv[2] if len(sys.argv) > 2 else "fixed,hetero").split(",")
alphas = [float(a) for a in (sys.argv[3] if len(sys.argv) > 3 else "0.02,0.05").split(",")]
for sizes in sizes_list:
    for alpha in alphas:
        for seed in seeds:
            theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
            e = parameter_errors(m.W_, m.s2_, m.p_, theta)
            lab, fl = flag_unfit_tasks(pools.light2, m.W_, m.s2_, 1e-3)
            cnt = np.bincount(lab[~fl], minlength=theta.k)
            pf = cnt / cnt.sum()
            se = np.sqrt(pf * (1 - pf) / cnt.sum())
            ef = parameter_errors(m.W_, m.s2_, pf, theta)
            print(f"{sizes:6s} a{alpha} s{seed} p {e['p_err']:.4f} p_final {ef['p_err']:.4f} "
                  f"gap/se {np.round(np.abs(m.p_ - pf) / se, 2).tolist()}", flush=True)
