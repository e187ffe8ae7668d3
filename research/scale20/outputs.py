"""Save a robust fit's outputs on the scale benchmark's problem, to compare
code versions bit for bit.

Run (from the worktree whose code is tested):
  PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      python3 /work/wt-scale20/research/scale20/outputs.py N OUT.npz
Saves W, s2, p, U, the light-2 labels, the pull's predicted and trimmed ratios
and the predicted bias, and prints the stage CPU times.
"""
import sys
import time
import types
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
import robust_mlr.estimator as est  # noqa: E402
from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n, out = int(float(sys.argv[1])), sys.argv[2]
pools = scale_pools(n)
warnings.simplefilter("ignore")
est.time = types.SimpleNamespace(perf_counter=time.process_time)
c0 = time.process_time()
m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
cpu = time.process_time() - c0
d = m.diagnostics_
anc = d["regression"].get("anchor", {})
np.savez(out, W=m.W_, s2=m.s2_, p=m.p_, U=m.U_, labels=m.light_labels_,
         ratio=anc.get("mse_ratio", np.nan), trimmed=anc.get("mse_ratio_trimmed", np.nan),
         bias=anc.get("predicted_bias", np.nan))
print(f"n={n} fit CPU {cpu:.3f} s; stages (CPU): " + ", ".join(
    f"{s} {d[s]['time']:.3f}" for s in d if isinstance(d[s], dict) and "time" in d[s]))
print("mse_ratio", anc.get("mse_ratio"), "trimmed", anc.get("mse_ratio_trimmed"))
