"""The median-of-splits distance matrix and linkage clustering (ICML 2020 Algorithm 3).

Each heavy task is split into ``2L`` chunks; with ``P_ℓ`` and ``Q_ℓ`` the
projected chunk means ``Uᵀβ⁽ℓ⁾`` and ``Uᵀβ⁽ℓ+L⁾`` (n × k), the unbiased
distance estimate is

    H⁽ℓ⁾ = a 1ᵀ + 1 aᵀ − P Qᵀ − Q Pᵀ,   a_i = <P_i, Q_i>,

which equals ``(P_i − P_j)ᵀ(Q_i − Q_j)`` entrywise: two BLAS products per ℓ.
``H`` is the entrywise median over ℓ. Linkage clustering then cuts H into k
groups.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from ..._validation import check_int
from ...constants import MAX_SPLITS, SPLIT_CHUNK
from ...data import MetaDataset
from ...exceptions import ValidationError
from .base import ClusteringResult

__all__ = ["projected_chunks", "distance_matrix", "default_splits", "single_linkage",
           "average_linkage"]


def default_splits(t):
    """Default number L of split pairs for tasks of size ``t``.

    The median over L splits buys a high-probability guarantee, but each
    split uses chunks of t/(2L) examples, so the per-split noise grows ≈ L
    times while the median only shrinks it ≈ √L times. Measured on the
    default problem (k = 4, t_H = 128) L = 1 separates best, so L grows only
    once chunks keep ≥ 64 examples.
    """
    return int(np.clip(t // SPLIT_CHUNK, 1, MAX_SPLITS))


def projected_chunks(data: MetaDataset, U, n_chunks, stage="clustering"):
    """Chunk means of y·x projected on U: array (n_chunks, n, k)."""
    b = data.chunk_means(n_chunks, stage=stage)
    return b @ U


def distance_matrix(data: MetaDataset, U, L=None):
    """Median-of-L unbiased estimate of ||Uᵀ(w_{z_i} − w_{z_j})||² (n × n).

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks; each needs ``t_i >= 2L``.
    U : ndarray (d, k)
        Orthonormal basis of the subspace.
    L : int, optional
        Number of independent split pairs; default :func:`default_splits`
        of the smallest task size.
    """
    if U.shape[0] != data.dim:
        raise ValidationError(f"U has {U.shape[0]} rows but the data have d={data.dim}")
    L = default_splits(int(data.sizes.min())) if L is None else check_int(L, "L", min_val=1)
    B = projected_chunks(data, U, 2 * L, stage=f"clustering with L={L} split pairs")
    n = data.n_tasks
    H = np.empty((L, n, n))
    for ell in range(L):                       # loop over splits only; pairs via BLAS
        P, Q = B[ell], B[ell + L]
        a = np.einsum("ij,ij->i", P, Q)
        C = P @ Q.T
        np.add.outer(a, a, out=H[ell])
        H[ell] -= C
        H[ell] -= C.T
    Hm = H[0] if L == 1 else np.median(H, axis=0)
    return (Hm + Hm.T) / 2


def _linkage(method):
    def run(data, U, k, L=None, **_):
        H = distance_matrix(data, U, L)
        # H is unbiased, hence sometimes negative; a constant shift keeps
        # both single- and average-linkage merge orders exactly (clipping
        # at 0 would create ties) while giving scipy nonnegative distances.
        D = H - min(H.min(), 0.0)
        np.fill_diagonal(D, 0.0)
        Z = hierarchy.linkage(squareform(D, checks=False), method=method)
        labels = hierarchy.fcluster(Z, t=k, criterion="maxclust") - 1
        return ClusteringResult(labels, np.zeros(data.n_tasks, bool), None,
                                {"method": f"{method} linkage", "L": L})
    run.__doc__ = f"{method.capitalize()} linkage on the median-H matrix."
    return run


single_linkage = _linkage("single")
average_linkage = _linkage("average")
