"""CPU time of the regression filter's pieces called again on the arguments
one robust fit gave them (research helper): the first round
(``first_round``) and the clipped refit (``clipped_refit``), best of
``repeat`` calls each, on the fit's own screened pool.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/time_calls.py [n] [repeat]``
"""
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

import robust_mlr.stages.regression.robust as robust_module  # noqa: E402
from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
pools = scale_pools(n)
calls = {}


def recording(name, fn):
    def wrapper(*args, **kwargs):
        calls.setdefault(name, (args, kwargs))
        return fn(*args, **kwargs)
    return wrapper


for name in ("first_round", "clipped_refit"):
    setattr(robust_module, name, recording(name, getattr(robust_module, name)))
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    for name, (args, kwargs) in calls.items():
        fn = getattr(robust_module, name).__closure__[0].cell_contents
        best = []
        for _ in range(repeat):
            c0 = time.process_time()
            fn(*args, **kwargs)
            best.append(time.process_time() - c0)
        print(f"{name}: best {min(best):.3f} s CPU, all " + ", ".join(f"{b:.3f}" for b in best))
print(f"load average {os.getloadavg()[0]:.1f}")
