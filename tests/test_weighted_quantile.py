"""The light Gram's row cap τ (the task-weighted quantile of ‖x_j‖²) read in
blocked passes without a per-row array, against a full sort.

The quantile is exact by construction: a strided sample only brackets the
wanted weight, one pass counts per task size the rows below the bracket and
gathers those inside, a bracket that misses is narrowed in further rounds,
and the weight below a value is compared with the target in exact
arithmetic where rounding could decide it. So it must equal a brute force
in fractions on every case (sizes 1..64, ties, equal sizes, sorted and
reversed orders), and the sort the in-memory code used (float cumulative
sums) wherever those sums cannot decide an exact tie; on pools above the
size where rows are gathered whole, also for orders that defeat the sample.
"""
from fractions import Fraction

import numpy as np
import pytest

from robust_mlr import MetaDataset
from robust_mlr.stages.regression import task_weighted_row_quantile

LEVEL = 0.9 * (1.0 - 0.05)


def _pool(sizes, x):
    off = np.concatenate([[0], np.cumsum(sizes)])
    X = np.asarray(x, float).reshape(-1, 1)
    return MetaDataset(X, np.zeros(X.shape[0]), off), np.einsum("ij,ij->i", X, X)


def _sort(v, t, q):
    """The in-memory code's τ: a stable sort and float cumulative weights."""
    order = np.argsort(v, kind="stable")
    cw = np.cumsum((1.0 / t)[order])
    return float(v[order][min(np.searchsorted(cw, q * cw[-1]), v.size - 1)])


def _fractions(v, t, q):
    """The smallest v whose rows weigh at least fl(q·n), in fractions."""
    n_tasks = sum(1 for _ in _task_starts(t))
    target, acc = Fraction(q * float(n_tasks)), Fraction(0)
    for i in np.argsort(v, kind="stable"):
        acc += Fraction(1, int(t[i]))
        if acc >= target:
            return float(v[i])
    return float("nan")


def _task_starts(t):
    i = 0
    while i < t.size:
        yield i
        i += int(t[i])


def _case(rng, kind):
    n = int(rng.integers(1, 300))
    sizes = (np.full(n, int(rng.choice([2, 3, 4, 5, 7, 8, 12, 64]))) if kind == 1
             else rng.integers(1, 6, n) if kind == 2 else rng.integers(2, 65, n))
    x = rng.standard_normal(int(sizes.sum()))
    if kind == 2:
        x = np.round(x, 1)                            # long runs of ties
    elif kind == 3:
        x = np.sort(np.abs(x))
    elif kind == 4:
        x = np.sort(np.abs(x))[::-1]
    return sizes, x


def test_equals_fractions_on_random_pools():
    rng = np.random.default_rng(7)
    for it in range(500):
        sizes, x = _case(rng, it % 5)
        data, sq = _pool(sizes, x)
        t = np.repeat(sizes, sizes)
        q = float(rng.choice([LEVEL, 0.5, 0.0, 1.0, rng.uniform()]))
        assert task_weighted_row_quantile(data, q) == _fractions(sq, t, q), (it, q)


def test_equals_the_sort_at_the_cap_level():
    """Random orders at the cap's level: the sort's value (its float sums
    decide no exact tie there) for sizes 2..64, ties and equal sizes."""
    rng = np.random.default_rng(3)
    for it in range(500):
        sizes, x = _case(rng, it % 3)
        if it % 3 == 1 and sizes.size % 200 == 0:
            continue                          # q·n an exact multiple of 1/t: a tie
        data, sq = _pool(sizes, x)
        assert task_weighted_row_quantile(data, LEVEL) == _sort(sq, np.repeat(sizes, sizes),
                                                                LEVEL), it


def test_dyadic_sizes_equal_the_sort_at_any_level():
    """Weights 1/2ᵏ: the sort's sums are exact, so every level agrees, ties too."""
    rng = np.random.default_rng(5)
    for it in range(200):
        sizes = 2 ** rng.integers(1, 7, int(rng.integers(1, 200)))
        if it % 2:
            sizes[:] = sizes[0]
        x = np.round(rng.standard_normal(int(sizes.sum())), int(rng.integers(0, 3)))
        data, sq = _pool(sizes, x)
        q = float(rng.choice([LEVEL, 0.5, 0.25, rng.uniform()]))
        assert task_weighted_row_quantile(data, q) == _sort(sq, np.repeat(sizes, sizes), q), it


@pytest.mark.parametrize("order", ["random", "sorted", "reversed", "strided_zeros", "ties"])
def test_large_pools_bracket_and_recover(order):
    """Above the whole-gathering size (2¹⁸ rows) the sample brackets τ; sorted
    and reversed norms, and zeros at exactly the sampled rows (the sample
    then misses and the located interval is narrowed), give the sort's τ."""
    rng = np.random.default_rng(["random", "sorted", "reversed", "strided_zeros",
                                 "ties"].index(order))
    sizes = 2 ** rng.integers(1, 7, 16_000)              # dyadic: the sort's sums are exact
    x = rng.standard_normal(int(sizes.sum()))
    N = x.size
    assert N > 1 << 18
    if order == "sorted":
        x = np.sort(np.abs(x))
    elif order == "reversed":
        x = np.sort(np.abs(x))[::-1]
    elif order == "strided_zeros":
        x[::N // (1 << 16)] = 0.0
    elif order == "ties":
        x = np.round(x, 1)
    data, sq = _pool(sizes, x)
    t = np.repeat(sizes, sizes)
    for q in (LEVEL, 0.5, 0.01, 0.999):
        assert task_weighted_row_quantile(data, q) == _sort(sq, t, q), q
    mixed = rng.integers(2, 65, 9_000)                   # sizes 2..64 (no exact tie here)
    data, sq = _pool(mixed, rng.standard_normal(int(mixed.sum())))
    assert task_weighted_row_quantile(data, LEVEL) == _sort(sq, np.repeat(mixed, mixed), LEVEL)
