"""Clustering of heavy tasks (SPEC §3, ICML 2020 Algorithm 3) and its registry.

Each heavy task is split into ``2L`` chunks; with ``P_ℓ`` and ``Q_ℓ`` the
projected chunk means ``Uᵀβ⁽ℓ⁾`` and ``Uᵀβ⁽ℓ+L⁾`` (n × k), the unbiased
distance estimate is

    H⁽ℓ⁾ = a 1ᵀ + 1 aᵀ − P Qᵀ − Q Pᵀ,   a_i = <P_i, Q_i>,

which equals ``(P_i − P_j)ᵀ(Q_i − Q_j)`` entrywise: two BLAS products per ℓ.
``H`` is the entrywise median over ℓ. Linkage clustering then cuts H into k
groups. Robust relaxations register themselves in :data:`CLUSTERING_METHODS`
(see :mod:`robust_mlr.sdp_clustering`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform
from scipy.stats import chi2

from ._validation import check_int, lookup
from .data import MetaDataset
from .exceptions import EmptyClusterError, ValidationError

__all__ = ["ClusteringResult", "projected_chunks", "distance_matrix", "cluster_heavy",
           "cluster_estimates", "default_splits", "CLUSTERING_METHODS"]


@dataclass
class ClusteringResult:
    """Outcome of a clustering method (one object for every method).

    Attributes
    ----------
    labels : ndarray of int (n,)
        Cluster of each task in ``0..k-1``; ``-1`` for tasks flagged as outliers.
    outliers : ndarray of bool (n,)
    objective : float or None
        Optimal value of a relaxation (None for combinatorial methods).
    info : dict
        Solver name/status/time, problem sizes, method specifics.
    """

    labels: np.ndarray
    outliers: np.ndarray
    objective: float | None = None
    info: dict = field(default_factory=dict)


def default_splits(t):
    """Default number L of split pairs for tasks of size ``t``.

    The median over L splits buys a high-probability guarantee, but each
    split uses chunks of t/(2L) examples, so the per-split noise grows ≈ L
    times while the median only shrinks it ≈ √L times. Measured on the
    default problem (k = 4, t_H = 128) L = 1 separates best, so L grows only
    once chunks keep ≥ 64 examples.
    """
    return int(np.clip(t // 128, 1, 8))


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


CLUSTERING_METHODS = {"single": _linkage("single"), "average": _linkage("average")}


def cluster_heavy(data: MetaDataset, U, k, method="single", **kwargs):
    """Cluster heavy tasks into ``k`` groups.

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    U : ndarray (d, k)
        Subspace basis.
    k : int
        Number of clusters (``k <= n``).
    method : str
        ``"single"`` (as in the paper) or ``"average"`` linkage (as in the
        authors' released code); relaxations of :mod:`robust_mlr.sdp_clustering`.
    **kwargs
        Passed to the method (``L``, ``alpha``, ``solver``, ...).

    Returns
    -------
    ClusteringResult
    """
    k = check_int(k, "k", min_val=1, max_val=data.n_tasks)
    fn = lookup(CLUSTERING_METHODS, method, "clustering method")
    return fn(data, U, k, **kwargs)


def cluster_estimates(data: MetaDataset, labels, U, k, robust=False):
    """Per-cluster w̃ (in span U), r̃² and p̃ of Algorithm 3.

    ``w̃_ℓ`` is the mean of ``y·UUᵀx`` over the examples of cluster ℓ,
    ``r̃_ℓ²`` the mean squared residual ``(y − xᵀw̃_ℓ)²`` over them and
    ``p̃_ℓ`` the cluster's share of the (non-outlier) tasks.

    With ``robust=True`` a corrupted task left inside a cluster cannot drag
    the estimates: w̃_ℓ is U times the coordinate-wise median over the
    cluster's tasks of Uᵀ(mean of y·x), and r̃_ℓ² the median over tasks of the
    mean squared residual divided by the median of χ²_t/t (Gaussian noise).

    Returns
    -------
    W : ndarray (d, k), r2 : ndarray (k,), p : ndarray (k,)

    Raises
    ------
    EmptyClusterError
        If some cluster owns no task.
    """
    labels = np.asarray(labels)
    inl = labels >= 0
    counts = np.bincount(labels[inl], minlength=k)
    if np.any(counts == 0):
        raise EmptyClusterError(
            f"cluster {int(np.argmin(counts))} of k={k} received no task "
            f"(cluster sizes {counts.tolist()})")
    onehot = np.zeros((data.n_tasks, k))
    onehot[np.flatnonzero(inl), labels[inl]] = 1.0
    task_yx = data.task_sums(data.X * data.y[:, None])           # (n, d)
    n_ex = onehot.T @ data.sizes                                 # examples per cluster
    if robust:
        proj = (task_yx / data.sizes[:, None]) @ U                # (n, k) per-task means
        W = U @ np.column_stack([np.median(proj[labels == c], axis=0) for c in range(k)])
    else:
        mean_yx = (onehot.T @ task_yx) / n_ex[:, None]           # (k, d)
        W = U @ (U.T @ mean_yx.T)                                # (d, k)
    res2 = (data.y[:, None] - data.X @ W) ** 2                   # (N, k)
    task_res = data.task_sums(res2)                              # (n, k)
    if robust:
        per_task = task_res / data.sizes[:, None]
        corr = chi2.median(data.sizes) / data.sizes
        r2 = np.array([np.median(per_task[labels == c, c] / corr[labels == c])
                       for c in range(k)])
    else:
        r2 = np.einsum("ik,ik->k", onehot, task_res) / n_ex
    return W, r2, counts / counts.sum()
