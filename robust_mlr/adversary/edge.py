"""Edge placement: corrupted tasks placed just inside the fitted learner's thresholds.

A white-box adversary reads every threshold off a fitted robust learner
(:func:`~robust_mlr.adversary.read_thresholds`: the screen's limits per pool, the light-1
filter's trimming limit and clip, the regression filter's Marchenko–Pastur
margin, the heavy-task ŝ² interval, the flagging level, the far-task count)
and writes tasks that sit just inside them. The central construction
(:class:`EdgePlacement`) gives every corrupted task of a component the
*same* least-squares gradient at the fit: noise-free tasks
``y = X(w_a + δ s_a u)`` whose design has the shift direction ``u`` as an
exact eigenvector of ``XᵀX``. The gradients of those tasks add no spread,
only the between-group term ε(1 − ε)·t·δ²·s², and δ is chosen so that this
term keeps the top eigenvalue of the gradient covariance under the clean
Marchenko–Pastur edge (1 + 2√(d/n))², the regression filter's stop rule
(the task-filter idea of Diakonikolas et al., SEVER, ICML 2019).
:class:`EdgeSpike` is the same idea for the light-1 subspace statistic and
:class:`NoiseEdge` for the noise level the heavy tasks cross-check.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from ._thresholds import read_thresholds
from ._craft import fixed_direction, toward_nearest
from ._whitebox import component_index, OwnComponentTasks, trim_target

__all__ = ["read_thresholds", "EdgePlacement", "EdgeSpike", "NoiseEdge"]

_MARGIN = 0.97          # "just inside": 3 % below a limit


def _screen(ctx, pool):
    """(upper ||x||²/d limit, |y| limit) of ``pool``'s screen, in data units."""
    th = (ctx.settings.get("thresholds") or {}).get("screen", {})
    entry, sx = th.get(pool), th.get("sigma_x", 1.0)
    if entry is None:
        return None, None
    return float(entry["x_sq_over_d"][1]) * sx ** 2, float(entry["abs_y"])


def _task_rows(sizes):
    """Task id of every example and the start row of every task."""
    sizes = np.asarray(sizes)
    return np.repeat(np.arange(sizes.size), sizes), np.cumsum(sizes) - sizes


def _row_positions(sizes):
    """Task id of every example, its position within its task and the
    number of examples."""
    task, start = _task_rows(sizes)
    return task, np.arange(task.size) - start[task], task.size


def _direction(theta, a, how):
    """Unit shift direction: ⊥ span(W) ("orthogonal", the same for every
    pool, so attacks on several pools push one way) or toward the nearest
    other component ("toward")."""
    if how == "toward" and theta.k > 1:
        return toward_nearest(theta.W, a)
    return fixed_direction(theta.W)


def eigen_designs(sizes, u, amp, rng):
    """Designs with ``u`` an exact eigenvector: XᵢᵀXᵢ u = (Σⱼ aⱼ²) u per task.

    Row j of task i is x = aⱼ u + gⱼ with aⱼ = ±``amp`` and gⱼ ⊥ u, and the
    columns of (gⱼ) orthogonal to (aⱼ) within each task, so Σⱼ aⱼ gⱼ = 0.
    Vectorised over all rows; tasks of any sizes.
    """
    task, start = _task_rows(sizes)
    N, d = int(np.sum(sizes)), u.size
    a = amp * rng.choice([-1.0, 1.0], size=N)
    G = rng.standard_normal((N, d))
    G -= np.outer(G @ u, u)
    ag = np.add.reduceat(a[:, None] * G, start, axis=0)          # Σ a_j g_j per task
    aa = np.add.reduceat(a ** 2, start)
    G -= a[:, None] * (ag / aa[:, None])[task]
    return G + a[:, None] * u


@register
class EdgePlacement(OwnComponentTasks, Attack):
    """Shared-gradient tasks just inside the regression filter's stop rule.

    The tasks of component ``component`` are replaced by noise-free (or
    ``noise``·s) tasks ``y = X(w_a + δ s_a u)`` whose designs have ``u`` (a
    direction shared by every pool) as an
    exact eigenvector of ``XᵀX`` (:func:`eigen_designs`), so all their
    gradients ``t^{-1/2}Xᵀ(Xŵ − y)`` are one vector along ``u``. With a
    share ε of the component replaced, the gradient covariance gains only
    ε(1 − ε)·t̄·δ²·s² along ``u``; ``shift=None`` solves
    (1 − ε) + ε(1 − ε)·t̄·δ² = ``level`` · (1 + 2√(d/n_a))² for δ (the clean
    edge of the filter, read from the pool's own sizes), so the test
    stays passed while ŵ moves by ≈ ε·δ·s. ``x_level`` puts a fraction of the
    room the screen's ||x||² limit leaves (read from ``thresholds``) on the
    ``u`` coordinate (leverage; 0: unit variance).

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Component whose tasks are replaced (default "smallest").
    shift : float, optional
        δ in units of s_a (default: from the stop rule, see above).
    level : float
        Fraction of the edge used by ``shift=None`` (default 0.95).
    direction : {"orthogonal", "toward"}
        ``u`` ⊥ span(W) or toward the nearest other component.
    noise : float
        Noise of the corrupted tasks in units of s_a (default 0).
    x_level : float
        In [0, 1]: leverage along ``u`` (default 0).
    """

    name, stage, targets = "edge_placement", "regression", ("light2",)

    def __init__(self, component="smallest", shift=None, level=0.95, direction="orthogonal",
                 noise=0.0, x_level=0.0):
        if direction not in ("orthogonal", "toward"):
            raise ValidationError(f"direction must be 'orthogonal' or 'toward', got {direction!r}")
        self.component, self.direction = component, direction
        self.shift = None if shift is None else float(shift)
        self.level, self.noise, self.x_level = float(level), float(noise), float(x_level)
        if self.level <= 0 or self.noise < 0 or not 0 <= self.x_level <= 1 or \
                (self.shift is not None and self.shift < 0):
            raise ValidationError(f"need level > 0, noise >= 0, 0 <= x_level <= 1, shift >= 0; "
                                  f"got {level}, {noise}, {x_level}, {shift}")

    def auto_shift(self, data, idx, a):
        """δ that keeps the replaced tasks' between-group term at ``level`` × edge."""
        comps = data.components
        n_a = int(np.sum(comps == a)) if comps is not None else 0
        n_a = max(n_a, idx.size + 1)
        eps = min(idx.size / n_a, 0.5)
        edge = (1 + 2 * np.sqrt(data.dim / n_a)) ** 2
        t_bar = float(np.mean(data.sizes[idx]))
        room = max(self.level * edge - (1 - eps), 0.0)
        return float(np.sqrt(room / max(eps * (1 - eps) * t_bar, 1e-300)))

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        s = float(theta.s[a])
        delta = self.auto_shift(data, idx, a) if self.shift is None else self.shift
        u = _direction(theta, a, self.direction)
        x_hi, y_hi = _screen(ctx, ctx.pool)
        d = data.dim
        room = 0.0 if x_hi is None else max(_MARGIN * x_hi * d - (d - 1), 1.0) - 1.0
        sizes = data.sizes[idx]
        X = eigen_designs(sizes, u, np.sqrt(1.0 + self.x_level * room), rng)
        y = X @ (theta.W[:, a] + delta * s * u) + self.noise * s * rng.standard_normal(len(X))
        if y_hi is not None:                        # stay inside the screen's |y| limit
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


@register
class EdgeSpike(Attack):
    """Light-1 tasks with one shared subspace statistic, inside the filter's trim.

    The light-1 filter scores a task by its clipped statistic
    z = t^{-1/2} Σⱼ ψ(yⱼ) xⱼ. Every corrupted task writes pairs of examples
    x = a b u ± r (r ⊥ u, the pair's r opposite), y = a y_c, so the r parts
    cancel and z = 2⌊t/2⌋ t^{-1/2} y_c b u exactly: all corrupted statistics
    are the *same* point along u ⊥ span(W), with ||z||² = ``level`` × the
    clean (1 − α) score quantile (the trimming limit), |y_c| = ``y_level`` ×
    the clipping level. No spread, no score above the trim.

    Parameters
    ----------
    level : float
        Score as a fraction of the clean (1 − α) quantile (default 0.9).
    y_level : float
        |y| as a fraction of the clipping level (default 0.9).
    """

    name, stage, targets = "edge_spike", "subspace", ("light1",)

    def __init__(self, level=0.9, y_level=0.9):
        self.level, self.y_level = float(level), float(y_level)
        if self.level <= 0 or not 0 < self.y_level <= 1:
            raise ValidationError(f"need level > 0 and 0 < y_level <= 1, got {level}, {y_level}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        clip = ctx.setting("clip")
        alpha = float(ctx.settings.get("alpha") or idx.size / data.n_tasks)
        target, yc = trim_target(data, theta.W, self.level, self.y_level, clip, alpha)
        u = fixed_direction(theta.W)
        sizes = data.sizes[idx]
        task, start = _task_rows(sizes)
        pos = np.arange(len(task)) - start[task]
        half = (sizes // 2)[task]
        paired = pos < 2 * half
        second = (pos >= half) & paired
        partner = np.where(second, np.arange(len(task)) - half, np.arange(len(task)))
        pairs = np.maximum(2 * (sizes // 2), 1)
        b = (np.sqrt(target * sizes) / (pairs * yc))[task]
        R = rng.standard_normal((len(task), data.dim))
        R -= np.outer(R @ u, u)
        R = np.where(second[:, None], -R[partner], R)
        sgn = rng.choice([-1.0, 1.0], size=len(task))[partner]
        X = (sgn * b)[:, None] * u + R
        y = np.where(paired, sgn * yc, 0.0)
        return X, y


@register
class NoiseEdge(Attack):
    """Tasks of one component with a scaled noise level, against the ŝ² cross-check.

    The robust learner clips each light ŝ²_a to an interval centred on the
    heavy tasks' median noise estimate of component a. Replacing tasks of
    *other* components (so a loses none) by tasks of w_a with noise variance
    ``ratio``·s_a² moves that median by the share they take of a's tasks,
    whatever their exact value, so a ratio just under what the screen and
    the far-task rule let through (read from ``thresholds`` when given: the
    screen's |y| limit caps the ratio) moves the whole interval. Use it on
    the heavy pool together with a light-2 attack that pushes ŝ² to the
    interval's edge (e.g. ``median_push``).

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
    ratio : float
        Noise variance in units of s_a² (default 2; < 1 pushes down).
    """

    name, stage, targets = "noise_edge", "regression", ("heavy",)

    def __init__(self, component="smallest", ratio=2.0):
        self.component, self.ratio = component, float(ratio)
        if not self.ratio >= 0:
            raise ValidationError(f"ratio must be >= 0, got {ratio}")

    def choose(self, data, n_bad, ctx, rng):
        a = component_index(ctx.need_theta(self.name), self.component)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.argsort(comps[tie] == a, kind="stable")]   # other components first
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[idx]
        X = rng.standard_normal((int(sizes.sum()), data.dim))
        sig = np.sqrt(self.ratio) * float(theta.s[a])
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:                        # the |y| screen caps the noise
            sig = min(sig, _MARGIN * y_hi / chi2.isf(1e-3, 1) ** 0.5)
        return X, X @ theta.W[:, a] + sig * rng.standard_normal(len(X))

