"""Median CPU times (time.process_time) of the ICML and robust fits on the
default problem, one BLAS thread, with the robust fit's stage clocks and its
Burer–Monteiro solve's clock read as CPU time, all in one process.

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed20/time_fits.py [--repeat 9]``
"""
import argparse
import os
import time
import types
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.estimator as estimator_module
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.stages.clustering import burer_monteiro

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=9)
ap.add_argument("--label", default="")
args = ap.parse_args()
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
cpu = types.SimpleNamespace(perf_counter=time.process_time)
estimator_module.time = cpu
burer_monteiro.time = cpu
icml, robust, stages, bm = [], [], {}, []
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner(p["k"], rng=0).fit(pools)
    MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools)          # warm-up
    for _ in range(args.repeat):
        c0 = time.process_time()
        MetaLearner(p["k"], rng=0).fit(pools)
        icml.append(time.process_time() - c0)
        c0 = time.process_time()
        m = MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools)
        robust.append(time.process_time() - c0)
        d = m.diagnostics_
        for s in d:
            if isinstance(d[s], dict) and "time" in d[s]:
                stages.setdefault(s, []).append(d[s]["time"])
        bm.append(d["clustering"]["solver"]["time"])
med = np.median
print(f"{args.label} default problem, median of {args.repeat} (CPU s, one BLAS thread, load "
      f"{os.getloadavg()[0]:.1f}): ICML {med(icml):.4f} (min {min(icml):.4f}), robust "
      f"{med(robust):.4f} (min {min(robust):.4f}), ratio {med(robust) / med(icml):.2f} "
      f"(of the minima {min(robust) / min(icml):.2f})")
rest = med(robust) - sum(med(v) for v in stages.values())
print("  robust stages: " + ", ".join(f"{s} {med(v):.4f}" for s, v in stages.items())
      + f", outside the stage clocks {rest:.4f}; BM solve {med(bm):.4f}; "
      f"steps {d['clustering']['solver']['inner_iterations']}")
