"""The paths a large light pool takes (model-bias draws replayed from saved
stream states, no row-weight memo in the pull trim; held blocks off), forced
on the default problem: every output saved on the old code and checked here,
bit for bit.

Run: ``PYTHONPATH=$PWD python3 research/speed20/compare_large_path.py save|check FILE``
"""
import pickle
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from compare_fits import flatten, pools_of                     # noqa: E402
import robust_mlr._scaled as scaled                             # noqa: E402
import robust_mlr.stages.regression._misclass as misclass       # noqa: E402
import robust_mlr.stages.regression._pooled as pooled           # noqa: E402
from robust_mlr import MetaLearner                              # noqa: E402
from robust_mlr.adversary import corrupt_pools                   # noqa: E402

misclass.KEEP_DRAWS_ROWS = 0
if hasattr(pooled, "KEEP_DRAWS_ROWS"):
    pooled.KEEP_DRAWS_ROWS = 0
if hasattr(scaled, "HOLD_BYTES"):
    scaled.HOLD_BYTES = 0
    scaled.held.__defaults__ = (0,)
out = {}
warnings.simplefilter("ignore")
theta, pools = pools_of(1)
with threadpool_limits(limits=1, user_api="blas"):
    for name, data in (("clean", pools),
                       ("fake_cluster", corrupt_pools(pools, "fake_cluster", 0.05, theta=theta,
                                                      rng=4))):
        m = MetaLearner.robust(4, 0.05, rng=0).fit(data)
        for attr in ("W_", "s2_", "p_", "U_", "heavy_labels_", "light_labels_"):
            out[f"{name}/{attr}"] = np.asarray(getattr(m, attr))
        flatten(f"{name}/diag", m.diagnostics_, out)
mode, path = sys.argv[1], sys.argv[2]
if mode == "save":
    pickle.dump(out, open(path, "wb"))
    print(f"saved {len(out)}")
else:
    ref = pickle.load(open(path, "rb"))
    bad = [k for k in sorted(set(ref) | set(out)) if k not in ref or k not in out
           or not (ref[k].shape == out[k].shape and np.array_equal(ref[k], out[k],
                                                                 equal_nan=ref[k].dtype.kind in "fc"))]
    for k in bad:
        print("DIFF", k)
    print(f"{len(out)} values compared, {len(bad)} differ")
