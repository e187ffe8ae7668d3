import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics, _gaussian_bulk_excess
from robust_mlr.stages.subspace.robust_pca import (bulk_excess, relative_excess, clean_excess,
                                                    BULK_MARGIN)
from robust_mlr.stages.screening import excess_limit, size_cap

for law in sys.argv[1].split(","):
    for seed in range(3):
        theta, box = captured(law, seed, sys.argv[2] if len(sys.argv) > 2 else "quick")
        data, k = box["data"], box["k"]
        alpha = box["kw"]["alpha"]
        Z, q, M = _statistics(data, 2.0, size_cap(data.sizes), moment=True)
        n, d = Z.shape
        a_trim = min(excess_limit(alpha, n) / n, 0.49)
        size = min(k, d - 2 * k)
        ref = _gaussian_bulk_excess(q, size, alpha)
        vals, vecs = np.linalg.eigh(Z.T @ Z / n)
        vals, vecs = vals[::-1], vecs[:, ::-1]
        bex = bulk_excess(Z, vecs, k, a_trim, None, size)
        base = max(2 * alpha * np.log(1 / alpha), 1.5 * clean_excess(k, a_trim))
        U = vecs[:, :k]
        tau = ((Z @ U) ** 2).sum(1)
        top = relative_excess(tau, a_trim)
        # per group bulk excess
        groups = [relative_excess(((Z @ vecs[:, j:j + size]) ** 2).sum(1), a_trim)
                  for j in range(2 * k, d - size + 1, size)]
        # excess of each single top direction and bulk direction
        single = [relative_excess((Z @ vecs[:, j]) ** 2, a_trim) for j in range(d)]
        res = box["res"]
        print(f"{law} s{seed} n={n} a_trim={a_trim:.4f} base={base:.4f} ref={ref:.4f} "
              f"bulk={bex:.4f} ratio={bex/ref/BULK_MARGIN:.3f} level={base*max(1,bex/ref/BULK_MARGIN):.4f} "
              f"top_excess={top:.4f} removed={res.info['n_removed']} passed={res.info['passed']}")
        print("   eig:", np.round(vals, 3))
        print("   groups:", np.round(groups, 3))
        print("   single:", np.round(single, 3))
        print("   chi2_1 ref single:", round(clean_excess(1, a_trim), 3))
