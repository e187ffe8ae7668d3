"""One dimension: the mass-read reach against density weights (the set-up of
research/review10/sim1d.py): the worst shift of the Mallows-weighted Huber
fit along e under one and two tiers of adversarial rows, and the variance
of a clean class wider than the others along e.

    python3 research/density_weights/sim1d.py
"""
import numpy as np

C, BIN, CAP, SP, MINC = 1.5, 0.05, 4.0, 1.15, 30.0


def reach_rule(z, zo):
    """The mass-read reach of commit 6c9dafc: the largest bin edge a up to
    the cap at which (and below which) mean min(z², a²) of the component
    is within SP times the others' (at least 0.5)."""
    a = 0.5
    for edge in np.arange(1, int(CAP / BIN) + 1) * BIN:
        if np.mean(np.minimum(z * z, edge * edge)) > SP * np.mean(np.minimum(zo * zo, edge * edge)):
            break
        a = max(a, edge)
    return a

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
        a = reach_rule(z, zo)
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
                a = reach_rule(z, zo)
                m = np.minimum(1.0, a * a / np.maximum(z * z, 1e-300))
            else:
                m = density_w(z, zo)
            ests.append(fit(z, y, m))
        base = 1.0 / (20000 * wide ** 2) * 1.04
        print(rule, "wide", wide, "var ratio vs Huber", round(np.var(ests) / base, 2))
