"""The screen's order statistics on large pools against a full sort.

The calibrated screen fits tails from three order statistics of every
example's ||x||², max_j x_j², −log ||x||², |y| and |y|/√u, and the robust
scales are medians of all examples; on pools of 10⁶–10⁸ examples these are
selected by bracketing a sample instead of partitioning the whole array.
The selection is exact by construction (a sample that misses falls back to
a partition), so here the results must equal a full sort's bit for bit,
including orders a strided sample cannot bracket (sorted, reversed, long
runs of ties) and arrays holding a NaN.
"""
import numpy as np
import pytest

from robust_mlr import MetaDataset, Pools
from robust_mlr.constants import MAD_TO_SIGMA
from robust_mlr.stages.screening import (REJECT_TAIL_SHAPE, calibrated_limits, robust_scales,
                                         screen_pools, tail_quantile)

N = 300_000          # above the size where the selection replaces a partition


def _reference_tail(v, p, level, max_shape=0.5):
    """tail_quantile with unit weights, from a full sort."""
    s = np.sort(v)
    levels = np.array([1 - level, 1 - 2 * level, 1 - 4 * level])
    cw = np.arange(1, v.size + 1, dtype=float)
    q1, q2, q4 = s[np.minimum(np.searchsorted(cw, cw[-1] * levels), v.size - 1)]
    s1, s2 = q1 - q2, q2 - q4
    if not s1 > 0:
        return float(q1) if q1 == np.median(v) else float("nan")
    raw = np.log2(s1 / s2) if s2 > 0 else np.inf
    if not raw <= REJECT_TAIL_SHAPE:
        return float("nan")
    xi = float(np.clip(raw, 0.0, max_shape))
    r = level / p
    growth = np.log2(r) if xi < 1e-9 else (r ** xi - 1) / (1 - 2.0 ** -xi)
    return float(q1 + s1 * max(growth, 0.0))


def _orders(rng):
    v = rng.chisquare(32, N) / 32
    planted = v.copy()
    planted[::9] = 0.0                       # every value a stride of 9 samples is 0
    return {"planted": planted, "random": v, "sorted": np.sort(v), "reversed": np.sort(v)[::-1].copy(),
            "ties": np.round(v, 1), "blocks": np.repeat(rng.exponential(size=N // 8), 8)}


@pytest.mark.parametrize("order", ["random", "sorted", "reversed", "ties", "blocks",
                                   "planted"])
@pytest.mark.parametrize("level", [1 / 8, 1 / 32])
def test_tail_quantile_equals_full_sort(order, level):
    v = _orders(np.random.default_rng(0))[order]
    got = tail_quantile(v, 1e-8, level, np.ones(v.size))
    ref = _reference_tail(v, 1e-8, level)
    assert got == ref or (np.isnan(got) and np.isnan(ref))


def test_tail_quantile_with_a_nan_equals_partition_order():
    v = np.random.default_rng(1).exponential(size=N)
    v[123] = np.nan                          # a partition sorts NaN last, as a sort does
    got = tail_quantile(v, 1e-8, 1 / 8, np.ones(v.size))
    assert got == _reference_tail(v, 1e-8, 1 / 8)


def test_robust_scales_equal_full_medians():
    """σ̂_y is 1.4826 · the median of all |y|: selected, the same number."""
    rng = np.random.default_rng(2)
    n, t, d = 40_000, 8, 4                   # 320 000 responses
    X = rng.standard_normal((n * t, d))
    y = np.sort(rng.standard_normal(n * t) * 3.0)      # an order a sample cannot bracket
    data = MetaDataset(X, y, np.arange(0, n * t + 1, t))
    sx, sy = robust_scales([data])
    assert sy == MAD_TO_SIGMA * np.median(np.abs(y))
    assert 0.9 < sx < 1.1
    scaled, scales, info = screen_pools(Pools(data, data, data), 0.05)
    assert scales == (sx, sy)


def _reference_noise(data, w, t_cap):
    """ŝ² of robust_noise by a full sort: the size-weighted median of
    RSS_i / median(χ²_{t_i})."""
    from scipy import stats
    t = data.sizes
    rss = np.add.reduceat((data.y - data.X @ w) ** 2, data.offsets[:-1])
    ratio = rss / stats.chi2.median(t)
    order = np.argsort(ratio)
    cw = np.cumsum(np.minimum(t, t_cap)[order].astype(float))
    return ratio[order][np.searchsorted(cw, cw[-1] / 2)]


@pytest.mark.parametrize("sizes", ["equal", "mixed"])
def test_robust_noise_equals_full_sort(sizes):
    """The regression's ŝ² (a size-weighted median over 3·10⁵ tasks) is
    selected without a sort when the task weights are equal; the same number."""
    from robust_mlr.stages.regression import robust_noise
    rng = np.random.default_rng(3)
    n, d = 300_000, 2
    t = np.full(n, 2) if sizes == "equal" else rng.integers(2, 5, n)
    off = np.concatenate([[0], np.cumsum(t)])
    X = rng.standard_normal((off[-1], d))
    w = np.array([1.0, -0.5])
    data = MetaDataset(X, X @ w + 0.3 * rng.standard_normal(off[-1]), off)
    got = robust_noise(data, w, t_cap=3.0)
    np.testing.assert_allclose(got, _reference_noise(data, w, 3.0), rtol=1e-12)
    assert got == robust_noise(data, w, t_cap=3.0)


@pytest.mark.parametrize("order", ["random", "sorted"])
def test_calibrated_limits_equal_full_sorts(order):
    """Every tail of the calibrated limits (u, max_j x_j², −log u, |y| and
    |y|/√u, with u's median) is selected over blocks from a sample read at
    every s-th example; the limits equal those of full sorts, bit for bit,
    also for values in an order a strided sample cannot bracket."""
    rng = np.random.default_rng(4)
    n, t, d = 75_000, 4, 3                   # 300 000 examples
    N = n * t
    X = rng.standard_normal((N, d))
    y = rng.standard_normal(N) * 2.0
    u = np.einsum("ij,ij->i", X, X) / d
    m = np.abs(X).max(axis=1) ** 2
    if order == "sorted":
        u, m, y = np.sort(u), np.sort(m)[::-1].copy(), np.sort(y)
    data = MetaDataset(X, y, np.arange(0, N + 1, t))
    got = calibrated_limits(data, 0.05, (1.0, 1.0), u=u, max_sq=m)
    level, p = got["level"], 0.005 / N
    assert level == 1 / 8
    ay = np.abs(y)
    hi = np.fmax(_reference_tail(u, p, level),
                 (_reference_tail(m, p, level) + (d - 1) * np.median(u)) / d)
    assert got["x_sq_over_d"] == (float(np.exp(-_reference_tail(-np.log(u), p, level))),
                                  float(hi))
    assert got["abs_y"] == _reference_tail(ay, p, level)
    assert got["y_per_leverage"] == _reference_tail(ay / np.sqrt(np.maximum(u, 1.0)), p, level)


@pytest.mark.parametrize("d", [1, 3, 6, 32])
def test_screen_pass_statistics_equal_plain_numpy(d):
    """The screen's own pass (squared norms, and max_j |x_j| by halvings of
    each row's width in a cache-sized chunk) gives the limits of the plainly
    computed u = ||x/σ||²/d and max_j (x_j/σ)², bit for bit, for widths
    that halve to one column, stop at an odd width, or cannot halve."""
    rng = np.random.default_rng(5)
    n, t = 70_000, 4                          # 280 000 examples, a ragged last chunk
    N, sx = n * t, 1.3
    X = rng.standard_t(6, size=(N, d))
    X[17, d // 2] = -0.0
    data = MetaDataset(X, rng.standard_normal(N), np.arange(0, N + 1, t))
    Z = X / sx
    u = np.einsum("ij,ij->i", Z, Z) / d
    m = (np.abs(X).max(axis=1) / sx) ** 2
    assert calibrated_limits(data, 0.05, (sx, 1.0)) == \
        calibrated_limits(data, 0.05, (sx, 1.0), u=u, max_sq=m)


@pytest.mark.parametrize("order", ["random", "sorted", "ties", "infinite"])
def test_relative_excess_equals_numpy_quantiles(order):
    """The filter's relative excess of a column of scores reads its two
    trimming quantiles by selection; they are ``np.quantile``'s (linear
    interpolation between order statistics), so the excess is the one
    computed from ``np.quantile``, bit for bit."""
    from robust_mlr.stages.subspace.robust_pca import relative_excess
    rng = np.random.default_rng(6)
    tau = rng.chisquare(4, N + 1)
    if order == "sorted":
        tau = np.sort(tau)
    elif order == "ties":
        tau = np.round(tau, 1)
    elif order == "infinite":
        tau[::1000] = np.inf
    for a_trim in (0.0, 0.0123, 0.25, 0.49):
        lo, hi = np.quantile(tau, [a_trim, 1 - a_trim])
        good = (tau >= lo) & (tau <= hi)
        mean_g = (tau * good).sum() / max(good.sum(), 1)
        with np.errstate(invalid="ignore"):
            ref = (tau.mean() - mean_g) / max(mean_g, 1e-300)
            got = relative_excess(tau, a_trim)
        assert got == ref or (np.isnan(got) and np.isnan(ref))
