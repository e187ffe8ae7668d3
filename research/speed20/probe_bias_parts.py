"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_bias_parts.py"""
import time, warnings, numpy as np
from collections import defaultdict
from threadpoolctl import threadpool_limits
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM
import robust_mlr.stages.regression._misclass as M
from robust_mlr._segments import task_blocks
acc = defaultdict(float)
def tick(name, t0):
    t = time.perf_counter(); acc[name] += t - t0; return t
def bias_pass(light, W, delta_of_block, comps):
    d, off = light.dim, light.offsets
    dG, rhs = np.zeros((len(comps), d, d)), np.zeros((len(comps), d))
    t0 = time.perf_counter()
    for a, e in task_blocks(off, light._row_bytes):
        Xb, yb = light._block(off[a], off[e])
        t0 = tick("block", t0)
        delta, yb = delta_of_block(a, e, Xb, yb)
        t0 = tick("delta (draws, posteriors)", t0)
        t = off[a + 1:e + 1] - off[a:e]
        for j, ell in enumerate(comps):
            wts = np.repeat(delta[:, j], t)
            rows = wts != 0
            t0 = tick("wts", t0)
            if rows.any():
                Xs, ws = np.compress(rows, Xb, axis=0), wts[rows]
                t0 = tick("compress", t0)
                Z = Xs * ws[:, None]
                t0 = tick("Xs*ws", t0)
                dG[j] += Xs.T @ Z
                t0 = tick("gemm", t0)
                rhs[j] += Xs.T @ (ws * (Xs @ W[:, ell] - yb[rows]))
                t0 = tick("rhs", t0)
    return dG, rhs
M._bias_pass = bias_pass
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    acc.clear()
    for _ in range(5): MetaLearner.robust(4, 0.05, rng=0).fit(pools)
for k, v in acc.items(): print(f"{k:28s} {v/5*1e3:.2f} ms per fit")
