"""Building blocks that write examples for corrupted tasks (private).

Everything is vectorised over all examples of all corrupted tasks at once.
"""

from __future__ import annotations

import numpy as np


def model_examples(sizes, W_rows, s, rng, x_scale=1.0):
    """Examples of a linear model per task: x ~ N(0, x_scale² I), y = xᵀw_i + s_i ε.

    ``W_rows`` (m, d) holds each corrupted task's regression vector and ``s``
    (m,) its noise level.
    """
    sizes = np.asarray(sizes)
    d = W_rows.shape[1]
    X = rng.standard_normal((int(sizes.sum()), d)) * x_scale
    Wr = np.repeat(W_rows, sizes, axis=0)
    y = np.einsum("ij,ij->i", X, Wr) + np.repeat(np.broadcast_to(s, sizes.shape), sizes) \
        * rng.standard_normal(X.shape[0])
    return X, y


def statistic_examples(sizes, first, second, rng):
    """Examples whose y·x means over the two halves of each task equal, in
    expectation, the targets ``first`` and ``second`` (m, d).

    Each example gets x = a e + r with e the unit target direction, a = ±1 and
    r ~ N(0, I − e eᵀ) (so x looks isotropic with unit variance), and
    y = |g| a, hence y x = g + y r: the target plus mean-zero noise. The two
    halves follow the chunking of :meth:`MetaDataset.chunk_means` (G = 2).
    """
    sizes = np.asarray(sizes)
    m, d = first.shape
    N = int(sizes.sum())
    task = np.repeat(np.arange(m), sizes)
    pos = np.arange(N) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    second_half = pos >= np.repeat(sizes // 2, sizes)
    G = np.where(second_half[:, None], second[task], first[task])
    mag = np.linalg.norm(G, axis=1)
    E = G / np.maximum(mag, 1e-300)[:, None]
    R = rng.standard_normal((N, d))
    R -= E * np.einsum("ij,ij->i", R, E)[:, None]
    a = rng.choice([-1.0, 1.0], size=N)
    X = E * a[:, None] + R
    y = mag * a
    return X, y


def orthogonal_directions(W, m, rng):
    """``m`` orthonormal directions orthogonal to span(W) (d × m)."""
    d, k = W.shape
    if m > d - k:
        m = max(d - k, 0)
    Q = np.linalg.qr(W)[0]
    R = rng.standard_normal((d, m))
    R -= Q @ (Q.T @ R)
    return np.linalg.qr(R)[0]


def fixed_direction(W):
    """A unit vector ⊥ span(W) that depends on W only, so attacks on
    different pools (and the two worlds of a midpoint pair) share it."""
    d, k = W.shape
    Q = np.linalg.qr(np.column_stack([W, np.eye(d)]))[0]
    return Q[:, k]


def toward_nearest(W, a):
    """Unit vector from column ``a`` of W toward its nearest other column."""
    dist = np.linalg.norm(W - W[:, [a]], axis=0)
    dist[a] = np.inf
    v = W[:, int(np.argmin(dist))] - W[:, a]
    return v / max(np.linalg.norm(v), 1e-300)


def span_basis(W):
    """Orthonormal basis of span(W) (d × rank)."""
    U, sv, _ = np.linalg.svd(W, full_matrices=False)
    return U[:, sv > 1e-12 * max(sv.max(), 1e-300)]
