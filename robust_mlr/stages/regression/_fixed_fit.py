"""Draws of the task filter at a fixed fit (private module).

The task filter (:func:`~.robust.filter_regression`) draws one random
threshold per round and then refits ŵ, which reads the component's rows
once more (residuals, gradients, the per-example moment). Tasks placed as a
ladder of leverage — along many directions, each rung's score a fraction
of the one above — lose about one rung to each draw, so they bought a pass
over the rows per rung: 24–33 rounds per component, 13× the clean fit's
time at 320 000 light tasks, and W at its clean error.

From round :data:`FIXED_FIT_FROM` (the first) on, the filter keeps
drawing at the same ŵ: the kept tasks' gradient sums Σ g, Σ g gᵀ and the per-example moment
Σ c r² x xᵀ are downdated by each draw's tasks (their rows only), and the
test (:func:`~.robust._covariance_test`) is read again from them, until it
passes at that fit, the removal budget is spent, or :data:`MAX_DRAWS`
draws; then the filter refits. SEVER (Diakonikolas, Kamath, Kane, Li,
Steinhardt, Stewart 2019) refits after every filter step; its argument for
a step — the draw removes, in expectation, more of the tasks that inflate
the top eigenvalue than clean ones — holds at any fit at which the clean
gradients' covariance is within the test's reference, and only there. At
a fit that corrupted tasks have moved, a clean task's gradient has mean
√t_i·μ (μ = E[x r], the per-example mean at that fit) and covariance
M − μμᵀ, within the per-example moment M; so the draws centre each task
at √t_i·μ̂. With one mean for all tasks, clean tasks of mixed sizes
spread along μ by Var(√t)·|μ|², which M does not hold, and once a draw
had taken the fit's corrupted tasks the draws went on with clean ones
(38–43 of 4 000 tasks of sizes 2 and 128, the rest of the budget, where
refitting after each draw removed none). With equal sizes the two
centrings are the same statistic. A draw costs O(n d + d³) plus its
tasks' rows, against O(N d²) for a pass. These draws began at the third
round at first, the first two drawing once each and refitting, so that
every fit ending within three rounds stayed as it was; from the first
round, the attack catalogue's 64 fits on the default problem (α = 0.05,
every attack on light 2 alone and on all its pools) return the same W,
ŝ², p̂ and warnings but for the ladder's (ŝ² error 0.029 → 0.030), and a
ladder at 320 000 light-2 tasks costs 2 rounds a component instead of 4–5.
"""

from __future__ import annotations

import numpy as np

from ... import _scratch
from ...data import example_rows

__all__ = ["FIXED_FIT_FROM", "MAX_DRAWS", "downdate", "draw", "draws_at_fit"]

#: Round from which the filter keeps drawing at the same fit (1: every round).
FIXED_FIT_FROM = 1
#: Most draws at one fit before the filter refits.
MAX_DRAWS = 64


def downdate(G, b, data, ex_w, tasks):
    """Remove the examples of ``tasks`` from the normal equations (G, b) in
    place: G −= Σ w_j x_j x_jᵀ, b −= Σ w_j y_j x_j over their rows.

    A round removes a few tasks, so this reads their rows only: the kept
    tasks' Gram matrix is summed once, not once a round. The result differs
    from a fresh sum over the kept rows by rounding (a few ulps of the
    full G, which the kept part dominates: at most the budget's share of
    the tasks is ever removed)."""
    rows = example_rows(data.offsets, tasks)
    sw = np.sqrt(ex_w[rows])
    Xd = np.take(data.X, rows, axis=0)          # a gather: twice as fast as X[rows]
    Xd *= sw[:, None]
    G -= Xd.T @ Xd
    b -= Xd.T @ (data.y[rows] * sw)


def draw(score, rng, room):
    """The tasks above one uniform threshold on [0, max score], largest
    first, at most ``room`` of them."""
    drop = np.flatnonzero(score > rng.uniform(0, score.max()))
    return drop[np.argsort(-score[drop])][:room]


def draws_at_fit(g, kept, X, r, wt, moment, offsets, drop, rng, room, remove, test):
    """Remove the first draw's tasks ``drop``, then draw again at the fit
    whose gradients ``g`` and residuals ``r`` a pass has just computed.

    Parameters
    ----------
    g : ndarray (n, d)
        Standardised gradients of every task at this fit.
    kept : ndarray of bool (n,)
        The kept tasks (``remove`` updates it).
    X, r, wt : ndarray
        The component's rows, their residuals at this fit and their example
        weights (zero on removed rows; ``remove`` zeroes them).
    moment : ndarray (d, d)
        The pass's per-example moment Σ wt r² x xᵀ / Σ wt over the kept rows.
    offsets : ndarray
        Task offsets of the rows.
    drop : ndarray of int
        The first draw's tasks.
    rng : Generator
    room : int
        Tasks the removal budget allows, ``drop`` included.
    remove : callable
        ``remove(tasks)`` takes tasks out of the fit (kept, the normal
        equations, wt).
    test : callable
        ``test(C, n_kept, d, moment) -> (v, ratio)``: the filter's test of
        the kept gradients' covariance C against the moment.

    Returns
    -------
    int
        Draws made at this fit, the first included.
    """
    msum = float(wt.sum())
    S = moment * msum
    # a clean task's gradient at a fit off by Δ has mean √t_i·μ (μ = E[x r],
    # the per-example mean at this fit) and covariance M − μμᵀ: the draws
    # centre each task at √t_i·μ̂, μ̂ = Σ √t_i g_i / Σ t_i over the kept tasks
    # (with one mean for all, tasks of mixed sizes would spread along μ by
    # Var(√t)·|μ|², which M does not hold, and the draws would go on taking
    # clean tasks once the fit's corrupted tasks are gone; equal sizes: the
    # same statistic as one mean)
    root_t = np.sqrt(np.diff(offsets).astype(float))
    gk = np.compress(kept, g, axis=0,
                     out=_scratch.empty("draws_gk", (int(kept.sum()), g.shape[1])))
    hsum, gmom, tsum = root_t[kept] @ gk, gk.T @ gk, float(root_t[kept] @ root_t[kept])
    draws = 1
    while True:
        gd = g[drop]
        hsum -= root_t[drop] @ gd
        gmom -= gd.T @ gd
        tsum -= float(root_t[drop] @ root_t[drop])
        rows = example_rows(offsets, drop)
        S -= _rows_moment(X, r, wt, rows)
        msum -= float(wt[rows].sum())
        remove(drop)
        room -= drop.size
        n_k = int(kept.sum())
        if draws >= MAX_DRAWS or room <= 0 or n_k < 2:
            return draws
        mu = hsum / max(tsum, 1e-300)
        v, ratio = test((gmom - np.outer(hsum, mu)) / n_k, n_k, g.shape[1],
                        S / max(msum, 1e-300))
        if ratio <= 1:
            return draws
        score = g @ v[:, 0]                  # a product over every task, no copy
        score -= root_t * (mu @ v[:, 0])
        score *= score
        score[~kept] = 0.0
        drop = draw(score, rng, room)
        draws += 1


def _rows_moment(X, r, wt, rows):
    """Σ wt r² x xᵀ over ``rows`` (a gather of those rows only)."""
    s = r[rows] * np.sqrt(wt[rows])
    R = np.take(X, rows, axis=0)
    R *= s[:, None]
    return R.T @ R
