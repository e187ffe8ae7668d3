"""A research-only variant of ``shaped_lever`` whose u-decoys pull too.

``biased_lever`` is :class:`~robust_mlr.adversary.ShapedLever` with the
decoys' residual s b (σ ρ_d + β) instead of s b σ ρ_d (b the sign of the
decoy's x·u, σ = ±1 balanced over tasks, β = ``u_bias``): each decoy at
leverage A_d pulls the least squares by A_d β s along u. Beyond the
refit's Mallows reach and concentrated in one bin, the decoys weigh little
in the clipped refit, so they pull the filter's least-squares fit and
hardly the refit: the two move together, by as much as the shaped lever
rows move the refit. With ``direction: "tilde"`` the bias also *lowers*
the decoys' residual at the clean fit W̃ (already displaced along u) when
β ≈ A_d u·(W̃ − w)/s.

Registered on import (research use; the package's catalogue is untouched).
"""
import numpy as np

from robust_mlr.adversary import ShapedLever
from robust_mlr.adversary._base import register
from robust_mlr.adversary._whitebox import component_index
from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen


@register
class BiasedLever(ShapedLever):
    """ShapedLever with biased u-decoys (module docstring); ``u_bias`` β."""

    name = "biased_lever"

    def __init__(self, u_bias=0.0, **kw):
        super().__init__(**kw)
        self.u_bias = float(u_bias)

    def craft(self, data, idx, ctx, rng):
        X, y = super().craft(data, idx, ctx, rng)
        if self.u_decoys == 0 or self.u_bias == 0:
            return X, y
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        u, _ = self.directions(theta, a, ctx)
        s = float(theta.s[a])
        task, pos, _ = _row_positions(sizes)
        rows = np.flatnonzero(pos >= sizes[task] - self.reserved(sizes)[task])
        b = np.sign(X[rows] @ u)
        y[rows] += s * b * self.u_bias
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
