"""A shift carried by one high-leverage example per task, against a gradient
filter whose clean reference is the per-example moment.

The regression filter whitens the gradients' covariance C by the
per-example moment M = mean r² x xᵀ and stops when the top eigenvalue of
M^{-1/2} C M^{-1/2} is within the Marchenko–Pastur edge. A task's gradient
t^{-1/2} Σ_j r_j x_j adds (Σ_j r_j x_j·u)²/t to C along u and
Σ_j r_j² (x_j·u)²/t to M: the two are equal when a single example carries
the task's whole residual-times-leverage along u, and C exceeds M by up
to the number of examples that carry it coherently. An edge placement
(every example at w_a + δ s_a u, Gaussian designs) is coherent over all t
examples and whitening exposes it; :class:`LeverShift` writes the same
pull on ŵ with one example per task:

* example 0: x = A u + g (g ⊥ u, v), y = xᵀw_a + ρ_u s_a. Its pull on the
  least squares along u is A ρ_u; for a given residual budget ρ_u² the
  least-squares shift is the edge placement's (the pull per unit of RSS
  depends on Σ_j (x_j·u)² only), but the coherence is one example's;
* example 1 (``decoy`` > 0): x = A_v b v + g (b = ±1), y = xᵀw_a +
  σ_i b ρ_v s_a with σ_i = ±1 balanced over tasks: variance along v ⊥ u
  with no coherence either, so that the light-median step (which looks
  along the top eigenvector of the *unwhitened* C) looks along v and
  leaves the shift along u;
* the other examples: x ⊥ u, v (``orth``) or Gaussian, y = xᵀw_a +
  ``noise``·s_a·N(0, 1).

Each task's RSS at w_a is ρ_u² + ρ_v² (+ noise), a clean-looking value
when it is within the classification's tolerance. A share ``far_share`` of
the tasks has the larger residual ``far`` instead: the classification at
W̃ leaves them out, but once the others have moved ŵ by ε along u (far
enough from W̃ for the classification to run again at ŵ) their lever
residual there is ``far`` − Aε and they join the component's class.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import fixed_direction
from ._whitebox import component_index, pick_tasks
from .edge import _MARGIN, _screen, _task_rows
from .median_attacks import decoy_direction
from .park_attacks import _leverage

__all__ = ["LeverShift", "lever_examples"]


def lever_examples(sizes, w, s, u, v, amp_u, rho_u, amp_v, rho_v, signs, noise, orth, rng):
    """Examples of tasks whose first example carries the shift along ``u``
    and whose second carries a balanced decoy along ``v`` (module docstring).

    Parameters
    ----------
    sizes : ndarray of int (m,)
        Task sizes, each ≥ 2 when ``rho_v`` > 0.
    w : ndarray (d,)
    s : float
    u, v : ndarray (d,)
        Orthonormal directions.
    amp_u, rho_u : float
        Leverage along u and residual (units of s) of example 0.
    amp_v, rho_v : float
        Leverage along v and residual (units of s) of example 1 (none when
        rho_v is 0).
    signs : ndarray (m,)
        ±1 per task: the decoy's sign.
    noise : float
        Noise of the other examples, units of s.
    orth : bool
        Whether the other examples' designs are ⊥ u, v.
    rng : Generator

    Returns
    -------
    X : ndarray (Σ sizes, d)
    y : ndarray (Σ sizes,)
    """
    sizes = np.asarray(sizes)
    task, start = _task_rows(sizes)
    N = int(sizes.sum())
    pos = np.arange(N) - start[task]
    G = rng.standard_normal((N, u.size))
    P = np.column_stack([u, v])
    lev_u = pos == 0
    lev_v = (pos == 1) & (rho_v > 0)
    proj = lev_u | lev_v | bool(orth)
    G[proj] -= (G[proj] @ P) @ P.T
    b = rng.choice([-1.0, 1.0], size=N)
    X = G
    X[lev_u] += amp_u * u
    X[lev_v] += (amp_v * b[lev_v])[:, None] * v
    r = noise * rng.standard_normal(N)
    r[lev_u] = np.broadcast_to(np.asarray(rho_u, float), sizes.shape)
    r[lev_v] = np.asarray(signs, float)[task[lev_v]] * b[lev_v] * rho_v
    y = X @ w + s * r
    return X, y


@register
class LeverShift(Attack):
    """Shift along u carried by one high-leverage example per task, with a
    balanced decoy example along v (module docstring).

    ⌊αn⌋ light tasks of component ``component`` are replaced, its own tasks
    first.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Default "smallest".
    shift : float
        ρ_u, the lever example's residual at w_a in units of s_a (default 5.5).
    lever : float
        A, its leverage along u (default 5; capped at the screen's room).
    decoy : float
        ρ_v, the decoy example's residual in units of s_a (default 2.5; 0: none).
    decoy_level : float
        In (0, 1]: share of the screen's room used as the decoy's leverage
        (default 0.9).
    noise : float
        The other examples' noise in units of s_a (default 0).
    orth : bool
        The other examples' designs ⊥ u, v (default True).
    far : float
        The lever residual of the last ``far_share`` of the tasks (units of
        s_a; default 0: none).
    far_share : float
        In [0, 1) (default 0).
    """

    name, stage, targets = "lever_shift", "regression", ("light2",)

    def __init__(self, component="smallest", shift=5.5, lever=5.0, decoy=2.5,
                 decoy_level=0.9, noise=0.0, orth=True, far=0.0, far_share=0.0):
        self.component = component
        self.shift, self.lever, self.decoy = float(shift), float(lever), float(decoy)
        self.decoy_level, self.noise, self.orth = float(decoy_level), float(noise), bool(orth)
        self.far, self.far_share = float(far), float(far_share)
        if not 0 <= self.far_share < 1:
            raise ValidationError(f"need 0 <= far_share < 1, got far_share={far_share}")
        if not (self.lever > 0 and self.decoy >= 0 and self.noise >= 0
                and 0 < self.decoy_level <= 1):
            raise ValidationError(f"need lever > 0, decoy >= 0, noise >= 0 and "
                                  f"0 < decoy_level <= 1, got lever={lever}, decoy={decoy}, "
                                  f"noise={noise}, decoy_level={decoy_level}")

    def choose(self, data, n_bad, ctx, rng):
        a = component_index(ctx.need_theta(self.name), self.component)
        return pick_tasks(data, n_bad, rng, "component", a)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        d = data.dim
        room = _leverage(ctx, d, 1.0) ** 2
        amp_u = min(self.lever, np.sqrt(room))
        amp_v = _leverage(ctx, d, self.decoy_level)
        signs = np.where(np.arange(idx.size) % 2 == 0, 1.0, -1.0)
        rho = np.full(idx.size, self.shift)
        n_far = int(np.floor(self.far_share * idx.size))
        if n_far:
            rho[idx.size - n_far:] = self.far
        X, y = lever_examples(data.sizes[idx], theta.W[:, a], float(theta.s[a]),
                              fixed_direction(theta.W), decoy_direction(theta.W), amp_u,
                              rho, amp_v, self.decoy, signs, self.noise, self.orth, rng)
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
