"""Covariate-only heaviness along U: x̃_i = t^{-1/2} Σ_j (−1)^j h_j x_ij
(N(0, I) exactly for Gaussian x), winsorised excess of ||Uᵀx̃||² over the
χ²_k value, against the scores' R_U / R_ref."""
import sys
import numpy as np
sys.path.insert(0, "research/calib18")
from capture import captured
from robust_mlr.stages.subspace.robust import _statistics, _leverage_weights, _gaussian_bulk_excess
from robust_mlr.stages.subspace.robust_pca import relative_excess, winsorised_excess
from robust_mlr.stages.screening import excess_limit, size_cap
from robust_mlr._dist import chi2


def chi2_winsorised(k, a):
    lo, hi = chi2.ppf(a, k), chi2.isf(a, k)
    g = k * (chi2.cdf(hi, k + 2) - chi2.cdf(lo, k + 2)) / (1 - 2 * a)
    w = k * chi2.cdf(hi, k + 2) + hi * chi2.sf(hi, k)
    return (w - g) / g


shape = sys.argv[2]
for law in sys.argv[1].split(","):
    for seed in range(3):
        theta, box = captured(law, seed, shape)
        data, k = box["data"], box["k"]
        Z, q, M = _statistics(data, 2.0, size_cap(data.sizes), moment=True)
        n, d = Z.shape
        X = np.asarray(data.X); off = data.offsets
        h = _leverage_weights(X)
        sizes = np.diff(off)
        sign = np.ones(X.shape[0]); pos = np.arange(X.shape[0]) - np.repeat(off[:-1], sizes)
        sign[pos % 2 == 1] = -1
        Xt = np.add.reduceat(X * (sign * h)[:, None], off[:-1], axis=0) / np.sqrt(sizes)[:, None]
        a = min(excess_limit(0.01, n) / n, 0.49)
        vals, vecs = np.linalg.eigh(Z.T @ Z / n); vecs = vecs[:, ::-1]
        U = vecs[:, :k]
        tau = ((Z @ U) ** 2).sum(1)
        R_ref, Rw_ref = _gaussian_bulk_excess(q, k, 0.01, winsorised=True)
        xs = ((Xt @ U) ** 2).sum(1)
        xb = ((Xt @ vecs[:, 2 * k:3 * k]) ** 2).sum(1)
        cw = chi2_winsorised(k, a)
        print(f"{law:<10} s{seed} score R/ref={relative_excess(tau, a)/R_ref:.2f} "
              f"Rw/ref={winsorised_excess(tau, a)/Rw_ref:.2f} | x̃ along U Rw/chi2={winsorised_excess(xs, a)/cw:.2f} "
              f"R/chi2={relative_excess(xs, a)/relative_excess(np.random.default_rng(0).chisquare(k, 10**6), a):.2f} "
              f"bulk Rw/chi2={winsorised_excess(xb, a)/cw:.2f}", flush=True)
