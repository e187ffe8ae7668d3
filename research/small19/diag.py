"""Clean light-1 pools (t = 2, Gaussian): the subspace filter's removals
against the limit αn + 3√(αn) + 1, over sizes, d, k and seeds, with what
the filter's stopping rule saw (base level, covariate scale, the relative
excess of the first round). Usage: diag.py SEEDS [n ...]."""
import sys, time
import numpy as np
from robust_mlr import make_params, make_tasks, estimate_subspace
from robust_mlr.stages.subspace import robust_pca as rp
from robust_mlr.threat import excess_limit

rec = {}
_orig_cs = rp._covariate_scale
def cs(X, U, k, b, margin):
    r = _orig_cs(X, U, k, b, margin)
    rec.setdefault("cov", []).append(r * margin)
    rec["margin"] = margin
    return r
rp._covariate_scale = cs

alpha = float(__import__("os").environ.get("ALPHA", "0.05"))
seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
sizes = [int(a) for a in sys.argv[2:]] or [150, 300, 600, 1200, 3000]
for d, k in ((4, 2), (8, 2), (8, 3)):
    for n in sizes:
        t0 = time.time()
        rows = []
        for s in range(seeds):
            theta = make_params(d, k, rng=s)
            data = make_tasks(theta, n, 2, rng=100 + s)
            rec.clear()
            res = estimate_subspace(data, k, "filter", alpha=alpha, rng=s)
            rm = int((~res.kept).sum())
            rows.append((rm, rec["cov"][0], res.info["run_kept"]))
        lim = excess_limit(alpha, n)
        rm = np.array([r[0] for r in rows])
        cov = np.array([r[1] for r in rows])
        print(f"d={d} k={k} n={n}: limit {lim}; removed min/med/max {rm.min()}/{int(np.median(rm))}/"
              f"{rm.max()}; over limit {int((rm > lim).sum())}/{seeds}; removed/limit med "
              f"{np.median(rm) / lim:.2f}; cov tail ratio med {np.median(cov):.3f} max {cov.max():.3f} "
              f"(margin {rec['margin']:.3f})  [{time.time() - t0:.1f}s]", flush=True)
