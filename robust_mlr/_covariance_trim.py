"""The trimmed second moment's rule for which tasks a round leaves out
(private; :mod:`robust_mlr.covariates` runs the rounds).

A round scores every task by its mean whitened squared norm q_i under the
current Σ̂ and trims, in each pool, only the tasks of a tail of the scores
that holds more tasks than the law fitted on the scores' bulk puts there
(the screens' calibration, :func:`~robust_mlr.stages.screening.tail_quantile`,
read as counts), at most the ⌈2αn⌉ furthest. A fixed trim of the ⌈2αn⌉
most extreme tasks removes, on laws whose energy along some directions sits
in a few examples (Chebyshev features of a uniform input), exactly those
examples, and the rounds then lose the direction (Kong, Somani, Kakade, Oh
2020 whiten by the known Σ_x; this estimate replaces it when Σ_x is unknown).
"""

from __future__ import annotations

import numpy as np

from .stages.screening import _calibration_level

__all__ = ["trim_mask", "excess_counts", "MIN_CALIBRATED", "TRIM_TAIL_SHAPE", "TRIM_MIN_SHAPE"]

#: Fewest tasks in a pool for which the trimmed Σ̂ reads the limits of the
#: scores from their own tail (fewer: the fixed trim of the ⌈2αn⌉ furthest).
MIN_CALIBRATED = 64
#: Largest tail shape ξ of the fitted tail (ξ ≥ 1: no finite mean, no law
#: the trimmed Σ̂ accepts; the clean laws of the generator stay below it).
TRIM_TAIL_SHAPE = 1.0
#: Smallest tail shape the fitted tail is given (a finite fourth moment):
#: the bulk of a mean over a task's few examples looks lighter than its far
#: tail (Student-t(5) rows: fitted at ξ = 0, the tail trims ≈ 600 of 40 400
#: clean tasks and Chebyshev rows ≈ 460, which costs them half a direction).
TRIM_MIN_SHAPE = 0.5


def trim_mask(q, counts, extreme, alpha):
    """Tasks kept by a round of the trimmed Σ̂, from their scores ``q`` (mean
    whitened squared norms under the current Σ̂; pools of ``counts`` tasks,
    concatenated); ``extreme`` tasks are always left out.

    In a pool of n ≥ :data:`MIN_CALIBRATED` tasks both tails of the scores
    are judged against their own bulk (:func:`excess_counts` on q and on
    −log q): a tail is trimmed only as far as more tasks sit in it than the
    law fitted on the bulk puts there, at most the ⌈2αn⌉ furthest from the
    median of log q. In a smaller pool the ⌈2αn⌉ tasks with log q furthest
    from the median are trimmed (a fixed trim)."""
    logq = np.log(np.maximum(q, 1e-300))
    kept = ~extreme
    base = 0
    for n in counts:
        sl = slice(base, base + n)
        base += n
        ok = kept[sl] & np.isfinite(q[sl])
        m = int(ok.sum())
        if not m:
            continue
        n_trim = int(np.ceil(2 * alpha * n))
        r = np.abs(logq[sl] - np.median(logq[sl][ok]))
        outside = np.ones(n, bool)
        if m >= MIN_CALIBRATED:
            edge = excess_counts(np.column_stack([q[sl], -logq[sl]])[ok],
                                 _calibration_level(alpha, m), n_trim)
            # edge −inf: no excess in that tail
            outside = ((q[sl] >= edge[0]) & np.isfinite(edge[0])) | \
                ((-logq[sl] >= edge[1]) & np.isfinite(edge[1]))
        r[~ok] = -np.inf                        # already out (extreme): not counted
        n_trim = min(n_trim, int(np.sum(outside & ok)))
        if n_trim:
            r[~outside] = -np.inf
            kept[base - n + np.argsort(r)[n - n_trim:]] = False
    return kept


def excess_counts(values, level, most, max_shape=TRIM_TAIL_SHAPE):
    """Per column of ``values`` (m, c): the smallest of its excess scores
    (−inf where there is none).

    The column's tail is fitted on its bulk as the screens' limits are
    (:func:`~robust_mlr.stages.screening.tail_quantile`: the (1 − a),
    (1 − 2a), (1 − 4a) quantiles Q₁, Q₂, Q₄, a = ``level``, shape
    ξ = log₂((Q₁ − Q₂)/(Q₂ − Q₄)) clipped to [0, ``max_shape``]), which
    predicts the share of scores beyond v > Q₁ as
    S(v) = a·(1 + (v − Q₁)(1 − 2^{−ξ})/(Q₁ − Q₂))^{−1/ξ} (a·2^{−(v−Q₁)/(Q₁−Q₂)}
    at ξ = 0). With v₍₁₎ ≥ v₍₂₎ ≥ … the column's largest scores, the excess
    is the J largest for the largest J ≤ ``most`` with
    J > mS(v₍J₎) + 3√(mS(v₍J₎)) + 1 (the Binomial margin of
    :func:`~robust_mlr.threat.excess_limit`): more scores sit that far out
    than the law of the bulk puts there."""
    m, c = values.shape
    q1, q2, q4 = np.quantile(values, [1 - level, 1 - 2 * level, 1 - 4 * level], axis=0)
    s1, s2 = q1 - q2, q2 - q4
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = np.clip(np.where(s1 > 0, np.where(s2 > 0, np.log2(s1 / s2), max_shape), 0.0),
                     TRIM_MIN_SHAPE, max_shape)
    most = min(int(most), m)
    out = np.full(c, -np.inf)
    if most < 1:
        return out
    top = -np.sort(-np.partition(values, m - most, axis=0)[m - most:], axis=0)   # (most, c)
    z = np.maximum(top - q1, 0.0) / np.where(s1 > 0, s1, np.inf)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        tail = np.where(xi < 1e-9, level * 2.0 ** -z,
                        level * (1 + z * (1 - 2.0 ** -xi)) ** (-1 / np.maximum(xi, 1e-9)))
    tail = np.where(top > q1, np.where(s1 > 0, tail, 0.0), 1.0)
    pred = m * tail
    J = np.arange(1, most + 1)[:, None]
    excess = J > pred + 3 * np.sqrt(pred) + 1
    for col in range(c):
        hit = np.flatnonzero(excess[:, col])
        if hit.size:
            out[col] = top[hit[-1], col]
    return out
