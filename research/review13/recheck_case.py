"""One fit in detail (light-2 sizes {2, 128}, centre_shift, seed 1 of
``learner_sizes.py``): the tasks each regression pass removed, by truth
(corrupted, clean of the component, clean of another), and each
component's ŵ error and ŝ² ratio.

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/recheck_case.py [attack seed]
"""
import sys
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.regression import FilterRegression

attack = sys.argv[1] if len(sys.argv) > 1 else "centre_shift"
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
theta = make_params(16, 3, rng=seed)
pools = make_pools(theta, 6000, 2, 150, 96, 4000, lambda r, n: r.choice([2, 128], n), rng=seed + 1)
pools = corrupt_pools(pools, attack, 0.05, theta=theta, targets=["light2"], rng=seed + 2)
bad, truth = pools.masks["light2"], pools.light2.components
calls = []
orig = FilterRegression.fit


def spy(self, data, labels, k, **kw):
    out = orig(self, data, labels, k, **kw)
    calls.append((np.asarray(labels).copy(), out.labels_.copy(), kw.get("removed")))
    return out


FilterRegression.fit = spy
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    m = MetaLearner.robust(3, 0.05, rng=seed + 3).fit(pools)
from scipy.optimize import linear_sum_assignment  # noqa: E402
cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
match = linear_sum_assignment(cost)[1]          # learner component c is truth match[c]
truth = np.where(truth >= 0, np.argsort(match)[np.maximum(truth, 0)], -1)
for i, (lab, fin, pre) in enumerate(calls):
    rem = (lab >= 0) & (fin < 0)
    for c in range(3):
        r = rem & (lab == c)
        print(f"pass {i + 1} component {c}: labelled {int((lab == c).sum())} "
              f"(of truth {int(((lab == c) & (truth == c) & ~bad).sum())}, other clean "
              f"{int(((lab == c) & (truth != c) & ~bad).sum())}, bad {int(((lab == c) & bad).sum())}); "
              f"removed {int(r.sum())}: bad {int((r & bad).sum())}, clean own {int((r & ~bad & (truth == c)).sum())}, "
              f"clean other {int((r & ~bad & (truth != c)).sum())}"
              + ("" if pre is None else f"; started removed {int((pre & (lab == c)).sum())}"))
err = np.linalg.norm(m.W_ - theta.W[:, match], axis=0) / theta.s[match]
print("w_err per component", np.round(err, 4), "s2/s^2", np.round(m.s2_ / theta.s[match] ** 2, 4))
print("regression", {k: m.diagnostics_["regression"][k] for k in ("removed", "passed")},
      [c["iterations"] for c in m.diagnostics_["regression"]["components"]])
print("warnings", sorted({str(w.message)[:100] for w in caught if "not robust" not in str(w.message)}))
