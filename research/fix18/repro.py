"""The new-user findings fixed in fix18, each replayed: prints one line per case.

Run from the repository root:
    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/fix18/repro.py
"""
import contextlib
import io
import tempfile
import warnings
from pathlib import Path

import numpy as np

from robust_mlr import make_params, make_pools, make_tasks
from robust_mlr.adversary import Attack, Targeted, corrupt_pools, register
from robust_mlr.baselines import EMLearner
from robust_mlr.chunked import write_chunked


def said(label, f):
    err = io.StringIO()
    try:
        with warnings.catch_warnings(record=True) as w, contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            out = f()
        extra = [str(x.message)[:80] for x in w] + err.getvalue().splitlines()
        print(f"{label}: OK {str(out)[:70]} {extra if extra else ''}")
    except SystemExit:
        print(f"{label}: {err.getvalue().strip()}")
    except Exception as e:                      # noqa: BLE001 - the point is the message
        print(f"{label}: {type(e).__name__}: {e}")


theta = make_params(d=8, k=2, rng=0)
pools = make_pools(theta, 2000, 2, 100, 40, 1000, 4, rng=1)


class Base(Attack):
    name, stage, targets = "mine", "clustering", ("heavy",)

    def craft(self, data, idx, ctx, rng):
        n = int(data.sizes[idx].sum())
        X = rng.standard_normal((n, data.dim))
        return X, X @ ctx.need_theta(self).W[:, 0]


# 3. a built-in's name
said("3 register fake_cluster", lambda: register(type("Evil", (Base,), {"name": "fake_cluster"})))
# 4. corrupting twice
a = corrupt_pools(pools, "random_labels", 0.05, theta=theta, rng=0)
said("4 corrupt twice", lambda: corrupt_pools(a, "random_labels", 0.05, theta=theta, rng=1))
# 7. one pool's name
said("7 Targeted str", lambda: Targeted("random_labels", "heavy").targets)
# 8. an own attack's mistakes
for lab, pick in (("dup", lambda n, N: np.zeros(n, int)), ("neg", lambda n, N: -np.arange(1, n + 1)),
                  ("big", lambda n, N: np.arange(n) + N), ("float", lambda n, N: np.arange(n) + .5)):
    cls = type(lab, (Base,), {"choose": lambda self, d, n, c, r, pick=pick: pick(n, d.n_tasks)})
    said(f"8 choose {lab}", lambda cls=cls: corrupt_pools(pools, cls(), 0.05, theta=theta, rng=0))
said("8 stage typo", lambda: type("BadStage", (Base,), {"stage": "clustring"}))
# 14. Python API errors
said("14 EMLearner n_inits", lambda: EMLearner(2, n_inits=3))
said("14 EMLearner pools", lambda: EMLearner(2, pools=("light1", "hevy")).fit(pools))
said("14 make_tasks 9 sizes", lambda: make_tasks(theta, 10, np.ones(9, int) * 3))
said("14 make_tasks 2.5", lambda: make_tasks(theta, 10, 2.5))
# 13. a failed write_chunked
with tempfile.TemporaryDirectory() as tmp:
    said("13 write_chunked []", lambda: write_chunked(Path(tmp) / "new" / "d", []))
    print("13 left in the folder:", sorted(p.name for p in Path(tmp).iterdir()))
