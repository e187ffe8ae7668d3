"""A ladder of leverage: light-2 tasks that cost the task filter its rounds.

The task filter (``regression="filter"``) removes, each draw, the tasks
whose gradient score along the failing direction is above one uniform
threshold on [0, max score]. :class:`Ladder` writes the adversary's tasks
in groups, each pushing along its own direction v_g ⊥ span W, and within a
group as a geometric ladder of leverage: rung j has |x·v_g| = L·ρ^(−j/2),
so its score is a factor ρ below the rung above and a draw takes about
one rung. Consecutive tasks of a rung push with opposite signs, so least
squares does not move (W stays at its clean error) while each group keeps
the test failing until its last rung is gone. With one draw a round and a
refit after each, this cost a pass over the rows per rung: 13.4× the clean
fit's time at 320 000 light-2 tasks, silently (an independent red team;
docs/adversary.md). The filter now keeps drawing at the same fit until
its test passes there before it refits; the attack stays in the package
to measure that.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError
from ._base import Attack, register

__all__ = ["Ladder"]


@register
class Ladder(Attack):
    """Light-2 tasks in groups along directions ⊥ span W, each group a
    ladder of leverage (module docstring).

    Each replaced task keeps its own component a (a random one for a task
    without); task i belongs to group i mod ``directions`` and to rung
    (i div ``directions``) mod ``levels``. Every row has x·v_g = ±L_j (sign
    at random), the other coordinates standard Gaussian, and response
    xᵀw_a + σ·``residual``·s_a·sign(x·v_g), σ = ±1 alternating between
    consecutive tasks of a group (``balance``) so that the pushes cancel in
    least squares.

    Parameters
    ----------
    directions : int
        Number of groups, ≥ 1 (default 16). Orthonormal directions ⊥ span W
        while they fit (d − k of them), random unit vectors ⊥ span W beyond.
    levels : int
        Rungs per group, ≥ 1 (default 2).
    ratio : float
        Score ratio ρ > 1 between consecutive rungs (default 1.5).
    lever : float
        Leverage L of the top rung, in units of the clean RMS (default 8.7,
        inside the screen's limit on the default problem).
    residual : float
        Residual of every row in units of s_a (default 1.85).
    balance : bool
        Alternate the push's sign between consecutive tasks of a group
        (default True).
    """

    name, stage, targets = "ladder", "regression", ("light2",)

    def __init__(self, directions=16, levels=2, ratio=1.5, lever=8.7, residual=1.85,
                 balance=True):
        self.directions, self.levels = int(directions), int(levels)
        self.ratio, self.lever, self.residual = float(ratio), float(lever), float(residual)
        self.balance = bool(balance)
        if self.directions < 1 or self.directions != directions:
            raise ValidationError(f"directions must be an integer >= 1, got "
                                  f"directions={directions!r}")
        if self.levels < 1 or self.levels != levels:
            raise ValidationError(f"levels must be an integer >= 1, got levels={levels!r}")
        if not (self.ratio > 1 and self.lever > 0 and self.residual >= 0):
            raise ValidationError(f"need ratio > 1, lever > 0 and residual >= 0, got "
                                  f"ratio={ratio}, lever={lever}, residual={residual}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        W, s, d, m = theta.W, theta.s, data.dim, idx.size
        sizes = data.sizes[idx]
        task = np.repeat(np.arange(m), sizes)
        comp = data.components[idx] if data.components is not None else np.full(m, -1)
        comp = np.where(comp < 0, rng.integers(0, theta.k, m), comp)
        Q = np.linalg.qr(W)[0]
        V = rng.standard_normal((d, self.directions))
        V -= Q @ (Q.T @ V)
        if self.directions <= d - theta.k:
            V = np.linalg.qr(V)[0]
        else:
            V /= np.maximum(np.linalg.norm(V, axis=0), 1e-300)
        group, rank = np.arange(m) % self.directions, np.arange(m) // self.directions
        lever = self.lever * self.ratio ** (-(rank % self.levels) / 2.0)
        v = V[:, group[task]].T                                    # (N, d): each row's v_g
        X = rng.standard_normal((task.size, d))
        X -= np.einsum("ij,ij->i", X, v)[:, None] * v
        z = lever[task] * rng.choice([-1.0, 1.0], size=task.size)
        X += z[:, None] * v
        sign = np.where((rank % 2 == 1) & self.balance, -1.0, 1.0)[task]
        y = (np.einsum("ij,ji->i", X, W[:, comp[task]])
             + self.residual * s[comp[task]] * np.sign(z) * sign)
        return X, y
