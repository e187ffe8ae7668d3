"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_held_cost.py"""
import time, warnings, numpy as np
from threadpoolctl import threadpool_limits
from robust_mlr import MetaLearner, make_params, make_pools, _scaled
from robust_mlr.generator import DEFAULT_PROBLEM
import robust_mlr.estimator as E
import contextlib
cost = []
o = _scaled.held
@contextlib.contextmanager
def h(data, limit=_scaled.HOLD_BYTES):
    c0 = time.process_time(); w0 = time.perf_counter()
    with o(data, limit) as x:
        cost.append((time.process_time() - c0, time.perf_counter() - w0))
        yield x
E._scaled = type("M", (), {"held": staticmethod(h)})
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
with threadpool_limits(limits=1, user_api="blas"):
    for _ in range(8):
        MetaLearner.robust(4, 0.05, rng=0).fit(pools)
print(" ".join(f"{c*1e3:.1f}/{w*1e3:.1f}" for c, w in cost), "ms CPU/wall")
