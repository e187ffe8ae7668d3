"""Review of the mass-read reach of the Mallows weights: clean efficiency
along a spike direction, and the shift an adversary can carry within the
reach rule's allowance (analytic bound and a one-dimensional simulation)."""
import numpy as np
from scipy import integrate, stats

C, SPIKE = 1.5, 1.15
KAPPA = stats.norm.cdf(C) - stats.norm.cdf(-C)          # E ψ'(ξ/s), Huber at c
phi = stats.norm.pdf


def m(a):
    """E min(z², a²), z standard normal."""
    return integrate.quad(lambda z: min(z * z, a * a) * phi(z), -12, 12, points=[-a, a], limit=200)[0]


def eff(a):
    """Asymptotic variance of the Mallows-weighted fit relative to unweighted:
    along e, E[w²z²]/E[wz²]²; orthogonal to e, E[w²]/E[w]² (w = min(1, a²/z²))."""
    w = lambda z: min(1.0, a * a / (z * z)) if z else 1.0
    q = lambda f: integrate.quad(lambda z: f(z) * phi(z), -12, 12, points=[-a, a], limit=200)[0]
    along = q(lambda z: w(z) ** 2 * z * z) / q(lambda z: w(z) * z * z) ** 2
    ortho = q(lambda z: w(z) ** 2) / q(w) ** 2
    return along, ortho, q(lambda z: float(abs(z) > a))


def bound(a, eps):
    """|δ|/ŝ along e when the rule holds at a: c·min(√(ε(0.15+ε)m), εa)/((1−ε)κ m)."""
    ma = m(a)
    pull = min(np.sqrt(eps * (SPIKE - 1 + eps) * ma), eps * a)
    return C * pull / ((1 - eps) * KAPPA * ma)


def forced(eps):
    """The smallest edge b at which ε adversarial rows at |z| ≥ b can make the
    rule fail: (1−ε)m(b) + εb² > 1.15 m(b)."""
    for b in np.arange(0.05, 4.001, 0.05):
        if (1 - eps) * m(b) + eps * b * b > SPIKE * m(b):
            return b
    return np.inf


if __name__ == "__main__":
    print(f"kappa {KAPPA:.4f}")
    print("a     m(a)   P(|z|>a)  var ratio along e  orthogonal")
    for a in (0.5, 1.0, 1.25, 2.0, 2.85, 4.0):
        al, orth, tail = eff(a)
        print(f"{a:4.2f}  {m(a):.4f}  {tail:.4f}    {al:.4f}             {orth:.4f}")
    print("eps   forced-edge  bound(a) at a = 0.5 1.25 2 2.85 4   max over a>=reach reachable")
    for eps in (0.02, 0.05, 0.1, 0.143, 0.2, 0.3):
        b = forced(eps)
        grid = np.arange(0.5, 4.001, 0.05)
        worst = max(bound(a, eps) for a in grid if a >= b - 0.05 - 1e-9)
        print(f"{eps:5.3f}  {b:4.2f}   " + " ".join(f"{bound(a, eps):.3f}" for a in (0.5, 1.25, 2, 2.85, 4))
              + f"   {worst:.3f}")
