"""The learner's two regression passes when W̃_0 is moved toward w_1 (an
adversary holding the heavy pool: the clustering's first centre moved a
share ``frac`` of the way to the second): the first classification hands
component 0 the tasks of component 1 closest to w_0, and its filter removes
them; the reclassification at the final estimates gives them back to
component 1. ``bad`` light-2 tasks of component 1 carry w_1 + 2u (u a unit
vector), so component 1's first round fails in the second pass. Prints
component 1's ŵ error / s and ŝ² ratio, the light-2 tasks set aside by
truth, and the warnings, over seeds (k 2, d 16, pools 6 000 × 2 /
100 × 64 / 6 000 × 8, α = 0.05).

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/shifted_toward.py [frac bad ...]
"""
import sys
import warnings

import numpy as np

from robust_mlr import CorruptionWarning, MetaDataset, MetaLearner, Pools, make_params, make_pools
from robust_mlr.stages.clustering import PengWei

FRAC = 0.5


class TowardOther(PengWei):
    """Robust Peng–Wei whose first centre is moved ``FRAC`` of the way to the
    second (matched to the truth by the test harness's ordering)."""

    def fit(self, data, U, k, **kwargs):
        super().fit(data, U, k, **kwargs)
        W = self.W_tilde_.copy()
        W[:, 0] += FRAC * (W[:, 1] - W[:, 0])
        self.W_tilde_ = W
        return self


def one(seed, bad_n):
    theta = make_params(16, 2, rng=seed)
    pools = make_pools(theta, 6000, 2, 100, 64, 6000, 8, rng=seed + 10)
    L2 = pools.light2
    rng = np.random.default_rng(seed + 20)
    comp = L2.components
    bad = np.zeros(L2.n_tasks, bool)
    bad[rng.choice(np.flatnonzero(comp == 1), bad_n, replace=False)] = True
    u = rng.standard_normal(16)
    u /= np.linalg.norm(u)
    rows = np.repeat(bad, L2.sizes)
    y = L2.y.copy()
    y[rows] += 2.0 * theta.s[1] * (L2.X[rows] @ u)
    pools = Pools(pools.light1, pools.heavy, MetaDataset(L2.X, y, L2.offsets))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(2, 0.05, rng=seed, clustering=TowardOther(robust=True)).fit(pools)
    # the learner's components matched to the truth
    cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
    perm = [0, 1] if cost[0, 0] + cost[1, 1] <= cost[0, 1] + cost[1, 0] else [1, 0]
    c1 = perm.index(1)
    err1 = np.linalg.norm(m.W_[:, c1] - theta.W[:, 1]) / theta.s[1]
    aside = m.light_labels_ < 0
    warned = any(issubclass(w.category, CorruptionWarning) for w in caught)
    recl = "reclassified" in m.diagnostics_["classification"]
    return err1, m.s2_[c1] / theta.s[1] ** 2, int((aside & ~bad & (comp == 1)).sum()), \
        int((aside & bad).sum()), warned, recl


def main():
    global FRAC
    args = sys.argv[1:] or ["0.5", "150"]
    for frac, bad_n in zip(args[::2], args[1::2]):
        FRAC = float(frac)
        R = [one(seed, int(bad_n)) for seed in range(6)]
        for seed, r in enumerate(R):
            print(f"frac {FRAC} bad {bad_n} seed {seed}: err1 {r[0]:.4f} s2_1 {r[1]:.3f} "
                  f"clean1_aside {r[2]} bad_aside {r[3]} warned {int(r[4])} reclassified {int(r[5])}",
                  flush=True)
        e = np.array([r[0] for r in R])
        print(f"frac {FRAC} bad {bad_n}: mean err1 {e.mean():.4f} max {e.max():.4f}", flush=True)


if __name__ == "__main__":
    main()
