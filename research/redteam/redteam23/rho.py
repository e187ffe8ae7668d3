"""Research-only attack ``rho_lever`` (registered on import): the twenty-first
team's ``decoy_lever`` on the target component, plus tasks of *other*
components filled with pairs x, -x (same residual r s, random sign per
pair), meant to raise those components' per-example moment M_o without
moving anything a gradient or first-moment reading sees.

The regression stage's inflated-direction level is
min(med λ(M_c), ŝ_c² ρ̄), ρ̄ the lower median over components of
med λ(M_o)/ŝ_o²: pairs in more than half of the components raise ρ̄ and
with it the target's level, so that stronger lever rows stay under it.

Parameters beyond decoy_lever's:
``o_comps`` list of other (true) component indices; ``o_tasks`` tasks of
each (taken out of the budget); ``o_sigma`` the pairs' covariate scale
(x = o_sigma · g, g standard normal in all d coordinates, or spread over
``o_dirs`` orthonormal directions ⊥ span(W) at ``o_a`` plus o_sigma · g
when o_dirs > 0); ``o_resid`` r; ``o_pairs`` pairs per task (the rest
clean rows).
"""
import numpy as np

import decoy  # noqa: F401
from decoy import DecoyLever
from robust_mlr.adversary._base import register
from robust_mlr.adversary._whitebox import component_index, pick_tasks
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen


@register
class RhoLever(DecoyLever):
    name = "rho_lever"

    def __init__(self, o_comps=(), o_tasks=0, o_sigma=1.5, o_resid=1.5, o_pairs=8,
                 o_dirs=0, o_a=10.0, **kw):
        super().__init__(**kw)
        self.o_comps = [int(c) for c in o_comps]
        self.o_tasks, self.o_sigma, self.o_resid = int(o_tasks), float(o_sigma), float(o_resid)
        self.o_pairs, self.o_dirs, self.o_a = int(o_pairs), int(o_dirs), float(o_a)

    def choose(self, data, n_bad, ctx, rng):
        n_o = self.o_tasks * len(self.o_comps)
        own = super().choose(data, n_bad - n_o, ctx, rng)
        theta = ctx.need_theta(self.name)
        out = [own]
        for c in self.o_comps:
            b = component_index(theta, c)
            cand = pick_tasks(data, data.n_tasks, rng, "component", b)
            cand = cand[data.components[cand] == b]
            cand = np.setdiff1d(cand, np.concatenate(out))
            out.append(rng.choice(cand, self.o_tasks, replace=False))
        return np.sort(np.concatenate(out))

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if not self.o_comps:
            return X, y
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        task, pos, n = _row_positions(sizes)
        comp = data.components[idx]
        oth = comp[task] != a
        d = theta.W.shape[0]
        c = comp[task[oth]]
        Xo = rng.standard_normal((int(oth.sum()), d))
        yo = np.einsum("ij,ji->i", Xo, theta.W[:, c]) + theta.s[c] * rng.standard_normal(Xo.shape[0])
        po = pos[oth]
        first = (po % 2 == 0) & (po < 2 * self.o_pairs) & (po + 1 < sizes[task[oth]])
        fi = np.flatnonzero(first)
        g = self.o_sigma * rng.standard_normal((fi.size, d))
        if self.o_dirs > 0:
            drng = np.random.default_rng([self.d_seed, 2323])
            B = np.linalg.qr(np.column_stack([theta.W, drng.standard_normal((d, self.o_dirs))]))[0]
            V = B[:, theta.W.shape[1]:]
            j = np.arange(fi.size) % self.o_dirs
            g = g + self.o_a * V[:, j].T
        cf = c[fi]
        sf = theta.s[cf]
        b = rng.choice([-1.0, 1.0], size=fi.size)
        wx = np.einsum("ij,ji->i", g, theta.W[:, cf])
        Xo[fi], yo[fi] = g, wx + sf * self.o_resid * b
        Xo[fi + 1], yo[fi + 1] = -g, -wx + sf * self.o_resid * b
        X[oth], y[oth] = Xo, yo
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


@register
class UPairLever(DecoyLever):
    """decoy_lever whose last ``u_pairs`` pairs of rows per task lie along u
    itself: x = ±(u_lever u + g), g ⊥ u, same residual u_resid s (random
    sign per pair). Their refit scores cancel in the task's sum, and each
    adds (min(u_resid, 1.5) u_lever)² to the score reading's reference along
    u — and u_resid² u_lever² to M along u, which the rows-4 family leaves
    below the inflated edge (0.92-0.95): headroom spent on diluting the
    score reading, the one that binds."""

    name = "upair_lever"

    def __init__(self, u_pairs=1, u_lever=1.5, u_resid=1.5, **kw):
        super().__init__(**kw)
        self.u_pairs, self.u_lever, self.u_resid = int(u_pairs), float(u_lever), float(u_resid)

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if self.u_pairs <= 0:
            return X, y
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        task, pos, n = _row_positions(sizes)
        w, s = theta.W[:, a], float(theta.s[a])
        u = self._u(theta, a, ctx)
        back = sizes[task] - pos                  # 1 for a task's last row
        first = (back <= 2 * self.u_pairs) & (back % 2 == 0) & (pos >= self.rows)
        fi = np.flatnonzero(first)
        g = rng.standard_normal((fi.size, w.size))
        g -= np.outer(g @ u, u)
        x1 = g + self.u_lever * u
        b = rng.choice([-1.0, 1.0], size=fi.size)
        X[fi], y[fi] = x1, x1 @ w + s * self.u_resid * b
        X[fi + 1], y[fi + 1] = -x1, -x1 @ w + s * self.u_resid * b
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


@register
class SelectLever(DecoyLever):
    """decoy_lever whose replaced tasks are *chosen*: the target's tasks
    whose clean score along u at the true w, Σ_j (y_j − x_j·w)(x_j·u)/s, is
    lowest (they pull the clean fit against u; removing them moves the
    clean remainder along u, the selection channel). ``sel`` 1: lowest
    first; 0: at random (decoy_lever's choice)."""

    name = "select_lever"

    def __init__(self, sel=1.0, sel_clip=None, **kw):
        super().__init__(**kw)
        self.sel = float(sel)
        # sel_clip c: score the tasks on the refit's Huber scores,
        # clip(r/s, ±c)(x·u), instead of the raw r(x·u)/s
        self.sel_clip = None if sel_clip is None else float(sel_clip)

    def choose(self, data, n_bad, ctx, rng):
        if self.sel <= 0:
            return super().choose(data, n_bad, ctx, rng)
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        mine = np.flatnonzero(data.components == a)
        u = self._u(theta, a, ctx)
        off = np.asarray(data.offsets)
        z = (data.y - data.X @ theta.W[:, a]) / float(theta.s[a])
        if self.sel_clip is not None:
            z = np.clip(z, -self.sel_clip, self.sel_clip)
        r = z * (data.X @ u)
        cs = np.concatenate([[0.0], np.cumsum(r)])
        score = cs[off[mine + 1]] - cs[off[mine]]
        order = mine[np.argsort(score, kind="stable")]
        m = min(n_bad, mine.size)
        return np.sort(order[:m])
