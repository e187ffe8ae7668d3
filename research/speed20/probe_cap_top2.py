"""Probe (speed20 README): see README.md, Files. Run from the worktree:
PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/speed20/probe_cap_top2.py"""
import time, warnings, numpy as np
from threadpoolctl import threadpool_limits
from robust_mlr import MetaLearner, make_params, make_pools, _scaled
from robust_mlr.generator import DEFAULT_PROBLEM
import robust_mlr.stages.regression._pull_trim as pt
calls = []
orig = pt.top_tasks
def spy(*a, **kw):
    calls.append((a, kw))
    return orig(*a, **kw)
pt.top_tasks = spy
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"], p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    a, kw = calls[0]
    data = a[0]
    data._X, data._y = data._block(0, data.n_examples)
    def T(f, n=20):
        ts=[]
        for _ in range(n):
            c0=time.process_time(); f(); ts.append(time.process_time()-c0)
        return np.median(ts)*1e3
    print("all 8 calls ms", T(lambda: [orig(*a, **kw) for a, kw in calls], 7))
    a0 = list(a); a0[7] = None
    print("one call, no sim, ms", T(lambda: orig(*a0, **kw), 10))
    print("one call ms", T(lambda: orig(*a, **kw), 10))
    import cProfile, pstats
    pr = cProfile.Profile(); pr.enable()
    for _ in range(5):
        for a, kw in calls: orig(*a, **kw)
    pr.disable(); pstats.Stats(pr).sort_stats("tottime").print_stats(12)
from collections import defaultdict
from robust_mlr._segments import task_blocks
from robust_mlr.stages.regression._misclass import example_weights
acc = defaultdict(float)
def tick(name, t0):
    t = time.perf_counter(); acc[name] += t - t0; return t
def top_inst(data, labels, comp, u, n_top, tau, weights_by_task=True, sim=None, memo=None):
    t0 = time.perf_counter()
    off, d = data.offsets, data.dim
    labels = np.asarray(labels)
    c = example_weights(data, weights_by_task)
    mine = np.flatnonzero(labels == comp)
    gram, dG, rhs = np.zeros((d, d)), np.zeros((d, d)), np.zeros(d)
    v = np.zeros(labels.size)
    t0 = tick("setup", t0)
    for a, e in task_blocks(off, data._row_bytes):
        if not np.any(labels[a:e] == comp):
            continue
        Xb = data._block(off[a], off[e])[0]
        rw, task = pt._block_rows(data, a, e, Xb, c, tau, memo)
        t0 = tick("p1 block+memo", t0)
        g = Xb @ u
        t0 = tick("p1 gemv", t0)
        g = rw * g ** 2
        t0 = tick("p1 mult", t0)
        v[a:e] = np.bincount(task, weights=g, minlength=e - a)
        t0 = tick("p1 bincount", t0)
    idx = mine[np.argsort(-v[mine], kind="stable")[:n_top]]
    chosen = np.zeros(labels.size, bool)
    chosen[idx] = True
    t0 = tick("select", t0)
    for a, e in task_blocks(off, data._row_bytes):
        if not chosen[a:e].any():
            continue
        Xb = data._block(off[a], off[e])[0]
        rows = np.repeat(chosen[a:e], data.sizes[a:e])
        t0 = tick("p2 rows", t0)
        Xc = np.compress(rows, Xb, axis=0); Xs = Xc * np.sqrt(pt._block_rows(data, a, e, Xb, c, tau, memo)[0][rows])[:, None]
        t0 = tick("p2 gather", t0)
        gram += Xs.T @ Xs
        t0 = tick("p2 gram", t0)
        if sim is not None:
            replay, j, w = sim
            delta, y = replay(a, e, Xb)
            wts = np.repeat(np.where(chosen[a:e], delta[:, j], 0.0), data.sizes[a:e])
            sel = wts != 0
            t0 = tick("p2 replay+wts", t0)
            if sel.any():
                Xd, wd = Xb[sel], wts[sel]
                t0 = tick("p2 sim gather", t0)
                dG += Xd.T @ (Xd * wd[:, None])
                rhs += Xd.T @ (wd * (Xd @ w - y[sel]))
                t0 = tick("p2 sim products", t0)
    return gram, dG, rhs, np.sort(idx)
for _ in range(5):
    for a, kw in calls: top_inst(*a, **kw)
for k, v in acc.items(): print(f"{k:20s} {v/5*1e3:.2f} ms per fit")
