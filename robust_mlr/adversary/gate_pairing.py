"""The scanned heavy families paired with the light-2 placement, and
allowance inflation.

* :class:`GateSeeded` — :class:`~robust_mlr.adversary.AnchorLeak`,
  :class:`~robust_mlr.adversary.VarianceNeutral` or
  :class:`~robust_mlr.adversary.AnchorSelect` (along the heavy error) run
  with a seed of its own;
* :class:`GateMatch` — :class:`~robust_mlr.adversary.AnchorMatch` paired
  with it, named by the same two searchable parameters (``heavy_family``,
  ``light``), so the red-team search can pair them; a share of its budget
  may go to *allowance inflation*: the pooling test forgives √T up to √q
  plus the smaller of two estimates of the light estimate's clean
  misclassification bias, one on the pool's responses and one on responses
  drawn from the fitted model on the pool's designs — the adversary's
  designs move both.
"""

from __future__ import annotations

import numpy as np

from ..data import example_rows
from ..exceptions import ValidationError
from ._base import register
from ._craft import fixed_direction
from .anchor_attacks import _component
from .gate_attacks import LIGHTS
from .pooling_attacks import MODES, AnchorMatch, Seeded

__all__ = ["GateSeeded", "GateMatch"]

HEAVY_FAMILIES = ("anchor_leak", "variance_neutral", "anchor_select")


def _heavy_spec(heavy_family, light, component):
    if heavy_family not in HEAVY_FAMILIES or light not in LIGHTS:
        raise ValidationError(f"heavy_family must be one of {HEAVY_FAMILIES} and light one of "
                              f"{LIGHTS}; got {heavy_family!r}, {light!r}")
    if heavy_family == "anchor_select":
        return heavy_family, {"component": component, "direction": "error"}
    return heavy_family, {"component": component, "light": light}


@register
class GateSeeded(Seeded):
    """A scanned heavy family (or :class:`~robust_mlr.adversary.AnchorSelect`
    along the heavy error) with a generator of its own.

    Parameters
    ----------
    heavy_family : {"anchor_leak", "variance_neutral", "anchor_select"}
    light : {"clean", "away"}
        The light estimate the scan assumes (:class:`AnchorLeak`).
    component : int or {"fewest", "smallest", "largest", "heaviest"}
    seed : int
    """

    name = "gate_seeded"

    def __init__(self, heavy_family="anchor_leak", light="clean", component="fewest", seed=0):
        self.heavy_family, self.light, self.component = heavy_family, light, component
        super().__init__(_heavy_spec(heavy_family, light, component), seed)


@register
class GateMatch(AnchorMatch):
    """:class:`~robust_mlr.adversary.AnchorMatch` paired with
    :class:`GateSeeded` of the same ``heavy_family``, ``light``,
    ``component`` and ``seed``.

    Parameters
    ----------
    heavy_family, light, component, seed
        As :class:`GateSeeded`.
    mode, level, noise, cap, select, amp
        As :class:`~robust_mlr.adversary.AnchorMatch` (default ``"aligned"``
        with ``select``).
    inflate : float
        Share of the light-2 budget spent on tasks that inflate the
        pooling's misclassification allowance (default 0): designs
        x_j = ρ·a_j·h + n_j, a_j = ±1, h ∝ δ̂ + κg (δ̂ from the component to
        its nearest other one, g ⊥ span(W) along the placement's
        direction), n_j ~ N(0, I) ⊥ span(W, g); κ sets the tasks'
        ambiguity between the two components (Σ_j (x_jᵀδ)²/s² =
        ``ambiguity``), ρ the largest norm the screen lets through.
        Responses come from the two components with equal odds. The
        allowance is the smaller of the bias estimated on the pool's
        responses and on responses drawn from the fitted model on the
        pool's designs; a task whose label and posterior disagree adds
        X_iᵀ(X_iŵ − y_i) ∝ ρκ along g to *both*, the model's through the
        designs alone.
    ambiguity : float
        Σ_j (x_jᵀ(w_b − w_a))²/s_a² of an inflation task (default 1).
    """

    name = "gate_match"

    def __init__(self, heavy_family="anchor_leak", light="clean", component="fewest", seed=0,
                 mode="aligned", level=0.95, noise=0.0, cap=0.6, select=True, inflate=0.0,
                 ambiguity=1.0, amp=1.0):
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {MODES}, got {mode!r}")
        self.heavy_family, self.light, self.seed = heavy_family, light, int(seed)
        self.inflate, self.ambiguity = float(inflate), float(ambiguity)
        if not (0 <= self.inflate <= 1 and self.ambiguity > 0):
            raise ValidationError(f"need 0 <= inflate <= 1 and ambiguity > 0, got {inflate}, "
                                  f"{ambiguity}")
        heavy = ("gate_seeded", {"heavy_family": heavy_family, "light": light,
                                 "component": component, "seed": self.seed})
        super().__init__(component, heavy, mode, level, noise, cap, select, amp)

    def choose(self, data, n_bad, ctx, rng):
        n_inf = int(round(self.inflate * n_bad))
        idx = super().choose(data, n_bad - n_inf, ctx, rng) if n_bad > n_inf \
            else np.zeros(0, int)
        rest = np.setdiff1d(np.arange(data.n_tasks), idx)
        self._inflation = np.sort(rng.choice(rest, size=n_inf, replace=False))
        return np.sort(np.concatenate([idx, self._inflation]))

    def craft(self, data, idx, ctx, rng):
        inf = np.intersect1d(getattr(self, "_inflation", np.zeros(0, int)), idx)
        self._inflation = None
        match = np.setdiff1d(idx, inf)
        starts = np.concatenate([[0], np.cumsum(data.sizes[idx])])
        X, y = np.empty((int(starts[-1]), data.dim)), np.empty(int(starts[-1]))
        if match.size:
            Xm, ym = super().craft(data, match, ctx, rng)
            rows = example_rows(starts, np.searchsorted(idx, match))
            X[rows], y[rows] = Xm, ym
        if inf.size:
            Xi, yi = self._inflation_tasks(data.sizes[inf], ctx, rng)
            rows = example_rows(starts, np.searchsorted(idx, inf))
            X[rows], y[rows] = Xi, yi
        return X, y

    def _inflation_tasks(self, sizes, ctx, rng):
        """Ambiguous tasks with leverage along g (``inflate``)."""
        from .edge import _screen
        theta = ctx.need_theta(self.name)
        d, k = theta.W.shape
        a = _component(theta, ctx.pools.heavy, self.component)
        dist = np.linalg.norm(theta.W - theta.W[:, [a]], axis=0)
        dist[a] = np.inf
        b = int(np.argmin(dist)) if k > 1 else a
        delta = theta.W[:, b] - theta.W[:, a]
        nd = float(np.linalg.norm(delta))
        pred = getattr(self, "predicted_", None)
        g = fixed_direction(theta.W)
        if pred is not None:                      # along the placement's direction, ⊥ span W
            v = pred["target"] - pred["w_heavy"]
            v = v - theta.W @ np.linalg.lstsq(theta.W, v, rcond=None)[0]
            if np.linalg.norm(v) > 1e-12:
                g = v / np.linalg.norm(v)
        x_hi, _ = _screen(ctx, ctx.pool)
        norm2 = 0.9 * (x_hi * d if x_hi is not None else 2.0 * d)
        Q = np.linalg.qr(np.column_stack([theta.W, g]))[0]
        P = np.eye(d) - Q @ Q.T                          # ⊥ span(W, g)
        N = int(np.sum(sizes))
        noise = rng.standard_normal((N, d)) @ P
        rho2 = max(norm2 - float(np.trace(P)), 1.0)
        s = float(theta.s[a])
        t = np.repeat(sizes, sizes).astype(float)
        # (h·δ)²·ρ²·t = ambiguity·s²  with  h = (δ̂ + κg)/√(1 + κ²)
        kappa2 = np.maximum(rho2 * nd ** 2 * t / (self.ambiguity * s ** 2) - 1.0, 0.0)
        h = (delta / max(nd, 1e-300))[None, :] + np.sqrt(kappa2)[:, None] * g[None, :]
        h /= np.linalg.norm(h, axis=1, keepdims=True)
        X = np.sqrt(rho2) * rng.choice([-1.0, 1.0], size=N)[:, None] * h + noise
        z = np.repeat(np.where(rng.random(sizes.size) < 0.5, a, b), sizes)
        y = np.einsum("nd,dn->n", X, theta.W[:, z]) + theta.s[z] * rng.standard_normal(N)
        return X, y
