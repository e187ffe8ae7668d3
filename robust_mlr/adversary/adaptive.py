"""Adaptive attacks: written from the learner's defences, white-box.

Each family covers one channel of a task that a defence might not watch:
covariate energy inside a filter's trimming quantile, the sizes of the tasks
chosen, concentration on one component, the noise level ŝ² and the shares
p̂ rather than the regression vectors, and finite but extreme magnitudes.
Every class takes a ``pick`` rule for which tasks to replace (see
:func:`pick_tasks`), is deterministic given the rng, and goes through the
:class:`Attack` base class, so the ⌊α n⌋ budget per pool is enforced.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import model_examples, orthogonal_directions
from ._whitebox import PICKS, component_index, pick_tasks, sign_paired_examples, trim_target

__all__ = ["CovariateSpike", "ExtremeValues", "ComponentShift", "VarianceInflation",
           "ComponentMimic"]


class _Picking(Attack):
    """Shared ``choose``: the ``pick`` rule, aimed at ``self.component`` for
    ``pick="component"``."""

    pick = "random"

    def _check_pick(self, pick):
        if pick not in PICKS:
            raise ValidationError(f"pick must be one of {PICKS}, got {pick!r}")
        return pick

    def _source(self, theta):
        return component_index(theta, getattr(self, "component", "smallest"))

    def choose(self, data, n_bad, ctx, rng):
        comp = self._source(ctx.theta) if self.pick == "component" else None
        if self.pick == "component":
            ctx.need_theta(self.name)
        return pick_tasks(data, n_bad, rng, self.pick, comp)


@register
class CovariateSpike(_Picking):
    """Subspace energy written through the covariates, inside the filter's quantile.

    The robust subspace statistic clips the responses, z_i = t_i^{-1/2}
    Σ_j ψ(y_ij) x_ij, but not the covariates, and the filter trims points by
    their score τ_i = ||Uᵀ z_i||² against its (1 − α) quantile. Each corrupted
    task writes x_ij = a_j b e + r_ij (a_j = ±1, r_ij ~ N(0, I − e eᵀ),
    e ⊥ span(W)) and y_ij = a_j y_c with |y_c| below the clipping level, so
    z_i ≈ √t_i y_c b e. The amplitude b is set, from the clean pool's own
    scores (white-box), so that ||z_i||² = ``level`` × the (1 − α) quantile:
    the corrupted points sit inside the trimmed range (nothing is removed)
    while together they add α·level·q to the second moment along e, more
    than a weak signal eigenvalue.

    Parameters
    ----------
    level : float
        Score of a corrupted task as a fraction of the clean (1 − α) score
        quantile (default 0.9; above 1 they leave the trimmed range).
    y_level : float
        |y| as a fraction of the clipping level (default 0.9): small values
        put the energy in x, values near 1 in y.
    n_directions : int
        Spread over this many orthonormal directions ⊥ span(W) (default 1).
    pick : {"random", "largest", "component"}
        Which tasks to replace (default "random").
    """

    name, stage, targets = "covariate_spike", "subspace", ("light1",)

    def __init__(self, level=0.9, y_level=0.9, n_directions=1, pick="random"):
        self.level, self.y_level = float(level), float(y_level)
        self.n_directions, self.pick = int(n_directions), self._check_pick(pick)
        if self.level <= 0 or self.y_level <= 0 or self.n_directions < 1:
            raise ValidationError(f"level, y_level and n_directions must be positive, got "
                                  f"{level}, {y_level}, {n_directions}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        clip = ctx.setting("clip")
        alg_alpha = float(ctx.settings.get("alpha") or idx.size / data.n_tasks)
        target, yc = trim_target(data, theta.W, self.level, self.y_level, clip, alg_alpha)
        sizes = data.sizes[idx]
        V = orthogonal_directions(theta.W, self.n_directions, rng)
        E = V.T[np.arange(idx.size) % V.shape[1]]                   # (m, d) unit rows
        noise = yc ** 2 * (theta.k - 1)                             # other directions of U
        b = np.sqrt(max(target - noise, 0.0) / sizes) / max(yc, 1e-300)   # (m,)
        N = int(sizes.sum())
        Er = np.repeat(E, sizes, axis=0)
        R = rng.standard_normal((N, data.dim))
        R -= Er * np.einsum("ij,ij->i", R, Er)[:, None]
        a = rng.choice([-1.0, 1.0], size=N)
        X = Er * (a * np.repeat(b, sizes))[:, None] + R
        return X, a * yc


@register
class ExtremeValues(_Picking):
    """Finite extreme magnitudes: tasks whose x or y are ±10^``exponent``.

    Squares of such values overflow double precision (1e155² = inf), so any
    stage that squares before scaling produces inf/NaN. All values written
    are finite, so the threat model admits them. ``n_extreme`` of the chosen
    tasks carry the extreme values; the rest mimic clean tasks.

    Parameters
    ----------
    exponent : float
        log10 of the magnitude (default 160; at most 307).
    channel : {"x", "y", "both"}
        Where the extreme values go (default "y").
    n_extreme : int
        Number of extreme tasks (default 1; capped at the budget).
    pick : {"random", "largest", "component"}
    """

    name, stage, targets = "extreme_values", "generic", ("light1", "heavy", "light2")

    def __init__(self, exponent=160.0, channel="y", n_extreme=1, pick="random"):
        if channel not in ("x", "y", "both"):
            raise ValidationError(f"channel must be 'x', 'y' or 'both', got {channel!r}")
        self.exponent = float(exponent)
        if not 0 <= self.exponent <= 307:
            raise ValidationError(f"exponent must be in [0, 307], got {exponent}")
        self.channel, self.n_extreme = channel, int(n_extreme)
        self.pick = self._check_pick(pick)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        sizes = data.sizes[idx]
        z = rng.choice(theta.k, size=idx.size, p=theta.p)
        X, y = model_examples(sizes, theta.W.T[z], theta.s[z], rng)
        hit = np.repeat(np.arange(idx.size) < min(max(self.n_extreme, 0), idx.size), sizes)
        big = 10.0 ** self.exponent
        if self.channel in ("x", "both"):
            X[hit] = np.sign(X[hit]) * big
        if self.channel in ("y", "both"):
            y[hit] = rng.choice([-1.0, 1.0], size=int(hit.sum())) * big
        return X, y


@register
class ComponentShift(_Picking):
    """The whole budget on one component, displaced from it.

    Tasks follow y = xᵀ(w_a + shift·s_a·u) + noise·s_a·ε for one component
    a: they classify into a and all of them bias its estimate, exceeding any
    per-component removal cap sized for α n tasks spread over k components
    (here α/p_a of the component is corrupted). u is ⊥ span(W) (invisible to
    the projected clustering), in span(W) away from the other components, or
    towards the nearest other component.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The component a (default "smallest").
    shift : float
        Displacement in units of s_a (default 1.5).
    direction : {"orthogonal", "in_span", "toward"}
    noise : float
        Noise level in units of s_a (default 1).
    pick : {"random", "largest", "component"}
    """

    name, stage, targets = "component_shift", "regression", ("heavy", "light2")

    def __init__(self, component="smallest", shift=1.5, direction="orthogonal", noise=1.0,
                 pick="random"):
        if direction not in ("orthogonal", "in_span", "toward"):
            raise ValidationError(f"direction must be 'orthogonal', 'in_span' or 'toward', "
                                  f"got {direction!r}")
        self.component, self.shift, self.direction = component, float(shift), direction
        self.noise, self.pick = float(noise), self._check_pick(pick)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        w = theta.W[:, a]
        if self.direction == "orthogonal" or theta.k == 1:
            u = orthogonal_directions(theta.W, 1, rng)[:, 0]
        else:
            D = np.linalg.norm(theta.W - w[:, None], axis=0)
            D[a] = np.inf
            u = theta.W[:, int(np.argmin(D))] - w
            if self.direction == "in_span":
                u = w - np.delete(theta.W, a, axis=1).mean(axis=1)
        u = u / max(np.linalg.norm(u), 1e-300)
        wa = w + self.shift * theta.s[a] * u
        return model_examples(data.sizes[idx], np.tile(wa, (idx.size, 1)),
                              self.noise * theta.s[a], rng)


@register
class VarianceInflation(_Picking):
    """Aimed at ŝ²: zero least-squares gradient at w_a, inflated residuals.

    Examples come in pairs (x, xᵀw_a + r), (−x, −xᵀw_a + r), so every
    corrupted task's gradient at the clean fit is exactly zero (a gradient
    filter sees nothing) while its residual sum of squares is ``fill`` times
    the χ²_{t_i} flagging limit s_a²·χ²_{t_i}(1 − level): the task still fits
    component a, and ŝ_a² grows by ≈ (α/p_a)(fill·χ² quantile/t − 1)·s_a².

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The component a (default "smallest").
    fill : float
        Residual sum of squares as a fraction of the flagging limit (default 0.95).
    pick : {"random", "largest", "component"}
    """

    name, stage, targets = "variance_inflation", "regression", ("light2",)

    def __init__(self, component="smallest", fill=0.95, pick="largest"):
        self.component, self.fill = component, float(fill)
        if self.fill < 0:
            raise ValidationError(f"fill must be nonnegative, got {fill}")
        self.pick = self._check_pick(pick)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        level = ctx.setting("flag_level")
        sizes = data.sizes[idx]
        paired = np.maximum(2 * (sizes // 2), 1)
        resid = np.sqrt(self.fill * chi2.ppf(1 - level, sizes) * theta.s[a] ** 2 / paired)
        return sign_paired_examples(sizes, np.tile(theta.W[:, a], (idx.size, 1)), resid, rng)


@register
class ComponentMimic(_Picking):
    """Inlier mimicry aimed at p̂: tasks of component ``source`` replaced by
    exact clean-law tasks of component ``component``.

    Every corrupted task is a genuine draw from the model, so no filter can
    flag it; the data look exactly like a mixture with p_b raised and p_a
    lowered by the corrupted fraction. No estimator can do better than half
    that shift on both data sets: the information-theoretic limit for p̂.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The mimicked component b (default "smallest").
    source : int, {"next", "largest"}
        Component whose tasks are replaced (default "next": b + 1 mod k).
    pick : {"random", "largest", "component"}
        Default "component": tasks of ``source`` first.
    """

    name, stage, targets = "component_mimic", "regression", ("heavy", "light2")

    def __init__(self, component="smallest", source="next", pick="component"):
        self.component, self.source, self.pick = component, source, self._check_pick(pick)

    def _source(self, theta):
        b = component_index(theta, self.component)
        a = (b + 1) % theta.k if self.source == "next" else component_index(theta, self.source)
        return (b + 1) % theta.k if a == b else a

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        b = component_index(theta, self.component)
        return model_examples(data.sizes[idx], np.tile(theta.W[:, b], (idx.size, 1)),
                              theta.s[b], rng)
