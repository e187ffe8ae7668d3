"""Independent re-derivation of the two-point floors (review17).

Written without robust_mlr.limits: the TVs come from scipy.integrate.quad
over the χ_t density (shift) and from a direct quad of |f_A − f_B| over the
χ²_t-scaled residual (noise), plus a Monte Carlo check of whole tasks.
"""
import numpy as np
from scipy import integrate, optimize, stats


def tv_shift(t, delta):
    # E_{R~chi_t}[2Φ(δR/2) − 1]
    f = lambda r: (2 * stats.norm.cdf(delta * r / 2) - 1) * stats.chi.pdf(r, t)
    return integrate.quad(f, 0, np.inf, limit=200)[0]


def tv_shift_sizes(sizes, freq, delta):
    return sum(f * tv_shift(int(t), delta) for t, f in zip(sizes, freq))


def tv_noise(t, c):
    # residual r=‖y−Xw‖²: law s_A² χ²_t vs s_B² χ²_t, ratio c; TV = ½∫|f_A − f_B|
    f = lambda r: abs(stats.chi2.pdf(r, t) - stats.chi2.pdf(r / c, t) / c) / 2
    r_star = t * c * np.log(c) / (c - 1)
    a = integrate.quad(f, 0, r_star, limit=200)[0]
    b = integrate.quad(f, r_star, np.inf, limit=200)[0]
    return a + b


def floor_w(t, p, alpha, sizes=None, freq=None):
    target = 2 * alpha / p
    if target >= 1:
        return np.inf
    g = (lambda d: tv_shift(t, d)) if sizes is None else (lambda d: tv_shift_sizes(sizes, freq, d))
    return optimize.brentq(lambda d: g(d) - target, 1e-9, 50) / 2


def floor_s2(t, p, alpha, sizes=None, freq=None):
    target = 2 * alpha / p
    if target >= 1:
        return np.inf
    if sizes is None:
        g = lambda h: tv_noise(t, (1 + h) / (1 - h))
    else:
        g = lambda h: sum(f * tv_noise(int(tt), (1 + h) / (1 - h)) for tt, f in zip(sizes, freq))
    for hi in (0.2, 0.5, 0.9, 0.995):   # smallest bracket whose quad is reliable
        if g(hi) >= target:
            return optimize.brentq(lambda h: g(h) - target, 1e-6, hi)
    return np.nan          # beyond h = 0.995: the budget nearly erases the level


def floor_p(t, p, alpha, sep, sizes=None, freq=None):
    tv = tv_shift(t, sep) if sizes is None else tv_shift_sizes(sizes, freq, sep)
    return min(alpha / tv, p / 2)


def mc_tv_shift(t, delta, n=400_000, rng=0):
    """Monte Carlo TV of whole tasks: E_P[(1 − dP'/dP)_+] with x ~ N(0, I_t·d)."""
    rng = np.random.default_rng(rng)
    d = 8
    X = rng.standard_normal((n, t, d))
    u = np.zeros(d); u[0] = 1
    eps = rng.standard_normal((n, t))
    # y = Xw + eps (w=0, s=1); log LR of P' (w + δu) vs P
    Xu = X @ u * delta
    llr = (eps * Xu).sum(1) - 0.5 * (Xu ** 2).sum(1)
    return np.mean(np.clip(1 - np.exp(llr), 0, None))


if __name__ == "__main__":
    print("MC check TV_8(0.386):", round(mc_tv_shift(8, 0.386), 4), "quad", round(tv_shift(8, 0.386), 4))
    print("MC check TV_16(0.668):", round(mc_tv_shift(16, 0.668, n=200_000), 4), "quad", round(tv_shift(16, 0.668), 4))
    p = 0.25
    # heterogeneous sizes: the adaptive study's law
    try:
        from experiments.adaptive import heavy_tailed_sizes
        import inspect
        print(inspect.signature(heavy_tailed_sizes))
    except Exception as e:
        print("no heavy_tailed_sizes", e)
    print("default problem p=1/4, sep √2")
    for a in (0.01, 0.02, 0.05, 0.1):
        row = {}
        for name, t in (("light1", 2), ("light2", 8), ("heavy", 128)):
            row[name] = (round(floor_w(t, p, a), 4), round(floor_s2(t, p, a), 4),
                         round(floor_p(t, p, a, 2 ** 0.5), 4))
        print(a, row)
    print("small-heavy problem p=1/8")
    for a in (0.01, 0.02, 0.05):
        row = {name: (round(floor_w(t, 0.125, a), 4), round(floor_s2(t, 0.125, a), 4))
               for name, t in (("light1", 2), ("heavy", 4), ("light2", 16))}
        print(a, row)
    # δ for the small-heavy light-2 pool at α = 0.05: p·TV16(δ) = 2α
    d05 = optimize.brentq(lambda d: 0.125 * tv_shift(16, d) - 0.1, 1e-6, 10)
    d01_2a = optimize.brentq(lambda d: 0.125 * tv_shift(16, d) - 0.02, 1e-6, 10)
    d01_a = optimize.brentq(lambda d: 0.125 * tv_shift(16, d) - 0.01, 1e-6, 10)
    print("δ(α=.05, 2α)", round(d05, 4), "δ(α=.01, 2α)", round(d01_2a, 4), "δ(α=.01, α)", round(d01_a, 4))
    # ŝ² light2 t=16 p=1/8: median quantile error
    eps = 0.05 / 0.125
    lo, hi, med = stats.chi2.ppf([0.5 - eps, 0.5 + eps, 0.5], 16)
    print("median quantile err t16", round(max(hi / med - 1, 1 - lo / med), 4))
    # heavy t=128 p=1/4: quantile error and minimax
    eps = 0.05 / 0.25
    lo, hi, med = stats.chi2.ppf([0.5 - eps, 0.5 + eps, 0.5], 128)
    print("heavy median quantile err", round(max(hi / med - 1, 1 - lo / med), 4),
          "minimax", round((hi - lo) / (hi + lo), 4), "q0.7/med-1", round(hi / med - 1, 4))
    # small-shift expansion 2.5 kα/√t and √(2π)α/(p E[χ_t])
    for t in (8, 128):
        print("expansion t", t, round(2.5 * 4 * 0.05 / np.sqrt(t), 4),
              round(np.sqrt(2 * np.pi) * 0.05 / (0.25 * stats.chi.mean(t)), 4))
    print("TV_128(√2)", 1 - tv_shift(128, 2 ** 0.5), "TV_2(√2)", tv_shift(2, 2 ** 0.5),
          "TV_8(√2)", tv_shift(8, 2 ** 0.5))


def pareto_pmf(t_min=2, t_max=64, shape=1.2):
    """Exact law of experiments.adaptive.heavy_tailed_sizes (derived, not imported):
    t = min(t_max, ⌊t_min U^(−1/shape)⌋) ⇒ P(t ≥ j) = (t_min/j)^shape."""
    j = np.arange(t_min, t_max + 1)
    tail = (t_min / j) ** shape
    return j, tail - np.append(tail[1:], 0.0)


def hetero_main():
    sizes, freq = pareto_pmf()
    rng = np.random.default_rng(0)
    from experiments.adaptive import heavy_tailed_sizes
    emp = np.bincount(heavy_tailed_sizes(rng, 10 ** 6), minlength=65)[2:] / 1e6
    print("pmf vs sampler max abs diff", np.abs(emp - freq).max())
    for a in (0.02, 0.05):
        print("hetero", a, round(floor_w(None, 0.25, a, sizes, freq), 4),
              round(floor_s2(None, 0.25, a, sizes, freq), 4),
              round(floor_p(None, 0.25, a, 2 ** 0.5, sizes, freq), 4))


if __name__ == "__main__":
    hetero_main()
    print("more digits: heavy w 0.05", floor_w(128, 0.25, 0.05), "s2", floor_s2(128, 0.25, 0.05))


def mc_tv_noise(t, c, n=400_000, rng=1):
    """Monte Carlo TV of whole tasks between noise variances 1 and c (same w):
    E_P[(1 − dP'/dP)_+] from the residuals of t examples (X drops out)."""
    rng = np.random.default_rng(rng)
    e = rng.standard_normal((n, t))
    r = (e ** 2).sum(1)
    llr = -0.5 * t * np.log(c) - 0.5 * r * (1 / c - 1)
    return np.mean(np.clip(1 - np.exp(llr), 0, None))


def replacement_demo(n=200_000, alpha=0.05, t=8, p=0.25, rng=2):
    """The proposition of docs/adversary.md on one pool, one coordinate: world A
    (component 0 at w), world B (at w + δ u, p·TV_t(δ) = 2α); each task of A
    is replaced with prob ½(dE/dP) by a draw of E'/ε. Returns the replaced
    share (≈ α) and the KS distance of the statistic Σ_j y_j x_j·u between
    the two corrupted pools (≈ sampling noise)."""
    rng = np.random.default_rng(rng)
    delta = optimize.brentq(lambda d: p * tv_shift(t, d) - 2 * alpha, 1e-6, 10)

    def draw(m, shift):
        comp0 = rng.random(m) < p
        x = rng.standard_normal((m, t))          # x·u per example (other coords irrelevant)
        y = rng.standard_normal((m, t)) + np.where(comp0[:, None], shift, 3.0) * x
        return comp0, x, y

    def loglik(x, y, shift):
        return -0.5 * ((y - shift * x) ** 2).sum(1)

    def world(shift_own, shift_other):
        comp0, x, y = draw(n, shift_own)
        # density of the task under P (mixture) and P' (component 0 moved)
        l_own = np.exp(loglik(x, y, shift_own))
        l_oth = np.exp(loglik(x, y, shift_other))
        l_rest = np.exp(loglik(x, y, 3.0))
        P = p * l_own + (1 - p) * l_rest
        Pp = p * l_oth + (1 - p) * l_rest
        dEdP = np.clip(P - Pp, 0, None) / P
        rep = rng.random(n) < 0.5 * dEdP
        # draws from E'/ε by rejection: component-0 tasks of the other world,
        # accepted with prob (P' − P)_+/P' on their own density
        m = int(rep.sum())
        out_x, out_y = [], []
        while sum(len(a) for a in out_x) < m:
            c2, x2, y2 = draw(4 * m + 100, shift_other)
            x2, y2 = x2[c2], y2[c2]
            a_ = np.exp(loglik(x2, y2, shift_other)); b_ = np.exp(loglik(x2, y2, shift_own))
            acc = rng.random(len(x2)) < np.clip(a_ - b_, 0, None) / a_
            out_x.append(x2[acc]); out_y.append(y2[acc])
        if m:
            x[rep] = np.concatenate(out_x)[:m]; y[rep] = np.concatenate(out_y)[:m]
        return rep.mean(), (x * y).sum(1)

    ra, sa = world(0.0, delta)
    rb, sb = world(delta, 0.0)
    ks = stats.ks_2samp(sa, sb)
    _, s_clean_b = world(delta, delta)    # no move: world B clean
    ks_clean = stats.ks_2samp(sa, s_clean_b)
    return delta, ra, rb, ks.statistic, ks_clean.statistic


if __name__ == "__main__":
    print("MC noise TV t=8 c=2:", round(mc_tv_noise(8, 2.0), 4), "quad", round(tv_noise(8, 2.0), 4))
    d, ra, rb, ks, ksc = replacement_demo()
    print(f"replacement demo: δ {d:.3f}, replaced share A {ra:.4f} B {rb:.4f} (α 0.05); "
          f"KS(corrupted A, corrupted B) {ks:.4f}; KS(corrupted A, clean B) {ksc:.4f}")
