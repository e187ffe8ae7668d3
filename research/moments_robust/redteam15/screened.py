"""A research-only variant of ``biased_lever`` (redteam14) with *screen*
decoys: sign-balanced rows along up to two further directions v₁, v₂ ⊥ u,
span(W) and the decoy direction, each at leverage ``s_lever`` with residual
±``s_shift`` s (signs balanced over tasks, independent per direction).

Purpose: the clipped reading of the filter's stopping rule
(``robust_mlr/stages/regression/_clipped_test.py``) reads only each
component's top-2 eigenvectors of the first round's per-example moment M
and gradient covariance C (plus spike directions). Balanced rows raise M and
C equally along v₁, v₂; made larger than M(u) and C(u) they take both top-2
slots, so the push along u is read only if u is a spike direction.

``s_tasks`` (share of the adversary's tasks carrying screen decoys, default
1) and ``s_g`` (scale of the decoy rows' other coordinates, so that a larger
``s_lever`` passes the screen's norm limit) are the knobs.

Registered on import (research use; the package's catalogue is untouched).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redteam14"))
from biased import BiasedLever  # noqa: E402

from robust_mlr.adversary._base import register  # noqa: E402
from robust_mlr.adversary._whitebox import component_index  # noqa: E402
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen  # noqa: E402


@register
class ScreenedLever(BiasedLever):
    """BiasedLever with screen decoys along v₁, v₂ (module docstring)."""

    name = "screened_lever"

    def __init__(self, s_decoys=2, s_lever=8.0, s_shift=2.0, s_tasks=1.0, s_gap=1.0,
                 s_g=1.0, s_clone=False, n_neg=0, neg_gap=0.5, neg_lever=None,
                 pair_within=False, **kw):
        super().__init__(**kw)
        self.s_decoys, self.s_lever, self.s_shift = int(s_decoys), float(s_lever), float(s_shift)
        self.s_tasks, self.s_gap, self.s_g = float(s_tasks), float(s_gap), float(s_g)
        self.s_clone = bool(s_clone)
        self.n_neg, self.neg_gap = int(n_neg), float(neg_gap)
        self.neg_lever = None if neg_lever is None else float(neg_lever)
        self.pair_within = bool(pair_within)

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if self.n_neg > 0 or self.pair_within:
            X, y = self._anchors(X, y, data, idx, ctx, rng)
        if self.s_decoys == 0:
            return X, y
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        u, v = self.directions(theta, a, ctx)
        W = theta.W
        d, k = W.shape
        Q = np.linalg.qr(np.column_stack([W, u, v, np.eye(d)]))[0]
        V = Q[:, k + 2:k + 2 + self.s_decoys]
        s = float(theta.s[a])
        task, pos, _ = _row_positions(sizes)
        m = sizes.size
        nl = self.lever_rows(sizes)
        carry = np.zeros(m, bool)
        carry[rng.permutation(m)[:int(round(self.s_tasks * m))]] = True
        # each task's push along u at w_a (its rows' r (x·u)); the screen decoys'
        # signs are paired along it (neighbours in this order take opposite
        # signs), so that across tasks they are uncorrelated with the push and
        # the gradient covariance's top eigenvectors carry no u
        g_u = np.bincount(task, weights=(y - X @ theta.W[:, a]) * (X @ u), minlength=m)
        order = np.argsort(g_u)
        if self.s_clone:
            # task 2k+1 becomes a copy of task 2k (same size): the pair then has
            # the same gradient along every direction at any fit but the screen
            # decoys' (opposite signs below), so those signs are exactly
            # uncorrelated with the push across tasks
            start = np.cumsum(sizes) - sizes
            pairs = np.arange(0, m - 1, 2)
            pairs = pairs[sizes[pairs] == sizes[pairs + 1]]
            for j in pairs:                      # research script: a loop is fine
                a0, a1, t0 = start[j], start[j + 1], sizes[j]
                X[a1:a1 + t0] = X[a0:a0 + t0]
                y[a1:a1 + t0] = y[a0:a0 + t0]
            order = np.arange(m)
        for i in range(self.s_decoys):
            sig = np.zeros(m)
            p = rng.choice([-1.0, 1.0], size=m // 2)
            sig[order[0:2 * (m // 2):2]] = p
            sig[order[1:2 * (m // 2):2]] = -p
            # the i-th screen decoy of each task: the row right after its lever rows
            rows = np.flatnonzero((pos == nl[task] + i) & carry[task])
            rows = rows[pos[rows] < sizes[task[rows]] - self.reserved(sizes)[task[rows]]]
            b = rng.choice([-1.0, 1.0], size=rows.size)
            if self.s_clone:                     # a pair's rows share their sign b
                b = rng.choice([-1.0, 1.0], size=m)[task[rows] // 2 * 2]
            e = V[:, i]
            amp = self.s_lever * (self.s_gap if i == 1 else 1.0)
            X[rows] -= np.outer(X[rows] @ e, e)
            X[rows] *= self.s_g
            X[rows] += np.outer(amp * b, e)
            y[rows] = X[rows] @ W[:, a] + s * sig[task[rows]] * b * self.s_shift
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y

    def _anchors(self, X, y, data, idx, ctx, rng):
        """The first ``n_neg`` u-decoys of each task become *anchors* (at
        leverage A_k = ``neg_lever``, default u_lever): residual
        s b (β A_k/u_lever − neg_gap)
        (b the sign of x·u, β = ``u_bias``), no balanced part. With the other
        decoys' bias β they pin the least-squares fit near β/A along u
        (their stiffness A² per row); at that fit an anchor's residual is
        ≈ −b·neg_gap·s, so its clipped score r (x·u) sits at −κ: its task's
        clipped gradient looks like a clean task's pulling back.

        With ``pair_within`` the other decoys' balanced signs σ alternate
        *within* each task (σ = ±1 for consecutive decoys): their ±ρ_d parts
        then cancel in the task's gradient (nothing added to the gradients'
        covariance) while the per-example moment gets A²ρ_d² per row — the
        stopping rule's reference is inflated alone."""
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        u, _ = self.directions(theta, a, ctx)
        s = float(theta.s[a])
        task, pos, _ = _row_positions(sizes)
        first = sizes[task] - self.reserved(sizes)[task]
        rows = np.flatnonzero((pos >= first) & (pos < first + self.n_neg))
        if self.neg_lever is not None and rows.size:
            b0 = np.sign(X[rows] @ u)
            X[rows] += np.outer(b0 * (self.neg_lever - np.abs(X[rows] @ u)), u)
        b = np.sign(X[rows] @ u)
        # the same zero point β/u_lever along u as the decoys, less neg_gap/A_k
        a_k = self.u_lever if self.neg_lever is None else self.neg_lever
        y[rows] = X[rows] @ theta.W[:, a] + s * b * (self.u_bias * a_k / self.u_lever - self.neg_gap)
        if self.pair_within:
            rest = np.flatnonzero(pos >= first + self.n_neg)
            flip = rng.choice([-1.0, 1.0], size=sizes.size)[task[rest]]
            sig = np.where((pos[rest] - first[rest] - self.n_neg) % 2 == 0, 1.0, -1.0) * flip
            b = np.sign(X[rest] @ u)
            y[rest] = X[rest] @ theta.W[:, a] + s * b * (sig * self.u_shift + self.u_bias)
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


@register
class TildeTilt(BiasedLever):
    """Heavy-pool tasks of component a whose model is w_a + ``tilt`` s u
    (u the light-2 attack's shift direction, ``direction`` "tilde": W̃'s own
    error ⊥ span(W)), noise s: if the clustering's W̃_a follows them along
    u, the light-2 lever rows' residuals at W̃ (the classification's
    budget) shrink by A·Δ(u·W̃)."""

    name, stage, targets = "tilde_tilt", "regression", ("heavy",)

    def __init__(self, tilt=1.0, **kw):
        super().__init__(**kw)
        self.tilt = float(tilt)

    def craft(self, data, idx, ctx, rng):
        from robust_mlr.adversary._craft import model_examples
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        u, _ = self.directions(theta, a, ctx)
        s = float(theta.s[a])
        w = theta.W[:, a] + self.tilt * s * u
        idx = np.asarray(idx)
        return model_examples(data.sizes[idx], np.tile(w, (idx.size, 1)), s, rng)
