"""Quantile profile of the filter's first-round scores along U (top k) and
along bulk groups, normalised by the median; and the relative excess."""
import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics
from robust_mlr.stages.subspace.robust_pca import relative_excess
from robust_mlr.stages.screening import excess_limit, size_cap

LV = [0.75, 0.9, 0.95, 0.97, 0.98, 0.986, 0.99, 0.995]
shape = sys.argv[2] if len(sys.argv) > 2 else "quick"
for law in sys.argv[1].split(","):
    for seed in range(int(sys.argv[3]) if len(sys.argv) > 3 else 3):
        theta, box = captured(law, seed, shape)
        data, k = box["data"], box["k"]
        Z, q, M = _statistics(data, 2.0, size_cap(data.sizes), moment=True)
        n, d = Z.shape
        a_trim = min(excess_limit(0.01, n) / n, 0.49)
        vals, vecs = np.linalg.eigh(Z.T @ Z / n)
        vecs = vecs[:, ::-1]
        size = min(k, d - 2 * k)
        for name, V in [("top", vecs[:, :k])] + [(f"b{j}", vecs[:, j:j + size])
                                                 for j in range(2 * k, d - size + 1, size)]:
            tau = ((Z @ V) ** 2).sum(1)
            med = np.median(tau)
            qs = np.quantile(tau, LV) / med
            print(f"{law:<10} s{seed} {name:<4} exc={relative_excess(tau, a_trim):.3f} "
                  + " ".join(f"{v:.2f}" for v in qs) + f"  max={tau.max()/med:.1f}")
