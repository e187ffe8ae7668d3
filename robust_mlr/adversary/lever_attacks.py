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
residual there is ``far`` − Aε and they join the component's class. A
share ``decoy_share`` (the first tasks) are pure decoys: no leverage along
u, decoy residual ``decoy_pure`` (for small budgets, where the shift
tasks alone cannot outweigh the shift's own variance along u).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import fixed_direction
from ._whitebox import component_index, OwnComponentTasks
from .edge import _MARGIN, _row_positions, _screen
from .median_attacks import decoy_direction

__all__ = ["LeverShift", "lever_examples"]


def lever_examples(sizes, w, s, u, v, amp_u, rho_u, amp_v, rho_v, signs, noise, orth, rng,
                   g_scale=1.0):
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
    amp_u, rho_u : float or ndarray (m,)
        Leverage along u and residual (units of s) of example 0.
    amp_v : float
        Leverage along v of example 1.
    rho_v : float or ndarray (m,)
        Its residual (units of s; none when all are 0).
    signs : ndarray (m,)
        ±1 per task: the decoy's sign.
    noise : float
        Noise of the other examples, units of s.
    orth : bool
        Whether the other examples' designs are ⊥ u, v.
    rng : Generator
    g_scale : float
        Scale of the lever examples' coordinates ⊥ u, v (default 1).

    Returns
    -------
    X : ndarray (Σ sizes, d)
    y : ndarray (Σ sizes,)
    """
    sizes = np.asarray(sizes)
    task, pos, N = _row_positions(sizes)
    G = rng.standard_normal((N, u.size))
    P = np.column_stack([u, v])
    lev_u = pos == 0
    rho_v = np.broadcast_to(np.asarray(rho_v, float), sizes.shape)
    amp_u = np.broadcast_to(np.asarray(amp_u, float), sizes.shape)
    lev_v = (pos == 1) & bool(np.any(rho_v > 0))
    proj = lev_u | lev_v | bool(orth)
    G[proj] -= (G[proj] @ P) @ P.T
    # only rows with leverage are scaled (the screen has a lower ‖x‖² limit too)
    G[(lev_u & (amp_u[task] > 0)) | lev_v] *= g_scale
    b = rng.choice([-1.0, 1.0], size=N)
    X = G
    X[lev_u] += amp_u[task[lev_u], None] * u
    X[lev_v] += (amp_v * b[lev_v])[:, None] * v
    r = noise * rng.standard_normal(N)
    r[lev_u] = np.broadcast_to(np.asarray(rho_u, float), sizes.shape)
    r[lev_v] = np.asarray(signs, float)[task[lev_v]] * b[lev_v] * rho_v[task[lev_v]]
    y = X @ w + s * r
    return X, y


@register
class LeverShift(OwnComponentTasks, Attack):
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
    decoy_share : float
        Share of pure decoy tasks, in [0, 1 − far_share) (default 0).
    decoy_pure : float
        Their decoy residual in units of s_a (default 6).
    g_scale : float
        In (0, 1]: scale of the lever examples' coordinates ⊥ u, v (default
        1); a smaller one leaves the leverage more of the screen's ‖x‖² room.
    """

    name, stage, targets = "lever_shift", "regression", ("light2",)

    def __init__(self, component="smallest", shift=5.5, lever=5.0, decoy=2.5,
                 decoy_level=0.9, noise=0.0, orth=True, far=0.0, far_share=0.0,
                 decoy_share=0.0, decoy_pure=6.0, g_scale=1.0):
        self.component = component
        self.shift, self.lever, self.decoy = float(shift), float(lever), float(decoy)
        self.decoy_level, self.noise, self.orth = float(decoy_level), float(noise), bool(orth)
        self.far, self.far_share = float(far), float(far_share)
        self.decoy_share, self.decoy_pure = float(decoy_share), float(decoy_pure)
        self.g_scale = float(g_scale)
        if not 0 < self.g_scale <= 1:
            raise ValidationError(f"need 0 < g_scale <= 1, got g_scale={g_scale}")
        if not (0 <= self.far_share and 0 <= self.decoy_share
                and self.far_share + self.decoy_share < 1):
            raise ValidationError(f"need 0 <= far_share, decoy_share and far_share + "
                                  f"decoy_share < 1, got far_share={far_share}, "
                                  f"decoy_share={decoy_share}")
        if not (self.lever > 0 and self.decoy >= 0 and self.noise >= 0
                and 0 < self.decoy_level <= 1):
            raise ValidationError(f"need lever > 0, decoy >= 0, noise >= 0 and "
                                  f"0 < decoy_level <= 1, got lever={lever}, decoy={decoy}, "
                                  f"noise={noise}, decoy_level={decoy_level}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        d = data.dim
        x_hi, y_hi = _screen(ctx, ctx.pool)
        # ‖x‖² = amp² + g_scale²·χ²_{d−2} under the screen's limit but for a 10⁻⁵ tail
        room = 16.0 if x_hi is None else max(
            _MARGIN * x_hi * d - self.g_scale ** 2 * chi2.isf(1e-5, d - 2), 1.0)
        amp_u = min(self.lever, np.sqrt(room))
        amp_v = np.sqrt(self.decoy_level * room)
        signs = np.where(np.arange(idx.size) % 2 == 0, 1.0, -1.0)
        rho = np.full(idx.size, self.shift)
        n_far = int(np.floor(self.far_share * idx.size))
        if n_far:
            rho[idx.size - n_far:] = self.far
        amps = np.full(idx.size, amp_u)
        rho_v = np.full(idx.size, self.decoy)
        n_dec = int(np.floor(self.decoy_share * idx.size))
        rho[:n_dec], amps[:n_dec], rho_v[:n_dec] = 0.0, 0.0, self.decoy_pure
        X, y = lever_examples(data.sizes[idx], theta.W[:, a], float(theta.s[a]),
                              fixed_direction(theta.W), decoy_direction(theta.W), amps,
                              rho, amp_v, rho_v, signs, self.noise, self.orth, rng,
                              self.g_scale)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
