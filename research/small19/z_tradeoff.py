"""Trade-off of the finite-sample factor's LEVEL_Z: clean light-1 pools
(t = 2, α = 0.05, 20 seeds; over-limit counts of the subspace filter) and
the subspace attacks at d = 4, k = 2, light1 300 (5 seeds; mean subspace
error; full robust fit). Also the clean subspace error there."""
import warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_tasks, make_pools, estimate_subspace, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.stages.subspace import _level
from robust_mlr.threat import excess_limit
warnings.simplefilter("ignore")
alpha = 0.05
ATT = ("none", "subspace_spike", "multi_direction", "threshold_aware", "direction_swap", "signal_theft")
for Z in (None, 0.0, 1.0, 2.0, 3.0):
    if Z is None:
        _level.finite_sample_factor.__globals__["CALIBRATION_POINTS"] = 0   # factor 1: old level
    else:
        _level.CALIBRATION_POINTS = 6000
        _level.LEVEL_Z = Z
    over = []
    for d, k in ((4, 2), (8, 2), (8, 3)):
        for n in (150, 300, 600):
            lim = excess_limit(alpha, n)
            c = sum(int((~estimate_subspace(make_tasks(make_params(d, k, rng=s), n, 2, rng=100 + s),
                                            k, "filter", alpha=alpha, rng=s).kept).sum()) > lim
                    for s in range(20))
            over.append(c)
    errs = []
    for name in ATT:
        e = []
        for s in range(5):
            theta = make_params(4, 2, rng=s)
            pools = make_pools(theta, 300, 2, 20, 32, 300, 4, rng=100 + s)
            bad = pools if name == "none" else corrupt_pools(pools, name, alpha, theta=theta, rng=4 + s)
            m = MetaLearner.robust(2, alpha, rng=2 + s).fit(bad)
            e.append(metrics.subspace_error(m.U_, theta))
        errs.append(np.mean(e))
    print(f"Z={Z}: clean over-limit /20 (d4k2, d8k2, d8k3 × n 150/300/600) {over}; "
          f"small-problem subspace err " + ", ".join(f"{a} {x:.3f}" for a, x in zip(ATT, errs)),
          flush=True)
