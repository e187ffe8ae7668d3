"""What a white-box adversary computes before writing its tasks (private).

Everything here reads only the clean pool, the true θ and the learner's
public settings (the adversary "has the code"), and is vectorised over tasks.
"""

from __future__ import annotations

import numpy as np

from ..constants import MAD_TO_SIGMA
from ._craft import span_basis
from ..exceptions import ValidationError

PICKS = ("random", "largest", "component")


def component_index(theta, which):
    """Resolve a component selector: ``"smallest"``/``"largest"`` (by p_a,
    ties to the lowest index), ``"heaviest"`` (largest p_a ||w_a||²) or an int."""
    if isinstance(which, (int, np.integer)):
        if not 0 <= int(which) < theta.k:
            raise ValidationError(f"component must be in [0, {theta.k}), got {which}")
        return int(which)
    if which == "smallest":
        return int(np.argmin(theta.p))
    if which == "largest":
        return int(np.argmax(theta.p))
    if which == "heaviest":
        return int(np.argmax(theta.p * np.sum(theta.W ** 2, axis=0)))
    raise ValidationError(f"component must be an int, 'smallest', 'largest' or 'heaviest', "
                          f"got {which!r}")


def pick_tasks(data, n_bad, rng, how="random", component=None):
    """Indices of the ``n_bad`` tasks to replace.

    ``"random"``: uniformly at random; ``"largest"``: the tasks with the most
    examples (ties broken at random), the choice that maximises the
    corrupted share of every example-weighted estimate; ``"component"``: tasks
    of true component ``component`` first (their removal lowers that
    component's share), then random others.
    """
    if how not in PICKS:
        raise ValidationError(f"pick must be one of {PICKS}, got {how!r}")
    n = data.n_tasks
    tie = rng.permutation(n)
    if how == "random":
        return np.sort(tie[:n_bad])
    if how == "largest":
        order = tie[np.argsort(-data.sizes[tie], kind="stable")]
        return np.sort(order[:n_bad])
    comps = data.components if data.components is not None else np.full(n, -1)
    first = (comps[tie] != component).astype(int)
    order = tie[np.argsort(first, kind="stable")]
    return np.sort(order[:n_bad])


def clip_scale(y, clip):
    """The response clipping level ``clip · 1.4826 · median|y|`` of the
    learner's per-task subspace statistic (inf when ``clip`` is None)."""
    if clip is None:
        return np.inf
    return float(clip * MAD_TO_SIGMA * np.median(np.abs(y)))


def subspace_scores(data, Q, clip):
    """Clean tasks' filter scores τ_i = ||Qᵀ z_i||² with z_i the clipped
    statistic t_i^{-1/2} Σ_j ψ(y_ij) x_ij."""
    c = clip_scale(data.y, clip)
    y = np.clip(data.y, -c, c)
    z = data.task_sums(data.X * y[:, None]) / np.sqrt(data.sizes)[:, None]
    return np.sum((z @ Q) ** 2, axis=1)


def trim_target(data, W, level, y_level, clip, alpha):
    """Where a white-box light-1 attack places its statistic: ``level`` times
    the clean (1 − α) quantile of the filter scores (the trim), and the
    response level ``y_level`` times the clipping level (3 standard
    deviations of y when the learner does not clip). Returns
    ``(target, y_c)``."""
    tau = subspace_scores(data, span_basis(W), clip)
    target = level * np.quantile(tau, 1 - min(max(alpha, 1e-3), 0.5))
    c = clip_scale(data.y, clip)
    return target, y_level * (3 * float(np.std(data.y)) if not np.isfinite(c) else c)


def unit_rows(V):
    """Rows scaled to unit norm (zero rows stay zero)."""
    nrm = np.linalg.norm(V, axis=1, keepdims=True)
    return V / np.maximum(nrm, 1e-300)


def sign_paired_examples(sizes, W_rows, resid, rng):
    """Examples with zero least-squares gradient at ``W_rows`` but residual
    magnitude ``resid`` (m,) per example.

    Examples come in pairs (x, xᵀw + r) and (−x, −xᵀw + r): both residuals
    are r and their gradient contributions x·r and −x·r cancel, so
    Σ_j x_j (y_j − x_jᵀw) = 0 exactly. An odd task's last example has
    residual 0. x ~ N(0, I), so every marginal looks clean.
    """
    sizes = np.asarray(sizes)
    m, d = W_rows.shape
    N = int(sizes.sum())
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    pos = np.arange(N) - start
    half = np.repeat(sizes // 2, sizes)
    second = pos >= half
    paired = pos < 2 * half
    partner = np.where(second & paired, np.arange(N) - half, np.arange(N))
    X = rng.standard_normal((N, d))
    X = np.where((second & paired)[:, None], -X[partner], X)
    sgn = rng.choice([-1.0, 1.0], size=N)[partner]
    r = np.repeat(np.asarray(resid, float), sizes) * sgn * paired
    Wr = np.repeat(W_rows, sizes, axis=0)
    y = np.einsum("ij,ij->i", X, Wr) + r
    return X, y


class OwnComponentTasks:
    """Mixin of the attacks that replace a component's own tasks: ``choose``
    picks ⌊αn⌋ tasks of ``self.component`` (:func:`component_index`),
    the rest at random when it has fewer."""

    def choose(self, data, n_bad, ctx, rng):
        a = component_index(ctx.need_theta(self.name), self.component)
        return pick_tasks(data, n_bad, rng, "component", a)
