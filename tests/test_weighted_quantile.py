"""The light Gram's row cap τ (the task-weighted quantile of ‖x_j‖²) read in
blocked passes without a per-row array, against a full sort.

The quantile is exact by construction: a strided sample only brackets the
wanted weight, one pass counts per task size the rows below the bracket and
gathers those inside, a bracket that misses is narrowed in further rounds,
and the weight below a value is compared with the target in exact
arithmetic where rounding could decide it. So it must equal a brute force
in fractions on every case (sizes 1..64, ties, equal sizes, sorted and
reversed orders, orders that defeat the sample), and the sort the in-memory
code used (float cumulative sums) wherever those sums cannot decide an
exact tie.
"""
from fractions import Fraction

import numpy as np
import pytest

import robust_mlr._select as select
from robust_mlr import MetaDataset
from robust_mlr._segments import task_weighted_row_quantile
from robust_mlr._select import _weight, blocked_weighted_quantile
from robust_mlr.stages.regression._misclass import example_weights
from robust_mlr.stages.regression._pooled import capped_grams

LEVEL = 0.9 * (1.0 - 0.05)


def _sort(v, t, q):
    """The in-memory code's τ: a stable sort and float cumulative weights."""
    order = np.argsort(v, kind="stable")
    cw = np.cumsum((1.0 / t)[order])
    return float(v[order][min(np.searchsorted(cw, q * cw[-1]), v.size - 1)])


def _fractions(v, t, q):
    """The smallest v whose rows weigh at least fl(q·W(all)), in fractions."""
    den = np.unique(t)
    target = Fraction(q * _weight(np.bincount(np.searchsorted(den, t)), den.astype(float)))
    acc = Fraction(0)
    for i in np.argsort(v, kind="stable"):
        acc += Fraction(1, int(t[i]))
        if acc >= target:
            return float(v[i])
    return float("nan")


def _blocked(v, t, q, rng):
    den = np.unique(t)
    cls = np.searchsorted(den, t)
    idx = np.split(np.arange(v.size), np.sort(rng.choice(v.size, int(rng.integers(0, 10)))))
    return blocked_weighted_quantile(lambda: ((v[i], cls[i]) for i in idx), den.astype(float),
                                     np.bincount(cls, minlength=den.size), q)


def _case(rng, kind):
    n = int(rng.integers(1, 300))
    sizes = (np.full(n, int(rng.choice([2, 3, 4, 5, 7, 8, 12, 64]))) if kind == 1
             else rng.integers(1, 6, n) if kind == 2 else rng.integers(2, 65, n))
    t = np.repeat(sizes, sizes)
    v = rng.standard_normal(t.size) ** 2
    if kind == 2:
        v = np.round(v, 1)                            # long runs of ties
    elif kind == 3:
        v = np.sort(v)
    elif kind == 4:
        v = np.sort(v)[::-1].copy()
    elif kind == 5:
        v[::max(v.size // select.SAMPLE, 1)] = 0.0    # the strided sample sees zeros only
    return v, t


@pytest.mark.parametrize("gather, sample", [(64, 32), (1000, 256), (1 << 18, 1 << 16)])
def test_blocked_weighted_quantile_equals_fractions(monkeypatch, gather, sample):
    # small thresholds make every case bracket, miss and narrow
    monkeypatch.setattr(select, "GATHER_FROM", gather)
    monkeypatch.setattr(select, "SAMPLE", sample)
    rng = np.random.default_rng([7, gather])
    for it in range(600):
        v, t = _case(rng, it % 6)
        q = float(rng.choice([LEVEL, 0.5, 0.0, 1.0, rng.uniform()]))
        assert _blocked(v, t, q, rng) == _fractions(v, t, q), (it, q)


def test_blocked_weighted_quantile_equals_the_sort(monkeypatch):
    """At the cap's level, on random orders: the sort's value (its float sums
    decide no exact tie there), sizes 2..64, ties and equal sizes."""
    monkeypatch.setattr(select, "GATHER_FROM", 64)
    monkeypatch.setattr(select, "SAMPLE", 32)
    rng = np.random.default_rng(3)
    for it in range(600):
        v, t = _case(rng, it % 3)
        if it % 3 == 1 and v.size % 200 == 0:
            continue                          # q·n an exact multiple of 1/t: a tie
        assert _blocked(v, t, LEVEL, rng) == _sort(v, t, LEVEL), it


def test_dyadic_sizes_equal_the_sort_at_any_level():
    """Weights 1/2ᵏ: the sort's sums are exact, so every level agrees, ties too."""
    rng = np.random.default_rng(5)
    for it in range(300):
        sizes = 2 ** rng.integers(1, 7, int(rng.integers(1, 200)))
        if it % 2:
            sizes[:] = sizes[0]
        t = np.repeat(sizes, sizes)
        v = np.round(rng.standard_normal(t.size) ** 2, int(rng.integers(0, 3)))
        q = float(rng.choice([LEVEL, 0.5, 0.25, rng.uniform()]))
        assert _blocked(v, t, q, rng) == _sort(v, t, q), it


def test_pool_quantile_and_capped_grams_match_the_sort():
    """On a pool read by blocks (more rows than the whole-gathering size):
    τ and the capped Gram of the in-memory computation, bit for bit."""
    rng = np.random.default_rng(11)
    sizes = rng.integers(2, 65, 12_000)
    off = np.concatenate([[0], np.cumsum(sizes)])
    X = rng.standard_normal((int(off[-1]), 6)) * rng.uniform(0.5, 2, (int(off[-1]), 1))
    data = MetaDataset(X, X @ np.ones(6), off)
    sq = np.einsum("ij,ij->i", X, X)
    tau = _sort(sq, np.repeat(sizes, sizes).astype(float), LEVEL)
    assert off[-1] > select.GATHER_FROM
    assert task_weighted_row_quantile(data, LEVEL) == tau
    labels = rng.integers(-1, 3, sizes.size)
    gram, got = capped_grams(data, labels, 3, 0.05)
    assert got == tau
    w = np.repeat(example_weights(data, True), sizes) * np.minimum(1.0, tau / sq)
    for c in range(3):
        rows = np.repeat(labels == c, sizes)
        ref = (X[rows] * w[rows, None]).T @ X[rows]
        np.testing.assert_allclose(gram[c], ref, rtol=1e-12, atol=1e-9)
