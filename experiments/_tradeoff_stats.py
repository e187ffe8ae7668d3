"""Statistics of the ``tH_nH_tradeoff`` study: the crossing of a centre-error
curve, bootstrap intervals over seeds, required n_H and slopes (private;
re-exported by :mod:`experiments.tH_nH_tradeoff`)."""

from __future__ import annotations

import numpy as np

METHODS = ("em", "em_robust", "em_robust_a02", "moments", "moments_em", "kmeans",
           "peng_wei", "oracle")
LEVEL = 0.2                       # centre error to reach
N_GRID = (100, 316, 1000, 3162, 10_000, 31_623, 100_000)


def crossing(curve, level=LEVEL):
    """Interpolated n_H at which a centre-error curve reaches ``level``.

    Parameters
    ----------
    curve : dict {n_H: error}
        Errors at the sizes run (inf for a failed fit).
    level : float

    Returns
    -------
    (float, str)
        n_H* and how it is censored: ``""`` (interpolated on log–log axes
        between the largest failing size below the smallest passing one and
        that passing size), ``"below"`` (the smallest size run already
        passes: n_H* is at most it) or ``"above"`` (no size passes: inf).

    Examples
    --------
    >>> n, censor = crossing({100: 0.8, 1000: 0.05})
    >>> round(n, 1), censor
    (316.2, '')
    """
    ns = sorted(curve)
    passing = [n for n in ns if curve[n] <= level]
    if not passing:
        return float("inf"), "above"
    n1 = passing[0]
    below = [n for n in ns if n < n1]
    if not below:
        return float(n1), "below"
    n0 = below[-1]
    e0, e1 = curve[n0], curve[n1]
    if not np.isfinite(e0) or e0 <= e1:
        return float(n1), ""
    frac = (np.log(e0) - np.log(level)) / (np.log(e0) - np.log(e1))
    return float(np.exp(np.log(n0) + frac * (np.log(n1) - np.log(n0)))), ""


def bootstrap_interval(values, stat=np.median, level=0.9, n_boot=2000, rng=0):
    """Percentile bootstrap interval of ``stat`` over resampled ``values``.

    Parameters
    ----------
    values : array_like (n,)
        One value per seed (inf allowed: a censored seed).
    stat : callable
        Statistic of a 1-D array (default: the median).
    level : float in (0, 1)
        Coverage of the interval.
    n_boot : int
        Bootstrap resamples.
    rng : None, int or Generator

    Returns
    -------
    (float, float, float)
        ``stat(values)`` and the (lower, upper) percentile interval.

    Examples
    --------
    >>> bootstrap_interval([5.0, 5.0, 5.0])
    (5.0, 5.0, 5.0)
    """
    v = np.asarray(values, float)
    rng = np.random.default_rng(rng)
    draws = v[rng.integers(v.size, size=(n_boot, v.size))]
    boot = np.array([stat(d) for d in draws])
    q = (1 - level) / 2
    lo, hi = np.quantile(boot, [q, 1 - q], method="inverted_cdf")
    return float(stat(v)), float(lo), float(hi)


def _cell(rows, method, k, t):
    return np.array([r[f"nstar_{method}"] for r in rows
                     if r["status"] == "ok" and r["k"] == k and r["t_H"] == t
                     and isinstance(r.get(f"nstar_{method}"), (int, float))], float)


def required_n(rows, method, k, t, level=0.9):
    """Median over seeds of n_H* with its bootstrap interval, and the seeds.

    Returns
    -------
    dict or None
        ``{"n": median, "lo", "hi", "seeds", "below": bool}`` (``below``:
        the median seed already passed at the smallest size run); None
        when the method did not run at (k, t_H).
    """
    v = _cell(rows, method, k, t)
    if v.size == 0:
        return None
    n, lo, hi = bootstrap_interval(v, level=level)
    return {"n": n, "lo": lo, "hi": hi, "seeds": int(v.size), "below": bool(n <= N_GRID[0])}


def slope_interval(rows, method, k, level=0.9, n_boot=2000, rng=0):
    """Least-squares slope of log n_H* against log t_H (medians over seeds)
    with a bootstrap interval (seeds resampled within every t_H).

    Only the t_H whose median n_H* is finite and above the smallest size run
    enter. Returns ``(slope, lo, hi, [t_H used])`` or None with fewer than 3.
    """
    ts = sorted({r["t_H"] for r in rows if r["k"] == k})
    ts = [t for t in ts if (c := required_n(rows, method, k, t)) is not None
          and np.isfinite(c["n"]) and not c["below"]]
    if len(ts) < 3:
        return None
    cells = [_cell(rows, method, k, t) for t in ts]
    x = np.log(ts)
    fit = np.polyfit(x, np.log([np.median(c) for c in cells]), 1)[0]
    rng = np.random.default_rng(rng)
    boot = []
    for _ in range(n_boot):
        med = [np.median(c[rng.integers(c.size, size=c.size)]) for c in cells]
        if np.all(np.isfinite(med)):
            boot.append(np.polyfit(x, np.log(med), 1)[0])
    q = (1 - level) / 2
    lo, hi = np.quantile(boot, [q, 1 - q]) if boot else (np.nan, np.nan)
    return float(fit), float(lo), float(hi), ts
