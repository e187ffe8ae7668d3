"""Which regression test fails on a clean fit (not the unanchored one):
prints the regression diagnostics' pass/fail fields. Usage: other.py d k nH n1 seed"""
import sys, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools
d, k, nh, n1, s = map(int, sys.argv[1:6])
theta = make_params(d, k, rng=s)
pools = make_pools(theta, n1, 2, nh, 32, 300, 4, rng=100 + s)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m = MetaLearner.robust(k, 0.05, rng=s).fit(pools)
reg = m.diagnostics_["regression"]
def walk(x, path=""):
    if isinstance(x, dict):
        for key, v in x.items():
            if key in ("passed", "refit_agrees", "consistent", "collapsed", "fabricable") or "over" in key or "ratio" in key or key in ("T", "stat", "p_value"):
                if not isinstance(v, (dict, list)) or np.size(v) < 10:
                    print(path + "/" + key, np.round(v, 3) if not isinstance(v, (str, bool)) else v)
            walk(v, path + "/" + key)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, f"{path}[{i}]")
walk(reg)
