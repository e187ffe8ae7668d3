"""cProfile of one robust fit on the scale pools (research helper).

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/profile_fit.py [n] [out.prof]``
"""
import cProfile
import os
import pstats
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/scale16.prof"
pools = scale_pools(n)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    c0 = time.process_time()
    pr = cProfile.Profile()
    pr.enable()
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    pr.disable()
    print(f"CPU {time.process_time() - c0:.3f} s (under cProfile)")
pr.dump_stats(out)
st = pstats.Stats(out)
st.sort_stats("cumulative").print_stats(60)
st.sort_stats("tottime").print_stats(40)
