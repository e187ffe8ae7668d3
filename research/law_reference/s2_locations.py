"""Locations of a component's heavy noise ratios under replacement of a
fifth of its tasks (the `quantile_swap` construction: the tasks of lowest
ratio replaced by tasks of high ratio), t_H = 128, d = 32, 100 tasks.

Part 1, n → ∞: the relative shift of each location when the clean law is
χ²_t scaled by its median (t = 128, residual sums at the final ŵ; t − d =
96, at each task's own fit), and the two-point floor (the h at which
s²(1 ± h)·χ²_128 are 2ε = 0.4 apart in total variation: two worlds each
moved by a replaced fifth towards their midpoint).

Part 2, 100 tasks: the same under simulation (4 000 draws), the adversary
ranking the tasks by the residual sum at w (what `quantile_swap` does) or
by each task's own-fit residual sum; the written tasks' ratios are high in
both.

    python3 research/law_reference/s2_locations.py
"""
import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2

eps, t, d, n, b = 0.2, 128, 32, 100, 20
print("n -> inf, a fifth replaced (up / down):")
for dof in (t, t - d):
    m = chi2.median(dof)
    print("  median of chi2_%d ratios: +%.4f / -%.4f" % (dof, chi2.ppf(.5 + eps, dof) / m - 1,
                                                         1 - chi2.ppf(.5 - eps, dof) / m))
    qs = np.linspace(0.3, 0.7, 401)
    worst = [max(chi2.ppf(q + eps, dof) / chi2.ppf(q, dof) - 1,
                 1 - chi2.ppf(q - eps, dof) / chi2.ppf(q, dof)) for q in qs]
    i = int(np.argmin(worst))
    print("  best quantile of chi2_%d as a location: q = %.3f, worst %.4f" % (dof, qs[i], worst[i]))
    for beta in (0.25, 0.4):
        u = lambda lo, hi: chi2.ppf(np.linspace(lo, hi, 20001)[1:-1], dof).mean()
        base = u(beta, 1 - beta)
        print("  %.0f %%-trimmed mean of chi2_%d: +%.4f / -%.4f" % (
            100 * beta, dof, u(beta + eps, 1 - beta + eps) / base - 1,
            1 - u(beta - eps, 1 - beta - eps) / base))


def tv(h):
    x = np.linspace(0.3, 2.5, 400001) * t
    f1 = chi2.pdf(x / (1 - h), t) / (1 - h)
    f2 = chi2.pdf(x / (1 + h), t) / (1 + h)
    return 0.5 * np.trapezoid(np.abs(f1 - f2), x)


print("  two-point floor (TV 0.4, chi2_128): %.4f" % brentq(lambda h: tv(h) - 2 * eps, 1e-4, 0.5))

print("100 tasks, 20 replaced, 4000 draws: mean, sd and 0.95 quantile of the relative error")
rng = np.random.default_rng(0)
m128, m96, q = chi2.median(t), chi2.median(t - d), 0.469
for rank in ("at w", "own fit"):
    est = {"median, final w (128)": [], "median, own fits (96)": [], "0.469 quantile (128)": []}
    for _ in range(4000):
        own, proj = rng.chisquare(t - d, n), rng.chisquare(d, n)
        tot = own + proj
        keep = np.argsort(tot if rank == "at w" else own)[b:]
        tot2, own2 = np.r_[tot[keep], np.full(b, 1e3 * t)], np.r_[own[keep], np.full(b, 1e3 * t)]
        est["median, final w (128)"].append(np.median(tot2) / m128 - 1)
        est["median, own fits (96)"].append(np.median(own2) / m96 - 1)
        est["0.469 quantile (128)"].append(np.quantile(tot2, q) / chi2.ppf(q, t) - 1)
    for k, v in est.items():
        v = np.array(v)
        print("  adversary ranks by RSS %-8s %-24s %+.4f  sd %.4f  0.95: %.4f" % (
            rank, k, v.mean(), v.std(), np.quantile(v, .95)))
