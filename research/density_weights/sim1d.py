"""1-D: reach rule vs per-bin density-ratio weights (review10's sim1d set-up)."""
import sys
import numpy as np
sys.path.insert(0, ".")
from robust_mlr.stages.regression._example_clip import _SpikeMass
C, BIN, CAP, SP, MINC = 1.5, 0.05, 4.0, 1.15, 30.0

def density_w(z, zo):
    nb = int(CAP / BIN)
    io = np.minimum((np.abs(z) / BIN).astype(int), nb)
    ioo = np.minimum((np.abs(zo) / BIN).astype(int), nb)
    No = np.bincount(io, minlength=nb + 1).astype(float)
    Nt = np.bincount(ioo, minlength=nb + 1).astype(float)
    To, Tt = No[::-1].cumsum()[::-1], Nt[::-1].cumsum()[::-1]   # tails from b up
    use_tail = Nt < MINC
    ro = np.where(use_tail, To, No) / z.size
    rt = np.where(use_tail, Tt, Nt) / zo.size
    w = np.where(ro > 0, np.minimum(1.0, SP * rt / np.maximum(ro, 1e-300)), 1.0)
    m = w[io] * np.minimum(1.0, CAP ** 2 / np.maximum(z * z, 1e-300))
    return m

def fit(z, y, m):
    w = 0.0
    for _ in range(300):
        u = np.minimum(1.0, C / np.maximum(np.abs(y - z * w), 1e-300))
        w_new = np.sum(m * u * z * y) / np.sum(m * u * z * z)
        if abs(w_new - w) < 1e-10:
            break
        w = w_new
    return w_new

def run(eps, tiers, rule, n=40000, seed=0, detect=SP):
    rng = np.random.default_rng(seed)
    na = int(eps * n)
    zs = [rng.standard_normal(n - na)]
    for share, L in tiers:
        zs.append(np.full(int(share * na), L))
    z = np.concatenate(zs)
    y = np.r_[rng.standard_normal(n - na), np.full(z.size - (n - na), 1e6)]
    zo = rng.standard_normal(n)
    spike = np.mean(z ** 2) / np.mean(zo ** 2)
    if spike <= detect:
        m = np.ones_like(z)
    elif rule == "reach":
        sm = _SpikeMass(np.array([0]), CAP)
        zz = np.r_[z, zo]; lab = np.r_[np.zeros(z.size, int), np.ones(zo.size, int)]
        sm.add(zz[:, None] ** 2, lab, np.ones(zz.size), np.array([True, True]))
        a = sm.reach()[0]
        m = np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
    else:
        m = density_w(z, zo)
    return fit(z, y, m)

for rule in ("reach", "density"):
    for eps in (0.05, 0.143, 0.2):
        one = max((run(eps, [(1.0, L)], rule), L) for L in np.arange(0.5, 6.01, 0.1))
        two = max((run(eps, [(s, L1), (1 - s, L2)], rule), s, L1, L2)
                  for s in np.arange(0.1, 1.0, 0.2) for L1 in np.arange(0.5, 3.01, 0.1)
                  for L2 in (2.0, 3.0, 4.0, 6.0))
        print(rule, eps, "one-tier", np.round(one, 3), "two-tier", np.round(two, 3), flush=True)
# clean wide class: variance along e
for rule in ("reach", "density"):
    for wide in (1.2, 1.5, 2.0):
        ests = []
        for seed in range(40):
            rng = np.random.default_rng(100 + seed)
            z = wide * rng.standard_normal(20000); y = rng.standard_normal(20000); zo = rng.standard_normal(20000)
            if rule == "reach":
                sm = _SpikeMass(np.array([0]), CAP)
                zz = np.r_[z, zo]; lab = np.r_[np.zeros(z.size, int), np.ones(zo.size, int)]
                sm.add(zz[:, None] ** 2, lab, np.ones(zz.size), np.array([True, True]))
                a = sm.reach()[0]; m = np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
            else:
                m = density_w(z, zo)
            ests.append(fit(z, y, m))
        base = 1.0 / (20000 * wide ** 2) * 1.04
        print(rule, "wide", wide, "var ratio vs Huber", round(np.var(ests) / base, 2))
