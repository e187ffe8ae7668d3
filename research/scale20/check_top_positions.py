# _top_positions against the stable argsort it replaces (3000 random cases: distinct values, ties, NaN, zeros). Run: PYTHONPATH=$PWD python3 research/scale20/check_top_positions.py
import numpy as np
from robust_mlr.stages.regression._pull_trim import _top_positions
rng = np.random.default_rng(0)
for trial in range(3000):
    n = int(rng.integers(1, 60)); m = int(rng.integers(0, n + 3))
    kind = trial % 4
    v = rng.random(n) if kind == 0 else rng.integers(0, 4, n).astype(float)
    if kind == 2: v[rng.random(n) < 0.2] = np.nan
    if kind == 3: v[rng.random(n) < 0.5] = 0.0
    ref = np.sort(np.argsort(-v, kind="stable")[:m])
    got = _top_positions(v, m)
    assert np.array_equal(ref, got), (v, m, ref, got)
print("ok")
