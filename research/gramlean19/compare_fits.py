"""Fit the robust learner on the default problem and on light sizes 2..64
(seed [0, 11] as tests/test_pull_row_cap.py) and dump W, s2, p and the
anchor's diagnostics, plus τ and the capped Gram of the light pool and the
time of capped_grams alone (best of 5, 1 thread). Run from a worktree with
PYTHONPATH set to it; argv[1] is the output file."""
import sys, time, warnings
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression._pooled import capped_grams

out = {}
for name, prob in [("default", PROBLEM), ("hetero", dict(PROBLEM, sizes="hetero"))]:
    theta, pools = make_problem(prob, np.random.default_rng([0, 11]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    out[f"{name}_W"], out[f"{name}_s2"], out[f"{name}_p"] = m.W_, m.s2_, m.p_
    an = m.diagnostics_["regression"]["anchor"]
    for key in ("mse_ratio", "pull", "light_weight", "statistic", "failed", "bias_allowance"):
        out[f"{name}_anchor_{key}"] = np.asarray(an[key], float)
    light = pools.light2
    labels = np.random.default_rng(1).integers(-1, 4, light.n_tasks)
    gram, tau = capped_grams(light, labels, 4, 0.05)
    out[f"{name}_tau"], out[f"{name}_gram"] = tau, gram
    times = []
    for _ in range(5):
        t0 = time.perf_counter(); capped_grams(light, labels, 4, 0.05)
        times.append(time.perf_counter() - t0)
    print(name, "rows", light.n_examples, "tau", repr(tau), "capped_grams best %.4f s median %.4f s"
          % (min(times), np.median(times)), flush=True)
np.savez(sys.argv[1], **out)
