"""The selection channel of a second-moment certificate: how far the mean of
a component's heavy fits can move when ⌊αn_H⌋ of them are *replaced* and
the filter certifies only that the spread about the estimate stays under
its stop level ℓ in every direction.

    python3 research/selection_bound/bound.py > research/selection_bound/bound.txt

Whitened per-task fits z_i (clean: N(0, I_d) about the truth; one unit is
the fit's noise sd along a direction, ≈ s/√(t_H − d − 1)). The adversary
removes the ε-share furthest against a direction u and writes ε-share at
a·u (typical in every other direction). In the population:

    mean shift  μ(a) = φ(q) + ε·a,            q = Φ⁻¹(ε)
    spread      v(a) = (1−ε)(v_T + (m_T − μ)²) + ε(a − μ)²

(m_T, v_T the mean and variance of N(0,1) above q); the largest μ with
v ≤ ℓ is the shift the certificate cannot see. Part 1 prints it for the
default problem's budget (20 of the attacked component's 100 fits at
α = 0.05, 8 at α = 0.02) at ℓ = 1 (a certificate of the exact variance,
infinite sample) and at the code's stop level for m = 100, d = 32, and
the one-dimensional median's shift Φ⁻¹(½ + ε) along a *known* u for
comparison. Part 2 draws finite samples (m = 100, d = 32, 400 draws):
the same construction, the certificate's top eigenvalue against the stop
level, the sample mean's shift along u and its whole error, with u fixed
and with u the direction the clean sample's own mean already errs in
(the adversary sees the data before it writes). Part 3: the fourth
moment along u against the largest a clean sample shows.
"""
import numpy as np
from scipy import optimize, stats

from robust_mlr.stages.regression._heavy_anchor import _stop_level

D, T_H, M = 32, 128, 100
SIGMA = 1 / np.sqrt(T_H - D - 1)            # fit noise sd along a direction, units of s
SCALE_ERR = 3 * 1.2533 * np.sqrt(2.0 / (T_H - D) / M)
LEVEL = _stop_level(M, D) * (1 + SCALE_ERR)
CLEAN = np.sqrt(D / M) * SIGMA               # clean error norm of the mean of M fits


def truncated(eps):
    q = stats.norm.ppf(eps)
    m_t = stats.norm.pdf(q) / (1 - eps)
    v_t = 1 + q * stats.norm.pdf(q) / (1 - eps) - m_t ** 2
    return q, m_t, v_t


def mu_max(eps, level):
    q, m_t, v_t = truncated(eps)

    def spread(a):
        mu = (1 - eps) * m_t + eps * a
        return (1 - eps) * (v_t + (m_t - mu) ** 2) + eps * (a - mu) ** 2 - level
    a = optimize.brentq(spread, m_t, 100.0)
    return (1 - eps) * m_t + eps * a, a


def population():
    print(f"d = {D}, t_H = {T_H}, m = {M} fits in the attacked component; "
          f"fit sd along a direction {SIGMA:.4f}·s; clean error of their mean "
          f"{CLEAN:.4f}·s; stop level ℓ = {LEVEL:.3f}")
    print("alpha  eps   level  a*     mean shift (sd)  along u (s)  total (s)  "
          "median along known u (sd / total s)")
    for alpha, eps in ((0.05, 0.20), (0.02, 0.08)):
        for level in (1.0, LEVEL):
            mu, a = mu_max(eps, level)
            med = stats.norm.ppf(0.5 + eps)
            tot = np.hypot(mu * SIGMA, CLEAN * np.sqrt((D - 1) / D))
            tot_med = np.hypot(med * SIGMA, CLEAN * np.sqrt((D - 1) / D))
            print(f"{alpha:5.2f} {eps:5.2f} {level:6.3f} {a:6.2f} {mu:12.3f} {mu * SIGMA:14.4f}"
                  f" {tot:10.4f}   {med:.3f} / {tot_med:.4f}")


def samples(eps, a, lean, draws=400, seed=0):
    """Finite-sample construction; ``lean``: u is the direction the clean
    sample's mean already errs in (the adversary reads it off the data),
    else a fixed direction. Returns the share of draws whose top
    eigenvalue passes the stop level and, over those, the mean's shift
    along u (sd units), its whole error ‖mean‖ in units of s, and the
    median along u (sd units)."""
    rng = np.random.default_rng(seed)
    b = int(round(eps * M))
    passed, shift, err, med = [], [], [], []
    for _ in range(draws):
        z = rng.standard_normal((M, D))
        u = z.mean(axis=0) if lean else np.eye(D)[0]
        u = u / np.linalg.norm(u)
        keep = np.argsort(z @ u)[b:]                       # the b furthest against u go
        g = rng.standard_normal((b, D))
        new = g - np.outer(g @ u, u) + a * u
        x = np.vstack([z[keep], new])
        c = x - x.mean(axis=0)
        top = np.linalg.eigvalsh(c.T @ c / M)[-1]
        passed.append(top <= LEVEL)
        shift.append(x.mean(axis=0) @ u)
        err.append(np.linalg.norm(x.mean(axis=0)) * SIGMA)
        med.append(np.median(x @ u))
    ok = np.array(passed)
    pick = (lambda v: float(np.mean(np.array(v)[ok])) if ok.any() else np.nan)
    return ok.mean(), pick(shift), pick(err), pick(med)


def fourth_moments(eps=0.20, a=4.0, draws=200, seed=0):
    """The construction's fourth moment along u, against the largest a
    clean sample shows along the direction of one of its own fits."""
    rng = np.random.default_rng(seed)
    b = int(round(eps * M))
    along, clean = [], []
    for _ in range(draws):
        z = rng.standard_normal((M, D))
        u = z.mean(axis=0)
        u = u / np.linalg.norm(u)
        keep = np.argsort(z @ u)[b:]
        g = rng.standard_normal((b, D))
        x = np.vstack([z[keep], g - np.outer(g @ u, u) + a * u])
        along.append(np.mean(((x - x.mean(axis=0)) @ u) ** 4))
        zc = z - z.mean(axis=0)
        dirs = zc / np.linalg.norm(zc, axis=1, keepdims=True)
        clean.append(np.max(np.mean((zc @ dirs.T) ** 4, axis=0)))
    print(f"fourth moments ({draws} draws, eps {eps}, a {a}): the construction along u, "
          f"median {np.median(along):.1f}; a clean sample along its fits' directions, "
          f"largest: median {np.median(clean):.1f}, smallest over draws {np.min(clean):.1f}")


def main():
    population()
    for lean in (False, True):
        print()
        print(f"finite samples: m = {M}, d = {D}, 400 draws; replaced tasks at a·u, u "
              + ("the direction of the clean sample's own error" if lean else "fixed"))
        print("alpha  eps   a    passes  mean along u (sd)  whole error (s)  median along u (sd)"
              "   (passing draws)")
        for alpha, eps in ((0.05, 0.20), (0.02, 0.08)):
            for a in (2.0, 3.0, 3.5, 4.0, 4.5, 5.0):
                frac, sh, er, md = samples(eps, a, lean)
                print(f"{alpha:5.2f} {eps:5.2f} {a:4.1f} {frac:6.2f} {sh:16.3f} {er:16.4f}"
                      f" {md:17.3f}")
    print()
    fourth_moments()


if __name__ == "__main__":
    main()
