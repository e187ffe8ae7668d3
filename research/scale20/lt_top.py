# Line timing of the pull trims' first pass by piece (process time). Run as lt_bias.py
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
    # pass-1 work alone, timed by piece
    off = data.offsets; labels = np.asarray(labels)
    c = pt.example_weights(data, weights_by_task)
    for a, e in task_blocks(off, data._row_bytes):
        t0 = clk()
        Xb = data._block(off[a], off[e])[0]; t0 = tick("read", t0)
        rw = pt._row_weights(data, a, e, Xb, c, tau); t0 = tick("rw", t0)
        task = np.repeat(np.arange(e - a), off[a + 1:e + 1] - off[a:e]); t0 = tick("task", t0)
        for comp, u, j, w in asks:
            g = Xb @ u; t0 = tick("gemv", t0)
            contrib = rw * g ** 2; t0 = tick("elem", t0)
            vb = np.bincount(task, weights=contrib, minlength=e - a); t0 = tick("bincount", t0)
    t0 = clk(); out = orig(data, labels, asks, n_top, tau, weights_by_task, replay); tick("whole", t0)
    print({k: round(v, 3) for k, v in T.items()})
    return out
pt.top_tasks_many = timed
pools = scale_pools(int(float(sys.argv[1])))
warnings.simplefilter("ignore")
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
