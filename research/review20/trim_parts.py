"""Clean fits (robust, alpha 0.05, equal light sizes so the pull is asked):
each trim's own ratio — along b-hat and along the top direction(s) — with r = 4
(main) and r = 1 (the rule before), by recording the capped ratios
pool_estimates computes (sequence per pulled component: untrimmed, b-hat trim,
top trim). Usage: trim_parts.py CONFIG SEEDS SIZES"""
import sys, warnings
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
import robust_mlr.stages.regression._pooled as P
from robust_mlr.stages.regression._pull_trim import top_directions

CONFIGS = {"d16k4": dict(d=16), "d32k2": dict(k=2), "d32k8": dict(k=8, n_light2=40_000),
           "d8k4": dict(d=8), "default": {}}
name, nseeds = sys.argv[1], int(sys.argv[2])
sizes = sys.argv[3] if len(sys.argv) > 3 else "fixed"
orig_dirs, orig_ratio = P.top_directions, P._capped_ratio
calls = []
P._capped_ratio = lambda *a: calls.append(orig_ratio(*a)) or calls[-1]
for seed in range(nseeds):
    res = {}
    for r in (4, 1):
        P.top_directions = orig_dirs if r == 4 else (lambda g: top_directions(g, 1))
        calls.clear()
        theta, pools = make_problem(dict(PROBLEM, **CONFIGS[name], sizes=sizes),
                                    np.random.default_rng([seed, 11]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
        res[r] = (list(calls), m.diagnostics_["regression"]["anchor"]["pull"].tolist())
    P.top_directions = orig_dirs
    fmt = lambda v: " ".join(f"{x:.3f}" for x in v)
    print(f"{name} {sizes} seed {seed}: r=4 ratios [{fmt(res[4][0])}] pull {res[4][1]} | "
          f"r=1 ratios [{fmt(res[1][0])}] pull {res[1][1]}", flush=True)
