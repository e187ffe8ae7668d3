"""Directional filter of the per-task moments of the robust moment estimator (private).

The norm trim of :func:`~.tensor_estimator.robust_moment_clustering` bounds
the size of a task's statistics, not their direction: ⌊αn⌋ tasks whose
group statistics all point along one u, each inside the trim, add
α‖g‖³ u^{⊗3} to M3 — measured at d = 64, k = 8, t_H = 4: 20 times the
signal p‖μ‖³ of a component, and every centre estimate off. Such tasks
are coherent: in the space of flattened per-task moments φ_i = (M2_i, M3_i)
(unique entries, scaled so that inner products are Frobenius ones) they
all sit far out along one direction, which raises the variance of φ along
it far above its trimmed variance. The filter finds the direction of largest
variance and, while that variance exceeds ``FILTER_RATIO`` times the
variance of the central 1 − 2α (at most 90 %) of the projections, removes the tasks
beyond ``FILTER_RATIO`` trimmed standard deviations from their median —
within the removal budget. Clean tasks have heavy-tailed moments (products
of up to six Gaussians), so the ratio is calibrated on clean data:
on clean heavy pools of t_H = 4–8 (d 6–64, k 2–8, n_H 8 000–20 000) the
first direction's ratio was 22–133, while ⌊αn⌋ spike tasks inside the
norm trim (α = 0.05) gave 2 400–2 800; a
coherent group of ⌊αn⌋ tasks at s trimmed standard deviations adds ≈ αs²,
so it is caught once s ≳ √(FILTER_RATIO/α) — the bias it can leave, ≈ α·s
standard deviations along the direction, is below √(α·FILTER_RATIO).
"""

from __future__ import annotations

import itertools

import numpy as np

#: Stop when the top variance of the kept φ is at most this many times the
#: trimmed variance along its direction (module docstring).
FILTER_RATIO = 300.0
#: Largest central fraction of the projections whose variance is the
#: reference (a fixed fraction keeps the clean ratio, set by the tails,
#: the same at every α ≤ 0.05: at α = 0.01 a 98 % centre took in enough tail
#: to hide 145 spike tasks, ratio 136).
_CENTRAL = 0.9
#: Once the filter has fired it goes on while the ratio is above this
#: fraction of ``ratio``: at α = 0.01–0.02 it stopped with a tenth of a
#: spike left (ratio just under the threshold), and 40 tasks of 20 000
#: still moved W̃ by 0.46 s (M3 is cubic in a task's statistics).
_RESUME = 0.5
#: Rounds of the filter at most (each removes ≤ ⌈αn/10⌉ tasks).
_ROUNDS = 40
#: Power iterations per round (warm-started from the previous direction).
_POWER_STEPS = 30
_CHUNK_FLOATS = 1 << 22


def _unique_index(k, order):
    """Indices (into the flattened k^order tensor) of the sorted index tuples
    and √multiplicity weights (Frobenius inner products on unique entries)."""
    combos = list(itertools.combinations_with_replacement(range(k), order))
    flat = np.array([np.ravel_multi_index(c, (k,) * order) for c in combos])
    mult = np.array([len(set(itertools.permutations(c))) for c in combos], float)
    return flat, np.sqrt(mult)


def task_moments(Z, offsets):
    """φ_i: the unbiased per-task M2_i and M3_i (as in
    :func:`~.tensor_moments.moment_tensors`) on their unique entries, scaled
    by √multiplicity, each block divided by its median row norm.
    Returns an (n, k(k+1)/2 + k(k+1)(k+2)/6) array."""
    n, k = offsets.size - 1, Z.shape[1]
    i2, w2 = _unique_index(k, 2)
    i3, w3 = _unique_index(k, 3)
    a2, b2 = np.unravel_index(i2, (k, k))
    a3, b3, c3 = np.unravel_index(i3, (k, k, k))
    q3 = [np.ravel_multi_index(pair, (k, k)) for pair in ((b3, c3), (a3, c3), (a3, b3))]
    out = np.empty((n, i2.size + i3.size))
    G = np.diff(offsets).astype(float)
    avg = int(np.ceil(Z.shape[0] / max(n, 1)))
    step = max(1, _CHUNK_FLOATS // ((i3.size + k * k) * max(avg, 4)))
    with np.errstate(over="ignore", invalid="ignore"):
        for a in range(0, n, step):
            b = min(n, a + step)
            u0, u1 = offsets[a], offsets[b]
            Zc, starts = Z[u0:u1], offsets[a:b] - u0
            S = np.add.reduceat(Zc, starts, axis=0)
            Q = np.add.reduceat(Zc[:, :, None] * Zc[:, None, :], starts,
                                axis=0).reshape(b - a, -1)
            # only the unique index triples of Σ_g b⊗b⊗b, not all k³
            P = np.add.reduceat(Zc[:, a3] * Zc[:, b3] * Zc[:, c3], starts, axis=0)
            M2 = S[:, a2] * S[:, b2] - Q[:, i2]
            M2 /= (G[a:b] * (G[a:b] - 1))[:, None]
            Sa, Sb, Sc = S[:, a3], S[:, b3], S[:, c3]
            M3 = Sa * Sb * Sc - Sa * Q[:, q3[0]] - Sb * Q[:, q3[1]] - Sc * Q[:, q3[2]] + 2 * P
            M3 /= (G[a:b] * (G[a:b] - 1) * (G[a:b] - 2))[:, None]
            out[a:b, :i2.size] = M2 * w2
            out[a:b, i2.size:] = M3 * w3
    for block in (slice(0, i2.size), slice(i2.size, None)):
        norms = np.linalg.norm(out[:, block], axis=1)
        med = np.median(norms[np.isfinite(norms)]) if np.isfinite(norms).any() else 1.0
        out[:, block] /= med if med > 0 else 1.0
    return out


def _top_direction(X, v):
    """Top eigenpair of XᵀX / n by power iteration from ``v`` (X centred)."""
    for _ in range(_POWER_STEPS):
        w = X.T @ (X @ v)
        norm = float(np.linalg.norm(w))
        if norm == 0:
            break
        v = w / norm
    proj = X @ v
    return float(proj @ proj) / X.shape[0], v, proj


def filter_directions(phi, removed, alpha, budget, ratio=FILTER_RATIO):
    """Tasks to remove, beyond ``removed``, by the directional filter (module
    docstring); at most ``budget`` removed in all.

    Each round removes at most a tenth of ⌊αn⌋ tasks, those farthest from
    the median along the direction: a coherent group is farther out than
    nearly all clean tasks, and once it is gone the ratio falls below the
    threshold and the filter stops. Removing every task beyond the
    threshold at once also took the clean tail along that direction (236
    clean tasks with 1000 spike tasks at d = 12, k = 3), whose loss biased
    M3 as much as the spike (max‖W̃ − W‖/s 0.41 against 0.07).

    Returns
    -------
    removed : ndarray of bool (n,)
    rounds : int
        Rounds in which tasks were removed.
    """
    removed = removed | ~np.all(np.isfinite(phi), axis=1)
    keep_q = min(max(1.0 - 2.0 * alpha, 0.5), _CENTRAL)
    step = max(1, int(np.ceil(0.1 * alpha * phi.shape[0])))
    rounds = 0
    v = np.ones(phi.shape[1]) / np.sqrt(phi.shape[1])
    for _ in range(_ROUNDS):
        left = budget - int(removed.sum())
        idx = np.flatnonzero(~removed)
        if left <= 0 or idx.size < 10:
            break
        X = phi[idx] - phi[idx].mean(axis=0)
        lam, v, proj = _top_direction(X, v)
        dev = np.abs(proj - np.median(proj))
        trimmed = float(np.var(proj[dev <= np.quantile(dev, keep_q)]))
        # hysteresis: once a round has fired, go on down to half the ratio
        if not trimmed > 0 or lam <= (ratio if rounds == 0 else _RESUME * ratio) * trimmed:
            break
        over = np.flatnonzero(dev ** 2 > ratio * trimmed)
        over = over[np.argsort(dev[over])[::-1][:min(left, step)]]
        if over.size == 0:
            break
        removed[idx[over]] = True
        rounds += 1
    return removed, rounds
