"""Mixing weights p̂ kept near the shares classified at the final estimates
(private).

The refinement's p̂ is the share of light tasks classified to each
component at the clustering's (W̃, r̃²) (ICML 2020 Algorithm 4). Those
estimates come from the heavy pool, whose ⌊αn_H⌋ tasks can move W̃_ℓ
(by ≈ 0.27·s on the default problem, against 0.08·s clean); clean light
tasks of ℓ on the far side of the shift then go to other components, and
that loss adds to the share the light pool's own corruption moves (a
replacement of the most confidently classified tasks of one component by
confident tasks of another moves it by α exactly): 0.063 at α = 0.05,
against 0.051 for the shares classified at the final (Ŵ, ŝ²), which the
anchor and the task filter protect. The learner therefore classifies once
more at (Ŵ, ŝ²) and keeps p̂ within ``width`` standard errors
√(p(1 − p)/n) of those shares: on clean data the two classifications
agree within about one standard error, so p̂ is left as it was; under
attack p̂ is at most ``width`` standard errors further from p than the
final shares are.
"""

from __future__ import annotations

import numpy as np

#: Standard errors of a share by which p̂ may differ from the shares
#: classified at the final estimates (clean gaps on the default problem:
#: at most 1.1, seeds 0–4, equal and heterogeneous sizes, α 0.02 and 0.05).
WIDTH = 2.0


def classified_shares(labels, k):
    """Share of the labelled tasks (label ≥ 0) in each of ``k`` components,
    and their number."""
    labels = np.asarray(labels)
    counts = np.bincount(labels[labels >= 0], minlength=k)[:k]
    n = int(counts.sum())
    return counts / max(n, 1), n


def bounded_shares(p, p_final, n, width=WIDTH):
    """``p`` moved as little as possible into the box
    ``p_final ± width·√(q(1 − q)/n)`` (q = (p + p_final)/2, floored at 0),
    keeping the sum 1.

    Returns ``p`` itself when it is inside the box; otherwise
    ``clip(p + λ, lo, hi)`` with the shift λ that makes the sum 1 (the sum
    is piecewise linear and nondecreasing in λ, so λ is found exactly
    between two of its knots; Σ lo ≤ 1 ≤ Σ hi because Σ p_final = 1).
    """
    p, p_final = np.asarray(p, float), np.asarray(p_final, float)
    q = 0.5 * (p + p_final)
    tol = width * np.sqrt(q * (1 - q) / max(n, 1))
    lo, hi = np.maximum(p_final - tol, 0.0), p_final + tol
    if np.all((p >= lo) & (p <= hi)):
        return p
    knots = np.sort(np.concatenate([lo - p, hi - p]))
    sums = np.clip(p[None, :] + knots[:, None], lo, hi).sum(axis=1)
    j = int(np.searchsorted(sums, 1.0))
    if j == 0:
        lam = knots[0]
    elif j == knots.size:
        lam = knots[-1]
    else:
        lam = knots[j - 1] + (1.0 - sums[j - 1]) * (knots[j] - knots[j - 1]) / (
            sums[j] - sums[j - 1])
    return np.clip(p + lam, lo, hi)


def final_weights(stage, data, W, s2, p, threat):
    """p̂ kept within :data:`WIDTH` standard errors of the shares that a
    fresh copy of the classification ``stage`` gives at the final (W, s2).

    Returns ``(p̂, info)``; ``info`` holds ``classified`` (the refinement's
    p̂), ``final`` (the shares at the final estimates), ``tasks`` (the
    number they count), ``width`` and ``moved``.
    """
    final = type(stage)(**stage.get_params(deep=False)).fit(data, W, s2, threat=threat)
    k = np.asarray(W).shape[1]
    shares, n = classified_shares(final.labels_, k)
    out = bounded_shares(p, shares, n)
    return out, {"classified": np.asarray(p, float), "final": shares, "tasks": n,
                 "width": WIDTH, "moved": not np.array_equal(out, p)}
