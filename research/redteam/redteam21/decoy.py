"""Research-only attack ``decoy_lever`` (registered on import): the
sixteenth red team's ``hidden_lever`` (lever rows pushing component a
along u) plus *decoy pairs* that widen the task clip's read set.

The task clip (``robust_mlr.stages.regression._task_clip``) weighs each
task by min(1, κ/z), z the largest |score|/spread over its component's
read directions, and every direction where the first round's per-example
moment M is inflated is read.  A clean task's z is the largest of m
roughly normal scores: the more directions are read, the more clean
tasks lose weight (the component's stiffness falls), while a task built
to score nothing along the extra directions keeps its weight.

Each decoy pair is two rows x₁ = a v_j + g, x₂ = −x₁ (g random ⊥ u and
the decoy directions) with the same residual r s (random sign per pair):
their scores ψ(r)(x·v) cancel in the task's sum along every direction,
while each row adds r² a² along v_j to M.  Pairs cycle over ``ndecoy``
orthonormal directions ⊥ span(W), u.

Parameters beyond hidden_lever's: ``npairs`` pairs per task (after the
lever rows), ``d_lever`` a, ``d_resid`` r, ``ndecoy`` J,
``d_share`` the share of the adversary's tasks that carry pairs.
"""
import numpy as np

import hidden  # noqa: F401  (registers hidden_lever)
from hidden import HiddenLever
from robust_mlr.adversary._base import register
from robust_mlr.adversary._whitebox import component_index
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen


@register
class DecoyLever(HiddenLever):
    """hidden_lever plus decoy pairs inflating M along many directions."""

    name = "decoy_lever"

    def __init__(self, npairs=6, d_lever=5.0, d_resid=2.0, ndecoy=24, d_seed=0,
                 lever_tasks=1.0, **kw):
        super().__init__(**kw)
        self.npairs, self.d_lever, self.d_resid = int(npairs), float(d_lever), float(d_resid)
        self.ndecoy, self.d_seed = int(ndecoy), int(d_seed)
        self.lever_tasks = float(lever_tasks)

    def craft(self, data, idx, ctx, rng):
        X, y = self._craft(data, idx, ctx, rng)
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        task, pos, n = _row_positions(sizes)
        w, s = theta.W[:, a], float(theta.s[a])
        d = w.size
        u = self._u(theta, a, ctx)
        m = sizes.size
        # tasks without lever rows (lever_tasks < 1): their lever rows clean again
        nolev = np.zeros(m, bool)
        nolev[rng.permutation(m)[int(round(self.lever_tasks * m)):]] = True
        lev = (pos < self.rows) & nolev[task]
        if lev.any():
            Xl = rng.standard_normal((int(lev.sum()), d))
            X[lev] = Xl
            y[lev] = Xl @ w + s * rng.standard_normal(Xl.shape[0])
        if self.npairs <= 0 or self.ndecoy <= 0:
            return X, y
        drng = np.random.default_rng([self.d_seed, 2121])
        B = np.linalg.qr(np.column_stack([theta.W, u, drng.standard_normal((d, self.ndecoy))]))[0]
        V = B[:, theta.W.shape[1] + 1:theta.W.shape[1] + 1 + self.ndecoy]
        P = np.column_stack([u, V])
        q = pos - self.rows
        inpair = (q >= 0) & (q < 2 * self.npairs)
        first = inpair & (q % 2 == 0)
        fi = np.flatnonzero(first)
        # pair number within the whole attack: cycles over the directions
        j = (task[fi] * self.npairs + q[fi] // 2) % self.ndecoy
        g = rng.standard_normal((fi.size, d))
        g -= (g @ P) @ P.T
        x1 = g + self.d_lever * V[:, j].T
        b = rng.choice([-1.0, 1.0], size=fi.size)
        X[fi] = x1
        y[fi] = x1 @ w + s * self.d_resid * b
        X[fi + 1] = -x1
        y[fi + 1] = -x1 @ w + s * self.d_resid * b
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
