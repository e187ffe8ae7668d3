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
lever rows), ``d_lever`` a, ``d_resid`` r, ``ndecoy`` J (``vdirs``: a .npy (d, ≥ J) whose first J columns,
made ⊥ u, are the directions instead),
``lever_tasks`` the share of the adversary's tasks that keep their lever
rows; ``c_tasks`` the share that are instead *gradient decoys*: whole tasks
of the shifted model w + sgn·``c_shift``·s·v (v one of ``c_dirs``
directions ⊥ u and the pairs' directions, sgn random per task), which
raise the first round's gradient covariance along v (mean zero) so that
the top directions of C and of its ratio to M, which the task clip reads,
are v's rather than u.
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
                 lever_tasks=1.0, c_tasks=0.0, c_shift=1.0, c_dirs=2, vdirs=None, **kw):
        super().__init__(**kw)
        self.npairs, self.d_lever, self.d_resid = int(npairs), float(d_lever), float(d_resid)
        self.ndecoy, self.d_seed = int(ndecoy), int(d_seed)
        self.lever_tasks = float(lever_tasks)
        self.c_tasks, self.c_shift, self.c_dirs = float(c_tasks), float(c_shift), int(c_dirs)
        self.vdirs = vdirs

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
        drng = np.random.default_rng([self.d_seed, 2121])
        nd = max(self.ndecoy, 0)
        B = np.linalg.qr(np.column_stack([theta.W, u,
                                          drng.standard_normal((d, nd + self.c_dirs))]))[0]
        k1 = theta.W.shape[1] + 1
        V = B[:, k1:k1 + nd]
        Vc = B[:, k1 + nd:k1 + nd + self.c_dirs]
        if self.vdirs is not None:               # chosen decoy directions (white box)
            Vw = np.load(self.vdirs)[:, :nd]
            Vw = Vw - np.outer(u, u @ Vw)
            V = np.linalg.qr(Vw)[0]
        P = np.column_stack([u, V])
        # gradient decoys: the last c_tasks share of the tasks, whole tasks of
        # a model shifted along one of Vc (random sign)
        gd = np.zeros(m, bool)
        if self.c_tasks > 0:
            gd[rng.permutation(m)[:int(round(self.c_tasks * m))]] = True
            rows_gd = gd[task]
            Xg = rng.standard_normal((int(rows_gd.sum()), d))
            tg = task[rows_gd]
            jt = rng.integers(self.c_dirs, size=m)
            sg = rng.choice([-1.0, 1.0], size=m)
            wg = w[None, :] + self.c_shift * s * (sg[:, None] * Vc[:, jt].T)
            X[rows_gd] = Xg
            y[rows_gd] = np.einsum("ij,ij->i", Xg, wg[tg]) + s * rng.standard_normal(Xg.shape[0])
        if self.npairs <= 0 or self.ndecoy <= 0:
            return X, y
        q = pos - self.rows
        inpair = (q >= 0) & (q < 2 * self.npairs) & ~gd[task]
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
