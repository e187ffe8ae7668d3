"""Prototype (not in the package): for a component without an anchor, how
far its few usable heavy tasks' own fits β_i sit from the light estimate:
T_i = (β_i − ŵ_L)ᵀ A_i (β_i − ŵ_L)/ŝ² (≈ χ²_d on clean data, the light
estimate's own error neglected), ŝ² the median own-fit ratio of the pool's
usable heavy tasks; S = Σ T_i against χ²_{md}. Clean vs attacked, d = 8,
k = 3, light1 600 × 2, heavy 20 × 32, light2 300 × 4.
Usage: proto_agree.py PLAN NSEEDS"""
import sys, warnings
import numpy as np
from robust_mlr._dist import chi2
import robust_mlr.stages.regression._pooled as P
from robust_mlr.stages.regression import _heavy_anchor as H
sys.argv, plan, nseeds = sys.argv[:1] + ["small", "0.05", "0"], sys.argv[1], int(sys.argv[2])
exec(open(__file__.replace("proto_agree.py", "attacks.py")).read().split("which, alpha")[0])
from robust_mlr import MetaLearner, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
orig = H.heavy_anchor
rec = {}
def wrapped(heavy, labels, k, alpha, rng, light_sizes=None, p=None, W_light=None, **kw):
    out = orig(heavy, labels, k, alpha, rng, light_sizes, p, W_light, **kw)
    d = heavy.dim
    A = H._task_grams(heavy)
    b = heavy.task_sums(heavy.X * heavy.y[:, None])
    yy = heavy.task_sums(heavy.y ** 2)
    t = heavy.sizes
    beta = np.linalg.solve(A, b[:, :, None])[:, :, 0]
    rss = np.maximum(yy - np.einsum("nd,nd->n", b, beta), 0)
    ratio = rss / chi2.median(np.maximum(t - d, 1))
    s2 = float(np.median(ratio))
    stats = []
    for c, r in enumerate(out[3]):
        if r.get("anchored", True) or W_light is None:
            continue
        idx = np.flatnonzero(labels == c)
        D = beta[idx] - W_light[:, c]
        T = np.einsum("nd,nde,ne->n", D, A[idx], D) / s2
        m = idx.size
        thr = chi2.isf(1e-3 / k, m * d) if m else np.nan
        stats.append((c, m, np.round(T, 1).tolist(), round(float(T.sum() / thr), 2) if m else None))
    rec["stats"] = stats
    return out
P.heavy_anchor = wrapped
for s in range(nseeds):
    theta = make_params(8, 3, rng=s)
    pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
    for i, (att, targets) in enumerate(PLANS[plan]):
        pools = corrupt_pools(pools, att, 0.05, theta=theta, targets=targets, rng=4 + s + 100 * i)
    rec.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = MetaLearner.robust(3, 0.05, rng=2 + s).fit(pools)
        except Exception as exc:
            print(s, "error", exc); continue
    err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
    print(f"{plan} seed {s}: W err {err:.3f} unanchored (c, m, T_i, S/thr): {rec.get('stats')}")
