"""Candidate finite-sample factor of the filter's stopping level: the χ²_k
reference's relative excess at the trimming ā(n) plus Z sampling sds (from
the influence function), over its value at trimming α (n → ∞); checked
against a Monte Carlo of the excess of n χ²_k draws."""
import numpy as np
from scipy.stats import chi2
from robust_mlr.stages.subspace import robust_pca as rp
from robust_mlr.threat import excess_limit

def excess_sd(k, a, n, grid=4096):
    lo, hi = chi2.ppf(a, k), chi2.isf(a, k)
    x = chi2.ppf((np.arange(grid) + 0.5) / grid, k)
    mu = k
    w = np.clip(x, lo, hi)
    T = k * (chi2.cdf(hi, k + 2) - chi2.cdf(lo, k + 2)) / (1 - 2 * a)
    if_t = (w - w.mean()) / (1 - 2 * a)
    if_r = (x - mu) / T - mu * if_t / T ** 2
    return float(np.sqrt(np.mean(if_r ** 2) / n))

alpha = 0.05
rng = np.random.default_rng(0)
for k in (2, 3, 4):
    ref = rp.clean_excess(k, alpha)
    for n in (150, 300, 600, 1200, 3000, 6000, 20000):
        a = min(excess_limit(alpha, n) / n, 0.49)
        ce, sd = rp.clean_excess(k, a), excess_sd(k, a, n)
        mc = [float(rp.relative_excess(rng.chisquare(k, n), a)) for _ in range(300)]
        print(f"k={k} n={n}: ā {a:.4f} ce {ce:.4f} sd(IF) {sd:.4f} sd(MC) {np.std(mc):.4f} "
              f"F1 {ce / ref:.3f} F1+2sd {(ce + 2 * sd) / ref:.3f} F1+3sd {(ce + 3 * sd) / ref:.3f}")
