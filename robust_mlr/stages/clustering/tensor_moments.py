"""Unbiased second- and third-order moments of the projected per-task statistics.

Each heavy task i is cut into G_i ≥ 3 disjoint groups (by default every
example is its own group); ``b_i^(g)`` is the mean of ``y·Uᵀx`` over group g.
For y = ⟨w, x⟩ + ε with isotropic x, ``E[y x] = w``, so ``E b_i^(g) = μ_{z_i}``
with ``μ_a = Uᵀ w_a``, and groups of one task are independent given z_i.
Hence the U-statistics over distinct groups

    M2_i = Σ_{g≠h} b^(g) ⊗ b^(h) / (G(G−1)),
    M3_i = Σ_{g,h,l distinct} b^(g) ⊗ b^(h) ⊗ b^(l) / (G(G−1)(G−2))

have expectations ``Σ_a p_a μ_a^{⊗2}`` and ``Σ_a p_a μ_a^{⊗3}``. With the
power sums S = Σ_g b^(g), Q = Σ_g b^(g)⊗b^(g), P = Σ_g b^(g)^{⊗3}:

    Σ_{distinct} b⊗b = S⊗S − Q,
    Σ_{distinct} b⊗b⊗b = S⊗S⊗S − (S⊗Q + its two index rotations) + 2P,

so no loop over group tuples is needed. With one block the sums over tasks
are BLAS products, e.g. Σ_i c_i S_i^{⊗3} = (c∘S)ᵀ (S ⊙ S) (k × k²) and
Σ_i c_i P_i = (c∘Z)ᵀ (Z ⊙ Z) over all groups, and the S⊗Q term is symmetrised
once at the end; no per-task k³ array is formed. Block sums (median of
means) form per-task k³ arrays chunk by chunk, within a fixed memory budget,
and reduce them with one sparse × dense product per chunk.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..._validation import check_array, check_int
from ...exceptions import ValidationError

__all__ = ["group_statistics", "moment_tensors"]

_CHUNK_FLOATS = 1 << 22          # ~32 MB of float64 per chunk array


def group_statistics(data, U, n_groups=None):
    """Per-group projected statistics and their task boundaries.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    U : ndarray (d, k)
        Subspace basis.
    n_groups : int, optional
        G groups per task (contiguous chunks, every task needs t_i ≥ G ≥ 3).
        None: every example is a group (G_i = t_i, the full U-statistic).

    Returns
    -------
    Z : ndarray (n_units, k)
        ``b_i^(g)`` for all tasks, grouped by task.
    offsets : ndarray (n + 1,)
        Task i owns rows ``offsets[i]:offsets[i + 1]`` of Z.

    Raises
    ------
    ValidationError
        If some task has fewer than 3 (or ``n_groups``) examples; the message
        names t_H.
    """
    U = check_array(U, "U", ndim=2, shape=(data.dim, None))
    G = 3 if n_groups is None else check_int(n_groups, "n_groups", min_val=3)
    data.require_sizes(G, f"third-order moments need t_H >= {G} examples per heavy task "
                          f"(disjoint groups)")
    if n_groups is None:
        return data.y[:, None] * (data.X @ U), data.offsets
    b = data.chunk_means(G, stage="moment clustering") @ U          # (G, n, k)
    return np.ascontiguousarray(b.transpose(1, 0, 2)).reshape(-1, U.shape[1]), \
        np.arange(data.n_tasks + 1) * G


def _rotations(X):
    """X_abc + X_bac + X_cab for X_abc = Σ c S_a Q_bc (the three placements of S)."""
    return X + X.transpose(1, 0, 2) + X.transpose(1, 2, 0)


def _sym3_SQ(S, Q):
    """S_a Q_bc + S_b Q_ac + S_c Q_ab for every row: (n, k, k, k)."""
    X = S[:, :, None, None] * Q[:, None, :, :]
    return X + X.transpose(0, 2, 1, 3) + X.transpose(0, 2, 3, 1)


def moment_tensors(Z, offsets, blocks=None, n_blocks=1, weights=None):
    """Block means of the per-task unbiased moments M2_i and M3_i.

    Parameters
    ----------
    Z : ndarray (n_units, k)
    offsets : ndarray (n + 1,)
        From :func:`group_statistics`.
    blocks : ndarray of int (n,), optional
        Block of each task (default: all in block 0).
    n_blocks : int
        Number of blocks B.
    weights : ndarray (n,), optional
        Nonnegative task weights (default 1).

    Returns
    -------
    M2 : ndarray (B, k, k)
    M3 : ndarray (B, k, k, k)
        Weighted means over the tasks of each block.
    mass : ndarray (B,)
        Total weight of each block.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[1.0], [2.0], [3.0]])          # one task, three groups
    >>> M2, M3, _ = moment_tensors(Z, np.array([0, 3]))
    >>> float(M2[0, 0, 0]), float(M3[0, 0, 0, 0])    # (2+3+6)·2/6 and 6·6/6
    (3.6666666666666665, 6.0)
    """
    n = offsets.size - 1
    k = Z.shape[1]
    G = np.diff(offsets).astype(float)
    if n and G.min() < 3:
        raise ValidationError(f"every task needs at least 3 groups, got min {int(G.min())}")
    blocks = np.zeros(n, np.int64) if blocks is None else np.asarray(blocks, np.int64)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    c2 = w / (G * (G - 1))
    c3 = w / (G * (G - 1) * (G - 2))
    M2 = np.zeros((n_blocks, k * k))
    M3 = np.zeros((n_blocks, k ** 3))
    M3_SQ = np.zeros((k, k * k))               # Σ c3 S⊗Q, symmetrised once (B = 1)
    avg = int(np.ceil(Z.shape[0] / max(n, 1)))
    step = max(1, _CHUNK_FLOATS // (k ** 3 * max(avg, 4)))
    for a in range(0, n, step):
        b = min(n, a + step)
        u0, u1 = offsets[a], offsets[b]
        Zc, starts, Gc = Z[u0:u1], offsets[a:b] - u0, np.diff(offsets[a:b + 1])
        S = np.add.reduceat(Zc, starts, axis=0)
        Q = np.add.reduceat((Zc[:, :, None] * Zc[:, None, :]).reshape(-1, k * k),
                            starts, axis=0)
        SS = (S[:, :, None] * S[:, None, :]).reshape(-1, k * k)
        cu = np.repeat(c3[a:b], Gc)[:, None] * Zc                     # c3 per unit
        ZZ = (Zc[:, :, None] * Zc[:, None, :]).reshape(-1, k * k)
        if n_blocks == 1:                      # sums over tasks are BLAS products
            M2[0] += c2[a:b] @ (SS - Q)
            cS = c3[a:b, None] * S
            M3[0] += (cS.T @ SS + 2 * cu.T @ ZZ).ravel()
            M3_SQ += cS.T @ Q
            continue
        T3 = (S[:, :, None] * SS[:, None, :]).reshape(-1, k ** 3)
        T3 -= _sym3_SQ(S, Q.reshape(-1, k, k)).reshape(-1, k ** 3)
        T3 *= c3[a:b, None]
        ind = sp.csr_matrix((np.ones(b - a), (blocks[a:b], np.arange(b - a))),
                            shape=(n_blocks, b - a))
        unit_ind = sp.csr_matrix((np.ones(u1 - u0), (np.repeat(blocks[a:b], Gc),
                                                      np.arange(u1 - u0))),
                                 shape=(n_blocks, u1 - u0))
        M2 += ind @ (c2[a:b, None] * (SS - Q))
        M3 += ind @ T3 + 2 * (unit_ind @ (cu[:, :, None] * ZZ[:, None, :]).reshape(-1, k ** 3))
    if n_blocks == 1:
        M3[0] -= _rotations(M3_SQ.reshape(k, k, k)).ravel()
    mass = np.bincount(blocks, weights=w, minlength=n_blocks)
    if np.any(mass <= 0):
        raise ValidationError(f"some of the n_blocks={n_blocks} blocks hold no task weight")
    return (M2 / mass[:, None]).reshape(n_blocks, k, k), \
        (M3 / mass[:, None]).reshape(n_blocks, k, k, k), mass
