"""EdgeLever: lever rows sized from the light-2 filter's sampling allowances.

White box (the adversary knows theta, the pool sizes and the learner's
allowances). In ``rows`` examples of each replaced task of component a,
x = A u + g (u a fixed unit vector ⊥ span W, g Gaussian ⊥ u); the task's
other examples are Gaussian with x·u = 0, which lowers the component's
second moment along u and so frees room for the levers. A is the largest
leverage that keeps

* the component's covariate second moment along u under ``spike`` times
  ``ratio_edge(d, N_c, N_o)`` times the others' (no spike direction, hence
  no Mallows or density weights), and
* its per-example moment r² x xᵀ along u under ``inflate`` times
  ``inflated_edge(d, N)`` times its median (no inflated direction, hence u
  neither weighed nor read as one),

with the lever residual at the moved least-squares fit equal to ``resid``·s
(≤ 1.5: the Huber refit clips nothing and agrees with least squares). The
residual at w_a is resid + A δ, δ the predicted move. ``lever`` caps A.
``noise`` is the other rows' noise in units of s. ``u_vec``: u itself
(white box: e.g. the clean fit's error of the target, so the push adds to
it), default the fixed direction ⊥ span W.

``hide`` > 0 writes that share of the tasks in the other components
instead (``hide_rows`` rows each at ±``hide_lever`` along u, clean
residuals under their own component): their second moment along u, the
spike test's reference, rises, and the levers get that much more room.
"""
import numpy as np

from robust_mlr.adversary._base import Attack, register
from robust_mlr.adversary._craft import fixed_direction
from robust_mlr.adversary._whitebox import OwnComponentTasks, component_index
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen
from robust_mlr.stages.regression._clipped_test import inflated_edge, ratio_edge


@register
class EdgeLever(OwnComponentTasks, Attack):
    name, stage, targets = "edge_lever", "regression", ("light2",)

    def __init__(self, component="smallest", spike=0.95, inflate=0.95, rows=1, resid=1.5,
                 lever=14.0, balance=0.0, noise=1.0, hide=0.0, hide_lever=8.0, hide_rows=2,
                 u_vec=None):
        self.component, self.spike, self.inflate = component, float(spike), float(inflate)
        self.rows, self.resid, self.lever = int(rows), float(resid), float(lever)
        self.balance, self.noise = float(balance), float(noise)
        self.hide, self.hide_lever, self.hide_rows = float(hide), float(hide_lever), int(hide_rows)
        self.u_vec = None if u_vec is None else np.asarray(u_vec, float)

    def choose(self, data, n_bad, ctx, rng):
        """The target's tasks first; a share ``hide`` among the others'."""
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        n_hide = int(np.floor(self.hide * n_bad))
        own = super().choose(data, n_bad - n_hide, ctx, rng)
        if n_hide == 0:
            return own
        free = np.ones(data.n_tasks, bool)
        free[own] = False
        pool = np.flatnonzero(free & (data.components != a))
        return np.sort(np.concatenate([own, rng.choice(pool, size=n_hide, replace=False)]))

    def plan(self, data, n_bad, theta, a, n_hide=0):
        """(A, δ, r0): the leverage, predicted move (units of s) and residual at w_a."""
        d, t = data.dim, float(np.median(data.sizes))
        n_rows = float(data.sizes.sum())
        n_bad = n_bad - n_hide
        N_c = max(theta.p[a] * n_rows - n_bad * t, 1.0)      # clean rows left in the component
        T = n_bad * t
        N_o = n_rows - theta.p[a] * n_rows
        n_l = n_bad * min(self.rows, int(t))
        # spike: (N_c + n_l A²)/(N_c + T) ≤ spike · edge  (others at unit moment)
        er = ratio_edge(d, N_c + T, N_o)
        other = 1.0 + n_hide * min(self.hide_rows, t) * self.hide_lever ** 2 / N_o
        mass_r = max(self.spike * er * other * (N_c + T) - N_c, 0.0)
        # inflated: (N_c + n_l A² r²)/(N_c + T − n_l) ≤ inflate · edge  (s = 1 units)
        em = inflated_edge(d, N_c + T)
        m_room = max(self.inflate * em * (N_c + T - n_l) - N_c, 0.0)
        A2 = mass_r / n_l
        A2 = min(A2, m_room / (n_l * self.resid ** 2), self.lever ** 2)
        A = float(np.sqrt(A2))
        delta = n_l * A * self.resid / (N_c + n_l * A2)
        return A, delta, self.resid + A * delta

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        d = data.dim
        u = (fixed_direction(theta.W) if self.u_vec is None
             else self.u_vec / np.linalg.norm(self.u_vec))
        comps = data.components[idx]
        hid = comps != a
        A, delta, r0 = self.plan(data, idx.size, theta, a, int(hid.sum()))
        self.last_plan = (A, delta, r0)
        task, pos, n = _row_positions(sizes)
        X = rng.standard_normal((n, d))
        X -= np.outer(X @ u, u)
        lev = (pos < self.rows) & ~hid[task]
        sign = np.where(rng.random(n) < self.balance, -1.0, 1.0)   # a share on the other side
        X[lev] += np.outer(A * sign[lev], u)
        s = float(theta.s[a])
        y = X @ theta.W[:, a] + self.noise * s * rng.standard_normal(n)
        # the lever's residual r0 s, its sign flipped with its side along u
        # (a lever at −A pulls the same way as one at +A)
        y[lev] = X[lev] @ theta.W[:, a] + sign[lev] * r0 * s
        hr = hid[task]
        if hr.any():                             # hiding rows: clean under their own component
            b = comps[task[hr]]
            on = hr & (pos < self.hide_rows)
            X[on] += np.outer(self.hide_lever * rng.choice([-1.0, 1.0], size=int(on.sum())), u)
            y[hr] = (np.einsum("ij,ji->i", X[hr], theta.W[:, b])
                     + theta.s[b] * rng.standard_normal(b.size))
        x_hi, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
