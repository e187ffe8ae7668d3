"""Screening: robust pre-scaling and per-example plausibility under the model.

The model (Kong, Somani, Song, Kakade, Oh, ICML 2020) draws covariates
x ~ N(0, σ_x² I_d) — isotropic — and responses y = xᵀw_a + ε, a Gaussian
scale mixture with variances σ_x²||w_a||² + s_a². Before any stage squares a
number, the three pools are

1. **scaled** by robust scales shared by all pools:
   σ̂_x² = median_j ||x_j||² / median(χ²_d) and σ̂_y = median_j |y_j| / Φ⁻¹(3/4).
   A median moves by at most one order statistic per corrupted example, so
   with at most a fraction α < 1/2 of examples corrupted, σ̂_x and σ̂_y stay
   between the clean (1/2 ± α) quantiles whatever the corrupted values
   (scaling by them makes the learner equivariant: outputs are mapped back);
2. **screened**: a task is removed when any of its examples is implausible
   under the model — ||x_j/σ̂_x||² outside the two-sided
   δ/N-quantiles of χ²_d, or |y_j/σ̂_y| above ``y_range``·Φ⁻¹(1 − δ/(2N))
   (``y_range`` = 2 allows component scales up to twice the pooled robust
   scale). A clean pool loses a task with probability at most about δ.
3. **calibrated** (default): where the pool's own law has longer tails than
   the Gaussian model (Student-t rows, Chebyshev or other feature
   covariates), each limit is widened to a robust tail fit of that law
   (:func:`calibrated_limits`; by :func:`screen_pools` to the widest of the
   pools' fits, :func:`widest_limits`, since they estimate one law and a
   small pool's fit can come out short), so clean non-Gaussian pools keep
   their tasks.

**What ⌊αn⌋ tasks can move here.** σ̂_x, σ̂_y: between the clean (1/2 ± α')
quantiles, α' the corrupted fraction of examples (α' ≤ α t_max/t_min; with
capped sizes downstream this is a constant-factor change of scale, which the
outputs undo). Every example that survives is bounded: ||x_j||² ≤ d·u_max σ̂_x²
and |y_j| ≤ c_y σ̂_y, so no later stage sees a value beyond a few dozen
robust scales — no overflow, and each surviving corrupted task's leverage is
at most that of a clean task at the edge of the clean range. Clean tasks are
never removed in bulk (probability ≤ δ per pool). When more than
αn + 3√(αn) + 1 tasks of a pool are implausible (the Binomial margin of the
corrupted count) the evidence is corrupted beyond the stated α.
"""

from __future__ import annotations

import numpy as np
from .._dist import chi2, norm

from .._scaled import ScaledTasks
from .._segments import task_blocks
from .._select import (blocked_median, blocked_order_statistics_of_streams, median,
                       order_statistics)
from .._threads import pinned
from .._validation import check_alpha, check_float
from ..constants import MAD_TO_SIGMA
from ..data import MetaDataset
from ..exceptions import ValidationError
from ..threat import excess_limit, size_cap
from ._screen_rows import (_CLIP, _STAT_ROWS, _ExampleStats, _abs_sample, _max_sq_at,
                           _norms_pass, _scaled_max_sq, _scaled_sq_norms)

__all__ = ["robust_scales", "screen_tasks", "screen_pools", "excess_limit", "scale_dataset",
           "size_cap", "tail_quantile", "calibrated_limits", "widest_limits"]

#: Largest tail shape ξ of the calibrated limits (u of Student-t(5) rows has
#: ξ = 0.4; ξ < 1/2 is a finite fourth moment of x).
MAX_TAIL_SHAPE = 0.5
#: Expected clean examples beyond each calibrated limit per pool (the Gaussian
#: limits aim at δ/2 = 5·10⁻⁴): extrapolating to 0.005/N rather than
#: 5·10⁻⁴/N keeps the fit a decade closer to its data, where a corrupted
#: share moves it less (⌊αn⌋ tasks of Student-t rows ×30 raise the limit
#: 5.5×, not 7.3×, and are all caught), at the cost of a clean example in
#: two hundred pools (measured: none lost on the laws of the generator).
CALIBRATED_EXCEEDANCE = 0.005
#: A fitted shape above this rejects the calibration (Gaussian limits are
#: kept): clean laws of the generator give at most 0.75 (Chebyshev
#: features), and a share of far points beyond the level gives ≫ 1.
REJECT_TAIL_SHAPE = 1.0


def robust_scales(datasets):
    """Robust scales (σ̂_x, σ̂_y) pooled over several meta-datasets.

    σ̂_x is first taken from the median absolute entry (never squares raw
    data; over a strided sample of at most 2²² entries, so memory stays
    O(sample) whatever the pools' size), then refined from the median of
    ||x_j/σ̂_x||²; σ̂_y = median|y| / Φ⁻¹(3/4).

    Raises
    ------
    ValidationError
        If the median absolute covariate or response is 0 (the data have no
        scale: more than half the entries are exactly zero).
    """
    return _robust_scales(datasets)[:2]


def _robust_scales(datasets):
    """(σ̂_x, σ̂_y, stats, tops): :func:`robust_scales` and, per dataset, its
    :class:`_ExampleStats` from the pass that set σ̂_x (the first estimate's
    norms rescaled: the screen needs no second pass over X) and its largest
    max_j clip(x_j/σ̂_x)². The medians are exact selections over blocks of
    rows (:func:`~robust_mlr._select.blocked_median`): no N-sized copy."""
    d = datasets[0].dim
    n_all = sum(ds.n_examples for ds in datasets)
    sx0 = MAD_TO_SIGMA * median(_abs_sample(datasets))
    sy = MAD_TO_SIGMA * blocked_median(
        lambda: (np.abs(ds.y[a:a + _STAT_ROWS]) for ds in datasets
                 for a in range(0, ds.n_examples, _STAT_ROWS)), n_all)
    if not (sx0 > 0) or not (sy > 0):
        raise ValidationError(f"robust scales of the data are sigma_x={sx0:.3g}, "
                              f"sigma_y={sy:.3g}; need > 0 (over half the entries are 0)")
    stores, tops = zip(*[_norms_pass(ds, sx0) for ds in datasets])
    u0 = blocked_median(lambda: (st[a:a + _STAT_ROWS][:, 0] for st in stores
                                 for a in range(0, st.shape[0], _STAT_ROWS)), n_all)
    sx = sx0 * np.sqrt(u0 * d / chi2.median(d))
    return (float(sx), float(sy), [_ExampleStats.of_store(st, sx0, sx) for st in stores],
            [float(_max_sq_at(np.array([top]), sx)[0]) for top in tops])


def scale_dataset(data: MetaDataset, sx, sy, copy=True):
    """``data`` with X/σ̂_x and y/σ̂_y, clipped at ±10⁶ (components kept):
    a new dataset, or ``data`` itself scaled in place with ``copy=False``."""
    with np.errstate(over="ignore"):
        X = data.X / sx if copy else data.X
        y = data.y / sy if copy else data.y
        if not copy:
            X /= sx
            y /= sy
        np.clip(X, -_CLIP, _CLIP, out=X)
        np.clip(y, -_CLIP, _CLIP, out=y)
    return MetaDataset._trusted(X, y, data.offsets, data.components) if copy else data


def tail_quantile(values, p, level, weights=None, max_shape=MAX_TAIL_SHAPE):
    """Extrapolated (1 − ``p``) quantile of the law of ``values`` from three
    robust quantiles (Pickands' estimator of the generalised Pareto tail).

    With Q₁, Q₂, Q₄ the weighted (1 − a), (1 − 2a), (1 − 4a) quantiles,
    a = ``level``, the tail shape is ξ = log₂((Q₁ − Q₂)/(Q₂ − Q₄)) clipped to
    [0, ``max_shape``] (never lighter than exponential) and

        Q(1 − p) ≈ Q₁ + (Q₁ − Q₂)·((a/p)^ξ − 1)/(1 − 2^{−ξ})

    (Q₁ + (Q₁ − Q₂)·log₂(a/p) at ξ = 0, exact for an exponential tail).
    A fitted shape above :data:`REJECT_TAIL_SHAPE` (no finite mean) is no
    law the learner accepts — more than a share a of the points sit far
    out, which is corruption beyond the budget — and gives NaN.
    Corrupted points holding a share β of the weight move each quantile
    level by at most β, whatever their values; with a ≥ 4β the three stay
    between clean quantiles and the clipped shape bounds the extrapolation
    (tests/test_calibration.py measures how far ⌊αn⌋ extreme tasks move it).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> q = tail_quantile(rng.exponential(size=100_000), 1e-6, 0.05)
    >>> bool(12 < q < 16)          # exact: log(10⁶) ≈ 13.8
    True
    """
    v = np.asarray(values, float)
    if weights is None:
        q1, q2, q4 = np.quantile(v, [1 - level, 1 - 2 * level, 1 - 4 * level])
    else:
        w = np.asarray(weights, float)
        levels = _levels(level)
        if w.size and np.all(w == w[0]):
            # equal weights (tasks of one size): the cumulative weights are
            # the same in any order, so the order statistics come from a
            # selection instead of a full sort (the same values); unit
            # weights sum exactly to 1, 2, ..., N, whose first entry ≥ x is
            # the ⌈x⌉-th
            if w[0] == 1.0 and w.size < 2 ** 53:
                at = _unit_ranks(w.size, level)
            else:
                cw = np.cumsum(w)
                at = np.minimum(np.searchsorted(cw, cw[-1] * levels), v.size - 1)
            q1, q2, q4 = order_statistics(v, at)
        else:
            order = np.argsort(v, kind="stable")
            cw = np.cumsum(w[order])
            at = np.searchsorted(cw, cw[-1] * levels)
            q1, q2, q4 = v[order][np.minimum(at, v.size - 1)]
    return _pickands(q1, q2, q4, lambda: np.median(v), p, level, max_shape)


def _levels(level):
    return np.array([1 - level, 1 - 2 * level, 1 - 4 * level])


def _unit_ranks(n, level):
    """Ranks of the (1 − a), (1 − 2a), (1 − 4a) quantiles of n unit-weight values."""
    return np.minimum(np.ceil(float(n) * _levels(level)).astype(np.int64) - 1, n - 1)


def _pickands(q1, q2, q4, median_fn, p, level, max_shape=MAX_TAIL_SHAPE):
    """:func:`tail_quantile` from its three quantiles (``median_fn()``: the
    values' median, read only for an atom)."""
    s1, s2 = q1 - q2, q2 - q4
    if not s1 > 0:          # an atom: a constant law (e.g. Fourier features' ||x||), or
        return float(q1) if q1 == median_fn() else float("nan")   # far points beyond 4a
    raw = np.log2(s1 / s2) if s2 > 0 else np.inf
    if not raw <= REJECT_TAIL_SHAPE:
        return float("nan")
    xi = float(np.clip(raw, 0.0, max_shape))
    r = level / p
    growth = np.log2(r) if xi < 1e-9 else (r ** xi - 1) / (1 - 2.0 ** -xi)
    return float(q1 + s1 * max(growth, 0.0))


def _calibration_level(alpha, n):
    """Level a of the tail fit: 8× the share of the plausible corrupted
    count, within [1/32, 1/8]."""
    return float(np.clip(8 * excess_limit(alpha, n) / max(n, 1), 1 / 32, 1 / 8))


def calibrated_limits(data: MetaDataset, alpha=0.0, scales=(1.0, 1.0), u=None, max_sq=None):
    """Per-example limits read from the pool's own covariate and response
    laws (:func:`tail_quantile` at p = :data:`CALIBRATED_EXCEEDANCE`/N, examples weighted
    min(t_i, t_cap)/t_i so that ⌊αn⌋ tasks hold ≤ 2α of the weight):

    * ``x_high`` on u = ||x||²/d: the larger of the extrapolated tail of u
      and of (m + (d − 1)·median u)/d, m the extrapolated tail of
      max_j x_j² (a heavy-tailed coordinate shows its tail in the bulk of
      the largest squared coordinate long before it does in u, a mean of d
      squares: Student-t(5) rows, d = 32, reach u ≈ 26 in 1.6·10⁵ examples
      while the tail of u fitted on its bulk says 7.5);
    * ``x_low``: exp(−tail of −log u);
    * ``y_high``: the tail of |y|, and ``y_per_leverage``, the tail of
      |y|/√max(u, 1): an example's response may reach that times
      √max(u_j, 1) (a long example of a bounded feature law has a long
      response; the ratio's tail shows in its bulk, |y|'s does not).

    Parameters
    ----------
    data : MetaDataset
        The pool.
    alpha : float
        Corrupted fraction assumed (sets the level of the fits).
    scales : tuple (σ̂_x, σ̂_y)
        Scales the data are judged at.
    u : ndarray (N,), optional
        The examples' scaled ||x||²/d, when a pass has already computed them.
    max_sq : ndarray (N,), optional
        The examples' scaled max_j x_j², likewise.

    Returns
    -------
    dict
        ``x_sq_over_d`` (lo, hi), ``abs_y``, ``level``; NaN where the fit
        was rejected (:func:`tail_quantile`).
    """
    u = _scaled_sq_norms(data.X, scales[0]) if u is None else u
    m = _scaled_max_sq(data.X, scales[0]) if max_sq is None else max_sq
    return _calibrated(data, alpha, scales, _ExampleStats.of_arrays(u, m))


def _response_ratio(y, sy):
    """min(|y/σ̂_y|, 10³⁰⁰) (a fresh array)."""
    with np.errstate(divide="ignore"):
        v = np.abs(np.divide(y, sy))
    return np.minimum(v, 1e300, out=v)


def _neg_log(u):
    """min(−log u, 10³⁰⁰) (a fresh array)."""
    with np.errstate(divide="ignore"):
        v = np.log(u)
    np.negative(v, out=v)
    return np.minimum(v, 1e300, out=v)


#: The calibration's streams of per-example values, in the order
#: :func:`_calibrated` reads them together.
_STREAMS = ("u", "m", "log", "y", "ratio")


def _calibrated(data, alpha, scales, stats):
    """:func:`calibrated_limits` from the pool's :class:`_ExampleStats`: with
    unit example weights (every task within the size cap) each tail's order
    statistics are exact selections over blocks of rows (a sample read at
    every s-th row, then one counting pass for all five tails together —
    u, max_j x_j², −log u, |y| and the ratio read from one read of the
    statistics and responses a block — u's median in the pass of its tail;
    no N-sized array); other weights need a weighted sort of the values,
    which are then gathered."""
    N, d = data.n_examples, data.dim
    p = CALIBRATED_EXCEEDANCE / N
    sizes = data.sizes
    cap = size_cap(sizes)
    level = _calibration_level(alpha, data.n_tasks)
    sy = scales[1]

    def per_leverage(rows):
        v = _response_ratio(data.y[rows], sy)
        v /= np.sqrt(np.maximum(stats.u(rows), 1.0))
        return v

    streams = {"u": stats.u, "m": lambda rows: stats.read(rows)[1],
               "log": lambda rows: _neg_log(stats.u(rows)),
               "y": lambda rows: _response_ratio(data.y[rows], sy), "ratio": per_leverage}
    # every weight min(t_i, cap)/t_i is 1 exactly when no task is above the cap
    if N and sizes.max() <= cap and N < 2 ** 53:
        del sizes
        at = _unit_ranks(N, level)
        # u's median is read in the pass of its tail (one counting pass)
        middle = [N // 2] if N % 2 else [N // 2 - 1, N // 2]

        def together(rows):
            """Every stream's values at ``rows`` (the values of ``streams``)."""
            u, m = stats.read(rows)
            yr = _response_ratio(data.y[rows], sy)
            return u, m, _neg_log(u), yr, yr / np.sqrt(np.maximum(u, 1.0))
        held = {}                   # the sample rows' values, computed once for all streams

        def sample(i):
            def at_step(step):
                if step not in held:
                    held[step] = together(slice(0, N, step))
                return held[step][i]
            return at_step
        q = dict(zip(_STREAMS, blocked_order_statistics_of_streams(
            stats.blocks(together), N, [np.concatenate([at, middle])] + [at] * 4,
            [sample(i) for i in range(len(_STREAMS))])))
        del held
        q_u, nan_u = q["u"]
        u_mid = float("nan") if nan_u else float(np.mean(q_u[3:]))

        def tail(name):
            return _pickands(*q[name][0][:3],
                             lambda: blocked_median(stats.blocks(streams[name]), N), p, level)
    else:
        t = sizes.astype(float)
        w = np.repeat(np.minimum(t, cap) / t, sizes)

        def tail(name):
            v = np.concatenate(list(stats.blocks(streams[name])()) or [np.empty(0)])
            return tail_quantile(v, p, level, w)
        u_mid = median(np.concatenate(list(stats.blocks(streams["u"])()) or [np.empty(0)]))
    hi = np.fmax(tail("u"), (tail("m") + (d - 1) * u_mid) / d)
    lo = float(np.exp(-tail("log")))
    return {"x_sq_over_d": (lo, float(hi)), "abs_y": tail("y"),
            "y_per_leverage": tail("ratio"), "level": level}


def screen_tasks(data: MetaDataset, delta=1e-3, y_range=2.0, scales=(1.0, 1.0), *,
                 alpha=0.0, calibrate=True):
    """Tasks all of whose examples are plausible under the model.

    The data are judged scaled by ``scales`` = (σ̂_x, σ̂_y) (default: already
    scaled, :func:`scale_dataset`), so clean covariates are ≈ N(0, I) and
    responses have robust scale ≈ 1; the scaling is applied by blocks of
    rows, never to a copy of the pool.

    Parameters
    ----------
    data : MetaDataset
        The pool.
    delta : float
        Probability that a clean pool loses any task (Bonferroni over its N
        examples).
    y_range : float
        Responses are implausible beyond ``y_range`` · Φ⁻¹(1 − δ/(2N)).
    alpha : float
        Corrupted fraction assumed (sets the level of the calibration).
    calibrate : bool
        Widen each limit to the one read from the pool's own laws
        (:func:`calibrated_limits`) where that is wider: the Gaussian
        limits alone remove clean tasks in bulk from non-Gaussian
        covariates (Student-t rows, Chebyshev features).

    Returns
    -------
    kept : ndarray of bool (n,)
    info : dict
        ``x_low``/``x_high``/``y_high``: examples failing each test;
        thresholds.

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> ds = make_tasks(make_params(8, 2, rng=0), 500, 4, rng=1)
    >>> ds.X[0, 0] = 1e300
    >>> kept, info = screen_tasks(ds)
    >>> bool(kept[0]), int(kept.sum())
    (False, 499)
    """
    delta = check_float(delta, "delta", min_val=0.0, max_val=1.0, include_min=False)
    y_range = check_float(y_range, "y_range", min_val=1.0)
    alpha = check_alpha(alpha)
    u = _scaled_sq_norms(data.X, scales[0])
    m = _scaled_max_sq(data.X, scales[0]) if calibrate else None
    return _judge(data, _ExampleStats.of_arrays(u, m), delta, y_range, scales, alpha, calibrate)


def widest_limits(limits):
    """The widest of several pools' :func:`calibrated_limits` (lower x limit:
    the smallest; every upper limit: the largest; NaN fits ignored).

    The pools share one covariate law and one mixture of responses, so each
    pool's fit is an estimate of the same tail quantiles. The Pickands fit
    extrapolates from bulk quantiles (level ≥ 8× the corrupted share) to
    0.005/N, so its result is very sensitive to the fitted shape: on whitened
    Chebyshev features (tail shape ½ up to a cutoff) the upper x limit
    of 128 heavy tasks of 16 examples came out anywhere between 2 and 360
    across draws, and a short one removes clean tasks in bulk. Each fit is
    bounded whatever ⌊αn⌋ tasks of its pool do, so the widest is bounded as
    well.
    """
    def pick(values, fn):
        v = np.asarray(values, float)
        return float(fn(v)) if np.any(np.isfinite(v)) else float("nan")
    return {"x_sq_over_d": (pick([c["x_sq_over_d"][0] for c in limits], np.nanmin),
                            pick([c["x_sq_over_d"][1] for c in limits], np.nanmax)),
            "abs_y": pick([c["abs_y"] for c in limits], np.nanmax),
            "y_per_leverage": pick([c["y_per_leverage"] for c in limits], np.nanmax),
            "level": pick([c["level"] for c in limits], np.nanmax)}


def _judge(data, stats, delta, y_range, scales, alpha, calibrate, cal=None):
    """:func:`screen_tasks` from the pool's :class:`_ExampleStats` (``cal``:
    calibrated limits already fitted), one pass by task-aligned blocks."""
    N, d = data.n_examples, data.dim
    lo = chi2.ppf(delta / (2 * N), d) / d
    hi = chi2.isf(delta / (2 * N), d) / d
    yh = y_range * norm.isf(delta / (2 * N))
    gaussian = {"x_sq_over_d": (float(lo), float(hi)), "abs_y": float(yh)}
    if calibrate:
        cal = _calibrated(data, alpha, scales, stats) if cal is None else cal
        lo = float(np.fmin(lo, cal["x_sq_over_d"][0]))       # NaN: not widened
        hi = float(np.fmax(hi, cal["x_sq_over_d"][1]))
        yh = float(np.fmax(yh, cal["abs_y"]))
    off = data.offsets
    bad = np.empty(data.n_tasks, dtype=bool)
    counts = np.zeros(3, dtype=np.int64)
    for a, e in task_blocks(off, 8 * 4):
        r0, r1 = int(off[a]), int(off[e])
        u = stats.u(slice(r0, r1))
        bad_lo, bad_hi = u < lo, u > hi
        with np.errstate(over="ignore"):
            y_limit = yh if not calibrate else np.fmax(
                yh, cal["y_per_leverage"] * np.sqrt(np.clip(u, 1.0, hi)))
            bad_y = np.abs(data.y[r0:r1] / scales[1]) > y_limit
        counts += [np.count_nonzero(bad_lo), np.count_nonzero(bad_hi), np.count_nonzero(bad_y)]
        bad[a:e] = np.add.reduceat((bad_lo | bad_hi | bad_y).astype(np.int64), off[a:e] - r0) > 0
    info = {"x_low": int(counts[0]), "x_high": int(counts[1]), "y_high": int(counts[2]),
            "thresholds": {"x_sq_over_d": (float(lo), float(hi)), "abs_y": float(yh),
                           "abs_y_per_leverage": float(cal["y_per_leverage"]) if calibrate
                           else float("nan")},
            "gaussian_thresholds": gaussian}
    return ~bad, info


@pinned
def screen_pools(pools, alpha, delta=1e-3, y_range=2.0, calibrate=True):
    """Scale all pools by shared robust scales and screen every pool.

    With ``calibrate``, every pool is judged against its own Gaussian limits
    widened to the widest of the pools' calibrated limits
    (:func:`widest_limits`).

    Returns
    -------
    scaled : dict of MetaDataset
        The kept tasks of each pool, scaled (scaled as they are read: no
        copy of the covariates is made, see :mod:`robust_mlr._scaled`).
    scales : (σ̂_x, σ̂_y)
    info : dict
        Per pool: ``kept`` mask (over the original tasks), ``n_removed``,
        ``limit`` (αn + Binomial margin) and ``passed`` (n_removed ≤ limit).
    """
    alpha = check_alpha(alpha)
    datasets = [pools[name] for name in pools.names]
    delta = check_float(delta, "delta", min_val=0.0, max_val=1.0, include_min=False)
    y_range = check_float(y_range, "y_range", min_val=1.0)
    sx, sy, stats, tops = _robust_scales(datasets)    # one pass over X: scales, norms
    scaled, info = {}, {"sigma_x": sx, "sigma_y": sy}
    # one law of x and y for every pool: each pool judged at the widest fit
    cal = widest_limits([_calibrated(ds, alpha, (sx, sy), st)
                         for ds, st in zip(datasets, stats)]) if calibrate else None
    for name, ds, st, top in zip(pools.names, datasets, stats, tops):
        kept, inf = _judge(ds, st, delta, y_range, (sx, sy), alpha, calibrate, cal)
        n_rm = int((~kept).sum())
        limit = excess_limit(alpha, ds.n_tasks)
        info[name] = dict(inf, kept=kept, n_removed=n_rm, limit=limit, passed=n_rm <= limit)
        # no copy of X: the kept tasks, scaled as the stages read them
        # top = min(max_j |x_j|/σ̂_x, clip)² over the pool is the clip² exactly
        # when a row reaches the clip, so below it no entry of the pool does
        scaled[name] = ScaledTasks(ds, np.flatnonzero(kept), sx, sy, clip=not top < _CLIP ** 2)
    return scaled, (sx, sy), info
