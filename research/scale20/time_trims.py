"""CPU seconds of the pull trims' passes (top_tasks_many) and of the model
bias pass in one robust fit on the scale benchmark's problem.
Run: PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/scale20/time_trims.py N"""
import sys
import time
import warnings

sys.path.insert(0, "benchmarks")
from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402
import robust_mlr.stages.regression._misclass as mc  # noqa: E402
import robust_mlr.stages.regression._pull_trim as pt  # noqa: E402

T = {}


def wrap(mod, name):
    f = getattr(mod, name)

    def g(*a, **k):
        t0 = time.process_time()
        try:
            return f(*a, **k)
        finally:
            T[name] = T.get(name, 0.0) + time.process_time() - t0
    setattr(mod, name, g)


wrap(pt, "top_tasks_many")
wrap(mc, "_bias_pass")
pools = scale_pools(int(float(sys.argv[1])))
warnings.simplefilter("ignore")
t0 = time.process_time()
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
print(f"fit {time.process_time() - t0:.3f} s CPU; " + ", ".join(f"{k} {v:.3f} s" for k, v in T.items()))
