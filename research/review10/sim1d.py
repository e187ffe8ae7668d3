"""One-dimensional check of research/review10/bound.py: the component's
clean rows z ~ N(0, 1) with N(0, 1) noise, ε of its rows adversarial at
|z| = L with a residual far beyond the clip (ψ = c ŝ, one sign), the other
components' rows N(0, 1); the reach read by the refit's own rule
(_SpikeMass), then the Mallows-weighted Huber fit along e by IRLS (ŝ = 1
known). Prints the reach and the shift δ/ŝ for each L."""
import sys

import numpy as np

from robust_mlr.stages.regression._example_clip import _SpikeMass

C = 1.5


def shift(eps, L, n=40000, seed=0, reach_rule=True):
    rng = np.random.default_rng(seed)
    na = int(eps * n)
    z = np.r_[rng.standard_normal(n - na), np.full(na, L)]
    y = np.r_[rng.standard_normal(n - na), np.full(na, 1e6)]        # w = 0 truth
    zo = rng.standard_normal(n)
    zz = np.r_[z, zo]
    lab = np.r_[np.zeros(n, int), np.ones(n, int)]
    sm = _SpikeMass(np.array([0]), 4.0)
    sm.add(zz[:, None] ** 2, lab, np.ones(zz.size), np.array([True, True]))
    a = sm.reach()[0] if reach_rule else 4.0
    spike = np.mean(z ** 2) / np.mean(zo ** 2)
    if spike <= 1.15:                             # no spike direction: no weights
        a = np.inf
    m = np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
    w = 0.0
    for _ in range(200):
        r = y - z * w
        u = np.minimum(1.0, C / np.maximum(np.abs(r), 1e-300))
        w_new = np.sum(m * u * z * y) / np.sum(m * u * z * z)
        if abs(w_new - w) < 1e-10:
            break
        w = w_new
    return a, spike, w_new


if __name__ == "__main__":
    for eps in map(float, sys.argv[1:] or ["0.05", "0.143"]):
        best = (0, None)
        for L in np.arange(0.5, 6.01, 0.05):
            a, sp, d = shift(eps, L)
            if d > best[0]:
                best = (d, (L, a, sp))
            if abs(L * 4 - round(L * 4)) < 1e-9:
                print(f"eps {eps} L {L:4.2f} spike {sp:5.2f} reach {a:5.2f} shift {d:.3f}")
        print(f"eps {eps}: worst shift {best[0]:.3f} at L {best[1][0]:.2f} (reach {best[1][1]:.2f}, "
              f"spike {best[1][2]:.2f})")
        for L in (4.0, 4.05):
            print(f"  fixed reach 4, L {L}: shift {shift(eps, L, reach_rule=False)[2]:.3f}")


def shift2(eps, share, L1, L2=6.0, n=40000, seed=0):
    """Two tiers: a share of the ε rows at L1 (the pull, near the reach), the
    rest at L2 (far: they make the spike and push the reach down)."""
    rng = np.random.default_rng(seed)
    na = int(eps * n)
    n1 = int(share * na)
    z = np.r_[rng.standard_normal(n - na), np.full(n1, L1), np.full(na - n1, L2)]
    y = np.r_[rng.standard_normal(n - na), np.full(na, 1e6)]
    zo = rng.standard_normal(n)
    zz = np.r_[z, zo]
    lab = np.r_[np.zeros(n, int), np.ones(n, int)]
    sm = _SpikeMass(np.array([0]), 4.0)
    sm.add(zz[:, None] ** 2, lab, np.ones(zz.size), np.array([True, True]))
    a = sm.reach()[0] if np.mean(z ** 2) / np.mean(zo ** 2) > 1.15 else np.inf
    m = np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
    w = 0.0
    for _ in range(200):
        u = np.minimum(1.0, C / np.maximum(np.abs(y - z * w), 1e-300))
        w_new = np.sum(m * u * z * y) / np.sum(m * u * z * z)
        if abs(w_new - w) < 1e-10:
            break
        w = w_new
    return a, w_new


def two_tier(eps):
    best = (0, None)
    for share in np.arange(0.0, 1.0001, 0.1):
        for L1 in np.arange(0.5, 3.01, 0.05):
            for L2 in (2.0, 3.0, 4.0, 6.0):
                a, d = shift2(eps, share, L1, L2)
                if d > best[0]:
                    best = (d, (share, L1, L2, a))
    print(f"two tiers, eps {eps}: worst shift {best[0]:.3f} (share at L1 {best[1][0]:.1f}, "
          f"L1 {best[1][1]:.2f}, L2 {best[1][2]:.1f}, reach {best[1][3]:.2f})")
