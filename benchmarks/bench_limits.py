"""Two-point floors under replacement contamination (``robust_mlr.limits``).

Prints the table of docs/adversary.md ("What no estimator can do"): the
floors of max‖ŵ − w‖/s, of the relative ŝ² error and of |p̂ − p| per pool and
for all pools, on the default problem (k = 4, p = 1/4, orthonormal W so
‖w_a − w_b‖/s = √2; light 1 t = 2, heavy t = 128, light 2 t = 8), plus the
light pools with the adaptive study's heterogeneous sizes (truncated Pareto,
t 2–64, shape 1.2; its exact law, weighted to 1 part in 10⁶), and the
small-t_H problem (p = 1/8, light 2 t = 16, heavy t = 4), and for one
component's ŝ² what a quantile of the χ²-scaled task residuals achieves
against the ŝ² floor: the learner's median, the best quantile rule (which
attains the floor) with its clean bias, and what the two-world midpoint
attack does to the median. Seconds.

    python3 benchmarks/bench_limits.py
"""

from __future__ import annotations

import numpy as np

from scipy import optimize, stats

from robust_mlr.limits import pool_floors, quantile_noise_error, two_point_floor


def pareto_sizes(t_min=2, t_max=64, shape=1.2, scale=10 ** 6):
    """The law of ``experiments.adaptive.heavy_tailed_sizes`` as a sample whose
    size frequencies equal its probabilities to 1 part in ``scale``:
    P(t ≥ j) = (t_min / j)^shape for t_min ≤ j ≤ t_max."""
    j = np.arange(t_min, t_max + 1)
    tail = (t_min / j.astype(float)) ** shape
    pmf = tail - np.append(tail[1:], 0.0)
    return np.repeat(j, np.round(pmf * scale).astype(np.int64))


def main():
    sep = np.sqrt(2.0)
    hetero = pareto_sizes()
    print("default problem: estimate | alpha | light1 (t 2) | light2 (t 8) | heavy (t 128) | "
          "all pools | light, heterogeneous sizes")
    for est in ("w", "s2", "p"):
        for a in (0.01, 0.02, 0.05, 0.1):
            f = pool_floors(a, {"light1": 2, "light2": 8, "heavy": 128}, 0.25, sep)[est]
            h = two_point_floor(hetero, 0.25, a, est, sep)
            print(f"{est} | {a} | {f['light1']:.3f} | {f['light2']:.3f} | {f['heavy']:.4f} | "
                  f"{f['best']:.4f} | {h:.3f}")
    a, t = 0.05, np.sqrt(2 * np.pi) * 0.05 * 4
    print(f"small-shift expansion sqrt(2 pi) k alpha / sqrt(t) at alpha = {a}: "
          f"light2 {t / np.sqrt(8):.3f}, heavy {t / np.sqrt(128):.4f}")
    print("\nsmall-t_H problem (p = 1/8): estimate | alpha | light2 (t 16) | heavy (t 4)")
    for a in (0.01, 0.02, 0.05):
        f = pool_floors(a, {"light2": 16, "heavy": 4}, 1 / 8, sep)
        print(f"w | {a} | {f['w']['light2']:.3f} | {f['w']['heavy']:.3f}")

    print("\nnoise level of one component: t | p | alpha | floor | median (worst) | "
          "median / floor | best quantile (worst) | its level | its clean bias | "
          "median under the midpoint attack (frac 1, 0.95)")
    for t, p in ((16, 1 / 8), (8, 1 / 4)):
        for a in (0.02, 0.05):
            floor = two_point_floor(t, p, a, "s2")
            med = quantile_noise_error(t, p, a)
            eps = a / p
            best = optimize.minimize_scalar(
                lambda c: quantile_noise_error(t, p, a, c, "minimax"),
                bounds=(eps + 1e-9, 1 - eps - 1e-9), method="bounded",
                options={"xatol": 1e-10})
            lo, mid, hi = stats.chi2.ppf([best.x - eps, best.x, best.x + eps], t)
            attacked = [midpoint_median(t, p, a * f) for f in (1.0, 0.95)]
            print(f"{t} | {p:.3f} | {a} | {floor:.3f} | {med:.3f} | {med / floor:.2f} | "
                  f"{best.fun:.3f} | {best.x:.3f} | {2 * mid / (lo + hi) - 1:+.3f} | "
                  f"{attacked[0]:.3f}, {attacked[1]:.3f}")


def midpoint_median(t, p, alpha):
    """Relative error of the median of χ²-scaled residuals when a component's
    law is the midpoint of two noise levels s² and s²(1 + h)/(1 − h), h the
    ŝ² floor at ``alpha`` (the ``midpoint`` attack's two worlds): the median
    of ½χ²_t + ½·(1 + h)/(1 − h)·χ²_t over that of χ²_t."""
    h = two_point_floor(t, p, alpha, "s2")
    r = (1 + h) / (1 - h)
    half = lambda x: 0.5 * stats.chi2.cdf(x, t) + 0.5 * stats.chi2.cdf(x / r, t) - 0.5  # noqa: E731
    return optimize.brentq(half, 0.0, 10 * r * t) / stats.chi2.median(t) - 1


if __name__ == "__main__":
    main()
