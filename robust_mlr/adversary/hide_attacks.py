"""Lever rows whose covariate spike is hidden by raising the *other*
components' second moment along the same direction.

A refit that weighs a component's rows down along a direction only where
that component's covariate second moment exceeds the other components'
pooled by a fixed factor (a *spike direction*) compares two moments the
adversary both writes to. Lever rows x·u = A in the target component a
raise its moment along u; tasks placed in the other components with rows
at a large leverage H along u and clean residuals under their own w_b
raise the reference. ``hide`` · ⌊αn⌋ such tasks at H² ≈ 170 (the screen's
room) add 16 H² ≈ 2 700 per task of 16 examples to the others' Σ (x·u)²,
so a hundred of them roughly double the others' moment along u on a
light pool of 2·10⁴ tasks, and the target's rows may then carry about
1.15 · 2 − 1 ≈ 1.3 times its rows' count in (x·u)² before any spike is
seen — against 0.15 times without hiding. Rows ⊥ u in the target's other
examples free one more unit each. The hidden tasks pull nothing: their
residuals are clean noise under their own component.

:class:`HiddenLever` is :class:`~robust_mlr.adversary.DilutedLever` with
a share ``hide`` of its tasks replaced in the other components this way.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import register
from ._whitebox import component_index
from .dilute_attacks import DilutedLever
from .edge import _MARGIN, _row_positions, _screen

__all__ = ["HiddenLever"]


@register
class HiddenLever(DilutedLever):
    """:class:`~robust_mlr.adversary.DilutedLever` whose spike along u is
    hidden by tasks of the other components at a large leverage along u
    (module docstring).

    Parameters
    ----------
    hide : float
        In [0, 1): share of the replaced tasks written in the other
        components (chosen among their tasks at random; default 0.1).
    hide_lever : float
        H, the hiding rows' leverage along u (default 13; capped at the
        screen's room with their other coordinates scaled by 0.25).
    hide_rows : int
        Hiding rows per hiding task (default 16; at most the task's size),
        their first examples; the others are clean.
    hide_from : {"others", "target"}
        Where the hiding tasks are taken: the other components' tasks
        (default), or the target component's own, written as tasks of a
        random other component (the target then keeps fewer clean tasks
        to hold its fit).
    u_decoys, u_lever, u_shift, component, shift, lever, rows, share, decoy, decoy_level, noise, g_scale, direction, angle
        As :class:`~robust_mlr.adversary.DilutedLever` (default no u-decoy
        and no v-decoy, so that the default fits tasks of two examples).
    """

    name = "hidden_lever"

    def __init__(self, hide=0.1, hide_lever=13.0, hide_rows=16, hide_from="others", u_decoys=0,
                 u_lever=4.0,
                 u_shift=4.0, component="smallest", shift=4.0, lever=4.0, rows=1,
                 share=1.0, decoy=0.0, decoy_level=1.0, noise=0.0, g_scale=0.25,
                 direction="fixed", angle=0.0):
        super().__init__(u_decoys=u_decoys, u_lever=u_lever, u_shift=u_shift,
                         component=component, shift=shift, lever=lever, rows=rows, share=share,
                         decoy=decoy, decoy_level=decoy_level, noise=noise, g_scale=g_scale,
                         direction=direction, angle=angle)
        self.hide, self.hide_lever, self.hide_rows = float(hide), float(hide_lever), int(hide_rows)
        if hide_from not in ("others", "target"):
            raise ValidationError(f"hide_from must be 'others' or 'target', got "
                                  f"hide_from={hide_from!r}")
        self.hide_from = hide_from
        if not 0 <= self.hide < 1:
            raise ValidationError(f"hide must be in [0, 1), got hide={hide}")
        if not self.hide_lever > 0:
            raise ValidationError(f"hide_lever must be > 0, got hide_lever={hide_lever}")
        if self.hide_rows < 1 or self.hide_rows != hide_rows:
            raise ValidationError(f"hide_rows must be an integer >= 1, got "
                                  f"hide_rows={hide_rows!r}")

    def choose(self, data, n_bad, ctx, rng):
        """⌊(1 − hide) n_bad⌋ tasks of the target component first (as
        :class:`~robust_mlr.adversary.ClipLever`), the rest among the other
        components' tasks at random."""
        a = component_index(ctx.need_theta(self.name), self.component)
        n_hide = int(np.floor(self.hide * n_bad))
        if self.hide_from == "target":
            return super().choose(data, n_bad, ctx, rng)
        own = super().choose(data, n_bad - n_hide, ctx, rng)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        free = np.ones(data.n_tasks, bool)
        free[own] = False
        pool = np.flatnonzero(free & (comps != a) & (comps >= 0))
        if pool.size < n_hide:
            pool = np.flatnonzero(free)
        return np.sort(np.concatenate([own, rng.choice(pool, size=n_hide, replace=False)]))

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        comps = data.components[idx] if data.components is not None else np.full(idx.size, a)
        if self.hide_from == "target":           # a random share, as tasks of another component
            hid = rng.permutation(idx.size) < int(np.floor(self.hide * idx.size))
            comps = np.where(hid, (a + rng.integers(1, theta.k, size=idx.size)) % theta.k, a)
        hid = (comps != a) & (comps >= 0)
        sizes = data.sizes[idx]
        X = np.empty((int(sizes.sum()), data.dim))
        y = np.empty(X.shape[0])
        task, pos, _ = _row_positions(sizes)
        lev = ~hid[task]
        if lev.any():
            X[lev], y[lev] = super().craft(data, idx[~hid], ctx, rng)
        if not hid.any():
            return X, y
        u, _ = self.directions(theta, a, ctx)
        rows = hid[task]
        b = comps[task[rows]]
        g = 0.25
        x_hi, y_hi = _screen(ctx, ctx.pool)
        room = 170.0 if x_hi is None else max(
            _MARGIN * x_hi * data.dim - g ** 2 * chi2.isf(1e-5, data.dim - 1), 1.0)
        H = min(self.hide_lever, float(np.sqrt(room)))
        Z = rng.standard_normal((int(rows.sum()), data.dim))
        Z -= np.outer(Z @ u, u)
        on = pos[rows] < self.hide_rows          # the hiding rows: leverage H along u
        Z[on] *= g
        Z[on] += np.outer(H * rng.choice([-1.0, 1.0], size=int(on.sum())), u)
        X[rows] = Z
        y[rows] = (np.einsum("ij,ji->i", Z, theta.W[:, b])
                   + theta.s[b] * rng.standard_normal(b.size))
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
