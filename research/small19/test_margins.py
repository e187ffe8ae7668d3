"""Removals behind tests/test_small_pool_calibration.py (run on new and old code)."""
import warnings
from robust_mlr import MetaLearner, estimate_subspace, make_params, make_pools
from robust_mlr.threat import excess_limit
warnings.simplefilter("ignore")
for s in (1, 3, 7):
    theta = make_params(4, 2, rng=s)
    m = MetaLearner.robust(2, 0.05, rng=s).fit(make_pools(theta, 300, 2, 20, 32, 300, 4, rng=100 + s))
    print("d4k2 n300 seed", s, "removed", m.diagnostics_["subspace"]["removed"], "limit 27")
for n in (150, 600):
    print("d8k2 n", n, "limit", excess_limit(0.05, n), "removed", [
        int((~estimate_subspace(make_pools(make_params(8, 2, rng=s), n, 2, 1, 2, 1, 2, rng=100 + s).light1,
                                2, "filter", alpha=0.05, rng=s).kept).sum()) for s in range(4)])
