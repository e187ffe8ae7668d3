"""Attacks on the tests of a robust regression without the heavy anchor:
its light-2 task counts and its gradient filter's clean reference.

Where no heavy anchor runs, the robust regression fails its test for a
component whose filter kept no more light tasks than αn plus the Binomial
margin, or whose filter took it from more than 2⌊αn⌋ classified tasks to
2⌊αn⌋ or fewer. :class:`MedianPark` extends
:class:`~.median_attacks.MedianDecoy` (decoys that steer the light-median
step off the shift, edge-placed tasks at w_a + δ s_a u) by two shares of the
replaced tasks:

* ``park``: clean draws of the other components. The component loses those
  tasks (its class shrinks toward 2⌊αn⌋, below which only the first count
  test applies), and the parked tasks cannot be told from clean tasks of the
  components they join.
* ``inflate``: *inflater* tasks of the true w_a that raise the filter's
  clean reference. The gradient filter stops when the top eigenvalue of the
  gradients' covariance is within (1 + 2√(d/n))² · max(tr/d, λ₁(M)), M the
  per-example moment mean r² x xᵀ, whatever the direction of λ₁(M). An
  inflater's examples have leverage along a direction z ⊥ span(W), u, v and
  residuals of the clean magnitude whose signs cancel *within* the task
  (:func:`inflater_examples`): its gradient along z is exactly zero, so it
  adds nothing to the gradients' covariance there, but each example adds
  amp²·r² to M along z. A few per cent of the class raises λ₁(M) several
  times, the filter stops with the shift's between-group variance far above
  the clean edge, and the count tests see a class it barely touched.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import register
from ._craft import model_examples
from ._whitebox import component_index
from .edge import _MARGIN, _row_positions, _screen, _task_rows
from .median_attacks import MedianDecoy, decoy_direction, decoy_examples

__all__ = ["MedianPark", "inflater_direction", "inflater_examples"]


def inflater_direction(W):
    """A unit vector ⊥ span(W), the edge placement's shift direction and the
    decoys' direction (the third vector of their completion of W's columns)."""
    d, k = W.shape
    Q = np.linalg.qr(np.column_stack([W, np.eye(d)]))[0]
    return Q[:, k + 2]


def inflater_examples(sizes, w, s, z, amp, rng):
    """Examples of tasks of the model ``w`` whose residuals have magnitude
    ``s`` and whose gradients at w are zero along ``z``.

    Row j of task i is x = amp·a_j z + g_j (a_j = ±1, g_j ~ N(0, I − zzᵀ)),
    y = xᵀw + s·a_j·e_j with e_j = ±1 in equal numbers within the task (one
    more +1 for an odd size): Σ_j x_j r_j along z is amp·s·Σ_j e_j ∈ {0, amp·s}.

    Parameters
    ----------
    sizes : ndarray of int (m,)
    w : ndarray (d,)
    s : float
        Residual magnitude.
    z : ndarray (d,)
        Unit direction.
    amp : float
        Leverage along z.
    rng : Generator

    Returns
    -------
    X : ndarray (Σ sizes, d)
    y : ndarray (Σ sizes,)
    """
    sizes = np.asarray(sizes)
    task, pos, N = _row_positions(sizes)
    # balanced signs within each task, in a random order per task
    e = np.where(pos % 2 == 0, 1.0, -1.0)
    order = np.lexsort((rng.random(N), task))
    e = e[np.argsort(order)]
    a = rng.choice([-1.0, 1.0], size=N)
    G = rng.standard_normal((N, z.size))
    G -= np.outer(G @ z, z)
    X = G + (amp * a)[:, None] * z
    y = X @ w + s * a * e
    return X, y


def _leverage(ctx, d, level):
    """Leverage √(level × room) along one direction, the room the screen's
    ‖x‖² limit leaves (16 when the learner's thresholds are not given)."""
    x_hi, _ = _screen(ctx, ctx.pool)
    room = 16.0 if x_hi is None else max(_MARGIN * x_hi * d - chi2.isf(1e-5, d - 1), 1.0)
    return np.sqrt(level * room)


@register
class MedianPark(MedianDecoy):
    """:class:`~.median_attacks.MedianDecoy` with shares of the replaced tasks
    parked in the other components and written as filter-reference inflaters.

    ⌊αn⌋ light tasks of component ``component`` are replaced (its own tasks
    first), in task order: ⌈``decoys``·m⌉ decoys, ⌊``inflate``·m⌋ inflaters
    (:func:`inflater_examples`, model w_a, residuals ``inflate_noise``·s_a,
    leverage at ``inflate_level`` × the screen's room), edge-placed tasks at
    w_a + δ s_a u, and last ⌊``park``·m⌋ clean draws of the other components
    (in proportion to their shares).

    Parameters
    ----------
    component, shift, level, decoys, decoy_level, noise, x_level
        As :class:`~.median_attacks.MedianDecoy`.
    park : float
        Share parked in the other components, in [0, 1) (default 0).
    inflate : float
        Share of inflaters, in [0, 1) (default 0.05).
    inflate_noise : float
        The inflaters' residual magnitude in units of s_a (default 1).
    inflate_level : float
        In (0, 1]: share of the screen's room used as their leverage (default 0.9).
    """

    name, stage, targets = "median_park", "regression", ("light2",)

    def __init__(self, component="smallest", shift=None, level=0.95, decoys=0.05,
                 decoy_level=0.9, noise=0.0, x_level=0.0, park=0.0, inflate=0.05,
                 inflate_noise=1.0, inflate_level=0.9):
        super().__init__(component, shift, level, decoys, decoy_level, noise, x_level)
        self.park, self.inflate = float(park), float(inflate)
        self.inflate_noise, self.inflate_level = float(inflate_noise), float(inflate_level)
        if not (0 <= self.park < 1 and 0 <= self.inflate < 1 and self.park + self.inflate < 1):
            raise ValidationError(f"need 0 <= park, inflate and park + inflate < 1, got "
                                  f"park={park}, inflate={inflate}")
        if not (self.inflate_noise > 0 and 0 < self.inflate_level <= 1):
            raise ValidationError(f"need inflate_noise > 0 and 0 < inflate_level <= 1, got "
                                  f"inflate_noise={inflate_noise}, "
                                  f"inflate_level={inflate_level}")

    def parts(self, idx):
        """(decoys, inflaters, shift tasks, parked tasks) of the chosen ``idx``,
        consecutive in that order; at least one shift task when m ≥ 2."""
        idx = np.asarray(idx)
        m = idx.size
        n_dec = min(max(int(np.ceil(self.decoys * m)), 1), m - 1) if m > 1 else 0
        n_inf = min(int(np.floor(self.inflate * m)), max(m - n_dec - 1, 0))
        n_park = min(int(np.floor(self.park * m)), max(m - n_dec - n_inf - 1, 0))
        cut = np.cumsum([n_dec, n_inf, m - n_dec - n_inf - n_park])
        return np.split(idx, cut)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        w, s, d = theta.W[:, a], float(theta.s[a]), data.dim
        dec, inf, sh, parked = self.parts(idx)
        task, _ = _task_rows(data.sizes[idx])
        part = np.repeat([0, 1, 2, 3], [dec.size, inf.size, sh.size, parked.size])[task]
        X = np.empty((task.size, d))
        y = np.empty(task.size)
        _, y_hi = _screen(ctx, ctx.pool)
        if dec.size:
            signs = np.where(np.arange(dec.size) % 2 == 0, 1.0, -1.0)
            X[part == 0], y[part == 0] = decoy_examples(
                data.sizes[dec], w, s, decoy_direction(theta.W),
                _leverage(ctx, d, self.decoy_level), signs, rng)
        if inf.size:
            X[part == 1], y[part == 1] = inflater_examples(
                data.sizes[inf], w, self.inflate_noise * s, inflater_direction(theta.W),
                _leverage(ctx, d, self.inflate_level), rng)
        if y_hi is not None:
            low = part <= 1
            y[low] = np.clip(y[low], -_MARGIN * y_hi, _MARGIN * y_hi)
        if sh.size:
            X[part == 2], y[part == 2] = self._edge.craft(data, sh, ctx, rng)
        if parked.size:
            p = np.asarray(theta.p, float).copy()
            p[a] = 0.0
            comp = rng.choice(theta.k, size=parked.size, p=p / p.sum())
            X[part == 3], y[part == 3] = model_examples(data.sizes[parked], theta.W[:, comp].T,
                                                        theta.s[comp], rng)
        return X, y
