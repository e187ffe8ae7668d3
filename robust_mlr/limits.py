"""What no estimator can do: two-point floors under replacement contamination.

The adversary of Kong, Somani, Kakade, Oh (NeurIPS 2020) replaces ⌊αn⌋
tasks of a pool of n. Two task laws P, P' whose total variation is at most
2α can then be made to give the *same* law of the pool: from either world
the adversary replaces half of the tasks that only its own law would draw
(an expected fraction TV/2 ≤ α) by draws from the other's excess, and both
pools become i.i.d. from (P + P')/2. A task law of the mixture is
Σ_ℓ p_ℓ G_ℓ; moving only component ℓ changes it by p_ℓ·TV(G_ℓ, G_ℓ'), so
the worlds a pool cannot tell apart are those with p_ℓ·TV(G_ℓ, G_ℓ') ≤ 2α,
and Le Cam's two-point argument gives a floor of half their distance on
every estimator. The derivation and the numbers of the default problem are
in docs/adversary.md.

Task laws here are those of the generator's default: covariates N(0, I_d)
(or whitened), Gaussian noise, a task of t examples. The total variations
are computed exactly (one-dimensional quadrature or a χ² distribution
function), not from their small-distance expansions.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

from ._validation import check_float
from .exceptions import ValidationError

__all__ = ["shift_tv", "noise_tv", "two_point_floor", "pool_floors", "quantile_noise_error"]

ESTIMATES = ("w", "s2", "p")


def _sizes(t):
    """Unique task sizes and their frequencies of ``t`` (an int or sizes)."""
    arr = np.asarray(t)
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or arr.ndim > 1 \
            or np.any(arr < 1):
        raise ValidationError(f"t must be a positive integer or a 1-d array of them, got {t!r}")
    sizes, counts = np.unique(arr.ravel(), return_counts=True)
    return sizes, counts / counts.sum()


_NODES = 400      # Gauss–Legendre nodes on the probability scale of χ_t


def _chi_radii(sizes):
    """Quantiles of χ_t at Gauss–Legendre nodes of (0, 1) and their weights:
    E[g(χ_t)] = Σ_j w_j g(R[t, j]) for smooth bounded g (error < 1e-6 here)."""
    x, w = np.polynomial.legendre.leggauss(_NODES)
    return stats.chi.ppf((x[None, :] + 1) / 2, sizes[:, None]), w / 2


def _shift_tv_sizes(radii, wq, freq, delta):
    """Σ_t f_t E[2Φ(δ χ_t / 2) − 1] on precomputed radii."""
    return float(np.clip(freq @ (special.erf(delta * radii / (2 * np.sqrt(2))) @ wq), 0, 1))


def shift_tv(t, delta):
    """Total variation between the laws of one task under w and w + δ·s·u.

    A task has t examples x_j ~ N(0, I_d), y_j = x_jᵀw + s ε_j, ε_j ~ N(0, 1);
    u is any unit vector. Given X the two laws of y are N(Xw, s²I) and
    N(Xw + δsXu, s²I), at total variation 2Φ(δ‖Xu‖/2) − 1, and ‖Xu‖ ~ χ_t:

        TV_t(δ) = E[2Φ(δ χ_t / 2) − 1] ≈ δ·E[χ_t]/√(2π) ≈ 0.40·δ·√t  (δ√t small).

    The same function gives the distance between two components with equal
    noise, δ = ‖w_a − w_b‖/s.

    Parameters
    ----------
    t : int or array of int
        Task size; an array of sizes is the law of a heterogeneous pool
        (the TV of the joint law of (size, task), the mean over the sizes).
    delta : float
        Shift in units of the noise level s (≥ 0).

    Returns
    -------
    float

    Examples
    --------
    >>> round(shift_tv(1, 1.0), 3)      # one example: E[2Φ(|z|/2) − 1]
    0.295
    >>> round(shift_tv(8, 0.386), 3), round(shift_tv(128, 0.093), 3)
    (0.4, 0.4)
    """
    delta = check_float(delta, "delta", min_val=0.0)
    sizes, freq = _sizes(t)
    return _shift_tv_sizes(*_chi_radii(sizes), freq, delta)


def noise_tv(t, ratio):
    """Total variation between the laws of one task under noise variances s²
    and ratio·s² (same w).

    The likelihood ratio depends on the task only through r = ‖y − Xw‖²/s²,
    which is χ²_t in one world and ratio·χ²_t in the other; the densities
    cross at r* = t·c·ln c/(c − 1), c = max(ratio, 1/ratio), and
    TV = F_t(r*) − F_t(r*/c), F_t the χ²_t distribution function.

    Parameters
    ----------
    t : int or array of int
        Task size, or the sizes of a heterogeneous pool (mean over them).
    ratio : float
        Ratio of the two noise variances (> 0).

    Returns
    -------
    float

    Examples
    --------
    >>> round(noise_tv(8, 1.0), 6)
    0.0
    >>> round(noise_tv(8, 2.0), 4) == round(noise_tv(8, 0.5), 4)
    True
    """
    ratio = check_float(ratio, "ratio", min_val=0.0, include_min=False)
    sizes, freq = _sizes(t)
    c = max(ratio, 1.0 / ratio)
    if c == 1.0:
        return 0.0
    r_star = sizes * c * np.log(c) / (c - 1.0)
    tv = stats.chi2.cdf(r_star, sizes) - stats.chi2.cdf(r_star / c, sizes)
    return float(np.clip(freq @ tv, 0.0, 1.0))


def _invert(fun, target, hi):
    """The x in (0, hi) with fun(x) = target, fun increasing from 0."""
    while fun(hi) < target:
        hi *= 2.0
        if hi > 1e6:
            return np.inf
    return optimize.brentq(lambda x: fun(x) - target, 0.0, hi, xtol=1e-10, rtol=1e-10)


def two_point_floor(t, p, alpha, estimate="w", separation=None):
    """Le Cam two-point floor of one pool under replacement of ⌊αn⌋ tasks.

    Two parameter values whose task laws differ by at most 2α in total
    variation give the same law of the pool after replacement, so every
    estimator errs by half their distance in one of them (with probability
    ≥ 1/2 as n grows). Moving only a component of share p changes the task
    law by p times the change of its own law, hence:

    * ``"w"``: the δ with p·TV_t(δ) = 2α (:func:`shift_tv`); the floor on
      ‖ŵ − w‖/s is δ/2 — ≈ √(2π)·α/(p·E[χ_t]) ≈ 2.5·α/(p√t) for small δ.
    * ``"s2"``: the h with p·TV(s²(1 − h), s²(1 + h)) = 2α (:func:`noise_tv`);
      the floor on the relative error |ŝ² − s²|/s² is h (the best guess
      between the two worlds is their harmonic mean, relative error h in both).
    * ``"p"``: moving a share ε from component a (share p) to b changes the
      task law by ε·TV_t(‖w_a − w_b‖/s); ε = min(2α/TV_t, p), floor ε/2 —
      α/TV_t ≥ α unless the whole component can move.

    Parameters
    ----------
    t : int or array of int
        Task size of the pool, or its task sizes (heterogeneous pools).
    p : float
        Share of the component moved, in (0, 1] (pass the smallest share for
        the worst component).
    alpha : float
        Corrupted fraction of the pool, in [0, 0.5).
    estimate : {"w", "s2", "p"}
    separation : float, optional
        ‖w_a − w_b‖/s of the two components a share moves between (``"p"``
        only; equal noise levels).

    Returns
    -------
    float
        The floor; ``inf`` when p ≤ 2α (the adversary can move the whole
        component anywhere, for ``"w"`` and ``"s2"``).

    Examples
    --------
    The default problem (k = 4, p = 1/4) at α = 0.05: light-2 tasks (t = 8)
    and heavy tasks (t = 128).

    >>> round(two_point_floor(8, 0.25, 0.05), 4), round(two_point_floor(128, 0.25, 0.05), 4)
    (0.193, 0.0465)
    >>> round(two_point_floor(128, 0.25, 0.05, "p", separation=2 ** 0.5), 3)
    0.05
    >>> two_point_floor(8, 0.25, 0.2)
    inf
    """
    p = check_float(p, "p", min_val=0.0, max_val=1.0, include_min=False)
    alpha = check_float(alpha, "alpha", min_val=0.0, max_val=0.5, include_max=False)
    if estimate not in ESTIMATES:
        raise ValidationError(f"estimate must be one of {ESTIMATES}, got {estimate!r}")
    _sizes(t)
    if alpha == 0:
        return 0.0
    if estimate == "p":
        if separation is None:
            raise ValidationError("estimate='p' needs separation (‖w_a − w_b‖/s), got None")
        sep = check_float(separation, "separation", min_val=0.0, include_min=False)
        return min(alpha / shift_tv(t, sep), p / 2.0)
    target = 2.0 * alpha / p
    if target >= 1.0:
        return np.inf
    if estimate == "w":
        sizes, freq = _sizes(t)
        radii, wq = _chi_radii(sizes)
        return _invert(lambda x: _shift_tv_sizes(radii, wq, freq, x), target, 1.0) / 2.0
    return _invert(lambda h: noise_tv(t, (1.0 + h) / (1.0 - h)) if h < 1 else 1.0,
                   target, 0.5)


def quantile_noise_error(t, p, alpha, level=0.5, centre="consistent"):
    """Worst relative error of a quantile estimate of one component's noise
    level when ⌊αn⌋ of the pool's tasks are replaced.

    ŝ² = Q̂_c/κ, Q̂_c the empirical ``level``-quantile c of the ratios
    RSS_i/s² (χ²_t for a clean task at the true w) over the component's
    tasks. Replacing a share ε = α/p of them (all of the budget in the
    component) moves the empirical c-quantile anywhere between the clean
    (c − ε) and (c + ε) quantiles q₋, q₊ of χ²_t and no further (removing
    tasks on one side and adding them on the other), so the worst relative
    error is max(q₊/κ − 1, 1 − q₋/κ).

    * ``centre="consistent"``: κ = q(c), the clean quantile (ŝ² is
      consistent on clean data); at c = ½ this is the learner's median of
      RSS_i/median(χ²_t).
    * ``centre="minimax"``: κ = (q₊ + q₋)/2, which minimises the worst error,
      (q₊ − q₋)/(q₊ + q₋), at the price of a clean bias q(c)/κ − 1. Over c
      its minimum equals the two-point floor :func:`two_point_floor` (the
      noise TV is a gap of χ²_t distribution functions at two points whose
      ratio is the variance ratio), so a quantile estimate attains the floor.

    Parameters
    ----------
    t : int
        Task size.
    p : float
        Share of the component, in (0, 1].
    alpha : float
        Corrupted fraction of the pool, in [0, 0.5).
    level : float
        The quantile c, in (0, 1).
    centre : {"consistent", "minimax"}

    Returns
    -------
    float
        ``inf`` when c ± α/p leaves (0, 1) (the budget reaches the end of
        the component's ratios).

    Examples
    --------
    Light-2 tasks of the small-heavy problem (t = 16, p = 1/8) at α = 0.05:
    the median and the floor.

    >>> round(quantile_noise_error(16, 0.125, 0.05), 3)
    0.535
    >>> round(two_point_floor(16, 0.125, 0.05, "s2"), 3)
    0.43
    """
    t = int(check_float(t, "t", min_val=1.0))
    p = check_float(p, "p", min_val=0.0, max_val=1.0, include_min=False)
    alpha = check_float(alpha, "alpha", min_val=0.0, max_val=0.5, include_max=False)
    c = check_float(level, "level", min_val=0.0, max_val=1.0, include_min=False,
                    include_max=False)
    if centre not in ("consistent", "minimax"):
        raise ValidationError(f"centre must be 'consistent' or 'minimax', got {centre!r}")
    eps = alpha / p
    if c - eps <= 0 or c + eps >= 1:
        return np.inf
    lo, hi = stats.chi2.ppf([c - eps, c + eps], t)
    kappa = stats.chi2.ppf(c, t) if centre == "consistent" else (lo + hi) / 2
    return float(max(hi / kappa - 1.0, 1.0 - lo / kappa))


def pool_floors(alpha, pools, p, separation=None):
    """Two-point floors of every pool and of all pools together.

    To make two worlds indistinguishable the adversary must match *every*
    pool, each within its own budget, so the floor of an estimator that may
    use all pools is the smallest of the pools' floors (``"best"``).

    Parameters
    ----------
    alpha : float
        Corrupted fraction of each pool.
    pools : dict
        ``{name: t}``: task size (or sizes) of each pool.
    p : float
        Share of the component moved (the smallest share for the worst case).
    separation : float, optional
        ‖w_a − w_b‖/s for the p̂ floor (left out without it).

    Returns
    -------
    dict
        ``{estimate: {pool name: floor, "best": floor}}`` for "w", "s2"
        (and "p" given ``separation``).

    Examples
    --------
    >>> f = pool_floors(0.05, {"light1": 2, "heavy": 128, "light2": 8}, 0.25)
    >>> round(f["w"]["light2"], 4), round(f["w"]["best"], 4), round(f["s2"]["light2"], 4)
    (0.193, 0.0465, 0.262)
    """
    if not isinstance(pools, dict) or not pools:
        raise ValidationError(f"pools must be a non-empty dict {{name: t}}, got {pools!r}")
    out = {}
    for est in ESTIMATES:
        if est == "p" and separation is None:
            continue
        row = {name: two_point_floor(t, p, alpha, est, separation) for name, t in pools.items()}
        row["best"] = min(row.values())
        out[est] = row
    return out
