"""Profile one robust fit on the scale benchmark's problem (cProfile).

Run: PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/scale20/profile_fit.py N [sortkey] [nlines]
"""
import cProfile
import pstats
import sys
import time
import warnings

sys.path.insert(0, "benchmarks")
from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n = int(float(sys.argv[1]))
key = sys.argv[2] if len(sys.argv) > 2 else "cumulative"
nl = int(sys.argv[3]) if len(sys.argv) > 3 else 60
pools = scale_pools(n)
warnings.simplefilter("ignore")
c0 = time.process_time()
pr = cProfile.Profile(time.process_time)   # CPU seconds (a shared machine)
pr.enable()
m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
pr.disable()
print("fit CPU", time.process_time() - c0)
d = m.diagnostics_
print({s: round(d[s]["time"], 3) for s in d if isinstance(d[s], dict) and "time" in d[s]})
pstats.Stats(pr).sort_stats(key).print_stats(nl)
if len(sys.argv) > 4:
    pr.dump_stats(sys.argv[4])
