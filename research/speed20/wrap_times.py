"""Where the robust fit's time goes on the default problem: cumulative CPU
time (median over fits) of chosen functions, each wrapped with a
``process_time`` clock (nested ones are counted in their callers too), beside
the stage clocks (read as CPU time) and the whole fit.

Run: ``PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/speed20/wrap_times.py [--repeat 5]``
"""
import argparse
import importlib
import sys
import time
import types
import warnings
from collections import defaultdict

import numpy as np
from threadpoolctl import threadpool_limits

import robust_mlr.estimator as estimator_module
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.generator import DEFAULT_PROBLEM

TARGETS = [
    # outside the stage clocks
    ("robust_mlr.estimator", "MetaLearner.resolved_stages"),
    ("robust_mlr.estimator", "warn_unprotected"),
    ("robust_mlr.estimator", "warn_intercept"),
    ("robust_mlr.estimator", "warn_zero_features"),
    ("robust_mlr.preprocess", "Whiten.apply"),
    ("robust_mlr.preprocess", "_decision_sample"),
    ("robust_mlr.preprocess", "robust_scales"),
    ("robust_mlr.preprocess", "scale_dataset"),
    ("robust_mlr.preprocess", "Whiten.invert"),
    ("robust_mlr.preprocess", "Screen.invert"),
    ("robust_mlr.covariates", "estimate_second_moment"),
    ("robust_mlr.estimator", "check_evidence"),
    ("robust_mlr.estimator", "check_design"),
    # screen
    ("robust_mlr.preprocess", "Screen.apply"),
    # subspace
    ("robust_mlr.stages.subspace.robust", "filter_subspace"),
    # clustering
    ("robust_mlr.stages.clustering._stage_base", "ClusteringStage.fit"),
    ("robust_mlr.stages.clustering.basis", "heavy_basis"),
    ("robust_mlr.stages.clustering._stage_base", "ClusteringStage._far_tasks"),
    ("robust_mlr.stages.clustering.factored", "bm_cluster"),
    ("robust_mlr.stages.clustering.factored", "solve_peng_wei_bm"),
    ("robust_mlr.stages.clustering._bm_escape", "curvature"),
    ("robust_mlr.stages.clustering.rounding", "kmeans"),
    ("robust_mlr.stages.clustering._bm_lagrangian", "lbfgsb"),
    # classification + regression
    ("robust_mlr.stages.classification.stages", "Likelihood.fit"),
    ("robust_mlr.stages.classification.flagging", "flag_unfit_tasks"),
    ("robust_mlr.stages.regression.stages", "RegressionStage.fit"),
    ("robust_mlr.stages.regression.stages", "FilterRegression._fit"),
    ("robust_mlr.stages.regression.robust", "filter_components"),
    ("robust_mlr.stages.regression._passes", "first_round"),
    ("robust_mlr.stages.regression._example_clip", "clipped_refit"),
    ("robust_mlr.stages.regression._pooled", "use_heavy"),
    ("robust_mlr.stages.regression._pooled", "pool_estimates"),
    ("robust_mlr.stages.regression._pooled", "heavy_assignment"),
    ("robust_mlr.stages.regression._pooled", "light_covariances"),
    ("robust_mlr.stages.regression._pooled", "_noise_at"),
    ("robust_mlr.stages.regression._pooled", "misclassification_bias"),
    ("robust_mlr.stages.regression._pooled", "cross_check_noise"),
    ("robust_mlr.stages.regression._pooled", "model_bias"),
    ("robust_mlr.stages.regression._pull_trim", "trimmed_bias"),
    ("robust_mlr.stages.regression._pull_trim", "top_tasks"),
    ("robust_mlr.stages.regression._pull_trim", "top_tasks_along"),
    ("robust_mlr.stages.regression._pull_trim", "trimmed_biases"),
    ("robust_mlr.stages.regression._pull_trim", "capped_grams"),
    ("robust_mlr.stages.regression._pooled", "heavy_anchor"),
    ("robust_mlr.stages.regression._heavy_anchor", "_capped_weights"),
    ("robust_mlr.stages.regression._misclass", "_bias_pass"),
    ("robust_mlr.stages.regression._heavy_anchor", "_numerically_regular"),
    ("robust_mlr.stages.regression._heavy_anchor", "_whitened_filter"),
    ("robust_mlr.stages.regression._heavy_anchor", "_task_grams"),
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


for modname, attr in TARGETS:
    mod = importlib.import_module(modname)
    if "." in attr:
        cls, meth = attr.split(".")
        done = False
        for c in vars(mod).values():
            if isinstance(c, type) and c.__name__ == cls and meth in vars(c):
                setattr(c, meth, wrap(vars(c)[meth], attr))
                done = True
        if not done:
            print("no", modname, attr)
    elif hasattr(mod, attr):
        orig = getattr(mod, attr)
        w = wrap(orig, attr)
        for m in list(sys.modules.values()):      # every module holding the name
            if getattr(m, "__name__", "").startswith("robust_mlr") and getattr(m, attr, None) is orig:
                setattr(m, attr, w)
    else:
        print("(not in this version)", modname, attr)

p = DEFAULT_PROBLEM
theta = make_params(p["d"], p["k"], rng=0)
pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                   p["n_light2"], p["t_light2"], rng=1)
estimator_module.time = types.SimpleNamespace(perf_counter=time.process_time)
tot, stages = [], defaultdict(list)
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    for _ in range(args.repeat):
        cur.clear()
        c0 = time.process_time()
        m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
        tot.append(time.process_time() - c0)
        for k, v in cur.items():
            acc[k].append(v)
        for s, v in m.diagnostics_.items():
            if isinstance(v, dict) and "time" in v:
                stages[s].append(v["time"])
med = np.median
print(f"robust fit median {med(tot):.4f} s CPU; stage clocks "
      + ", ".join(f"{s} {med(v):.4f}" for s, v in stages.items())
      + f"; outside {med(np.array(tot) - sum(np.array(v) for v in stages.values())):.4f}")
for k, v in acc.items():
    print(f"  {k:40s} {med(v):.4f} s  (calls' total per fit)")
