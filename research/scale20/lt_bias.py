# Line timing of model_bias's pass (_bias_pass) by piece, wall clock (perf_counter). Run: PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/scale20/lt_bias.py 2e5
import sys, time, warnings
import numpy as np
sys.path.insert(0, "benchmarks")
from bench_robust_scale import scale_pools
from robust_mlr import MetaLearner
import robust_mlr.stages.regression._misclass as mc
from robust_mlr._segments import task_blocks
T = {}
def tick(k, t0):
    t = time.perf_counter(); T[k] = T.get(k, 0) + t - t0; return t
def _bias_pass(light, W, delta_of_block, comps):
    d, off = light.dim, light.offsets
    dG, rhs = np.zeros((len(comps), d, d)), np.zeros((len(comps), d))
    nz = tot = 0
    for a, e in task_blocks(off, light._row_bytes):
        t0 = time.perf_counter()
        Xb, yb = light._block(off[a], off[e]); t0 = tick("read", t0)
        delta, yb = delta_of_block(a, e, Xb, yb); t0 = tick("delta", t0)
        t = off[a + 1:e + 1] - off[a:e]
        for j, ell in enumerate(comps):
            wts = np.repeat(delta[:, j], t)
            rows = wts != 0; t0 = tick("repeat", t0)
            nz += rows.sum(); tot += rows.size
            if rows.any():
                Xs, ws = np.compress(rows, Xb, axis=0), wts[rows]; t0 = tick("compress", t0)
                dG[j] += Xs.T @ (Xs * ws[:, None]); t0 = tick("gram", t0)
                rhs[j] += Xs.T @ (ws * (Xs @ W[:, ell] - yb[rows])); t0 = tick("rhs", t0)
    print("nonzero row share", nz / tot, {k: round(v, 3) for k, v in T.items()})
    return dG, rhs
mc._bias_pass = _bias_pass
pools = scale_pools(int(float(sys.argv[1])))
warnings.simplefilter("ignore")
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
