"""Attacks on the heavy-pool anchor of the robust regression and on the ŝ² pooling.

The robust regression stages pool every light estimate ŵ_ℓ with a robust
estimate from the heavy tasks assigned to ℓ (the anchor): a whitened filter
on the per-task least-squares fits, stopped at the Marchenko–Pastur edge of
an identity covariance plus Tracy–Widom scales, then a precision-weighted
mean with the light–heavy difference shrunk onto the median radius of its
χ²_d law. Two white-box ways through it:

* :class:`AnchorStarve` — a component with fewer than 2·b + 3 usable heavy
  tasks (b the pool's excess limit αn + 3√(αn) + 1) has no anchor and keeps
  its light-only estimate, silently. Removing ⌊αn_H⌋ of the component's
  heavy tasks from the anchor's count — by replacing them with clean draws
  of the other components (the pool's law changes only in its mixing
  weights) or with tasks of the component whose designs are rank-deficient
  (left out of the anchor, still counted by the ŝ² cross-check) — does it
  whenever the component holds fewer than 2·b + 3 + ⌊αn_H⌋ heavy tasks.
* :class:`AnchorEdge` — the corrupted heavy tasks of a component are exact
  fits β_i = w_a + δ·s_a·u/√t with designs XᵢᵀXᵢ = t·I (the capped weight
  exactly) and residuals orthogonal to the design's columns, so every
  whitened score z_i is the same point along u and their own residual sums
  of squares are free: δ is bisected on the filter's own statistic (the
  clean tasks are the adversary's to read) so that the top eigenvalue stays
  at ``level`` × the stop level, and the residuals are set at ``rss`` × the
  clean median, above it, which raises the filter's noise scale ŝ²_H (the
  Mahalanobis radius of the pooling grows with it).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..exceptions import ValidationError
from ..threat import excess_limit
from ._base import Attack, register
from ._craft import fixed_direction, model_examples, toward_nearest
from ._whitebox import component_index

__all__ = ["AnchorStarve", "AnchorEdge"]

KINDS = ("others", "degenerate")


def _component(theta, data, which):
    """Component selector with ``"fewest"``: the one with the fewest tasks in ``data``."""
    if which == "fewest":
        comps = data.components
        if comps is None:
            return int(np.argmin(theta.p))
        counts = np.bincount(comps[comps >= 0], minlength=theta.k)
        return int(np.argmin(counts))
    return component_index(theta, which)


def _own_tasks(data, a, n_bad, rng):
    """``n_bad`` tasks of true component ``a`` (others at random when a has fewer)."""
    comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
    tie = rng.permutation(data.n_tasks)
    order = tie[np.argsort(comps[tie] != a, kind="stable")]
    return np.sort(order[:n_bad])


def _other_tasks(data, a, n_bad, rng):
    comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
    tie = rng.permutation(data.n_tasks)
    order = tie[np.argsort(comps[tie] == a, kind="stable")]
    return np.sort(order[:n_bad])


def exact_fit_tasks(beta, sizes, s, rss, rng):
    """Tasks whose least-squares fits are exactly ``beta``.

    Parameters
    ----------
    beta : ndarray (m, d)
        The fits, one row per task.
    sizes : ndarray of int (m,)
    s : float
        Noise scale of the residuals.
    rss : float
        Residual sum of squares of each task as a multiple of s²·median
        χ²_{t−d}.
    rng : Generator

    Returns
    -------
    X : ndarray (Σ sizes, d), y : ndarray (Σ sizes,)
        X = √t·Q (QᵀQ = I) and y = Xβ + e with e ⊥ col(X); tasks with
        t ≤ d (no per-task fit) get Gaussian designs and noise of variance
        rss·s².
    """
    d = beta.shape[1]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    X, y = np.empty((int(starts[-1]), d)), np.empty(int(starts[-1]))
    for t in np.unique(sizes):                 # loop over distinct sizes only
        which = np.flatnonzero(sizes == t)
        rows = (starts[which][:, None] + np.arange(t)).reshape(-1)
        if t <= d:                              # no per-task fit: a plain shifted model
            Xt = rng.standard_normal((which.size, t, d))
            X[rows] = Xt.reshape(-1, d)
            y[rows] = (np.einsum("mtd,md->mt", Xt, beta[which])
                       + s * np.sqrt(rss) * rng.standard_normal((which.size, t))
                       ).reshape(-1)
            continue
        Q = np.linalg.qr(rng.standard_normal((which.size, t, d)))[0]     # (m, t, d)
        E = rng.standard_normal((which.size, t))
        E -= np.einsum("mtd,md->mt", Q, np.einsum("mtd,mt->md", Q, E))
        E *= np.sqrt(rss * s ** 2 * chi2.median(max(t - d, 1)) /
                     np.maximum(np.sum(E ** 2, axis=1), 1e-300))[:, None]
        Xt = np.sqrt(t) * Q
        X[rows] = Xt.reshape(-1, d)
        y[rows] = (np.einsum("mtd,md->mt", Xt, beta[which]) + E).reshape(-1)
    return X, y


@register
class AnchorStarve(Attack):
    """Take a component's heavy tasks out of the anchor's count.

    Parameters
    ----------
    component : int or {"fewest", "smallest", "largest", "heaviest"}
        Default "fewest": the component with the fewest heavy tasks (white-box).
    kind : {"others", "degenerate"}
        "others": the tasks become clean draws of the other components (in
        proportion to their shares); "degenerate": tasks of w_a with noise
        variance ``ratio``·s_a² whose covariates all lie in one hyperplane
        (a singular design: no per-task fit, left out of the anchor, but
        assigned to a by the ŝ² cross-check, where ``ratio`` > 1 pushes the
        median up).
    ratio : float
        Noise variance of the degenerate tasks in units of s_a² (default 1.4).
    """

    name, stage, targets = "anchor_starve", "regression", ("heavy",)

    def __init__(self, component="fewest", kind="others", ratio=1.4):
        if kind not in KINDS:
            raise ValidationError(f"kind must be one of {KINDS}, got {kind!r}")
        self.component, self.kind, self.ratio = component, kind, float(ratio)
        if not self.ratio > 0:
            raise ValidationError(f"ratio must be > 0, got {ratio}")

    def choose(self, data, n_bad, ctx, rng):
        a = _component(ctx.need_theta(self.name), data, self.component)
        return _own_tasks(data, a, n_bad, rng)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, data, self.component)
        sizes = data.sizes[idx]
        if self.kind == "others":
            p = np.asarray(theta.p, float).copy()
            p[a] = 0.0
            comp = rng.choice(theta.k, size=idx.size, p=p / p.sum())
            return model_examples(sizes, theta.W[:, comp].T, theta.s[comp], rng)
        s = float(theta.s[a]) * np.sqrt(self.ratio)
        X, y = model_examples(sizes, np.repeat(theta.W[:, [a]].T, idx.size, axis=0),
                              np.full(idx.size, s), rng)
        e = fixed_direction(theta.W)                      # one direction left out
        Xp = X - np.outer(X @ e, e)
        # keep ||x||² on its clean law: the lost coordinate's mass spread over the rest
        Xp *= np.sqrt(np.einsum("ij,ij->i", X, X) /
                      np.maximum(np.einsum("ij,ij->i", Xp, Xp), 1e-300))[:, None]
        y = y + (Xp - X) @ theta.W[:, a]                   # y = x'ᵀw_a + noise exactly
        return Xp, y


def _first_round_ratio(blocks, cap, d, s2):
    """Top eigenvalue of mean z zᵀ over the whitened scores at the capped-weight
    mean, over the filter's stop level (its first round, nothing removed)."""
    from ..stages.regression import _heavy_anchor as defender    # the defender's own rules
    _stop_level = defender._stop_level
    A, b, beta = blocks
    lam, V = np.linalg.eigh(A)
    At = np.einsum("nij,nj,nkj->nik", V, np.minimum(lam, cap), V)
    limit_sds = getattr(defender, "TRACE_SDS", None)
    if limit_sds is not None:          # the defender's limit on a task's whole capped weight
        tr = np.minimum(lam, cap).sum(axis=1)
        med = float(np.median(tr))
        limit = med + limit_sds * 1.4826 * float(np.median(np.abs(tr - med)))
        At *= np.minimum(1.0, limit / np.maximum(tr, 1e-300))[:, None, None]
    mu = np.linalg.solve(At.sum(0), np.einsum("nij,nj->i", At, beta))
    L = np.linalg.cholesky(A)
    z = np.linalg.solve(L, (b - A @ mu)[..., None])[..., 0] / np.sqrt(s2)
    m = z.shape[0]
    top = np.linalg.eigvalsh(z.T @ z / m)[-1]
    return top / _stop_level(m, d)


@register
class AnchorEdge(Attack):
    """Heavy tasks with one whitened score, just inside the anchor filter's stop rule.

    Parameters
    ----------
    component : int or {"fewest", "smallest", "largest", "heaviest"}
    level : float
        Top eigenvalue of the filter's first round as a fraction of its stop
        level (default 0.97); ``shift`` given: ignored.
    shift : float, optional
        δ (whitened units: the per-task fit moves by δ·s_a/√t along u).
    rss : float
        Own residual sum of squares of each corrupted task as a multiple of
        s_a²·median(χ²_{t−d}) (default 1.3: above the clean median, which
        raises ŝ²_H).
    pick : {"own", "others"}
        Replace the component's own tasks or other components' tasks.
    direction : {"orthogonal", "toward"}
        u ⊥ span(W) (shared with the light-pool families) or toward the
        nearest other component.
    """

    name, stage, targets = "anchor_edge", "regression", ("heavy",)

    def __init__(self, component="fewest", level=0.97, shift=None, rss=1.3, pick="own",
                 direction="orthogonal"):
        if pick not in ("own", "others") or direction not in ("orthogonal", "toward"):
            raise ValidationError(f"pick must be 'own'/'others' and direction "
                                  f"'orthogonal'/'toward', got {pick!r}, {direction!r}")
        self.component, self.level, self.rss = component, float(level), float(rss)
        self.shift = None if shift is None else float(shift)
        self.pick, self.direction = pick, direction
        if not (self.level > 0 and self.rss >= 0):
            raise ValidationError(f"need level > 0 and rss >= 0, got {level}, {rss}")

    def choose(self, data, n_bad, ctx, rng):
        a = _component(ctx.need_theta(self.name), data, self.component)
        pick = _own_tasks if self.pick == "own" else _other_tasks
        return pick(data, a, n_bad, rng)

    def _tasks(self, theta, a, sizes, delta, u, rng):
        """Exact-fit tasks: X = √t·Q (QᵀQ = I), y = Xβ + e with e ⊥ col(X)."""
        s = float(theta.s[a])
        beta = theta.W[:, a] + delta * s * u / np.sqrt(np.maximum(sizes, 1))[:, None]
        return exact_fit_tasks(beta, sizes, s, self.rss, rng)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, data, self.component)
        sizes = data.sizes[idx]
        if self.direction == "toward" and theta.k > 1:
            u = toward_nearest(theta.W, a)
        else:
            u = fixed_direction(theta.W)
        comps = data.components
        keep = np.flatnonzero(comps == a) if comps is not None else np.array([], int)
        keep = np.setdiff1d(keep, idx)
        keep = keep[data.sizes[keep] > data.dim + 1]
        if self.shift is not None or keep.size < 3 or np.any(sizes <= data.dim + 1):
            # no per-task fits to calibrate on: the given shift, else one s/√t
            return self._tasks(theta, a, sizes, 1.0 if self.shift is None else self.shift, u,
                               rng)
        # white-box: bisect δ on the filter's first-round statistic over the
        # component's remaining clean tasks and the crafted ones
        from ..data import MetaDataset
        from ..stages.regression._heavy_anchor import _task_grams          # the defender's own
        sub = data.subset(keep)
        d = data.dim

        def pieces(ds):
            A = _task_grams(ds)
            b = ds.task_sums(ds.X * ds.y[:, None])
            beta = np.linalg.solve(A, b[..., None])[..., 0]
            rss = np.maximum(ds.task_sums(ds.y ** 2) - np.einsum("nd,nd->n", b, beta), 0)
            return A, b, beta, rss / chi2.median(np.maximum(ds.sizes - d, 1))

        A_c, b_c, beta_c, ratio_c = pieces(sub)
        cap = float(np.median(np.trace(A_c, axis1=1, axis2=2))) / d
        seed = int(rng.integers(2 ** 31))
        offsets = np.concatenate([[0], np.cumsum(sizes)])

        def stat(delta):
            X, y = self._tasks(theta, a, sizes, delta, u, np.random.default_rng(seed))
            A_b, b_b, beta_b, ratio_b = pieces(MetaDataset(X, y, offsets))
            s2 = float(np.median(np.concatenate([ratio_c, ratio_b])))
            blocks = (np.concatenate([A_c, A_b]), np.concatenate([b_c, b_b]),
                      np.concatenate([beta_c, beta_b]))
            return _first_round_ratio(blocks, cap, d, s2)

        lo, hi = 0.0, 1.0
        while stat(hi) < self.level and hi < 1e3:
            lo, hi = hi, 2 * hi
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if stat(mid) < self.level else (lo, mid)
        self.calibrated_shift_ = lo
        return self._tasks(theta, a, sizes, lo, u, np.random.default_rng(seed))


def anchor_budget(alpha, n_heavy):
    """Fewest usable heavy tasks a component needs for an anchor: 2·b + 3."""
    return 2 * excess_limit(alpha, n_heavy) + 3
