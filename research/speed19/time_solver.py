"""The robust fit's Burer–Monteiro solve alone (its inputs captured from one
fit of the default problem), timed in CPU with SciPy's driver and with
``_drive_setulb``, alternated; checks that both give the same answer bit for bit.

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed19/time_solver.py [--repeat 9]``
"""
import argparse
import copy
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.stages.clustering._bm_lagrangian as lagmod
import robust_mlr.stages.clustering.factored as factored
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=9)
args = ap.parse_args()
p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
captured = []
orig = factored.solve_peng_wei_bm


def capture(*a, **kw):
    captured.append(copy.deepcopy((a, kw)))
    return orig(*a, **kw)


factored.solve_peng_wei_bm = capture
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(p["k"], 0.05, rng=0).fit(pools)
factored.solve_peng_wei_bm = orig
print(len(captured), "solve(s) captured")
step = lagmod._SETULB
times = {"scipy": [], "direct": []}
answers = {}
with threadpool_limits(limits=1, user_api="blas"):
    for _ in range(args.repeat):
        for name, s in (("scipy", None), ("direct", step)):
            lagmod._SETULB = s
            a, kw = copy.deepcopy(captured[0])
            c0 = time.process_time()
            out = orig(*a, **kw)
            times[name].append(time.process_time() - c0)
            answers[name] = out
lagmod._SETULB = step
for name, v in times.items():
    print(f"{name:7s} median {np.median(v):.4f} s, min {min(v):.4f} s (CPU, {args.repeat} runs)")


def leaves(o, pre=""):
    if isinstance(o, dict):
        for k, v in o.items():
            if k != "time":
                yield from leaves(v, f"{pre}/{k}")
    elif isinstance(o, (tuple, list)):
        for i, v in enumerate(o):
            yield from leaves(v, f"{pre}/{i}")
    elif hasattr(o, "__dict__") and not isinstance(o, type):
        yield from leaves(vars(o), pre)
    else:
        yield pre, o


A, B = dict(leaves(answers["scipy"])), dict(leaves(answers["direct"]))
diff = [k for k in A if not np.array_equal(np.asarray(A[k]), np.asarray(B.get(k)))]
print("answer leaves compared:", len(A), "differ:", diff)
