"""The robust fit at 10⁶ with the blocked passes' task blocks of another
size (research helper; not kept in the package): stage CPU of a few fits
and how far the outputs move from the saved reference of the 4 MB blocks
(every blocked sum rounds differently).

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/block_size.py BYTES REF.npz [n] [fits]``
(REF.npz: ``compare_fits.py save`` of the code with the default blocks).
"""
import os
import sys
import time
import types
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
sys.path.insert(0, os.path.dirname(__file__))
from threadpoolctl import threadpool_limits  # noqa: E402

import robust_mlr._segments as segments  # noqa: E402
import robust_mlr.estimator as estimator_module  # noqa: E402
from bench_robust_scale import scale_pools, stage_times  # noqa: E402
from compare_fits import flatten  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

size = int(float(sys.argv[1]))
ref = np.load(sys.argv[2])
n = int(float(sys.argv[3])) if len(sys.argv) > 3 else 10**6
fits = int(sys.argv[4]) if len(sys.argv) > 4 else 3
segments.task_blocks.__defaults__ = (size,)
pools = scale_pools(n)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for i in range(fits):
        clock = estimator_module.time
        estimator_module.time = types.SimpleNamespace(perf_counter=time.process_time)
        c0 = time.process_time()
        try:
            m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
        finally:
            estimator_module.time = clock
        st = stage_times(m)
        print(f"blocks of {size} bytes, fit {i}: CPU {time.process_time() - c0:.3f} s; stages "
              + ", ".join(f"{k} {v:.3f}" for k, v in st.items())
              + f"; refit {m.diagnostics_['regression']['example_clip']['cpu_seconds']:.3f}",
              flush=True)
out = {"W_": m.W_, "s2_": m.s2_, "p_": m.p_, "light_labels_": m.light_labels_,
       "heavy_labels_": m.heavy_labels_}
flatten("diag", m.diagnostics_, out)
for k in ("W_", "s2_", "p_"):
    rel = np.max(np.abs(out[k] - ref[k]) / np.abs(ref[k]))
    print(f"  {k}: max relative difference {rel:.3g}")
print(f"  light labels differing: {int(np.sum(out['light_labels_'] != ref['light_labels_']))}, "
      f"heavy: {int(np.sum(out['heavy_labels_'] != ref['heavy_labels_']))}")
print(f"load average {os.getloadavg()[0]:.1f}")
