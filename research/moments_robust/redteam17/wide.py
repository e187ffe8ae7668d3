"""A research-only attack, ``wide_lever``: ``hidden_lever`` (this folder's
copy of the sixteenth team's attack) with every row of the adversary's own
tasks widened by ``g_rest`` across the directions ⊥ u.

The refit weighs a direction as a spike where the component's per-example
moment M = mean r² x xᵀ is inflated beyond 1.2 times its *median*
eigenvalue. Rows whose covariates are wider ⊥ u (same residuals, the
response moved with the covariates, so each row's residual and the task's
residual sum of squares are unchanged) raise M in every other direction,
and with it the median, without touching M along u: the lever rows may
then carry more of M along u before u is read as inflated. The Gram matrix
rises by the same share in every direction ⊥ u, below the spike test's
1.15 against the other components for g_rest² − 1 ≲ 0.15/ε (ε the
adversary's share of the component's rows).

Registered on import (research use; the package's catalogue is untouched).
"""
import numpy as np

from robust_mlr.adversary._base import register
from robust_mlr.adversary._whitebox import component_index
from robust_mlr.adversary.edge import _MARGIN, _screen

from hidden import HiddenLever


@register
class WideLever(HiddenLever):
    """``hidden_lever`` with the own tasks' rows widened ⊥ u by ``g_rest``."""

    name = "wide_lever"

    def __init__(self, g_rest=1.0, **kw):
        super().__init__(**kw)
        self.g_rest = float(g_rest)

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if self.g_rest == 1.0:
            return X, y
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        u = self._u(theta, a, ctx)
        idx = np.asarray(idx)
        rows = np.repeat(data.components[idx] == a, data.sizes[idx])
        Xp = X[rows] - np.outer(X[rows] @ u, u)
        X[rows] += (self.g_rest - 1.0) * Xp
        y[rows] += (self.g_rest - 1.0) * (Xp @ theta.W[:, a])
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
