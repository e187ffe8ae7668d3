"""Deeper-winsorised covariate statistics along U (b = 4ā): W_b (winsorised
at the 1 − b quantile, over the b-trimmed mean) and T_b (winsorised mean
over the median), each over its χ²_k value; the scores' R_U / R_ref."""
import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics, _gaussian_bulk_excess
from robust_mlr.stages.subspace.robust_pca import relative_excess
from robust_mlr.stages.screening import excess_limit, size_cap


def Wb(x, b):
    lo, hi = np.quantile(x, [b, 1 - b])
    g = x[(x >= lo) & (x <= hi)].mean()
    return (np.minimum(x, hi).mean() - g) / g


def Tb(x, b):
    return np.minimum(x, np.quantile(x, 1 - b)).mean() / np.median(x)


shape, alpha, mult = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
for law in sys.argv[1].split(","):
    for seed in range(3):
        theta, box = captured(law, seed, shape, alpha=alpha)
        data, k = box["data"], box["k"]
        Z, q, M, Xt = _statistics(data, 2.0, size_cap(data.sizes), moment=True, covariates=True)
        n, d = Z.shape
        a = min(excess_limit(alpha, n) / n, 0.49)
        b = min(mult * a, 0.45)
        vecs = np.linalg.eigh(Z.T @ Z / n)[1][:, ::-1]
        U = vecs[:, :k]
        ref = np.random.default_rng(0).chisquare(k, 2_000_000)
        xs = ((Xt @ U) ** 2).sum(1)
        R_ref = _gaussian_bulk_excess(q, k, alpha)
        print(f"{law:<10} a={alpha} s{seed} b={b:.3f} score R/ref={relative_excess(((Z @ U) ** 2).sum(1), a) / R_ref:.2f} "
              f"| x̃ W_b/chi2={Wb(xs, b) / Wb(ref, b):.2f} T_b/chi2={Tb(xs, b) / Tb(ref, b):.2f}", flush=True)
