"""Line-level sampling profile of one robust fit (research helper): a thread
reads the main thread's stack every millisecond and counts (file, line) of
the innermost frames in robust_mlr.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/sample_lines.py [n] [top]``
"""
import collections
import os
import sys
import threading
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6
top = int(sys.argv[2]) if len(sys.argv) > 2 else 60
pools = scale_pools(n)
main = threading.get_ident()
counts, funcs, stop = collections.Counter(), collections.Counter(), threading.Event()


def sampler():
    while not stop.is_set():
        f = sys._current_frames().get(main)
        seen = set()
        while f is not None:
            fn = f.f_code.co_filename
            if "robust_mlr" in fn:
                key = (fn.split("robust_mlr/")[-1], f.f_lineno)
                if not seen:
                    counts[key] += 1
                fk = (fn.split("robust_mlr/")[-1], f.f_code.co_name)
                if fk not in seen:
                    funcs[fk] += 1
                seen.add(fk)
                seen.add("x")
            f = f.f_back
        time.sleep(0.001)


sys.setswitchinterval(0.0005)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    th = threading.Thread(target=sampler, daemon=True)
    c0 = time.process_time()
    th.start()
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    stop.set()
    th.join()
    print(f"CPU {time.process_time() - c0:.3f} s")
total = sum(counts.values())
print(f"{total} samples; innermost robust_mlr line:")
for (fn, ln), c in counts.most_common(top):
    print(f"{100 * c / total:6.2f}%  {fn}:{ln}")
print("functions (inclusive):")
for (fn, name), c in funcs.most_common(top):
    print(f"{100 * c / total:6.2f}%  {fn}:{name}")
