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

**Agreement.** The component's few usable heavy tasks cannot make an
anchor, but they can still contradict the light estimate: each task's own
fit β_i is N(w, s²A_i⁻¹) given its design, the light estimate N(w, Σ_L),
so the generalised least-squares residual
Q = min_w Σ_i (β_i − w)ᵀA_i(β_i − w)/ŝ² + (w − ŵ_L)ᵀΣ_L⁻¹(w − ŵ_L) is
χ²_{md} on clean data (m tasks; Σ_L = ŝ²κG_L⁻¹). ŝ² is read off the
heavy tasks' own fits (RSS_i/median χ²_{t_i−d}, which the light estimate
does not enter: a light estimate moved far inflates the light ŝ² and would
hide the disagreement): the median over the pool's usable tasks (⌊αn_H⌋ of
them move it by a quantile gap), or the component's own median where it is
larger and its tasks hold a clean majority (m ≥ 2b_u + 1; a noisier
component then does not read as a disagreement). An underestimate inflates
Q, so the quantile is multiplied by the pool median's error factor
1 + 3·1.2533·√(mean(2/df)/n_u) (three standard errors of a median of n_u
ratios, as the heavy filter's stop level): 1.24 for 20 tasks of t = 32 in
d = 8. Q only grows when a task is added, so the ≤ b_u corrupted
tasks among them cannot hide the clean ones' disagreement (each adds d
degrees of freedom to the quantile, though: one that agrees with the light
estimate dilutes the ratio by about d/(md)). Q above the
1 − 10⁻³/k quantile fails the test whatever the worst cases: an adversary
who starves a component and then moves its light estimate far shows there.

Every term is a finite-sample law at the actual m*, d, t_H and N_L. On a
large pool the anchored worst case is ≈ 2–3.5 times the heavy floor (the
default problem, 100 tasks of t = 128 a component at d = 32: 0.16 against
0.047, where red teams reached 0.15–0.20), the light floor exceeds it and
the test fails as before. With a handful of heavy tasks a component
(20 of t = 32 at k = 3, d = 8: m* = 5) the anchor's own error and its
filter's room (λ ≈ 12 at 5 tasks in d = 8) make its worst case ≈ 0.75·s,
above the light pool's (median 0.37·s on clean fits): the light-only
estimate then loses nothing an anchor would have held, and the worst cases
pass. Before, the light
floor was compared with twice the heavy floor, the anchored worst case of
a large pool; the ratio of the two floors depends on t_L/t_H only (≈ 3 at
t = 4 against 32), so every clean component that drew fewer than
``needed`` heavy tasks warned — 7–13 of 20 clean fits at k = 3.
"""

from __future__ import annotations

import numpy as np

from ..._dist import chi2
from ...limits import two_point_floor

__all__ = ["agreement", "anchored_worst", "light_worst", "unanchored"]


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
    Returns ``(total, floor)``; infinite when the floor is. A lower bound
    (what no light-only estimate can beat, plus its sampling error), not
    the learner's own light estimate's worst: an adversary can move that
    further."""
    floor = two_point_floor(light_sizes, share, alpha)
    n_light = share * float(np.sum(light_sizes))
    return float(floor + np.sqrt(d / n_light)), float(floor)


def agreement(beta, A, w_light, s2, precision, level):
    """Whether a component's usable heavy tasks agree with its light-only
    estimate (module notes, "Agreement"): Q over its 1 − ``level`` quantile
    of χ²_{md}, Q = min_w [Σ_i (β_i − w)ᵀA_i(β_i − w) + (w − ŵ_L)ᵀP(w − ŵ_L)]/ŝ²
    for the tasks' own fits ``beta`` (m, d) with Grams ``A`` (m, d, d), the
    light estimate ``w_light`` and its precision per unit noise ``P`` (d, d)
    (G_L/κ), ``s2`` the heavy tasks' own noise level. NaN without a task, a
    light estimate or a scale."""
    m, d = beta.shape
    if not m or not np.all(np.isfinite(w_light)) or not s2 > 0 \
            or not np.all(np.isfinite(precision)):
        return np.nan
    D = beta - w_light
    H = A / s2
    precision = precision / s2
    HD = np.einsum("nij,nj->ni", H, D)
    g = HD.sum(axis=0)
    q = float(np.einsum("ni,ni->", D, HD) - g @ np.linalg.solve(precision + H.sum(axis=0), g))
    return max(q, 0.0) / float(chi2.isf(level, m * d))


def unanchored(tasks, needed, budget, hidden, d, light_sizes, usable_sizes, p, alpha, level_of,
               pull=1.0, agree=np.nan):
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
    ok = bool(np.isfinite(light) and light <= worst and not agree > 1)
    return dict(rec, could_have=m_star, anchored_worst=float(worst),
                **{f"anchored_{key}": v for key, v in parts.items()},
                agreement=float(agree), passed=ok)
