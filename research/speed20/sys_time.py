"""User and system CPU seconds of each fit (os.times) on the default
problem, one BLAS thread: the system part is the kernel's — page faults of
fresh arrays (and the compaction their huge-page advice may trigger).

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed20/sys_time.py [--repeat 8]``
"""
import argparse
import os
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=8)
args = ap.parse_args()
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
makers = {"icml": lambda: MetaLearner(p["k"], rng=0),
          "robust": lambda: MetaLearner.robust(p["k"], 0.05, rng=0)}
out = {k: [] for k in makers}
with threadpool_limits(limits=1, user_api="blas"):
    for m in makers.values():
        m().fit(pools)
    for _ in range(args.repeat):
        for k, m in makers.items():
            t0 = os.times()
            m().fit(pools)
            t1 = os.times()
            out[k].append((t1.user - t0.user, t1.system - t0.system))
for k, v in out.items():
    v = np.array(v)
    print(f"{k:6s} user median {np.median(v[:, 0]):.3f} s, system median {np.median(v[:, 1]):.3f} "
          f"s (max {v[:, 1].max():.3f}; each: {' '.join(f'{s:.2f}' for s in v[:, 1])})")
