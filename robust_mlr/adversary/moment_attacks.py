"""Attacks on the robust moment estimator and on exact copies.

The robust moment clustering (``clustering="moments_robust"``) drops the
heavy tasks whose RMS projected statistic ``(mean_j ‖y_j Uᵀx_j‖²)^{1/2}``
exceeds ``norm_factor`` × its median and averages the third-order moment
over the rest; a task just under that trim still weighs up to
(``norm_factor`` · median)³ in M3, and ⌊αn⌋ of them aligned on one direction
add a rank-one spike (:class:`TrimSpike`). Its subspace comes from the
light-1 pool, where moving one component's tasks onto a fresh direction
swaps a signal direction for a fake one (:class:`DirectionSwap`). Exact
copies (:class:`Copies`) are finite, pass every screen and give a
filter no spread; identical-example and constant tasks are their
degenerate limits.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import model_examples, orthogonal_directions, span_basis
from ._whitebox import component_index, OwnComponentTasks

__all__ = ["TrimSpike", "DirectionSwap", "Copies"]


def _spike_direction(theta, how, a, rng):
    """Unit direction in span(W): random, against component a, or between a and its nearest."""
    W = theta.W
    if how == "anti":
        v = -W[:, a]
    elif how == "between" and theta.k > 1:
        dist = np.linalg.norm(W - W[:, [a]], axis=0)
        dist[a] = np.inf
        v = W[:, a] + W[:, int(np.argmin(dist))]
    else:
        v = span_basis(W) @ rng.standard_normal(span_basis(W).shape[1])
    return v / max(np.linalg.norm(v), 1e-300)


@register
class TrimSpike(Attack):
    """Heavy tasks whose projected statistic is one vector just inside the norm trim.

    Every example is x = b·a·v + r (a = ±1, v a unit vector in span(W),
    r ~ N(0, I) ⊥ span(W) ∪ v), y = a·c, so y·Uᵀx = c·b·v exactly for
    U = span(W): the task's RMS statistic is |c b|, set to ``level`` ×
    ``norm_factor`` × the clean pool's median RMS statistic (computed on
    span(W), white-box). All ⌊αn⌋ tasks add α(cb)³ v^{⊗3} to M3 and
    α(cb)² vvᵀ to M2. b is kept inside the screen's ||x||² range.

    Parameters
    ----------
    level : float
        Fraction of the trim used (default 0.9; above 1 the tasks are trimmed).
    direction : {"random", "anti", "between"}
        v: random in span(W), −w_a, or the bisector of w_a and its nearest.
    component : int or {"smallest", "largest", "heaviest"}
    norm_factor : float
        The defender's trim factor (default 4, the estimator's).
    """

    name, stage, targets = "trim_spike", "clustering", ("heavy",)

    def __init__(self, level=0.9, direction="random", component="largest", norm_factor=4.0):
        if direction not in ("random", "anti", "between"):
            raise ValidationError(f"direction must be 'random', 'anti' or 'between', got "
                                  f"{direction!r}")
        self.level, self.direction, self.component = float(level), direction, component
        self.norm_factor = float(norm_factor)
        if self.level <= 0 or self.norm_factor <= 1:
            raise ValidationError(f"need level > 0 and norm_factor > 1, got {level}, "
                                  f"{norm_factor}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        Q = span_basis(theta.W)
        stat = np.sum((data.y[:, None] * (data.X @ Q)) ** 2, axis=1)
        rms = np.sqrt(data.task_sums(stat) / data.sizes)
        cb = self.level * self.norm_factor * float(np.median(rms))
        a = component_index(theta, self.component)
        v = _spike_direction(theta, self.direction, a, rng)
        N, d = int(data.sizes[idx].sum()), data.dim
        B = np.column_stack([Q, v])
        R = rng.standard_normal((N, d))
        R -= (R @ B) @ np.linalg.pinv(B)            # r ⊥ span(W) ∪ v
        b = np.sqrt(d)                              # ||x||² ≈ 2d: inside the screen
        c = cb / b
        sgn = rng.choice([-1.0, 1.0], size=N)
        return (sgn * b)[:, None] * v + R, sgn * c


@register
class DirectionSwap(OwnComponentTasks, Attack):
    """Light-1 tasks of one component moved onto a fresh direction.

    ⌊αn⌋ light-1 tasks of component a (its own tasks first, so a loses
    them) are replaced by clean-looking tasks of the regression vector
    ``scale``·‖w_a‖·u, u ⊥ span(W), noise s_a: the second moment loses
    α-worth of w_a w_aᵀ and gains as much along u, so for a small p_a the
    subspace estimate may trade w_a's direction for u.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Default "smallest".
    scale : float
        Length of the fake vector in units of ‖w_a‖ (default 1).
    """

    name, stage, targets = "direction_swap", "subspace", ("light1",)

    def __init__(self, component="smallest", scale=1.0):
        self.component, self.scale = component, float(scale)
        if self.scale <= 0:
            raise ValidationError(f"scale must be positive, got {scale}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        u = orthogonal_directions(theta.W, 1, rng)[:, 0]
        w = self.scale * np.linalg.norm(theta.W[:, a]) * u
        m = idx.size
        return model_examples(data.sizes[idx], np.tile(w, (m, 1)), np.full(m, theta.s[a]), rng)


@register
class Copies(Attack):
    """⌊αn⌋ tasks replaced by ``groups`` repeated tasks.

    ``kind="clean"``: copies of clean tasks of the pool (each copy has the
    same gradient and statistic: no spread); ``"identical"``: tasks whose
    examples are all one finite standard-normal (x, y); ``"constant"``:
    every entry of X and y equal to the group's constant in [−2, 2]. The
    copies of a group are identical tasks; sizes follow the replaced tasks
    (a copy of a larger task is cut, of a smaller one repeated cyclically).

    Parameters
    ----------
    kind : {"clean", "identical", "constant"}
    groups : int
        Number of distinct tasks copied (default 1).
    """

    name, stage, targets = "copies", "generic", ("light1", "heavy", "light2")

    def __init__(self, kind="clean", groups=1):
        if kind not in ("clean", "identical", "constant"):
            raise ValidationError(f"kind must be 'clean', 'identical' or 'constant', got {kind!r}")
        self.kind, self.groups = kind, int(groups)
        if self.groups < 1:
            raise ValidationError(f"groups must be >= 1, got {groups}")

    def craft(self, data, idx, ctx, rng):
        sizes = data.sizes[idx]
        g = min(self.groups, idx.size)
        group = np.arange(idx.size) % g
        task = np.repeat(np.arange(idx.size), sizes)
        pos = np.arange(task.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        grp = group[task]
        if self.kind == "identical":
            x0, y0 = rng.standard_normal((g, data.dim)), rng.standard_normal(g)
            return x0[grp], y0[grp]
        if self.kind == "constant":
            c = rng.uniform(-2.0, 2.0, g)
            return np.repeat(c[grp][:, None], data.dim, axis=1), c[grp]
        others = np.setdiff1d(np.arange(data.n_tasks), idx)
        src = rng.choice(others if others.size >= g else np.arange(data.n_tasks), g,
                         replace=False)
        row = data.offsets[src[grp]] + pos % data.sizes[src[grp]]
        return data.X[row].copy(), data.y[row].copy()
