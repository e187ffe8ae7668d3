"""White-box attacks written against the hardened robust learner's own thresholds.

Each family reads one defence's formula (screening, candidate space of the
subspace filter, the median noise estimate) and places its tasks exactly
where that defence stops looking. All go through :class:`Attack`, so the
⌊α n⌋ budget per pool, the shapes and finiteness are enforced.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ._base import Attack, register
from .adaptive import CovariateSpike
from ._craft import model_examples, orthogonal_directions
from ._whitebox import clip_scale, component_index, sign_paired_examples, unit_rows

__all__ = ["CandidateOverflow", "MedianPush", "QuantileSwap", "CentreDrag", "SureMimic",
           "SignalTheft"]


def _screen_x_limit(d, N, delta=1e-3):
    """The screen's upper limit on ||x||²/d (in robust x-scale units) for a
    pool of N examples: χ²_d upper δ/(2N) quantile over d."""
    return chi2.isf(delta / (2 * N), d) / d


@register
class CandidateOverflow(Attack):
    """Overflow the subspace filter's candidate space with hidden directions.

    The robust subspace filter keeps the top k + ``extra`` (default 2k)
    eigenvectors of the kept statistics as candidates, trims there at the
    Binomial limit and takes the top k. A single hidden direction carried by
    ⌊αn⌋ points is trimmed; but ``n_directions`` > extra directions ⊥ span(W),
    each carried by its share of the budget, each with more energy than the
    weakest signal direction, push that signal out of the candidate space
    before any trimming happens. Every covariate is x = b v + r with
    ||r||² = d − 1 exactly (r ⊥ v) and b² = ``x_frac`` × (0.97·d·u_hi − (d − 1)),
    d·u_hi the screen's upper χ² limit on ||x||², so the screen passes every
    example; the responses are ``y_frac`` × the clipping level of the
    subspace statistic (so the clip never bites and the screen's y test passes).

    Parameters
    ----------
    n_directions : int
        Number of orthonormal hidden directions (default 6; the budget is
        dealt round-robin over them).
    x_frac : float
        Energy along the hidden direction as a fraction of the room the
        screen leaves above the d − 1 unit-variance remainder, in (0, 1]
        (default 0.5).
    y_frac : float
        |y| as a fraction of the subspace clipping level (default 0.95).
    """

    name, stage, targets = "candidate_overflow", "subspace", ("light1",)

    def __init__(self, n_directions=6, x_frac=0.5, y_frac=0.95):
        self.n_directions, self.x_frac, self.y_frac = int(n_directions), float(x_frac), \
            float(y_frac)
        if self.n_directions < 1 or not 0 < self.x_frac <= 1 or self.y_frac <= 0:
            raise ValidationError(f"need n_directions >= 1, 0 < x_frac <= 1, y_frac > 0; got "
                                  f"{n_directions}, {x_frac}, {y_frac}")

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        N, d = data.X.shape
        sx = float(np.median(np.linalg.norm(data.X, axis=1)) / np.sqrt(chi2.median(d)))
        limit = 0.97 * d * _screen_x_limit(d, N) * sx ** 2     # ||x||² allowed (3 % margin)
        sizes = data.sizes[idx]
        V = orthogonal_directions(theta.W, self.n_directions, rng)
        E = V.T[np.arange(idx.size) % V.shape[1]]
        Er = np.repeat(E, sizes, axis=0)
        R = rng.standard_normal((int(sizes.sum()), d))
        R -= Er * np.einsum("ij,ij->i", R, Er)[:, None]
        R *= sx * np.sqrt(d - 1) / np.linalg.norm(R, axis=1, keepdims=True)   # exact norm
        amp = np.sqrt(self.x_frac * max(limit - (d - 1) * sx ** 2, 0.0))
        a = rng.choice([-1.0, 1.0], size=R.shape[0])
        c = clip_scale(data.y, 2.0)
        return Er * (amp * a)[:, None] + R, a * self.y_frac * c


@register
class MedianPush(Attack):
    """Push the median noise estimate ŝ_a² and the share p̂_a at once.

    ŝ_a² is a (size-weighted) median over component a's tasks of
    RSS_i / median(χ²_{t_i}); a median moves by one order statistic per
    corrupted task whatever that task's value. Taking all ⌊αn⌋ tasks from
    *other* components (so all of a's clean tasks stay) and writing tasks of
    component a with zero least-squares gradient at w_a (sign-paired
    examples, invisible to a gradient filter) and RSS just under the χ²
    flagging limit (``fill`` × s_a² χ²_{t}(1 − level)), puts a fraction
    α/(p_a + α) of a's tasks above the clean median: ŝ_a² rises to the clean
    χ² quantile 1/(2(1 − α/(p_a+α))) and p̂_a rises by α (the share shift is
    information-theoretically unavoidable; the ŝ² shift is the median's
    α-quantile gap, not removable by a median).

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Component a (default "smallest").
    fill : float
        RSS as a fraction of the flagging limit (default 0.9).
    direction : {"up", "down"}
        "down" writes RSS = ``fill`` × the clean χ² 0.05-quantile instead
        (ŝ_a² pushed to the lower quantile).
    """

    name, stage, targets = "median_push", "regression", ("heavy", "light2")

    def __init__(self, component="smallest", fill=0.9, direction="up"):
        if direction not in ("up", "down"):
            raise ValidationError(f"direction must be 'up' or 'down', got {direction!r}")
        self.component, self.fill, self.direction = component, float(fill), direction
        if self.fill < 0:
            raise ValidationError(f"fill must be nonnegative, got {fill}")

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.argsort((comps[tie] == a).astype(int), kind="stable")]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        level = ctx.setting("flag_level")
        sizes = data.sizes[idx]
        q = chi2.ppf(1 - level, sizes) if self.direction == "up" else chi2.ppf(0.05, sizes)
        paired = np.maximum(2 * (sizes // 2), 1)
        resid = np.sqrt(self.fill * q * theta.s[a] ** 2 / paired)
        return sign_paired_examples(sizes, np.tile(theta.W[:, a], (idx.size, 1)), resid, rng)


@register
class QuantileSwap(Attack):
    """Replace the noise tail of one component: the strong-contamination attack on ŝ².

    A median over component a's tasks moves one order statistic per
    corrupted task — but the adversary also *chooses which tasks go*. It
    takes the ⌊αn⌋ tasks of component a whose clean ratio
    RSS_i / (s_a² median χ²_{t_i}) at the true w_a is lowest (``"up"``;
    highest for ``"down"``) and writes genuine-looking tasks of component a
    in their place: x ~ N(0, I), y = xᵀw_a + e with Gaussian noise rescaled
    so that ||e||² = s_a² χ²_{t_i}(q_i), q_i spread uniformly over
    [``level`` − 0.05, ``level``] (mirrored for ``"down"``). Their gradients
    are those of clean tasks (random directions, clean sizes), their RSS is
    inside the clean χ² range, so neither the gradient filter nor χ²
    flagging sees them. With a fraction ε = ⌊αn⌋/n_a of the component
    swapped, its median ratio moves from the clean ½-quantile to the clean
    (½ + ε/2 … ½ + ε)-quantile rather than ½/(1 − ε) (random pick) — in the
    heavy pool (t = 128, ε ≈ 0.2) about +7 %, in light2 (t = 8) about +30 %.
    Tasks beyond the component's own count are taken at random from the
    others and written the same way.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The component a (default "smallest").
    level : float in (0.55, 1)
        Upper χ² quantile of the written tasks' noise (default 0.8; lower
        quantile 1 − ``level`` for ``"down"``).
    direction : {"up", "down"}
        Push ŝ_a² up (swap the lowest ratios) or down (swap the highest).
    """

    name, stage, targets = "quantile_swap", "regression", ("heavy", "light2")

    def __init__(self, component="smallest", level=0.8, direction="up"):
        if direction not in ("up", "down"):
            raise ValidationError(f"direction must be 'up' or 'down', got {direction!r}")
        if not 0.55 <= float(level) < 1:
            raise ValidationError(f"level must be in [0.55, 1), got {level}")
        self.component, self.level, self.direction = component, float(level), direction

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        rss = data.task_sums((data.y - data.X @ theta.W[:, a]) ** 2)
        ratio = rss / (theta.s[a] ** 2 * chi2.median(data.sizes))
        key = np.where(comps == a, ratio if self.direction == "up" else -ratio, np.inf)
        tie = rng.permutation(data.n_tasks)              # non-members in random order
        order = tie[np.lexsort((np.arange(data.n_tasks), key[tie]))]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        sizes = data.sizes[idx]
        q = rng.uniform(self.level - 0.05, self.level, size=idx.size)
        q = q if self.direction == "up" else 1 - q
        X, _ = model_examples(sizes, np.tile(theta.W[:, a], (idx.size, 1)), 0.0, rng)
        return X, X @ theta.W[:, a] + _scaled_noise(sizes, theta.s[a], q, rng)


def _scaled_noise(sizes, s, q, rng):
    """Gaussian noise per task rescaled so that each task's ||e||² = s² χ²_t(q_i)."""
    e = rng.standard_normal(int(np.sum(sizes)))
    norm2 = np.add.reduceat(e ** 2, np.cumsum(sizes) - sizes)
    return e * np.repeat(s * np.sqrt(chi2.ppf(q, sizes) / np.maximum(norm2, 1e-300)), sizes)


@register
class CentreDrag(Attack):
    """Drag a heavy cluster's median centre and noise level towards the others.

    The robust cluster estimates are coordinate-wise medians (w̃_b) and a
    median of residual variances (r̃_b²) over the cluster's tasks, so
    ⌊αn⌋ tasks move each by a quantile gap — more when the adversary also
    chooses *which* of b's tasks go: those with the lowest per-task mean
    y·x along u. They are replaced by model tasks of w_b + ``shift``·s_b·u
    with noise ``noise``·s_b, u towards the mean of the other components
    (``"others"``) or ⊥ span(W) (``"orthogonal"``). Classification of the
    light tasks reads w̃ and r̃²: a centre moved towards the others and a
    larger r̃_b² pull clean light tasks of every other component into b, so
    p̂_b grows by more than the corrupted share (aimed at p̂, not ŵ: the
    final ŵ is refitted on the light tasks).

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The cluster b (default "smallest").
    shift : float
        Offset of the written tasks' regression vector in units of s_b (default 1).
    noise : float
        Noise level of the written tasks in units of s_b (default 1.2).
    direction : {"others", "orthogonal"}
    """

    name, stage, targets = "centre_drag", "clustering", ("heavy",)

    def __init__(self, component="smallest", shift=1.0, noise=1.2, direction="others"):
        if direction not in ("others", "orthogonal"):
            raise ValidationError(f"direction must be 'others' or 'orthogonal', got {direction!r}")
        if shift < 0 or noise < 0:
            raise ValidationError(f"shift and noise must be nonnegative, got {shift}, {noise}")
        self.component, self.shift, self.noise = component, float(shift), float(noise)
        self.direction = direction

    def _u(self, theta):
        b = component_index(theta, self.component)
        if self.direction == "orthogonal" or theta.k == 1:      # one fixed direction ⊥ span(W)
            return orthogonal_directions(theta.W, 1, np.random.default_rng(0))[:, 0]
        u = np.delete(theta.W, b, axis=1).mean(axis=1) - theta.W[:, b]
        return unit_rows(u[None])[0]

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        b = component_index(theta, self.component)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        along = data.task_sums(data.X * data.y[:, None]) @ self._u(theta) / data.sizes
        key = np.where(comps == b, along, np.inf)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.lexsort((np.arange(data.n_tasks), key[tie]))]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        b = component_index(theta, self.component)
        wb = theta.W[:, b] + self.shift * theta.s[b] * self._u(theta)
        return model_examples(data.sizes[idx], np.tile(wb, (idx.size, 1)),
                              self.noise * theta.s[b], rng)


@register
class SureMimic(Attack):
    """Inlier mimicry that the classifier cannot miss: component a's most
    confidently classified tasks replaced by confidently classified tasks of b.

    :class:`~robust_mlr.adversary.ComponentMimic` replaces random tasks of a
    by random tasks of b; some of each would have been misclassified
    anyway, so p̂ moves by less than the corrupted share. Here the tasks of
    ``source`` a with the largest likelihood margin for a (under the true θ)
    go, and each written task of b has noise rescaled to the χ²_t
    ``quantile`` (a low quantile: far from every other component), so each
    corrupted task moves exactly one count from a to b: p̂ shifts by the
    full ⌊αn⌋/n. Genuine-looking tasks of b (information-theoretically a
    share shift), to be combined with attacks on the heavy pool that steer
    the classification of clean tasks.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        The mimicked component b (default "smallest").
    source : int or "next"
        The component a whose tasks are replaced (default b + 1 mod k).
    quantile : float in (0, 1)
        χ² quantile of the written tasks' residual sum of squares (default 0.3).
    """

    name, stage, targets = "sure_mimic", "regression", ("light2",)

    def __init__(self, component="smallest", source="next", quantile=0.3):
        if not 0 < float(quantile) < 1:
            raise ValidationError(f"quantile must be in (0, 1), got {quantile}")
        self.component, self.source, self.quantile = component, source, float(quantile)

    def _pair(self, theta):
        b = component_index(theta, self.component)
        a = (b + 1) % theta.k if self.source == "next" else component_index(theta, self.source)
        return ((b + 1) % theta.k if a == b else a), b

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a, _ = self._pair(theta)
        rss = data.task_sums((data.y[:, None] - data.X @ theta.W) ** 2) / theta.s ** 2
        nll = rss / 2 + data.sizes[:, None] * np.log(theta.s)
        margin = np.delete(nll, a, axis=1).min(axis=1) - nll[:, a]
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        key = np.where(comps == a, -margin, np.inf)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.lexsort((np.arange(data.n_tasks), key[tie]))]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        _, b = self._pair(theta)
        sizes = data.sizes[idx]
        X, _ = model_examples(sizes, np.tile(theta.W[:, b], (idx.size, 1)), 0.0, rng)
        e = _scaled_noise(sizes, theta.s[b], np.full(idx.size, self.quantile), rng)
        return X, X @ theta.W[:, b] + e


@register
class SignalTheft(CovariateSpike):
    """Take a separating direction out of the light-1 signal, then fill its slot.

    With p uniform and W orthonormal every direction of span(W) carries the
    same signal eigenvalue (≈ 0.3 against a unit bulk at t = 2), so the
    direction that matters is the one that separates two components,
    v = (w_a − w_b)/||w_a − w_b||. The adversary replaces the ⌊αn⌋ tasks whose
    clipped statistic has the largest |vᵀz_i| — the clean tail along v, which
    holds more than the whole signal along v (for a Gaussian, the top 5 % in
    |vᵀz| carry 28 % of its second moment) — and writes
    :class:`~robust_mlr.adversary.CovariateSpike` tasks in their place (energy
    along hidden directions ⊥ span(W), each score inside the filter's
    trimming quantile). If v leaves the estimated U, components a and b
    coincide in every projected statistic of the heavy pool.

    Parameters
    ----------
    component : int or {"smallest", "largest", "heaviest"}
        Component a (default "smallest").
    other : int or "nearest"
        Component b (default the nearest to a).
    level, y_level, n_directions :
        As in :class:`~robust_mlr.adversary.CovariateSpike`.
    """

    name, stage, targets = "signal_theft", "subspace", ("light1",)

    def __init__(self, component="smallest", other="nearest", level=0.9, y_level=0.9,
                 n_directions=1):
        super().__init__(level, y_level, n_directions, "random")
        self.component, self.other = component, other

    def _direction(self, theta):
        a = component_index(theta, self.component)
        if self.other == "nearest":
            D = np.linalg.norm(theta.W - theta.W[:, [a]], axis=0)
            D[a] = np.inf
            b = int(np.argmin(D))
        else:
            b = component_index(theta, self.other)
        if a == b:
            b = (a + 1) % theta.k
        return unit_rows((theta.W[:, a] - theta.W[:, b])[None])[0]

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        v = self._direction(theta)
        c = clip_scale(data.y, ctx.setting("clip"))
        y = np.clip(data.y, -c, c)
        along = np.abs(data.task_sums(data.X * y[:, None]) @ v) / np.sqrt(data.sizes)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.argsort(-along[tie], kind="stable")]
        return np.sort(order[:n_bad])
