"""Prints the test's attacked-fit anchor (ratio, pull, W error) on the code
first on PYTHONPATH; run with the worktree of the code to probe."""
import sys
import numpy as np
sys.path.insert(0, "/work/wt-gram19/tests")
import test_pull_row_cap as t
from robust_mlr.metrics import parameter_errors
from experiments.adaptive import PROBLEM, make_problem
theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
clean = t._fit(pools)
for scale in map(float, sys.argv[1:] or ["0.95"]):
    bad = t.corrupt_pools(pools, t._InflatedRows(theta, scale), t.ALPHA, theta=theta,
                          settings=t.attack_settings(clean, t.ALPHA), rng=np.random.default_rng(19))
    m = t._fit(bad)
    a = m.diagnostics_["regression"]["anchor"]
    print("scale", scale, "clean ratio", np.round(clean.diagnostics_["regression"]["anchor"]["mse_ratio"], 3),
          "attacked ratio", np.round(a["mse_ratio"], 3), "pull", a["pull"],
          "w_err", round(parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"], 4), flush=True)
