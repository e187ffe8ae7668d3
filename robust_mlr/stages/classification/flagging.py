"""Robust classification: light tasks that fit no component are flagged.

A clean task of component ℓ with Gaussian noise has residual sum of squares
RSS/s_ℓ² ~ χ²_{t_i} under its own component; a task whose best component's
statistic exceeds the (1 − level) quantile fits no component and is left out
of the refit (Kong, Somani, Kakade, Oh, NeurIPS 2020).

The flags are judged at the clustering's W̃, r̃², which an adversary holding
the heavy pool can shift; under a shifted W̃_ℓ the clean tasks of ℓ on the
far side of the shift fail the test, and a regression on the rest follows
the shift. :func:`excess_flags` says when a component's flag count is more
than clean tasks give at the level; the learner then classifies again at its
final estimates (docs/robust_pipeline.md).
"""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import block_task_rss, labelled_pass
from ..._threads import pinned
from ...data import MetaDataset
from .likelihood import check_components, nll_from_sizes

__all__ = ["flag_unfit_tasks", "excess_flags"]


@pinned
def flag_unfit_tasks(data: MetaDataset, W, s2, level=1e-3):
    """Tasks that fit no component: the best component's residual sum of
    squares / s² exceeds the (1 − level) quantile of χ²_{t_i}.

    Returns ``(labels, flagged)``: most likely component and boolean flags.
    """
    W, s2 = check_components(data, W, s2)
    off, n = data.offsets, data.n_tasks
    labels, flagged = np.empty(n, dtype=np.intp), np.empty(n, dtype=bool)
    limits = {}                                   # χ² quantile per task size
    # a later stage's pass over the same rows with these labels, summed
    # while each block is in cache (robust_mlr._segments.share_labelled_pass)
    share = labelled_pass(data, W)
    if share is not None:
        share.begin(n)
    # one blocked pass: each block's (tasks × k) residual sums are judged
    # and dropped (no n × k array of the pool)
    for item in block_task_rss(data, W, rows=share is not None):
        a, e, rss = item[:3]
        t = off[a + 1:e + 1] - off[a:e]
        lab = np.argmin(nll_from_sizes(t, rss, s2), axis=1)
        stat = rss[np.arange(e - a), lab] / s2[lab]
        one = t.size > 0 and bool(np.all(t == t[0]))        # tasks of one size: no sort
        sizes, which = (t[:1], None) if one else np.unique(t, return_inverse=True)
        new = [int(v) for v in sizes if int(v) not in limits]
        if new:
            limits.update(zip(new, chi2.ppf(1 - level, np.array(new)).tolist()))
        labels[a:e] = lab
        limit = np.array([limits[int(v)] for v in sizes])
        flagged[a:e] = stat > (limit[0] if one else limit[which])
        if share is not None:
            share.add(a, e, np.where(flagged[a:e], -1, lab), item[3], item[4])
    if share is not None:
        share.end()
    return labels, flagged


def excess_flags(labels, flagged, k, level, tail=1e-6):
    """Components whose flagged tasks are more than clean tasks explain.

    Under correct (W, s²) each clean task of component ℓ is flagged
    independently with probability ``level``, so the flags F_ℓ among the n_ℓ
    tasks whose best component is ℓ are at most Binomial(n_ℓ, level). With
    λ = n_ℓ·level and L = log(1/tail), Bernstein's inequality
    P(F − λ ≥ u) ≤ exp(−u² / (2(λ + u/3))) gives the bound

        F_ℓ ≤ λ + L/3 + √(L²/9 + 2λL),

    exceeded by clean data with probability at most ``tail`` per component
    (an upper bound on the Binomial (1 − tail) quantile, in closed form).

    Parameters
    ----------
    labels : ndarray of int (n,)
        Best component of every task, flagged or not.
    flagged : ndarray of bool (n,)
    k : int
        Number of components.
    level : float
        The flag level.
    tail : float
        Probability that clean data exceed the bound, per component.

    Returns
    -------
    counts : ndarray of int (k,)
        Flagged tasks per best component.
    bounds : ndarray (k,)
        The bound on each.
    """
    n = np.bincount(labels, minlength=k)[:k]
    counts = np.bincount(labels[flagged], minlength=k)[:k]
    lam, log_tail = n * level, np.log(1.0 / tail)
    bounds = lam + log_tail / 3 + np.sqrt(log_tail ** 2 / 9 + 2 * lam * log_tail)
    return counts, bounds
