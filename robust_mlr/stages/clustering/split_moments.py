"""Split estimates, noise scale and split-product moment forms (private).

Per heavy task, the t_H examples are cut into G groups; b_i^(g) is the mean of
y·Uᵀx over group g (k-dimensional). For m distinct groups g_1..g_m,

    T_ij(v) = Π_{r=1..m} ⟨b_i^(g_r) − b_j^(g_r), v⟩

has expectation ⟨μ_i − μ_j, v⟩^m (independent groups), zero for two tasks of
one component. Its coefficients over ``MonomialBasis(k, m)`` are built for all
pairs at once by repeated row-wise form products, averaging the ⌊G/m⌋ disjoint
m-tuples of groups.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sos import MonomialBasis, product_forms

from .linkage import projected_chunks

__all__ = ["group_estimates", "noise_scale", "pair_forms", "row_form_map"]


def group_estimates(data, U, n_groups):
    """b (G, n, k): per-group means of y·Uᵀx."""
    return projected_chunks(data, U, n_groups, stage=f"clustering with {n_groups} groups")


def noise_scale(b):
    """σ̂: standard deviation of one coordinate of b_i^(g) − b_j^(g) for two
    tasks of one component, estimated robustly as sqrt(2 · median_i of the
    across-group variance of task i, averaged over coordinates)."""
    var = b.var(axis=0, ddof=1).mean(axis=1)             # (n,)
    return float(np.sqrt(2 * np.median(var)))


def pair_forms(b, m, pairs, chunk=4096):
    """Coefficients (n_pairs, C(k+m−1, m)) of T_ij for the given pairs,
    averaged over the disjoint m-tuples of groups."""
    G, n, k = b.shape
    tuples = G // m
    if tuples < 1:
        raise ValueError(f"{m}-th moment forms need at least m={m} groups, got {G}")
    one = MonomialBasis(k, 1)
    i, j = pairs
    out = np.zeros((i.size, len(MonomialBasis(k, m))))
    for s in range(0, i.size, chunk):
        ii, jj = i[s:s + chunk], j[s:s + chunk]
        for t in range(tuples):
            P, basis = b[t * m, ii] - b[t * m, jj], one
            for r in range(1, m):
                d = b[t * m + r, ii] - b[t * m + r, jj]
                P, basis = product_forms(P, basis, d, one)
            out[s:s + chunk] += P
    return out / tuples


def row_form_map(coef, pairs, n):
    """Sparse A (n·N × n²): (A vec(Z))[i·N + γ] = Σ_{j≠i} Z_ij T_ij,γ, using
    the upper-triangle entry Z_ij for both rows i and j (T_ji = (−1)^m T_ij =
    T_ij for even m). vec is row-major."""
    N = coef.shape[1]
    i, j = pairs
    rows = np.concatenate([(i[:, None] * N + np.arange(N)).ravel(),
                           (j[:, None] * N + np.arange(N)).ravel()])
    cols = np.concatenate([np.repeat(i * n + j, N), np.repeat(i * n + j, N)])
    vals = np.concatenate([coef.ravel(), coef.ravel()])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n * N, n * n))
