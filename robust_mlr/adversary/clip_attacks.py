"""A shift through high-leverage examples whose residuals sit at the clip,
against a regression whose examples are Huber-clipped after a task filter.

A refit that clips every example's residual at c ŝ bounds what one example
pulls by c ŝ times its *leverage*, not by c ŝ: an example x = A u with
residual ρ s pulls the fit along u by A ψ(ρ s − A δ) at a shift δ, and the
screen lets ‖x‖² reach ≈ 3 d. At the Huber fixed point with n_a such
examples among K clean rows of the component (each worth ≈ P(|z| ≤ c) of
a row of least squares),

    δ ≈ n_a A ψ(ρ s − A δ) / K_eff,

so the adversary takes A large and ρ just large enough that ρ s − A δ is
still at the clip c ŝ when the fit has moved: then the clip takes nothing
away (the residual it sees is the clip), and δ ≈ n_a A c ŝ / K_eff grows
linearly in A. Where the classification's residual limit binds (ρ² ≤ the
task's RSS budget), δ ≈ √(B (ρ s − c ŝ)) at A = √((ρ s − c ŝ)/B),
B = n_a c ŝ / K_eff.

:class:`ClipLever` writes, in each replaced task of component a:

* ``rows`` examples x = A u + g_scale · g (g ⊥ u, v), y = xᵀw_a + ρ s_a
  (``lever`` A, ``shift`` ρ): the pull. One example has no coherence for
  the task filter's whitened test to see; a few (``rows`` 2–3) are
  coherent, but when the adversary's tasks are a large share ε of the
  component's class the centred gradients' covariance along u carries only
  the between-group term ε(1 − ε)(m q)², against ε m q² in the per-example
  moment: a ratio (1 − ε) m;
* one decoy example x = A_v b v + g_scale · g (b = ±1), y = xᵀw_a ± b ρ_v s_a
  (``decoy`` ρ_v), signs balanced over tasks: a spread along v that steers
  the light-median step's direction (the top eigenvector of the unwhitened
  gradients' covariance) off u;
* the other examples x ⊥ u, v, y = xᵀw_a + ``noise`` · s_a · N(0, 1): noise
  raises the tasks' RSS at the final fit, so that they sit above the
  median ŝ² rather than below it (tasks at the fitted shift have only the
  clip's residual left, which pulls ŝ², and the clip, down).

The residual budget is set where the tasks are classified, at the
clustering's W̃_a: a lever example's residual there is
ρ s − A uᵀ(W̃_a − w_a). With ``direction="tilde"`` (white-box: the clean
fit's W̃ in ``settings["thresholds"]["clustering"]``) u is the part of W̃_a − w_a
⊥ span(W) and the decoy direction, so the classification sees ρ less
A‖P(W̃_a − w_a)‖ and the adversary may write a larger ρ.
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

__all__ = ["ClipLever", "clip_examples"]


def clip_examples(sizes, w, s, u, v, rows, amp_u, rho_u, amp_v, rho_v, noise, rng,
                  g_scale=1.0):
    """Examples of tasks whose first ``rows`` examples carry the shift along
    ``u`` and whose next carries a balanced decoy along ``v`` (module
    docstring).

    Parameters
    ----------
    sizes : ndarray of int (m,)
        Task sizes, each > ``rows`` (≥ ``rows`` when ``rho_v`` is 0).
    w : ndarray (d,)
    s : float
    u, v : ndarray (d,)
        Orthonormal directions.
    rows : int or ndarray of int (m,)
        Lever examples of each task.
    amp_u, rho_u : float
        Their leverage along u and residual (units of s).
    amp_v, rho_v : float
        The decoy example's leverage along v and residual (units of s; 0:
        no decoy).
    noise : float
        Noise of the other examples, units of s.
    rng : Generator
    g_scale : float
        Scale of the lever and decoy examples' coordinates ⊥ u, v.

    Returns
    -------
    X : ndarray (Σ sizes, d)
    y : ndarray (Σ sizes,)
    """
    sizes = np.asarray(sizes)
    task, pos, N = _row_positions(sizes)
    n_lev = np.broadcast_to(np.asarray(rows), sizes.shape)[task]
    lev_u = pos < n_lev
    lev_v = (pos == n_lev) & (rho_v > 0)
    X = rng.standard_normal((N, u.size))
    P = np.column_stack([u, v])
    X -= (X @ P) @ P.T                           # every example ⊥ u, v first
    X[lev_u | lev_v] *= g_scale
    b = rng.choice([-1.0, 1.0], size=N)
    signs = np.where(np.arange(sizes.size) % 2 == 0, 1.0, -1.0)   # balanced over tasks
    X[lev_u] += amp_u * u
    X[lev_v] += (amp_v * b[lev_v])[:, None] * v
    r = noise * rng.standard_normal(N)
    r[lev_u] = rho_u
    r[lev_v] = signs[task[lev_v]] * b[lev_v] * rho_v
    return X, X @ w + s * r


def _tilde_direction(W_tilde, W, a, v):
    """The unit part of W̃'s error at component ``a`` ⊥ span(W) and v (the
    column of W̃ nearest w_a)."""
    W_tilde = np.asarray(W_tilde, dtype=float)
    if W_tilde.shape != W.shape:
        raise ValidationError(f"W_tilde must have shape {W.shape}, got {W_tilde.shape}")
    near = W_tilde[:, np.argmin(np.linalg.norm(W_tilde - W[:, [a]], axis=0))]
    Q = np.linalg.qr(np.column_stack([W, v]))[0]
    e = near - W[:, a]
    e -= Q @ (Q.T @ e)
    n = float(np.linalg.norm(e))
    if n == 0:
        raise ValidationError("W̃'s error lies in span(W): no direction ⊥ span(W) to take")
    return e / n


@register
class ClipLever(OwnComponentTasks, Attack):
    """Shift along u through ``rows`` high-leverage examples per task whose
    residuals stay at the clip once the fit has moved, with a balanced
    decoy example along v (module docstring).

    ⌊αn⌋ light tasks of component ``component`` are replaced, its own tasks
    first.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Default "smallest".
    shift : float
        ρ, each lever example's residual at w_a in units of s_a (default 4).
    lever : float
        A, its leverage along u (default 14; capped at the screen's room).
    rows : int
        Lever examples per task, ≥ 1 (default 1).
    share : float
        In (0, 1]: share of the tasks with ``rows`` lever examples (the
        first ones; the others have one; default 1). A mixture keeps the
        coherence the whitened test reads, (1 + (rows² − 1) f)/(1 + (rows − 1) f)
        for a share f, below that of ``rows`` in every task.
    decoy : float
        ρ_v, the decoy example's residual in units of s_a (default 4; 0: none).
    decoy_level : float
        In (0, 1]: share of the screen's room used as the decoy's leverage
        (default 1).
    noise : float
        The other examples' noise in units of s_a (default 0).
    g_scale : float
        In (0, 1]: scale of the lever and decoy examples' coordinates ⊥ u, v
        (default 0.25).
    direction : {"fixed", "tilde"}
        u: the fixed direction ⊥ span(W) (default), or the part of the
        clean fit's W̃_a − w_a ⊥ span(W) and v (``W_tilde`` of
        ``settings["thresholds"]["clustering"]``, read off a fitted learner
        by :func:`~robust_mlr.adversary.attack_settings`; the column nearest
        w_a). Without a fitted learner's settings "tilde" takes the fixed
        direction, as the other white-box families take defaults for the
        thresholds they cannot read.
    angle : float
        With ``direction="tilde"``: u turned by this angle (degrees, in
        [0, 90]) from W̃'s error towards the fixed direction (default 0): the
        classification at W̃ then sees the lever residual less
        A cos(angle)‖P(W̃_a − w_a)‖, and the fit moves away from W̃ (a
        move beyond half an ŝ classifies the light tasks again at ŵ).
    """

    name, stage, targets = "clip_lever", "regression", ("light2",)

    def __init__(self, component="smallest", shift=4.0, lever=14.0, rows=1, share=1.0,
                 decoy=4.0, decoy_level=1.0, noise=0.0, g_scale=0.25, direction="fixed",
                 angle=0.0):
        self.component, self.share, self.direction = component, float(share), direction
        self.angle = float(angle)
        if not 0 <= self.angle <= 90:
            raise ValidationError(f"angle must be in [0, 90] degrees, got angle={angle}")
        if direction not in ("fixed", "tilde"):
            raise ValidationError(f"direction must be 'fixed' or 'tilde', got "
                                  f"direction={direction!r}")
        self.shift, self.lever, self.rows = float(shift), float(lever), int(rows)
        self.decoy, self.decoy_level = float(decoy), float(decoy_level)
        self.noise, self.g_scale = float(noise), float(g_scale)
        if not (self.lever > 0 and self.shift >= 0 and self.decoy >= 0 and self.noise >= 0):
            raise ValidationError(f"need lever > 0 and shift, decoy, noise >= 0, got "
                                  f"lever={lever}, shift={shift}, decoy={decoy}, noise={noise}")
        if self.rows < 1 or self.rows != rows:
            raise ValidationError(f"rows must be an integer >= 1, got rows={rows!r}")
        if not (0 < self.decoy_level <= 1 and 0 < self.g_scale <= 1 and 0 < self.share <= 1):
            raise ValidationError(f"need 0 < decoy_level, g_scale, share <= 1, got "
                                  f"decoy_level={decoy_level}, g_scale={g_scale}, share={share}")

    def directions(self, theta, a, ctx):
        """The shift direction u and the decoy direction v for component
        ``a`` (class docstring, ``direction`` and ``angle``)."""
        v = decoy_direction(theta.W)
        u = fixed_direction(theta.W)
        W_tilde = ((ctx.settings.get("thresholds") or {}).get("clustering") or {}).get("W_tilde")
        if self.direction == "tilde" and W_tilde is not None:
            t = _tilde_direction(W_tilde, theta.W, a, v)
            f = u - (u @ t) * t                  # the fixed direction, ⊥ t
            f /= max(float(np.linalg.norm(f)), 1e-300)
            u = np.cos(np.radians(self.angle)) * t + np.sin(np.radians(self.angle)) * f
        return u, v

    def reserved(self, sizes):
        """Examples at the end of each task a subclass writes itself (none
        here)."""
        return np.zeros_like(sizes)

    def lever_rows(self, sizes):
        """Each task's number of lever rows (its first examples): ``rows`` in
        a ``share`` of the tasks, one in the rest; a task too small for every
        row keeps at least one, its lever rows giving way first, then the
        rows a subclass keeps at its end (:meth:`reserved`), then the decoy."""
        rows = np.where(np.arange(sizes.size) < round(self.share * sizes.size), self.rows, 1)
        return np.clip(rows, 1, np.maximum(sizes - (self.decoy > 0) - self.reserved(sizes), 1))

    def _frame(self, data, idx, ctx):
        """What a subclass rewriting rows along u needs: the tasks' sizes,
        u, the component's w and s, and each row's task and position."""
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        u, _ = self.directions(theta, a, ctx)
        task, pos, _ = _row_positions(sizes)
        return sizes, u, theta.W[:, a], float(theta.s[a]), task, pos

    @staticmethod
    def _along_u(X, y, rows, at, residual, u, w, ctx):
        """Rows ``rows`` of (X, y) moved to ``at`` along u (their other
        coordinates kept) with response x·w + ``residual``, the responses
        clipped at the screen's limit."""
        X[rows] -= np.outer(X[rows] @ u, u)
        X[rows] += np.outer(at, u)
        y[rows] = X[rows] @ w + residual
        _, y_hi = _screen(ctx, ctx.pool)
        return X, (y if y_hi is None else np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi))

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[np.asarray(idx)]
        d = data.dim
        x_hi, y_hi = _screen(ctx, ctx.pool)
        # ‖x‖² = amp² + g_scale²·χ²_{d−2} under the screen's limit but for a 10⁻⁵ tail
        room = 16.0 if x_hi is None else max(
            _MARGIN * x_hi * d - self.g_scale ** 2 * chi2.isf(1e-5, d - 2), 1.0)
        rows = self.lever_rows(sizes)
        u, v = self.directions(theta, a, ctx)
        X, y = clip_examples(sizes, theta.W[:, a], float(theta.s[a]), u, v, rows, min(self.lever, np.sqrt(room)),
                             self.shift, np.sqrt(self.decoy_level * room), self.decoy,
                             self.noise, rng, self.g_scale)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y
