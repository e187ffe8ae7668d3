"""A research-only attack, ``hidden_lever``: push a component along u through
a few lever rows per task while keeping the component's covariate second
moment along u at the clean level, so that u is no spike direction and the
refit weighs the lever rows as clean rows (no Mallows or density weights).

Each of the adversary's tasks (component ``component``'s own tasks, as
``clip_lever``) keeps its clean covariates and responses except:

* ``rows`` lever rows with x·u = ``lever`` (same sign) and residual
  ``resid`` s at the true w (the refit clips it at 1.5 ŝ: the pull per row
  is 1.5 ŝ · lever whatever ``resid`` is beyond the clip once the fit moved);
* ``multi``: the share of the tasks with ``rows`` lever rows (the others
  carry one);
* ``n_neg`` rows at x·u = ``neg_lever`` with residual −``neg_resid`` s:
  in the clipped products (clip 2 ŝ) they count like a clean task's rows
  pulling back, in the refit's scores (residual clipped at 1.5 ŝ, times
  x·u) they cost little when x·u is small;
* ``pairs`` pairs of rows at x·u = ±``p_lever`` with the same residual
  ``p_resid`` s: their scores r (x·u) cancel in the task's sum (no push,
  nothing added to the gradients' covariance) and add to the per-example
  moment, the gradient test's reference;
* ``noise``: the other rows' noise level, in s;
* ``direction`` "tilde": u is W̃'s own error direction (as ``clip_lever``);
* ``direction`` a path to a ``.npy`` unit vector: u itself (batch16.py saves
  the clean fit's error of the component, ⊥ span(W): the push then adds to
  the error the learner makes on clean data instead of in quadrature);
* ``ndir`` > 1: the lever rows of a task go along ``ndir`` orthonormal
  directions (u and others ⊥ span(W)), row j along the (j mod ndir)-th;
  every other row ⊥ all of them (no pairs or n_neg rows then);
* ``others`` of the budget's tasks are taken from the other components
  instead: every row at x·u = ±``o_lever`` (other coordinates × ``o_g``),
  responses from their own component: the other components' covariate
  moment along u rises, and with it what the target's may reach before u is
  a spike direction (up to the covariate law's own limit);
* every other row has x·u = ``rest`` · (its clean x·u) (0: projected out),
  so that the task's Σ (x·u)² — what the spike detection reads — is the
  budget the lever and pair rows spend.

Registered on import (research use; the package's catalogue is untouched).
"""
import numpy as np

from robust_mlr.adversary._base import ATTACKS, Attack
from robust_mlr.adversary._craft import fixed_direction
from robust_mlr.adversary._whitebox import OwnComponentTasks, component_index
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen


class HiddenLever(OwnComponentTasks, Attack):
    """Lever rows with the task's Σ(x·u)² held at its clean level (module
    docstring)."""

    name, stage, targets = "hidden_lever", "regression", ("light2",)

    def __init__(self, component=6, rows=1, lever=4.5, resid=3.5, pairs=0, p_lever=3.0,
                 p_resid=3.0, rest=0.0, noise=1.0, share=1.0, n_neg=0, neg_lever=1.0,
                 neg_resid=2.0, direction="fixed", ndir=1, others=0, o_lever=13.0, o_g=0.55, multi=1.0):
        self.multi = float(multi)
        self.direction, self.ndir = direction, int(ndir)
        self.others, self.o_lever, self.o_g = int(others), float(o_lever), float(o_g)
        self.component, self.rows, self.lever, self.resid = component, int(rows), float(lever), float(resid)
        self.pairs, self.p_lever, self.p_resid = int(pairs), float(p_lever), float(p_resid)
        self.rest, self.noise, self.share = float(rest), float(noise), float(share)
        self.n_neg, self.neg_lever, self.neg_resid = int(n_neg), float(neg_lever), float(neg_resid)

    def choose(self, data, n_bad, ctx, rng):
        """``others`` tasks of the other components (at random), the rest
        the component's own."""
        own = super().choose(data, n_bad - self.others, ctx, rng)
        if self.others == 0:
            return own
        a = component_index(ctx.need_theta(self.name), self.component)
        pool = np.flatnonzero(data.components != a)
        pool = np.setdiff1d(pool, own)
        return np.sort(np.concatenate([own, rng.choice(pool, self.others, replace=False)]))

    def craft(self, data, idx, ctx, rng):
        X, y = self._craft(data, idx, ctx, rng)
        if self.others == 0:
            return X, y
        # the other components' tasks: every row at x·u = ±o_lever (its other
        # coordinates scaled by o_g, for the screen's norm limit), response
        # from its own component's model: they raise the other components'
        # covariate moment along u, the spike detection's reference
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        task, pos, n = _row_positions(sizes)
        comp = data.components[idx]
        oth = comp[task] != a
        u = self._u(theta, a, ctx)
        Xo = rng.standard_normal((int(oth.sum()), theta.W.shape[0]))
        Xo -= np.outer(Xo @ u, u)
        Xo *= self.o_g
        Xo += np.outer(self.o_lever * rng.choice([-1.0, 1.0], size=Xo.shape[0]), u)
        c = comp[task[oth]]
        X[oth] = Xo
        y[oth] = np.einsum("ij,ji->i", Xo, theta.W[:, c]) + theta.s[c] * rng.standard_normal(Xo.shape[0])
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y

    def _u(self, theta, a, ctx):
        u = fixed_direction(theta.W)
        if self.direction.endswith(".npy"):
            u = np.load(self.direction)
            u = u / np.linalg.norm(u)
        elif self.direction == "tilde":
            from robust_mlr.adversary.clip_attacks import _tilde_direction
            from robust_mlr.adversary.median_attacks import decoy_direction
            W_t = ((ctx.settings.get("thresholds") or {}).get("clustering") or {}).get("W_tilde")
            if W_t is not None:
                u = _tilde_direction(W_t, theta.W, a, decoy_direction(theta.W))
        return u

    def _craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        w, s = theta.W[:, a], float(theta.s[a])
        u = fixed_direction(theta.W)
        d = w.size
        task, pos, n = _row_positions(sizes)
        X = rng.standard_normal((n, d))
        y = X @ w + s * rng.standard_normal(n)
        if self.direction.endswith(".npy"):   # a saved unit vector (e.g. the clean fit's error)
            u = np.load(self.direction)
            u = u / np.linalg.norm(u)
        elif self.direction == "tilde":
            from robust_mlr.adversary.clip_attacks import _tilde_direction
            from robust_mlr.adversary.median_attacks import decoy_direction
            W_t = ((ctx.settings.get("thresholds") or {}).get("clustering") or {}).get("W_tilde")
            if W_t is not None:
                u = _tilde_direction(W_t, theta.W, a, decoy_direction(theta.W))
        m = sizes.size
        on = np.zeros(m, bool)
        on[rng.permutation(m)[:int(round(self.share * m))]] = True
        # ndir orthonormal directions ⊥ span(W): u first; lever row j of a
        # task goes along U[:, j % ndir] (each direction's covariate moment
        # is its own budget for the spike detection)
        U = np.linalg.qr(np.column_stack([theta.W, u, rng.standard_normal((d, self.ndir))]))[0]
        U = np.column_stack([u, U[:, theta.W.shape[1] + 1:theta.W.shape[1] + self.ndir]])
        xu = X @ u
        # a share ``multi`` of the tasks carries ``rows`` lever rows, the rest one
        nrow = (np.full(m, self.rows) if self.multi >= 1.0      # (no draw: older rows replay)
                else np.where(rng.random(m) < self.multi, self.rows, 1))
        lev = (pos < nrow[task]) & on[task]
        if self.ndir > 1:
            XU = X @ U
            X -= XU @ U.T                        # every row of the task ⊥ U ...
            X += np.outer(np.where(~lev & on[task], self.rest, 1.0) * 0 + 0.0, u)
            X[~on[task]] += XU[~on[task]] @ U.T
            li = np.flatnonzero(lev)
            j = pos[li] % self.ndir
            X[li] += self.lever * U[:, j].T      # ... the lever rows at A along their own
            y[lev] = X[lev] @ w + s * self.resid
            rest = ~lev & on[task]
            y[rest] = X[rest] @ w + self.noise * s * rng.standard_normal(int(rest.sum()))
            _, y_hi = _screen(ctx, ctx.pool)
            if y_hi is not None:
                y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
            return X, y
        pr = (pos >= self.rows) & (pos < self.rows + 2 * self.pairs) & on[task]
        k0 = self.rows + 2 * self.pairs
        ng = (pos >= k0) & (pos < k0 + self.n_neg) & on[task]
        rest = ~lev & ~pr & ~ng & on[task]
        X[ng] += np.outer(self.neg_lever - xu[ng], u)
        y[ng] = X[ng] @ w - s * self.neg_resid
        X[rest] += np.outer((self.rest - 1.0) * xu[rest], u)
        # the other rows' noise at ``noise`` s (room for the lever rows'
        # residuals in the task's residual sum of squares)
        y[rest] = X[rest] @ w + self.noise * s * rng.standard_normal(int(rest.sum()))
        X[lev] += np.outer(self.lever - xu[lev], u)
        y[lev] = X[lev] @ w + s * self.resid + self.noise * 0.0
        sg = np.where((pos[pr] - self.rows) % 2 == 0, 1.0, -1.0)
        X[pr] += np.outer(sg * self.p_lever - xu[pr], u)
        b = rng.choice([-1.0, 1.0], size=m)[task[pr]]
        y[pr] = X[pr] @ w + s * self.p_resid * b
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


# the replays of this red team's rows use this class under the built-in's name,
# as they did before register refused built-in names
ATTACKS[HiddenLever.name] = HiddenLever
