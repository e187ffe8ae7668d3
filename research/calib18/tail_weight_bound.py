"""Worst case of the covariate ratio on Gaussian covariates when ⌊αn⌋ of n
points are replaced: the winsorisation point Q moves at most to the clean
1 − b + α quantile, each corrupted point counts at most Q' in the mean, and
the median falls at most to the clean ½ − α quantile:
    ratio ≤ [E min(τ, Q') + α Q'] / q(½ − α) / clean_tail_weight(k, b)."""
from robust_mlr._dist import chi2
from robust_mlr.stages.subspace.robust_pca import clean_tail_weight
from robust_mlr.stages.screening import excess_limit
for k in (3, 4):
    for alpha, n in ((0.01, 6000), (0.01, 20000), (0.05, 6000), (0.1, 6000)):
        a = excess_limit(alpha, n) / n
        b = min(4 * a, 0.25)
        Qp = chi2.isf(b - alpha, k)
        wins = k * chi2.cdf(Qp, k + 2) + Qp * chi2.sf(Qp, k)
        bound = (wins + alpha * Qp) / chi2.ppf(0.5 - alpha, k) / clean_tail_weight(k, b)
        print(f"k={k} alpha={alpha} n={n} b={b:.3f}: ratio <= {bound:.3f}")
