"""User and system CPU of one robust fit (page faults show as system time).
Run: PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/scale20/systime.py N"""
import resource
import sys
import warnings

sys.path.insert(0, "benchmarks")
from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

pools = scale_pools(int(float(sys.argv[1])))
warnings.simplefilter("ignore")
r0 = resource.getrusage(resource.RUSAGE_SELF)
MetaLearner.robust(4, 0.05, rng=0).fit(pools)
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(f"user {r1.ru_utime - r0.ru_utime:.3f} s, sys {r1.ru_stime - r0.ru_stime:.3f} s, "
      f"minor faults {r1.ru_minflt - r0.ru_minflt}, major {r1.ru_majflt - r0.ru_majflt}")
