"""Clean fits, robust learner alpha 0.05: the pull trim's second direction with
r = 4 (main) against r = 1 (the rule before, patched in), on problems other than
the default: per component the pull, untrimmed ratio and max trimmed ratio.
Usage: clean_top_r.py CONFIG [SEEDS]   CONFIG one of the names below."""
import sys, time, warnings
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors
import robust_mlr.stages.regression._pooled as P
from robust_mlr.stages.regression._pull_trim import top_directions

CONFIGS = {"d16k4": dict(d=16), "d32k2": dict(k=2), "d32k8": dict(k=8, n_light2=40_000),
           "d16k8": dict(d=16, k=8), "d8k4": dict(d=8), "default": {}}
name = sys.argv[1]
seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
orig = P.top_directions
for sizes in ("fixed", "hetero"):
    for seed in seeds:
        row = {}
        for r in (4, 1):
            P.top_directions = orig if r == 4 else (lambda g: top_directions(g, 1))
            theta, pools = make_problem(dict(PROBLEM, **CONFIGS[name], sizes=sizes),
                                        np.random.default_rng([seed, 11]))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
            e = parameter_errors(m.W_, m.s2_, m.p_, theta)
            a = m.diagnostics_["regression"]["anchor"]
            warned = any(w.category.__name__ == "CorruptionWarning" for w in caught)
            row[r] = (e["w_err"], a["pull"].tolist(), np.round(a["mse_ratio"], 3).tolist(),
                      np.round(a.get("mse_ratio_trimmed", np.full(theta.k, np.nan)), 3).tolist(),
                      warned)
        P.top_directions = orig
        same = row[4][0] == row[1][0]
        print(f"{name} {sizes} seed {seed}: r=4 W {row[4][0]:.5f} pull {row[4][1]} ratio {row[4][2]} "
              f"trim {row[4][3]} warned {row[4][4]} | r=1 W {row[1][0]:.5f} pull {row[1][1]} "
              f"trim {row[1][3]} warned {row[1][4]} | W same {same}", flush=True)
