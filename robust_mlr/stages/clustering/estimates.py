"""Per-cluster estimates of ICML 2020 Algorithm 3 (plain and robust)."""

from __future__ import annotations

import numpy as np
from ..._dist import chi2

from ..._segments import task_rss, weighted_task_sums
from ..._threads import pinned
from ...data import MetaDataset
from ...exceptions import EmptyClusterError

__all__ = ["cluster_estimates"]


@pinned
def cluster_estimates(data: MetaDataset, labels, U, k, robust=False):
    """Per-cluster w̃ (in span U), r̃² and p̃ of Algorithm 3.

    ``w̃_ℓ`` is the mean of ``y·UUᵀx`` over the examples of cluster ℓ,
    ``r̃_ℓ²`` the mean squared residual ``(y − xᵀw̃_ℓ)²`` over them and
    ``p̃_ℓ`` the cluster's share of the (non-outlier) tasks.

    With ``robust=True`` a corrupted task left inside a cluster cannot drag
    the estimates: w̃_ℓ is U times the coordinate-wise median over the
    cluster's tasks of Uᵀ(mean of y·x), plus the same median of the part
    orthogonal to U projected back on span(U)⊥, and r̃_ℓ² the median over
    tasks of the mean squared residual divided by the median of χ²_t/t
    (Gaussian noise).

    The orthogonal part makes w̃_ℓ independent of the subspace stage's
    weakest direction: an adversary who swaps a weak true direction out of
    U (energy inside the clean range of the light pool, see
    docs/robust_pipeline.md) would otherwise remove it from every w̃_ℓ, and
    classification of the light tasks — hence the final refit — would
    suffer. Heavy clusters hold ≈ n_H t_H / k ≫ d examples, so the extra
    d − k coordinates cost ≈ √((d − k)/(n_ℓ t)) in norm (0.05 on the
    default problem). Each task counts once in every median, whatever its
    size, so ⌊αn⌋ tasks in a cluster of n_ℓ move each by the clean
    (½ ± α n/n_ℓ) quantile gap.

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
    task_yx = weighted_task_sums(data.offsets, data.X, data.y)   # (n, d)
    n_ex = onehot.T @ data.sizes                                 # examples per cluster
    if robust:
        means = task_yx / data.sizes[:, None]                    # (n, d) per-task means
        proj = means @ U                                         # (n, k)
        perp = means - proj @ U.T                                # part orthogonal to U
        W = np.column_stack([U @ np.median(proj[labels == c], axis=0)
                             + np.median(perp[labels == c], axis=0) for c in range(k)])
        W -= U @ (U.T @ W) - U @ np.column_stack(
            [np.median(proj[labels == c], axis=0) for c in range(k)])   # exact split
    else:
        mean_yx = (onehot.T @ task_yx) / n_ex[:, None]           # (k, d)
        W = U @ (U.T @ mean_yx.T)                                # (d, k)
    task_res = task_rss(data.X, data.y, data.offsets, W)         # (n, k)
    if robust:
        per_task = task_res / data.sizes[:, None]
        corr = chi2.median(data.sizes) / data.sizes
        r2 = np.array([np.median(per_task[labels == c, c] / corr[labels == c])
                       for c in range(k)])
    else:
        r2 = np.einsum("ik,ik->k", onehot, task_res) / n_ex
    return W, r2, counts / counts.sum()
