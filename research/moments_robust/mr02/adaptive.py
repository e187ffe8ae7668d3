"""mr02: adaptive variants against the new inflated-direction rule
(research only; registered on import).

``decoy_grad``: rt21's ``decoy_lever`` with a share ``g_tasks`` of the
adversary's tasks replaced by *gradient decoys inside the pairs' span*:
whole tasks of the model w + sgn·``g_shift``·s·v, v one of the first
``g_dirs`` pair directions (random sign per task), so that the gradient
covariance C is raised along a pair direction that M also inflates; the
new rule weighs C's top direction within the inflated span, which the
adversary wants to be v, not u.

    export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21:research/moments_robust/mr02 OMP_NUM_THREADS=1
    python3 research/moments_robust/mr02/adaptive.py --seed 1 --row '{"attack":"decoy_grad",...}'
"""
import os
import sys

import numpy as np

import decoy
from robust_mlr.adversary._base import register
from robust_mlr.adversary._whitebox import component_index
from robust_mlr.adversary.edge import _row_positions


@register
class DecoyGrad(decoy.DecoyLever):
    name = "decoy_grad"

    def __init__(self, g_tasks=0.2, g_shift=2.0, g_dirs=1, **kw):
        super().__init__(**kw)
        self.g_tasks, self.g_shift, self.g_dirs = float(g_tasks), float(g_shift), int(g_dirs)

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        task, pos, n = _row_positions(sizes)
        w, s = theta.W[:, a], float(theta.s[a])
        d = w.size
        u = self._u(theta, a, ctx)
        drng = np.random.default_rng([self.d_seed, 2121])
        nd = max(self.ndecoy, 0)
        B = np.linalg.qr(np.column_stack([theta.W, u, drng.standard_normal((d, nd + self.c_dirs))]))[0]
        k1 = theta.W.shape[1] + 1
        V = B[:, k1:k1 + max(self.g_dirs, 1)]
        m = sizes.size
        gd = np.zeros(m, bool)
        gd[rng.permutation(m)[:int(round(self.g_tasks * m))]] = True
        rows = gd[task]
        Xg = rng.standard_normal((int(rows.sum()), d))
        jt = rng.integers(V.shape[1], size=m)
        sg = rng.choice([-1.0, 1.0], size=m)
        wg = w[None, :] + self.g_shift * s * (sg[:, None] * V[:, jt].T)
        X[rows] = Xg
        y[rows] = np.einsum("ij,ij->i", Xg, wg[task[rows]]) + s * rng.standard_normal(Xg.shape[0])
        return X, y


if __name__ == "__main__":
    import rt21
    rt21.main()
