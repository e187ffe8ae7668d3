"""Population version of the selection channel (docs/adversary.md, 'the selection
channel'): remove the ε lowest of N(0,1) along u, write ε at a; largest mean shift
with the second moment about the new mean ≤ ℓ. Units: clean sd of a fit = s/√(t_H−d−1)."""
import numpy as np
from scipy import optimize, stats

unit = 1 / np.sqrt(128 - 32 - 1)
print("unit", round(unit, 4))
for eps in (0.2, 0.08):
    q = stats.norm.ppf(eps)
    mT = stats.norm.pdf(q) / (1 - eps)                      # mean above the ε quantile
    vT = 1 + q * stats.norm.pdf(q) / (1 - eps) - mT ** 2     # its variance
    for ell in (2.96, 1.0):
        def spread(a):
            mu = (1 - eps) * mT + eps * a
            return (1 - eps) * (vT + (mT - mu) ** 2) + eps * (a - mu) ** 2
        if spread(0) > ell:
            # removal alone already exceeds ℓ: write at the mean that keeps it
            print(eps, ell, "removal alone too wide")
            continue
        a = optimize.brentq(lambda a: spread(a) - ell, 0, 50)
        shift = (1 - eps) * mT + eps * a
        print(f"eps {eps} ell {ell}: a {a:.2f} shift {shift:.3f} units = {shift*unit:.4f} s;"
              f" with clean error √(d/m)={np.sqrt(32/100):.2f} units ⊥: "
              f"{np.hypot(shift, np.sqrt(32/100))*unit:.4f} s")

# Finite sample, u = the clean mean's own error direction (independent re-draw,
# 300 draws; stop level 2.961 read from research/selection_bound/bound.txt).
rng = np.random.default_rng(17)
m, d, level = 100, 32, 2.961
for eps, a in ((0.2, 4.0), (0.08, 5.0)):
    b = int(round(eps * m))
    ok, err, shift, med, clean = [], [], [], [], []
    for _ in range(300):
        z = rng.standard_normal((m, d))
        u = z.mean(0) / np.linalg.norm(z.mean(0))
        keep = np.argsort(z @ u)[b:]
        g = rng.standard_normal((b, d))
        x = np.vstack([z[keep], g - np.outer(g @ u, u) + a * u])
        c = x - x.mean(0)
        ok.append(np.linalg.eigvalsh(c.T @ c / m)[-1] <= level)
        err.append(np.linalg.norm(x.mean(0)) * unit)
        shift.append((x.mean(0) - z.mean(0)) @ u * unit)
        clean.append(np.linalg.norm(z.mean(0)) * unit)
        med.append(np.median(x @ u) * unit)
    ok = np.array(ok)
    print(f"sample eps {eps} a {a}: pass {ok.mean():.2f}; whole error {np.mean(np.array(err)[ok]):.4f} s;"
          f" clean error {np.mean(clean):.4f} s; shift added along u {np.mean(np.array(shift)[ok]):.4f} s;"
          f" median along known u {np.mean(np.array(med)[ok]):.4f} s")
