"""Cumulative CPU time (median over fits) of chosen functions in the robust fit
on the default problem: each named function is wrapped with a process_time
clock (nested ones are counted in their callers too).

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed19/wrap_times.py [--repeat 5]``
"""
import argparse
import importlib
import sys
import time
import warnings
from collections import defaultdict

import numpy as np
from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

TARGETS = [
    ("robust_mlr.stages.screening", "screen_pools"),
    ("robust_mlr.covariates", "estimate_second_moment"),
    ("robust_mlr.stages.subspace.robust", "filter_subspace"),
    ("robust_mlr.stages.clustering.factored", "bm_cluster"),
    ("robust_mlr.stages.clustering.factored", "solve_peng_wei_bm"),
    ("robust_mlr.stages.clustering._bm_escape", "curvature"),
    ("robust_mlr.stages.clustering.burer_monteiro", "_dual_bound"),
    ("robust_mlr.stages.clustering.basis", "heavy_basis"),
    ("robust_mlr.stages.clustering._stage_base", "ClusteringStage.fit"),
    ("robust_mlr.stages.classification.flagging", "flag_unfit_tasks"),
    ("robust_mlr.stages.classification.stages", "Likelihood.fit"),
    ("robust_mlr.stages.regression.robust", "filter_components"),
    ("robust_mlr.stages.regression._passes", "first_round"),
    ("robust_mlr.stages.regression._example_clip", "clipped_refit"),
    ("robust_mlr.stages.regression._pooled", "use_heavy"),
    ("robust_mlr.stages.regression._pooled", "pool_estimates"),
    ("robust_mlr.stages.regression._pooled", "model_bias"),
    ("robust_mlr.stages.regression._pooled", "heavy_anchor"),
    ("robust_mlr.stages.regression._heavy_anchor", "_capped_weights"),
    ("robust_mlr.stages.regression._heavy_anchor", "_whitened_filter"),
    ("robust_mlr.stages.regression._heavy_anchor", "_task_grams"),
    ("robust_mlr.stages.regression.stages", "FilterRegression.fit"),
    ("robust_mlr.stages.subspace.stages", "FilterPCA.fit"),
    ("robust_mlr.preprocess", "Screen.apply"),
    ("robust_mlr.estimator", "warn_unprotected"),
    ("robust_mlr.estimator", "warn_intercept"),
    ("robust_mlr.estimator", "warn_zero_features"),
]

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=5)
args = ap.parse_args()
acc = defaultdict(list)
cur = defaultdict(float)


def wrap(fn, name):
    def inner(*a, **kw):
        c0 = time.process_time()
        try:
            return fn(*a, **kw)
        finally:
            cur[name] += time.process_time() - c0
    return inner


import robust_mlr.estimator  # noqa: E402,F401  (every stage module loaded)
for modname, attr in TARGETS:
    mod = importlib.import_module(modname)
    if attr == "*":
        continue
    if "." in attr:
        cls, meth = attr.split(".")
        for c in vars(mod).values():
            if isinstance(c, type) and c.__name__ == cls:
                setattr(c, meth, wrap(getattr(c, meth), attr))
    elif hasattr(mod, attr):
        orig = getattr(mod, attr)
        w = wrap(orig, attr)
        for m in list(sys.modules.values()):      # every module holding the name
            if getattr(m, "__name__", "").startswith("robust_mlr") and getattr(m, attr, None) is orig:
                setattr(m, attr, w)
    else:
        print("no", modname, attr)

p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
warnings.simplefilter("ignore")
tot = []
with threadpool_limits(limits=1, user_api="blas"):
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    for _ in range(args.repeat):
        cur.clear()
        c0 = time.process_time()
        MetaLearner.robust(4, 0.05, rng=0).fit(pools)
        tot.append(time.process_time() - c0)
        for k, v in cur.items():
            acc[k].append(v)
print(f"robust fit median {np.median(tot):.4f} s CPU")
for k, v in acc.items():
    print(f"  {k:28s} {np.median(v):.4f} s  (calls' total per fit)")
