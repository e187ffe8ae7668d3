"""Bounded influence per task along the directions the refit reads
(private): each task's clipped score along its component's read
directions is capped at :data:`TASK_CLIP` of its clean spread.

The clipped refit (:mod:`._example_clip`) caps what one *example* pulls:
c ŝ times its leverage. Rows whose residual sits at or under the clip keep
their whole pull, and a task may hold several of them: m rows at leverage
a along u with residual just under c ŝ pull the task's score along u by
≈ m c a while adding m c² a² to the per-example moment, quadratic where
the pull is linear, so a few gentle rows per task (m = 3–4, a = 2–3 RMS)
stay within every reading's edge. With ⌊αn⌋ such tasks in one component
(the replacement adversary of Kong, Somani, Kakade, Oh, NeurIPS 2020, at
α = 0.01 with p = 1/8 and light tasks of t = 16: 7 % of the component's
tasks) the refit moved the component by
0.070·s along u; the Huber refit itself adds to it, since rows under the
clip keep their pull while the clean rows' stiffness falls to
P(|z| ≤ c) ≈ 0.87 of least squares (0.063·s at the filter's fit).
Pushed along the clean fit's own error, that is 0.048 → 0.118.

A task's push shows in its score along the push: Σ_j ψ(r_j) x_j·v over its
rows. Over clean tasks of t rows with x·v of unit variance (whitened
covariates) it has mean zero and standard deviation ŝ √(t E ψ(z)²),
E ψ(z)² = E min(z², c²); the lever tasks above sit at 3–3.5 of it. So
each IRLS step also weighs every row of a task by min(1, κ/z_i), z_i the
largest |score|/spread of the task over its component's read directions
(:func:`._clipped_test.candidate_directions`: the top directions of the
per-example moment, of the gradients' covariance and of their ratio, and
every direction where the moment is inflated; they contain the push of a
task set large enough to matter) and κ = :data:`TASK_CLIP`: Huber's
weights on the task's score, a task-level Schweppe-type bounded-influence
step. A task then pulls along v by at most κ times a clean task's spread,
however many rows carry its push. On clean data the weights are
symmetric in the residuals' sign; a task with a large score along one
direction loses some weight along all of them, but the clean errors stay
where they were (the small-heavy problem's seeds 0–2: within 2 %; the
default problem's seeds 0–5: mean 0.0377 → 0.0372);
on the lever tasks above the shift falls from 0.070·s to 0.051·s
(0.118 → 0.099), about the distance δ at which the component's task law
and the law shifted by δ along u are ⌊αn⌋ replacements apart
(p·TV_t(δ) = α: 0.051 there, :func:`robust_mlr.limits.shift_tv`) — what a
white-box adversary gets against any estimator accurate on clean data.

The weights read the residuals at the fit each step starts from, as the
clip does; the readings (:class:`._readings.Readings`) read the refit's
scores without them, so what the stage's tests see is unchanged.

The stages leave them off by default (``task_clip=None``): an independent
red team kept u out of the inflated directions with decoy rows (pairs x,
−x within a task that raise the per-example moment's median eigenvalue)
and reached 0.131 with the weights (0.136 without); on the default
problem the worst silent rows of the earlier red teams moved by 0 to
+0.007; and on clean data at scale the refit then takes a second pass (a
fit of 320 000 light-2 tasks 3.2–3.8 s of CPU against 2.1–2.8 s).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

#: The κ studied (``FilterRegression(task_clip=1.5)``; the stages default to
#: None, off): a task's clipped score along a read direction beyond this
#: many of its clean standard deviations is scaled back to it.
TASK_CLIP = 1.5


@functools.lru_cache(maxsize=8)
def psi_moment(clip):
    """E ψ(z)² = E min(z², c²) for z ~ N(0, 1) and c = ``clip`` (remembered:
    every block of every refit pass asks for it, and SciPy's distribution
    functions cost ≈ 0.5 ms a call)."""
    return float(2 * stats.norm.cdf(clip) - 1 - 2 * clip * stats.norm.pdf(clip)
                 + 2 * clip * clip * stats.norm.sf(clip))


def task_score_weights(X, r, u, lab, task, frames, s, t, clip, kappa=TASK_CLIP):
    """Each row's weight from its task's clipped score along its component's
    read directions: min(1, κ/z), z the largest |Σ_j u_j r_j (x_j·v)|/ŝ over
    the directions v, in units of √(t E ψ²); 1 for rows of no component.

    Parameters
    ----------
    X : ndarray (N, d)
        A block's rows.
    r, u : ndarray (N,)
        Their residuals at the step's fit and IRLS weights (ψ(r) = u r).
    lab : ndarray of int (N,)
        Each row's component (−1: none).
    task : ndarray of int (N,)
        Each row's task (rows of a task contiguous).
    frames : list of ndarray (d, m_c)
        Per component, orthonormal read directions (none: no weights).
    s : ndarray (k,)
        ŝ per component.
    t : ndarray (n,)
        Each task's size (indexed by ``task``).
    clip : float
        The refit's residual clip c (in ŝ).
    kappa : float

    Returns
    -------
    ndarray (N,)
    """
    m = np.ones(lab.size)
    spread = np.sqrt(psi_moment(clip))
    for c in np.unique(lab[lab >= 0]):           # loop over components only
        V = frames[c]
        if V.shape[1] == 0:
            continue
        sel = np.flatnonzero(lab == c)
        Q = np.take(X, sel, axis=0) @ V
        Q *= (u[sel] * r[sel] / s[c])[:, None]
        tid = task[sel]
        starts = np.flatnonzero(np.r_[True, tid[1:] != tid[:-1]])
        z = np.abs(np.add.reduceat(Q, starts, axis=0)).max(axis=1)
        z /= spread * np.sqrt(t[tid[starts]])
        w = np.minimum(1.0, kappa / np.maximum(z, 1e-300))
        m[sel] = np.repeat(w, np.diff(np.r_[starts, sel.size]))
    return m
