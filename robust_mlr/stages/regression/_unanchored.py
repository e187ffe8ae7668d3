"""The test of a component the heavy pool cannot anchor (private module).

A component with fewer usable heavy tasks than its anchor needs
(:mod:`._heavy_anchor`, m ≥ 2·b_u + 3) keeps its light-only estimate. Its
test asks whether the missing anchor costs anything: it fails when the
light-only estimate's worst case exceeds the worst case the anchored
estimate would have had. Both are a clean sampling error plus what the
adversary adds (the error of a robust estimate under replacement is of
that form, Kong, Somani, Kakade, Oh, NeurIPS 2020), in units of s:

* **light only**: the light pool's Le Cam two-point floor for the
  component (:func:`~robust_mlr.limits.two_point_floor`, share p̂_ℓ) plus
  the least-squares error √(d/N_L) of its N_L = p̂_ℓ·Σ t_i examples;
* **anchored**, at the m* = max(needed, m + b) usable tasks the component
  could have had (b = ⌊αn_H⌋: the adversary moves at most b of them out,
  and an anchor exists from ``needed`` on): the heavy estimate's clean
  error √(d/(m*·t_H)); the shift its filter lets the b_u hidden tasks make,
  √(ε(λ − 1)/t_H) with ε = b_u/m* and λ the filter's stop level at m* tasks
  (the Marchenko–Pastur edge plus its Tracy–Widom margin, times the ŝ²
  error factor — :mod:`._heavy_anchor`'s notes: a corrupted share ε at
  distance δ in whitened units adds εδ² to the top eigenvalue and moves
  the mean by εδ/√t_H); and the pull's reach, pull·√(median χ²_d) clean
  standard deviations of the light–heavy difference,
  √(1/(m*·t_H) + 1/N_L) per direction (the adversary places the light
  estimate at the edge of the region).

Every term is a finite-sample law at the actual m*, d, t_H and N_L. On a
large pool the anchored worst case is ≈ 2–3.5 times the heavy floor (the
default problem, 100 tasks of t = 128 a component at d = 32: 0.16 against
0.047, where red teams reached 0.15–0.20), the light floor exceeds it and
the test fails as before. With a handful of heavy tasks a component
(20 of t = 32 at k = 3, d = 8: m* = 5) the anchor's own error and its
filter's room (λ ≈ 12 at 5 tasks in d = 8) make its worst case ≈ 0.7·s,
above the light pool's 0.35–0.45·s: the light-only estimate then loses
nothing an anchor would have held, and the test passes. Before, the light
floor was compared with twice the heavy floor, the anchored worst case of
a large pool; the ratio of the two floors depends on t_L/t_H only (≈ 3 at
t = 4 against 32), so every clean component that drew fewer than
``needed`` heavy tasks warned — 7–13 of 20 clean fits at k = 3.
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ...limits import two_point_floor

__all__ = ["anchored_worst", "light_worst", "unanchored"]


def anchored_worst(m, d, t_heavy, hidden, level, n_light, pull):
    """Worst case (in units of s) of an anchored estimate from ``m`` usable
    heavy tasks of mean size ``t_heavy`` in dimension ``d``, ``hidden`` of
    them corrupted, its filter stopping at top eigenvalue ``level``, pooled
    with a light estimate from ``n_light`` examples within ``pull`` (module
    notes). Returns the total and its three parts."""
    m, t_heavy = float(m), float(t_heavy)
    clean = np.sqrt(d / (m * t_heavy))
    eps = min(hidden / m, 1.0)
    shift = np.sqrt(eps * max(level - 1.0, 0.0) / t_heavy)
    spread = np.sqrt(1.0 / (m * t_heavy) + (1.0 / n_light if n_light > 0 else np.inf))
    reach = pull * np.sqrt(chi2.median(d)) * spread if pull > 0 else 0.0
    return float(clean + shift + reach), {"clean": float(clean), "shift": float(shift),
                                         "pull": float(reach)}


def light_worst(light_sizes, share, alpha, d):
    """Worst case (in units of s) of the light-only estimate of a component
    of share ``share``: its two-point floor plus √(d/N_L), N_L = share·Σ t_i.
    Returns ``(total, floor)``; infinite when the floor is."""
    floor = two_point_floor(light_sizes, share, alpha)
    n_light = share * float(np.sum(light_sizes))
    return float(floor + np.sqrt(d / n_light)), float(floor)


def unanchored(tasks, needed, budget, hidden, d, light_sizes, usable_sizes, p, alpha, level_of,
               pull=1.0):
    """Record of a component without an anchor: its light-only estimate
    passes when its worst case is within the anchored estimate's at the
    m* = max(needed, tasks + budget) tasks it could have had (module notes).

    ``level_of(m)`` is the heavy filter's stop level at m tasks (its ŝ² error
    factor included); ``usable_sizes`` the sizes of the pool's usable heavy
    tasks."""
    rec = {"anchored": False, "tasks": int(tasks), "needed": int(needed)}
    if light_sizes is None or p is None or not alpha > 0:
        return rec
    share = float(np.clip(np.nan_to_num(p, nan=0.0), 1e-12, 1.0))
    light, light_floor = light_worst(light_sizes, share, alpha, d)
    heavy_floor = two_point_floor(usable_sizes, share, alpha) if usable_sizes.size else np.inf
    rec.update(light_floor=light_floor, heavy_floor=float(heavy_floor), light_worst=light)
    m_star = max(int(needed), int(tasks) + int(budget))
    worst, parts = np.inf, {}                   # no usable heavy task: no anchor to miss
    if usable_sizes.size:
        worst, parts = anchored_worst(m_star, d, float(np.mean(usable_sizes)), hidden,
                                      level_of(m_star), share * float(np.sum(light_sizes)), pull)
    ok = bool(np.isfinite(light) and light <= worst)
    return dict(rec, could_have=m_star, anchored_worst=float(worst),
                **{f"anchored_{key}": v for key, v in parts.items()}, passed=ok)
