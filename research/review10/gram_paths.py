"""The clipped refit with the kept tasks' normal equations given (summed by
the filter) and without (summed in its first pass, the spikes read after
it, their mass in the second, the reach weighing from the third): the same
spikes, reach and fit, one more pass."""
import sys
import warnings

import numpy as np

sys.path.insert(0, "tests")
from adversary_helpers import light2_problem  # noqa: E402
from robust_mlr.adversary import DilutedLever, Poolwise, corrupt_pools  # noqa: E402
from robust_mlr.stages.regression import filter_components  # noqa: E402
from robust_mlr.stages.regression._example_clip import clipped_refit  # noqa: E402

theta, pools = light2_problem()
attack = DilutedLever(component=0, rows=4, shift=2.5, lever=4.0, u_decoys=1, u_lever=4.0,
                      u_shift=3.0, decoy=0.0)
bad = corrupt_pools(pools, Poolwise(light2=attack), 0.1, theta=theta, rng=1).light2
labels = bad.components.copy()
labels[labels < 0] = 0
W0, s2, _, info = filter_components(bad, labels, 2, alpha=0.1, rng=0, example_clip=None)
final, t_cap = info["labels"], info["t_cap"]
t = bad.sizes.astype(float)
c = np.repeat(np.minimum(t, t_cap) / t, bad.sizes)
rl = np.repeat(final, bad.sizes)
G = np.stack([(bad.X[rl == k] * c[rl == k, None]).T @ bad.X[rl == k] for k in range(2)])
b = np.stack([(bad.X[rl == k] * c[rl == k, None]).T @ bad.y[rl == k] for k in range(2)])
kept = final >= 0
out = {}
for name, g, r in (("summed", G, b), ("none", None, None)):
    for tol in (0.5, 1e-6):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            W, inf = clipped_refit(bad, labels, kept, W0, s2, t_cap, g, r, tol=tol)
        out[name, tol] = W
        print(name, "tol", tol, {k: v for k, v in inf.items() if k != "cpu_seconds"},
              "warnings", len(caught))
for tol in (0.5, 1e-6):
    print("tol", tol, "max |W_summed - W_none| / s:",
          float(np.abs(out["summed", tol] - out["none", tol]).max() / theta.s.min()))
