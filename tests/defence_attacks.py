"""Attacks written from the mechanisms a robust learner must bound (test helpers).

Each function takes clean ``Pools``, the true ``MLRParams`` and α, and returns
corrupted ``Pools`` with ``masks`` set, replacing exactly ⌊αn⌋ tasks of the
pools it touches (the adversary's budget).
"""

from __future__ import annotations

import numpy as np

from robust_mlr import MetaDataset, Pools


def _replace(data, idx, make_task):
    """Replace tasks ``idx`` of ``data``; ``make_task(i, X, y) -> (X, y)`` in place."""
    X, y = data.X.copy(), data.y.copy()
    for i in idx:                                   # ⌊αn⌋ tasks; test helper only
        a, b = data.offsets[i], data.offsets[i + 1]
        X[a:b], y[a:b] = make_task(i, X[a:b].copy(), y[a:b].copy())
    comps = data.components.copy()
    comps[idx] = -1
    mask = np.zeros(data.n_tasks, bool)
    mask[idx] = True
    return MetaDataset(X, y, data.offsets, comps), mask


def _apply(pools, which, alpha, choose, make_task):
    new, masks = {}, {}
    for name in pools.names:
        data = pools[name]
        if name in which:
            idx = choose(data, int(np.floor(alpha * data.n_tasks)))
            new[name], masks[name] = _replace(data, idx, make_task)
        else:
            new[name], masks[name] = data, np.zeros(data.n_tasks, bool)
    out = Pools(**new)
    out.masks = masks
    return out


def _first(data, m):
    return np.arange(m)


def huge_values(pools, value, where="x", pools_hit=("light1", "heavy"), n_tasks=1):
    """Finite extreme magnitudes: ``value`` in x (all coordinates) or y of a few tasks."""
    def make(i, X, y):
        if where == "x":
            X[:] = value
        else:
            y[:] = value
        return X, y
    new, masks = {}, {}
    for name in pools.names:
        data = pools[name]
        if name in pools_hit:
            new[name], masks[name] = _replace(data, np.arange(n_tasks), make)
        else:
            new[name], masks[name] = data, np.zeros(data.n_tasks, bool)
    out = Pools(**new)
    out.masks = masks
    return out


def largest_tasks(pools, theta, alpha, shift=1.0, pool="light2", rng=0):
    """Replace the largest ⌊αn⌋ tasks by clean-looking tasks of component 0
    with w_0 moved by ``shift``·s_0 along a direction orthogonal to W: least
    squares weighing examples gives them far more than α of the weight."""
    return _apply(pools, (pool,), alpha, lambda d, m: np.argsort(-d.sizes, kind="stable")[:m],
                  _shifted_task(theta, shift, rng))


def one_component(pools, theta, alpha, shift=0.6, pool="light2", rng=0):
    """Whole budget in one component: tasks that look like component 0 with
    w_0 moved by ``shift``·s_0 (orthogonal to W) — close enough to be
    classified to component 0 and to fit it, far enough to drag it."""
    return _apply(pools, (pool,), alpha, _first, _shifted_task(theta, shift, rng))


def _shifted_task(theta, shift, rng):
    rng = np.random.default_rng(rng)
    v = rng.standard_normal(theta.d)
    v -= theta.W @ np.linalg.lstsq(theta.W, v, rcond=None)[0]
    w_bad = theta.W[:, 0] + shift * theta.s[0] * v / np.linalg.norm(v)

    def make(i, X, y):
        return X, X @ w_bad + theta.s[0] * rng.standard_normal(len(y))
    return make


def zero_gradient(pools, theta, alpha, size=6.0, pool="light2", rng=0):
    """Tasks with zero least-squares gradient at every fit: examples come in
    pairs with equal covariates and opposite residuals ±size·s around
    component 0, so Xᵀ(Xw − y) = Xᵀ(X(w − w_0)) — the pair's residual part
    cancels — while each residual is large (inflates a mean-based ŝ²)."""
    rng = np.random.default_rng(rng)

    def make(i, X, y):
        t = len(y) - len(y) % 2
        X[1:t:2] = X[0:t:2]
        sign = rng.choice([-1.0, 1.0], t // 2)
        r = np.zeros(len(y))
        r[0:t:2], r[1:t:2] = size * theta.s[0] * sign, -size * theta.s[0] * sign
        return X, X @ theta.W[:, 0] + r
    return _apply(pools, (pool,), alpha, _first, make)


def hidden_direction(pools, theta, alpha, energy=6.0, pool="light1", rng=0):
    """Subspace attack through covariates: each example of a corrupted task
    is x = a·v + g (v ⟂ W, g Gaussian ⟂ v, ||x||² ≈ d: a plausible norm) with
    one response of 1.5 robust scales (inside any response clip), so the
    task's statistic t^{-1/2} Σ y x has (vᵀz)² ≈ ``energy``·σ_y² — a moderate
    size inside the clean range — and together they add ≈ α·energy along v."""
    rng = np.random.default_rng(rng)
    v = rng.standard_normal(theta.d)
    v -= theta.W @ np.linalg.lstsq(theta.W, v, rcond=None)[0]
    v /= np.linalg.norm(v)
    ysc = 1.4826 * np.median(np.abs(pools[pool].y))

    def make(i, X, y):
        t = len(y)
        a2 = min(energy / (t * 1.5 ** 2), theta.d - 1.0)
        g = rng.standard_normal(X.shape)
        g -= np.outer(g @ v, v)
        g *= np.sqrt((theta.d - a2) / (theta.d - 1))
        return np.sqrt(a2) * v + g, np.full(t, 1.5 * ysc)
    return _apply(pools, (pool,), alpha, _first, make)
