"""The heavy filter's budget capped at m - 1 (warn20): on the fit it was made for
(d = 8, k = 3, light 1 600 x 2, heavy 20 x 32, light 2 300 x 4, problem seed 3,
anchor_starve + edge_placement, alpha 0.05), the component records (removed,
passed, ratios) and the warnings; then a unit call of _whitened_filter on 5
tasks whose fits disagree pairwise (every one far from the others), budget 5:
what the filter keeps and whether its record says passed."""
import warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.regression import _heavy_anchor as H

s = 3
theta = make_params(8, 3, rng=s)
pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
pools = corrupt_pools(pools, "anchor_starve", 0.05, theta=theta, targets=("heavy",), rng=4 + s)
pools = corrupt_pools(pools, "edge_placement", 0.05, theta=theta, targets=("light2",), rng=4 + s + 100)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m = MetaLearner.robust(3, 0.05, rng=2 + s).fit(pools)
for c, h in enumerate(m.diagnostics_["regression"]["anchor"]["heavy"]):
    keys = ("anchored", "tasks", "removed", "passed", "top_eig_over_level", "direction_over_level")
    print(f"comp {c}:", {k: h.get(k) for k in keys})
for w in caught:
    print("WARN", w.category.__name__, str(w.message)[:400])

# unit: 5 tasks of t = 32 in d = 8, each task's w far from the others'
rng = np.random.default_rng(0)
d, t, n = 8, 32, 5
X = rng.standard_normal((n, t, d))
W = 3.0 * rng.standard_normal((n, d))                  # five different regressors
y = np.einsum("ntd,nd->nt", X, W) + 0.5 * rng.standard_normal((n, t))
A = np.einsum("ntd,nte->nde", X, X)
b = np.einsum("ntd,nt->nd", X, y)
L = np.linalg.cholesky(A)
Wh = np.linalg.inv(L)
beta = np.linalg.solve(A, b[..., None])[..., 0]
rss = np.einsum("nt,nt->n", y, y) - np.einsum("nd,nd->n", b, beta)
from robust_mlr._dist import chi2
ratio = rss / chi2.median(t - d)
At, Ct = H._capped_weights(A, np.ones(n, bool))
mu, gram, s2, info = H._whitened_filter(A, At, Ct, Wh, b, beta, ratio, np.full(n, t - d), 5,
                                        np.random.default_rng(1))
print("unit, 5 disagreeing tasks, budget 5:", {k: info[k] for k in ("tasks", "removed", "passed",
      "top_eig_over_level")}, "estimate's distance to the nearest task's w:",
      round(float(np.min(np.linalg.norm(W - mu, axis=1))), 3), "to their mean:",
      round(float(np.linalg.norm(W.mean(0) - mu)), 3))
