"""Degenerate heavy tasks: noise-free tasks and exact copies (private).

Two kinds of task have probability zero under any continuous covariate and
noise law, so under a threat model they can only be corrupted:

* a task whose examples share one covariate vector (t_i ≥ 2 copies of one
  x; constant tasks are the special case x = c·1): its design has rank one,
  it is fitted exactly by a whole affine space of regression vectors, and
  every split of it gives the same point, so the distance estimate between
  two such tasks of one group is exactly zero;
* a task that is an exact copy of another (the same statistics to ten
  significant digits): a group of copies is a tight cluster at no cost in
  spread.

A group of either kind takes a cluster (or a likelihood component whose
variance collapses to its floor) of its own, merging two true components,
or stalls a solver whose unit of cost such a group sets. The flagged tasks
are set aside by every robust clustering stage like far tasks; when more
tasks than the corrupted count can plausibly be are flagged
(:func:`~robust_mlr.threat.excess_limit`) the data are degenerate by nature
(discrete covariates, say) and none is.
"""

from __future__ import annotations

import numpy as np

from ...threat import excess_limit

#: Relative within-task spread Σ_j ‖x_ij − x̄_i‖² / Σ_j ‖x_ij‖² at or below
#: which a task's examples share one covariate vector (rounding leaves
#: ≈ 1e-16; a clean Gaussian task of t ≥ 2 examples has ≈ 1 − 1/t).
_SPREAD_TOL = 1e-10
#: Significant digits two task fingerprints must share to be copies.
_DIGITS = 10


def _fingerprints(data):
    """Per-task statistics that identify a task: Σ y, Σ y², Σ ‖x‖² and the
    sums of y x and x along two fixed directions, over t_i; with the
    within-task covariate spread."""
    d = data.dim
    j = np.arange(d)
    g = np.stack([np.cos(1.0 + 0.77 * j), np.sin(0.5 + 1.31 * j)], axis=1)   # (d, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        t = data.sizes.astype(float)
        xg = data.X @ g
        sq = np.einsum("ij,ij->i", data.X, data.X)
        F = np.column_stack([data.task_sums(np.column_stack(
            [data.y, data.y ** 2, sq, data.y[:, None] * xg, xg]))]) / t[:, None]
        mean = data.task_sums(data.X) / t[:, None]
        spread = F[:, 2] - np.einsum("ij,ij->i", mean, mean)
    return F, spread, t


def degenerate_tasks(data, alpha):
    """Mask of the noise-free tasks and exact copies (module docstring), or
    all False when there are more than the corrupted count can plausibly be.

    Parameters
    ----------
    data : MetaDataset
    alpha : float
        Corruption budget.

    Returns
    -------
    ndarray of bool (n,)
    """
    n = data.n_tasks
    F, spread, t = _fingerprints(data)
    ok = np.all(np.isfinite(F), axis=1) & np.isfinite(spread)
    flat = ok & (t >= 2) & (spread <= _SPREAD_TOL * np.abs(F[:, 2]))
    copy = np.zeros(n, bool)
    if ok.sum() > 1:
        G = F[ok]
        scale = np.median(np.abs(G), axis=0)
        G = G / np.where(scale > 0, scale, 1.0)
        mag = np.where(G == 0, 1.0, 10.0 ** np.floor(np.log10(np.abs(np.where(G == 0, 1, G)))))
        key = np.round(G / mag, _DIGITS - 1) * mag
        _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
        copy[np.flatnonzero(ok)] = counts[inv.ravel()] >= 2
    bad = flat | copy
    if bad.sum() > excess_limit(alpha, n):
        return np.zeros(n, bool)
    return bad
