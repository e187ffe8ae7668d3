"""Cross-check of the light tasks' noise levels against the heavy tasks.

The light pool estimates ŝ²_ℓ from tasks of a few examples: a clean task's
RSS_i/s² is χ²_{t_i}, whose spread at t = 8 is ±50 %. An adversary who
replaces a share ε of component ℓ's light tasks by tasks with the same
regression vector and noise level inflated by a factor c is, task by task,
hard to tell apart (at t = 8, c = 1.39 and ε = 0.2 the two laws of one task
are 0.25 apart in total variation), and moves the median of the χ²-scaled
ratios — hence ŝ²_ℓ — by ≈ 16 %. No light-pool estimator can do much better.

A heavy task's RSS_i/s² is χ²_{t_H} with t_H ≫ 8 (±12 % at t_H = 128), so
the heavy tasks of component ℓ pin s²_ℓ far more tightly *per task*. Each
heavy task is assigned to the component whose final ŵ_ℓ leaves it the
smallest residual (at t_H = 128 this is exact for separated components, and
it does not inherit a mistake of the heavy clustering: a merged cluster
would otherwise put another component's tasks, with residuals ‖w_a − w_b‖²
too large, into ℓ's median);
the median over its n_ℓ tasks of RSS_i / median(χ²_{t_i}) at the final ŵ_ℓ
is consistent, has standard error ≈ 1.2533·σ_ratio/√n_ℓ, and ⌊αn_H⌋
corrupted tasks move it by at most the clean quantile gap of a share
⌊αn_H⌋/n_ℓ, a few per cent at t_H = 128 (a fifth of a component's tasks
replaced: the clean 0.7 quantile, +0.067, where the two-point floor is
0.066). Its standard error defines the interval

    h_ℓ ± z · 1.2533 · h_ℓ · (σ_ℓ/s²_ℓ) / √n_ℓ

around that heavy median h_ℓ (z = 3), where σ_ℓ/s²_ℓ is the spread of a clean
ratio under the model's Gaussian noise, √(mean_i 2t_i/median(χ²_{t_i})²), so
corrupted tasks cannot widen it. :func:`cross_check_noise` either clips the
light estimate into the interval or pools it with h_ℓ within a radius
``pull`` of the difference's clean spread; the regression stages pool
with ``noise_pull`` (default 0: h_ℓ alone, so that the light pool, whose
classified median is also biased low on clean data, cannot add to the
heavy median's worst case).

The assignment by best fit needs heavy tasks that tell the components
apart: at t_H = 4 in d = 64 with k = 8 the best of eight residuals is biased
low and centres h_ℓ near 0.37 for a true 0.5. The regression stages
therefore apply the cross-check only when the expected number of
misassigned clean heavy tasks is small (the anchor's assignment check,
docs/robust_pipeline.md) and keep the light estimate otherwise.
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import pool_task_rss
from ..._threads import pinned
from ...data import MetaDataset
from ...threat import size_cap

__all__ = ["heavy_noise_interval", "cross_check_noise", "light_noise_se", "posterior_noise"]

#: Standard error of a sample median over that of a sample mean (Gaussian).
_MEDIAN_EFFICIENCY = np.sqrt(np.pi / 2)
#: Median of |N(0, 1)|: the light–heavy ŝ² difference is shrunk onto it.
_SHRINK_RADIUS = 0.6744897501960817


def heavy_noise_interval(data: MetaDataset, labels, W, z=3.0):
    """Per component, an interval for s²_ℓ from the heavy tasks of cluster ℓ.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    labels : ndarray of int (n,) or None
        Component of each heavy task (−1 = ignored); None: the component
        whose ŵ_ℓ leaves the task the smallest residual sum of squares.
    W : ndarray (d, k)
        Regression vectors at which residuals are taken (the final ŵ_ℓ).
    z : float
        Half-width in standard errors of the median.

    Returns
    -------
    centre, half_width : ndarray (k,)
        The median h_ℓ of the per-task ratios RSS_i / median(χ²_{t_i}) and
        z times its standard error under Gaussian noise; NaN for a component with fewer
        than three heavy tasks (no cross-check possible).

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(8, 2, rng=0)
    >>> data = make_tasks(theta, 200, 64, rng=1)
    >>> h, w = heavy_noise_interval(data, data.components, theta.W)
    >>> bool(np.all(np.abs(h - theta.s ** 2) < w))
    True
    """
    W = np.asarray(W, dtype=float)
    k = W.shape[1]
    resid = data.task_sums((data.y[:, None] - data.X @ W) ** 2)       # (n, k) per task
    labels = np.argmin(resid, axis=1) if labels is None else np.asarray(labels)
    med = chi2.median(data.sizes)
    ratio = resid / med[:, None]
    rel_var = 2.0 * data.sizes / med ** 2          # Var(χ²_t / median χ²_t), Gaussian noise
    centre, half = np.full(k, np.nan), np.full(k, np.nan)
    for c in range(k):
        r = ratio[labels == c, c]
        if r.size < 3:
            continue
        centre[c] = np.median(r)
        rel_sd = np.sqrt(np.mean(rel_var[labels == c]))       # sd of one ratio / s²
        half[c] = z * _MEDIAN_EFFICIENCY * centre[c] * rel_sd / np.sqrt(r.size)
    return centre, half


def light_noise_se(light: MetaDataset, labels, s2, t_cap=None):
    """Standard error of each light-pool ŝ²_ℓ under clean Gaussian noise.

    ŝ²_ℓ is the median of the ratios RSS_i/median(χ²_{t_i}) over the tasks
    classified to ℓ, weighted by w_i = min(t_i, t_cap)
    (:func:`~.robust.robust_noise`). A weighted sample median has standard
    error ≈ 1.2533·σ·√(Σw_i²)/Σw_i for ratios of spread σ, and a ratio's
    spread is s²_ℓ·√(2t_i)/median(χ²_{t_i}) (Gaussian noise).

    Parameters
    ----------
    light : MetaDataset
        Light tasks (pool ``light2``).
    labels : ndarray of int (n,)
        Component of each task (−1: none).
    s2 : ndarray (k,)
        The light estimates.
    t_cap : float, optional
        Task-size cap of the weights (default the pool's
        :func:`~robust_mlr.threat.size_cap`).

    Returns
    -------
    ndarray (k,)
        NaN for a component without tasks.
    """
    s2 = np.asarray(s2, dtype=float)
    k = s2.size
    off = light.offsets
    t_cap = size_cap(light.sizes) if t_cap is None else t_cap
    labels = np.asarray(labels)
    sw, sw2, swr = np.zeros(k), np.zeros(k), np.zeros(k)
    # by blocks of tasks: ``np.add.at`` adds in index order, as ``np.bincount``
    # over all tasks does (the same sums), without per-task arrays of the pool
    for a in range(0, labels.size, _TASK_BLOCK):
        e = min(a + _TASK_BLOCK, labels.size)
        t = off[a + 1:e + 1] - off[a:e]
        ok = labels[a:e] >= 0
        lab = labels[a:e][ok]
        w = np.minimum(t, t_cap).astype(float)[ok]
        rel_var = (2.0 * t / chi2.median(t) ** 2)[ok]
        np.add.at(sw, lab, w)
        np.add.at(sw2, lab, w ** 2)
        np.add.at(swr, lab, w * rel_var)
    rel = swr / np.maximum(sw, 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sw > 0, _MEDIAN_EFFICIENCY * s2 * np.sqrt(rel * sw2) / sw, np.nan)


#: Tasks summed at once by :func:`light_noise_se`.
_TASK_BLOCK = 1 << 18


@pinned
def cross_check_noise(heavy: MetaDataset, labels, W, s2, z=3.0, se_light=None,
                      pull=_SHRINK_RADIUS):
    """Check the light-pool ŝ² against the heavy tasks: pool the two
    estimates (``se_light`` given) or clip into the heavy interval.

    **Pooling** (what the robust regression stages do). With h_ℓ the heavy
    median, σ_H its standard error (half-width / z) and σ_L that of the
    light estimate, the difference D = ŝ²_L − h has clean spread
    σ_D = √(σ_L² + σ_H²). D is shrunk onto the radius |D| ≤ c·σ_D
    (c = ``pull``; 0.674, the median radius of D's clean law, by default)
    and the result is the precision-weighted mean h + σ_H²/(σ_L² + σ_H²)·D.
    The light pool, whatever ⌊αn⌋ of its tasks do, moves it by at most
    c·σ_H²/σ_D — a fraction of a standard error — while on clean data it
    keeps part of the light estimate's precision (if that estimate is
    unbiased: the median over the tasks *classified* to ℓ is not, see
    :func:`posterior_noise`); the worst case follows the heavy median's own
    shift (the heavy pool's ŝ² floor) plus that pull, instead of the
    interval's half-width (z = 3 standard errors, 0.047·s² on the default
    problem). ``pull=0`` returns h alone (the regression stages' default,
    ``noise_pull``): no light pool can then add to the heavy median's worst
    case.

    Parameters
    ----------
    heavy : MetaDataset
        Heavy tasks.
    labels : ndarray of int (n_H,) or None
        Component of each heavy task (−1 = ignored); None (what the learner
        passes): each heavy task goes to the component that fits it best.
    W : ndarray (d, k)
        Final regression vectors.
    s2 : ndarray (k,)
        Light-pool noise estimates.
    z : float
        Half-width of the interval in standard errors.
    se_light : ndarray (k,), optional
        Standard errors σ_L of ``s2`` (:func:`light_noise_se`): pool the two
        estimates; None: clip ``s2`` into the interval.
    pull : float
        With ``se_light``, the radius c of the shrunk difference in units of
        σ_D (0: the heavy median alone).

    Returns
    -------
    s2 : ndarray (k,)
        The pooled estimates (``se_light`` given) or ``s2`` clipped into
        ``[h − w, h + w]``; unchanged where the heavy cluster is too small
        to check.
    info : dict
        ``heavy_centre``, ``heavy_half_width``, ``s2_light`` and a boolean
        ``clipped`` per component.
    """
    s2 = np.asarray(s2, dtype=float)
    centre, half = heavy_noise_interval(heavy, labels, W, z)
    ok = np.isfinite(centre)
    out = s2.copy()
    info = {"heavy_centre": centre, "heavy_half_width": half, "s2_light": s2}
    if se_light is None:
        out[ok] = np.clip(s2[ok], np.maximum(centre[ok] - half[ok], 0.0), centre[ok] + half[ok])
        return out, dict(info, clipped=out != s2)
    se_l = np.asarray(se_light, dtype=float)
    ok &= np.isfinite(se_l) & (se_l > 0) & (half > 0)
    se_h = half[ok] / z
    var_d = se_l[ok] ** 2 + se_h ** 2
    D = s2[ok] - centre[ok]
    radius = pull * np.sqrt(var_d)
    out[ok] = centre[ok] + se_h ** 2 / var_d * np.clip(D, -radius, radius)
    shrunk = np.zeros(s2.size, bool)
    shrunk[ok] = np.abs(D) > radius
    return out, dict(info, light_se=se_l, shrunk=shrunk, clipped=out != s2)


def _weighted_medians(ratio, weight):
    """Per column ℓ the weighted median of ``ratio[:, ℓ]`` with weights
    ``weight[:, ℓ]`` (NaN for a column of zero weight)."""
    order = np.argsort(ratio, axis=0)
    r = np.take_along_axis(ratio, order, axis=0)
    cw = np.cumsum(np.take_along_axis(weight, order, axis=0), axis=0)
    out = np.full(ratio.shape[1], np.nan)
    for c in np.flatnonzero(cw[-1] > 0):               # loop over components only
        out[c] = r[np.searchsorted(cw[:, c], cw[-1, c] / 2), c]
    return out


def _responsibilities(rss, t, s2, p):
    """Posterior probabilities (n, k) of the components given each task's
    residual sums of squares under Gaussian noise (s²_ℓ, shares p_ℓ)."""
    with np.errstate(over="ignore", invalid="ignore"):
        logr = np.log(p) - 0.5 * t[:, None] * np.log(s2) - rss / (2.0 * s2)
    logr = np.nan_to_num(logr, nan=-np.inf)
    top = logr.max(axis=1, keepdims=True)
    logr = np.where(np.isfinite(top), logr - top, 0.0)    # a task no component fits: equal
    r = np.exp(logr)
    return r / r.sum(axis=1, keepdims=True)


def posterior_noise(light: MetaDataset, labels, W, p=None, rounds=3):
    """ŝ²_ℓ of the light pool at the final ŵ, from every task weighted by
    its posterior probability of component ℓ.

    The regression fits ŵ_ℓ on the tasks *classified* to ℓ, and the
    classification was made at the clustering's estimates (W̃, r̃²). A
    median over those tasks bounds what corrupted tasks do to it only while
    they are a minority of them, and the classification does not ensure
    that: when W̃_ℓ is poor (small heavy tasks, or a heavy pool the
    adversary moved) the tasks classified to ℓ can be a biased part of
    component ℓ. At d = 64, k = 8, t_H = 4 a midpoint attack on one
    component's noise level leaves a clustering centre near the origin with
    r̃² = 6s², which takes the noisiest tasks of that component while two
    thirds of its clean ones go elsewhere: 800 of the 1 400 tasks classified
    to it are the adversary's, and the median over them doubles ŝ²_ℓ. Hard
    classification also truncates on clean data: the clean tasks of ℓ with
    the most noise fit another component best, and a median over the
    classified tasks is ≈ 3 % low at t = 8, k = 4.

    The final ŵ_ℓ is fitted by the robust regression and is close to w_ℓ
    whatever the classification did. At it each task (flagged ones
    excepted) has a posterior probability r_iℓ of each component (Gaussian
    noise, levels ŝ², shares p̂), and ŝ²_ℓ is the median of
    RSS_i/median(χ²_{t_i}) weighted by r_iℓ·min(t_i, t_cap) over all tasks.
    On clean data the weighted law of the ratios is component ℓ's own (the
    posterior weights undo the truncation), and every clean task of ℓ
    counts, so ⌊αn⌋ replaced tasks — total weight at most one each — hold
    at most a share ε = α/p_ℓ of ℓ's weight: the median lies between the
    clean (½ − ε) and (½ + ε) quantiles of the ratios (docs/adversary.md
    compares this with the two-point floor). The levels start from the
    medians over the tasks each ŵ_ℓ fits best (not from the light estimates,
    which the classification may have moved) and are refined ``rounds``
    times.

    Parameters
    ----------
    light : MetaDataset
        Light tasks (pool ``light2``).
    labels : ndarray of int (n,)
        Classification of each task (−1: flagged, left out).
    W : ndarray (d, k)
        Final regression vectors.
    p : ndarray (k,), optional
        Component shares of the posterior (default equal).
    rounds : int
        Refinements of the posterior noise levels.

    Returns
    -------
    ndarray (k,)
        NaN for a component that no task supports.

    Notes
    -----
    The levels the posteriors are computed at are held at their start, and
    so is the result. Tasks fitted exactly by one vector w' (noise-free,
    placed by the adversary) have RSS ≈ 0 at a ŵ_ℓ near w'; a level below
    the clean tasks' moves the posteriors of those clean tasks to the other
    components, which lowers the level again. On the small-heavy problem
    (d 64, k 8, light-2 tasks of 16 examples, α = 0.05) three rounds took
    ŝ²_ℓ from 0.67·s² to 0.036·s², the learner reclassified the light tasks
    at it, and component ℓ kept only the 1 000 noise-free tasks (ŵ_ℓ
    0.52·s off, ŝ²_ℓ ≈ 0, silently). The start weighs every task ŵ_ℓ fits
    best whatever the levels, so ⌊αn⌋ tasks hold a bounded share of it. On
    clean data the refinement moves a level by a few percent (it undoes
    the truncation of hard labels); a refined level below half its start
    means the tasks ŵ_ℓ fits best and their posteriors tell two different
    noise levels, which the regression stage reports as a failed test
    (:func:`~._pooled.refit_noise`).

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(6, 2, rng=0)
    >>> data = make_tasks(theta, 2000, 16, rng=1)
    >>> wrong = np.zeros(data.n_tasks, int)          # every task classified to 0
    >>> s2 = posterior_noise(data, wrong, theta.W)
    >>> bool(np.all(np.abs(s2 / theta.s ** 2 - 1) < 0.05))
    True
    """
    refined, start = _posterior_levels(light, labels, W, p, rounds)
    return _held(refined, start)


def _held(refined, start):
    """The refined levels, none below its start (NaN where there is none)."""
    return np.where(np.isfinite(refined) & np.isfinite(start), np.maximum(refined, start),
                    refined)


def _posterior_levels(light, labels, W, p=None, rounds=3):
    """:func:`posterior_noise`'s refined levels before they are held at their
    start, and the start (the medians over the tasks each ŵ_ℓ fits best):
    ``(refined, start)``."""
    W = np.nan_to_num(np.asarray(W, dtype=float))
    k = W.shape[1]
    p = np.full(k, 1.0 / k) if p is None else np.nan_to_num(np.asarray(p, dtype=float))
    p = np.maximum(p / max(p.sum(), 1e-300), 1e-6)
    keep = np.asarray(labels) >= 0
    t = light.sizes
    with np.errstate(over="ignore", invalid="ignore"):
        rss = np.nan_to_num(pool_task_rss(light, W)[keep], nan=np.inf)
    tk = t[keep].astype(float)
    ratio = rss / chi2.median(t[keep])[:, None]
    cap = np.minimum(tk, size_cap(t))[:, None]
    start = _weighted_medians(ratio, cap * (np.argmin(rss, axis=1)[:, None] == np.arange(k)))
    floor = np.where(np.isfinite(start), start, 0.0)
    s2 = start
    for _ in range(rounds):
        level = np.where(np.isfinite(s2), s2, np.nanmedian(s2) if np.isfinite(s2).any() else 1.0)
        s2 = _weighted_medians(ratio, cap * _responsibilities(
            rss, tk, np.maximum(np.maximum(level, floor), 1e-300), p))
    return s2, start
