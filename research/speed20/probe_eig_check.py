"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_eig_check.py"""
import time, numpy as np
from robust_mlr import make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
from robust_mlr.stages.regression._heavy_anchor import _task_grams, SINGULAR_RTOL
from threadpoolctl import threadpool_limits
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
with threadpool_limits(limits=1, user_api="blas"):
    A = _task_grams(pools.heavy)
    l1 = np.linalg.eigvalsh(A); l2, V = np.linalg.eigh(A)
    print("identical bits:", np.array_equal(l1, l2), "max rel diff", np.max(np.abs(l1 - l2) / np.abs(l2)))
    print("ratio min", (l1[:, 0] / l1[:, -1]).min(), "threshold", SINGULAR_RTOL)
    def T(f, n=9):
        ts = []
        for _ in range(n):
            c0 = time.process_time(); f(); ts.append(time.process_time() - c0)
        return np.median(ts) * 1e3
    print("eigvalsh ms", T(lambda: np.linalg.eigvalsh(A)), "eigh ms", T(lambda: np.linalg.eigh(A)))
