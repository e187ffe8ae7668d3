"""Clean default problem: errors, warnings, the anchor's test and fit time.

    PYTHONPATH=$PWD python3 research/anchor2/clean.py [SEEDS] [SIZES] [ALPHAS]
"""
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

seeds = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "0,1,2,3,4").split(",")]
sizes_list = (sys.argv[2] if len(sys.argv) > 2 else "fixed,hetero").split(",")
alphas = [float(a) for a in (sys.argv[3] if len(sys.argv) > 3 else "0.02,0.05").split(",")]
for sizes in sizes_list:
    for alpha in alphas:
        for seed in seeds:
            theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
            dt = time.perf_counter() - t0
            e = parameter_errors(m.W_, m.s2_, m.p_, theta)
            warned = [str(w.message)[:60] for w in ws if issubclass(w.category, CorruptionWarning)]
            a = m.diagnostics_["regression"].get("anchor", {})
            heavy = a.get("heavy", [])
            print(f"{sizes:6s} a{alpha} s{seed} w {e['w_err']:.4f} s2 {e['s2_err']:.4f} "
                  f"p {e['p_err']:.4f} t {dt:.2f}s warned {warned} "
                  f"T {np.round(a.get('statistic', []), 0).tolist()} "
                  f"allow {np.round(a.get('bias_allowance', []), 1).tolist()} {np.round(a.get('bias_norm', []), 1).tolist()} "
                  f"rm {[h.get('removed') for h in heavy]} "
                  f"dir {[h.get('direction_rounds') for h in heavy]} "
                  f"med {[h.get('median_directions') for h in heavy]}", flush=True)
