"""``model_bias`` alone (inputs captured from one robust fit of the default
problem), CPU time per call (median), and a cProfile of it.

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed19/time_model_bias.py``
"""
import copy
import cProfile
import pstats
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.stages.regression._pooled as pooled
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
cap = []
orig = pooled.model_bias


def capture(*a, **kw):
    cap.append(copy.deepcopy((a, kw)))
    return orig(*a, **kw)


pooled.model_bias = capture
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    a, kw = cap[0]
    ts = []
    for _ in range(15):
        a2, kw2 = copy.deepcopy((a, kw))
        c0 = time.process_time()
        out = orig(*a2, **kw2)
        ts.append(time.process_time() - c0)
    print(f"model_bias: median {np.median(ts) * 1e3:.1f} ms, min {min(ts) * 1e3:.1f} ms CPU "
          f"(15 calls); checksum {np.abs(out).sum()!r}")
    pr = cProfile.Profile()
    a2, kw2 = copy.deepcopy((a, kw))
    pr.enable()
    orig(*a2, **kw2)
    pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(12)
