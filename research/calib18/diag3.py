"""Band statistics of the first-round scores along U vs the bulk groups and
the Gaussian reference grid (q_i c_j, c_j χ²_k quantiles)."""
import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics
from robust_mlr.stages.subspace.robust_pca import relative_excess
from robust_mlr.stages.screening import excess_limit, size_cap
from robust_mlr._dist import chi2


def band(tau, a, b):
    lo_a, hi_a, lo_b, hi_b = np.quantile(tau, [a, 1 - a, b, 1 - b])
    ga = tau[(tau >= lo_a) & (tau <= hi_a)].mean()
    gb = tau[(tau >= lo_b) & (tau <= hi_b)].mean()
    return (ga - gb) / gb


shape = sys.argv[2] if len(sys.argv) > 2 else "quick"
mult = 4
for law in sys.argv[1].split(","):
    for seed in range(int(sys.argv[3]) if len(sys.argv) > 3 else 3):
        theta, box = captured(law, seed, shape)
        data, k = box["data"], box["k"]
        Z, q, M = _statistics(data, 2.0, size_cap(data.sizes), moment=True)
        n, d = Z.shape
        a = min(excess_limit(0.01, n) / n, 0.49)
        b = mult * a
        vals, vecs = np.linalg.eigh(Z.T @ Z / n)
        vecs = vecs[:, ::-1]
        size = min(k, d - 2 * k)
        c = chi2.ppf((np.arange(16) + 0.5) / 16, k)
        ref = (q[:, None] * c[None]).ravel()
        out = [f"ref R={relative_excess(ref, a):.3f} S={band(ref, a, b):.3f}"]
        for name, V in [("top", vecs[:, :k])] + [(f"b{j}", vecs[:, j:j + size])
                                                 for j in range(2 * k, d - size + 1, size)]:
            tau = ((Z @ V) ** 2).sum(1)
            out.append(f"{name} R={relative_excess(tau, a):.3f} S={band(tau, a, b):.3f}")
        print(f"{law:<10} s{seed} a={a:.4f} | " + " | ".join(out), flush=True)
