"""Attacks on the light-gradient median step of a regression without the
heavy anchor.

Where the heavy tasks are too small for the anchor (t_H = 4), the robust
regression moves each ŵ_ℓ, after the gradient filter, to the median of the
light tasks' one-dimensional least-squares steps along a single direction
e: the top eigenvector of the covariance of the gradients
t^{-1/2} X_iᵀ(X_i ŵ − y_i) of *every* task classified to ℓ, the tasks
the filter removed included. The median bounds what the adversary does
along e; it does nothing across e. :class:`MedianDecoy` spends a small
share of the budget on *decoy* tasks whose gradients spread widely, with
balanced signs, along a direction v ⊥ u (u the shift of an edge placement,
:class:`~robust_mlr.adversary.EdgePlacement`), so that e = v: the median
step then moves ŵ along v by about nothing and leaves the shift along u at
the filter's estimate. The decoys look clean everywhere else (each task's
residuals are a clean task's, |r| s-sized, so the classification keeps
them in ℓ and its χ² flag does not fire), and the filter, which removes
them first, spends some of its budget on them. :class:`MedianTip` aims at
the median's breakdown point instead: it replaces ℓ's own tasks and puts
a share ``tip`` of them at exactly one vector, noise-free, so that
whenever more than half of the tasks classified to ℓ are the adversary's
the median step lands on that vector.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from ._whitebox import component_index, OwnComponentTasks
from .edge import _MARGIN, EdgePlacement, _screen, _task_rows

__all__ = ["MedianDecoy", "decoy_direction", "decoy_examples"]


def decoy_direction(W):
    """A unit vector ⊥ span(W) and ⊥ the edge placement's shift direction
    (the first vector of the same completion of W's columns to a basis).

    Parameters
    ----------
    W : ndarray (d, k)
        Regression vectors, d ≥ k + 2.

    Returns
    -------
    ndarray (d,)
        Depends on W only, so attacks on several pools share it.
    """
    d, k = W.shape
    Q = np.linalg.qr(np.column_stack([W, np.eye(d)]))[0]
    return Q[:, k + 1]


def decoy_examples(sizes, w, s, v, amp, signs, rng):
    """Examples of tasks of the model ``w`` with noise level ``s`` whose
    residuals are coherent along ``v``.

    Row j of task i is x = amp·a_j v + g_j (a_j = ±1, g_j ~ N(0, I − vvᵀ)),
    y = xᵀw + signs_i a_j s: every residual has the magnitude s of a clean
    one (RSS_i = t_i s², a typical clean value), but all the task's examples
    push its gradient at w the same way along v, to signs_i·amp·s·√t_i —
    one value up to sign, so the gradient filter's first round along v
    (its scores all equal, and the largest) removes every decoy at once.

    Parameters
    ----------
    sizes : ndarray of int (m,)
    w : ndarray (d,)
    s : float
    v : ndarray (d,)
        Unit direction.
    amp : float
        Leverage along v.
    signs : ndarray (m,)
        ±1 per task.
    rng : Generator

    Returns
    -------
    X : ndarray (Σ sizes, d)
    y : ndarray (Σ sizes,)
    """
    task, _ = _task_rows(sizes)
    N = int(np.sum(sizes))
    a = rng.choice([-1.0, 1.0], size=N)
    G = rng.standard_normal((N, v.size))
    G -= np.outer(G @ v, v)
    X = G + (amp * a)[:, None] * v
    y = X @ w + np.asarray(signs, float)[task] * a * s
    return X, y


@register
class MedianDecoy(OwnComponentTasks, Attack):
    """Edge placement whose shift the light-median step does not look at.

    ⌊αn⌋ light tasks of component ``component`` are replaced (its own tasks
    first): a share ``decoys`` of them by decoy tasks
    (:func:`decoy_examples`, model w_a, noise s_a, leverage along
    v = :func:`decoy_direction` at ``decoy_level`` × the room the screen's
    ‖x‖² limit leaves, read from the fitted learner's thresholds; signs
    balanced), the rest by :class:`~robust_mlr.adversary.EdgePlacement`'s
    shared-gradient tasks at w_a + δ s_a u. The decoys' gradients along v
    carry ≈ ``decoys``·α/p_a · t·amp²·s² of variance, far above what the
    shift puts along u, so the median step's direction is v.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Default "smallest".
    shift : float, optional
        δ in units of s_a (default: EdgePlacement's stop-rule value at ``level``).
    level : float
        EdgePlacement's ``level`` when ``shift`` is None (default 0.95).
    decoys : float
        Share of the replaced tasks that are decoys, in (0, 1) (default 0.05).
    decoy_level : float
        In (0, 1]: share of the screen's room used as leverage along v
        (default 0.9; a room of 16 when the learner's thresholds are not given).
    noise : float
        Noise of the shift tasks in units of s_a (default 0).
    x_level : float
        EdgePlacement's leverage along u (default 0).
    """

    name, stage, targets = "median_decoy", "regression", ("light2",)

    def __init__(self, component="smallest", shift=None, level=0.95, decoys=0.05,
                 decoy_level=0.9, noise=0.0, x_level=0.0):
        self.component = component
        self.shift = None if shift is None else float(shift)
        self.level, self.decoys, self.decoy_level = float(level), float(decoys), \
            float(decoy_level)
        self.noise, self.x_level = float(noise), float(x_level)
        if not 0 < self.decoys < 1 or not 0 < self.decoy_level <= 1:
            raise ValidationError(f"need 0 < decoys < 1 and 0 < decoy_level <= 1, got "
                                  f"decoys={decoys}, decoy_level={decoy_level}")
        self._edge = EdgePlacement(component, shift, level, "orthogonal", noise, x_level)

    def split(self, idx):
        """(decoy tasks, shift tasks) of the chosen ``idx``: the first
        ⌈decoys·m⌉ of them decoys (at least one task of each kind when m ≥ 2)."""
        m = idx.size
        n_dec = min(max(int(np.ceil(self.decoys * m)), 1), m - 1) if m > 1 else 0
        return idx[:n_dec], idx[n_dec:]

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        dec, sh = self.split(np.asarray(idx))
        X = np.empty((int(data.sizes[idx].sum()), data.dim))
        y = np.empty(X.shape[0])
        task, _ = _task_rows(data.sizes[idx])
        is_dec = np.isin(np.asarray(idx)[task], dec)
        if sh.size:
            # EdgePlacement's stop rule reads the share of the component it replaces
            X[~is_dec], y[~is_dec] = self._edge.craft(data, sh, ctx, rng)
        if dec.size:
            x_hi, y_hi = _screen(ctx, ctx.pool)
            d = data.dim
            # every example's ‖x‖² = amp² + χ²_{d−1} under the limit but for
            # a 10⁻⁵ tail
            room = 16.0 if x_hi is None else max(_MARGIN * x_hi * d - chi2.isf(1e-5, d - 1),
                                                 1.0)
            amp = np.sqrt(self.decoy_level * room)
            signs = np.where(np.arange(dec.size) % 2 == 0, 1.0, -1.0)
            Xd, yd = decoy_examples(data.sizes[dec], theta.W[:, a], float(theta.s[a]),
                                    decoy_direction(theta.W), amp, signs, rng)
            if y_hi is not None:
                yd = np.clip(yd, -_MARGIN * y_hi, _MARGIN * y_hi)
            X[is_dec], y[is_dec] = Xd, yd
        return X, y
