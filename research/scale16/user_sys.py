"""User and system CPU of robust fits at n tasks per light pool, and the
page faults (research helper).

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/user_sys.py [n] [fits]``
"""
import os
import resource
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

import types  # noqa: E402
import time  # noqa: E402

import robust_mlr.estimator as estimator_module  # noqa: E402
from bench_robust_scale import scale_pools, stage_times  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
fits = int(sys.argv[2]) if len(sys.argv) > 2 else 3
pools = scale_pools(n)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for i in range(fits):
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        clock = estimator_module.time
        estimator_module.time = types.SimpleNamespace(perf_counter=time.process_time)
        try:
            model = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
        finally:
            estimator_module.time = clock
        st = stage_times(model)
        st["refit"] = model.diagnostics_["regression"]["example_clip"]["cpu_seconds"]
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        print(f"fit {i}: user {r1.ru_utime - r0.ru_utime:.3f} s, sys {r1.ru_stime - r0.ru_stime:.3f} s, "
              f"minor faults {r1.ru_minflt - r0.ru_minflt}; stages (CPU) "
              + ", ".join(f"{k} {v:.3f}" for k, v in st.items()), flush=True)
print(f"load average {os.getloadavg()[0]:.1f}")
