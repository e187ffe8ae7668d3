"""The reach's floor: the worst one- and two-tier shifts of sim1d.py with
the floor at 0.5 (as committed) and at 1.5, and the reach and the clean
efficiency along e of a component whose covariate law is wider along e
than the others' (σ = 1.5, 2 in their RMS), where no row is corrupted."""
import sys

import numpy as np

sys.path.insert(0, "research/review10")
import sim1d  # noqa: E402
from robust_mlr.stages.regression import _example_clip as ec  # noqa: E402


def wide(sigma, n=200000, seed=0):
    rng = np.random.default_rng(seed)
    z, zo = sigma * rng.standard_normal(n), rng.standard_normal(n)
    sm = ec._SpikeMass(np.array([0]), 4.0)
    sm.add(np.r_[z, zo][:, None] ** 2, np.r_[np.zeros(n, int), np.ones(n, int)], np.ones(2 * n),
           np.array([True, True]))
    a = sm.reach()[0]
    w = np.minimum(1.0, a * a / z ** 2)
    var_ratio = np.mean(w * w * z * z) * np.mean(z * z) / np.mean(w * z * z) ** 2
    return a, np.mean(w < 1), var_ratio


for floor in (0.5, 1.5):
    ec._MIN_REACH = floor
    for eps in (0.05, 0.143):
        one = max(sim1d.shift(eps, L)[2] for L in np.arange(0.5, 6.01, 0.05))
        two = max(sim1d.shift2(eps, s, L1, L2)[1] for s in np.arange(0.0, 1.0001, 0.1)
                  for L1 in np.arange(0.5, 3.01, 0.05) for L2 in (2.0, 4.0, 6.0))
        print(f"floor {floor} eps {eps}: worst one tier {one:.3f}, two tiers {two:.3f}")
    for sigma in (1.5, 2.0):
        a, share, vr = wide(sigma)
        print(f"floor {floor}: clean component {sigma}x wider along e: reach {a:.2f}, "
              f"rows weighed {share:.2f}, variance along e {vr:.2f}x the unweighted")
