"""The numbers behind tests/test_pull_bias_direction.py on the code first on
PYTHONPATH: the clean and attacked fits' ratios, trimmed ratios and pulls,
and max||w^-w||/s.

    PYTHONPATH=<worktree>:<this worktree>/tests OMP_NUM_THREADS=1 python3 research/gramdir19/probe_test.py

then runs the test's assertions.
"""
import numpy as np

import robust_mlr.stages.regression._pooled as P
import test_pull_bias_direction as T

# on code that does not report the predicted bias (main before this branch),
# a spy adds it to the anchor's diagnostics as this branch does
_pool = P.pool_estimates


def pool_spy(*a, **kw):
    got = {}
    pb = a[9] if len(a) > 9 else kw.get("predicted_bias")
    if pb is not None:
        def wrapped(comps):
            got["B"] = pb(comps)
            return got["B"]
        if len(a) > 9:
            a = a[:9] + (wrapped,) + a[10:]
        else:
            kw["predicted_bias"] = wrapped
    W, info = _pool(*a, **kw)
    info.setdefault("predicted_bias", got.get("B"))
    return W, info


P.pool_estimates = pool_spy
from robust_mlr.metrics import parameter_errors
from experiments.adaptive import PROBLEM, make_problem

theta, _ = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
clean, model, c = T.attacked.__wrapped__()
for tag, m in (("clean", clean), ("attacked", model)):
    a = m.diagnostics_["regression"]["anchor"]
    print(f"{tag}: component {c} w {parameter_errors(m.W_, m.s2_, m.p_, theta)['w_err']:.4f} "
          f"pull {a['pull'].tolist()} ratio {np.round(a['mse_ratio'], 3).tolist()} "
          f"trim {np.round(a.get('mse_ratio_trimmed', np.full(4, np.nan)), 3).tolist()}")
try:
    T.test_rows_along_the_bias_do_not_bring_the_pull_back((clean, model, c))
    print("test: PASS")
except (AssertionError, KeyError) as exc:
    print(f"test: FAIL ({type(exc).__name__} {exc})")
