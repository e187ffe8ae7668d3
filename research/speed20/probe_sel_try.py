"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_sel_try.py"""
import time, warnings, pickle, sys
import numpy as np
from threadpoolctl import threadpool_limits
from robust_mlr import make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.stages.screening import screen_pools
import robust_mlr._select as S
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
def run():
    sc, scales, info = screen_pools(pools, 0.05)
    return scales, info
with threadpool_limits(limits=1, user_api="blas"):
    for thr in [1 << 18, 1 << 14, 1 << 18, 1 << 14, 1 << 16]:
        S.SELECT_FROM = thr
        out = run()
        ts = []
        for _ in range(7):
            c0 = time.process_time(); run(); ts.append(time.process_time() - c0)
        print(thr, "screen median ms", round(np.median(ts) * 1e3, 1), "min", round(min(ts)*1e3,1))
        if thr == 1 << 18: ref = pickle.dumps(out)
        else: print("  same:", pickle.dumps(out) == ref)
