# Line timing of the pull trims' second pass by piece (process time). Run as lt_bias.py
import sys, time, warnings
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_robust_scale import scale_pools
from robust_mlr import MetaLearner
import robust_mlr.stages.regression._pull_trim as pt
from robust_mlr._segments import task_blocks
T = {}
clk = time.process_time
def tick(k, t0):
    t = clk(); T[k] = T.get(k, 0) + t - t0; return t
orig = pt.top_tasks_many
def timed(data, labels, asks, n_top, tau, weights_by_task=True, replay=None):
    out = orig(data, labels, asks, n_top, tau, weights_by_task, replay)
    off = data.offsets; labels = np.asarray(labels)
    c = pt.example_weights(data, weights_by_task)
    chosen = []
    for (comp, *_), (g, dg, r, idx) in zip(asks, out):
        ch = np.zeros(labels.size, bool); ch[idx] = True; chosen.append(ch)
    for a, e in task_blocks(off, data._row_bytes):
        t0 = clk()
        Xb = data._block(off[a], off[e])[0]; t0 = tick("read", t0)
        t = off[a + 1:e + 1] - off[a:e]
        rw = pt._row_weights(data, a, e, Xb, c, tau); t0 = tick("rw", t0)
        delta, y = replay(a, e, Xb); t0 = tick("replay", t0)
        for q, (comp, u, j, w) in enumerate(asks):
            rows = np.repeat(chosen[q][a:e], t); t0 = tick("rows", t0)
            Xs = np.compress(rows, Xb, axis=0) * np.sqrt(np.compress(rows, rw))[:, None]; t0 = tick("Xs", t0)
            G = Xs.T @ Xs; t0 = tick("gram", t0)
            wts = np.repeat(np.where(chosen[q][a:e], delta[:, j], 0.0), t)
            sel = wts != 0; t0 = tick("wts", t0)
            Xd, wd = np.compress(sel, Xb, axis=0), np.compress(sel, wts); t0 = tick("Xd", t0)
            dG = Xd.T @ (Xd * wd[:, None]); t0 = tick("dG", t0)
            rhs = Xd.T @ (wd * (Xd @ w - np.compress(sel, y))); t0 = tick("rhs", t0)
    print({k: round(v, 3) for k, v in T.items()})
    return out
pt.top_tasks_many = timed
pools = scale_pools(int(float(sys.argv[1])))
warnings.simplefilter("ignore")
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
