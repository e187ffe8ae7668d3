"""The pull trim's ⌊αn⌋ tasks of largest contribution (Kong, Somani,
Kakade, Oh 2020: the heavy anchor's predicted gain, read without them) are
found by one partition: the same set as a stable sort, ties to the lower
position, with NaN last."""

import numpy as np

from robust_mlr.stages.regression._pull_trim import _top_positions


def test_top_positions_equal_the_stable_sort():
    rng = np.random.default_rng(0)
    for trial in range(2000):
        n, kind = int(rng.integers(1, 60)), trial % 4
        m = int(rng.integers(0, n + 3))
        v = rng.random(n) if kind == 0 else rng.integers(0, 4, n).astype(float)
        if kind == 2:
            v[rng.random(n) < 0.2] = np.nan
        if kind == 3:
            v[rng.random(n) < 0.5] = 0.0
        want = np.sort(np.argsort(-v, kind="stable")[:m])
        np.testing.assert_array_equal(_top_positions(v, m), want)
