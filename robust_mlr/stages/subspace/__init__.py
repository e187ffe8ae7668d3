"""Subspace stage: estimate span(W) from the light pool L1.

Methods (``METHODS``, looked up by name by :class:`robust_mlr.MetaLearner`):

* ``"pca"`` — the unbiased moment estimate of ICML 2020 Algorithm 2
  (:mod:`.pca`);
* ``"filter"`` — the MLR filter of :mod:`.robust` (size-capped clipped
  statistics, generic filter, trimmed re-estimate, bulk-edge test);
* ``"hrpca"``, ``"pca_points"`` — robust PCA methods (:mod:`.robust_pca`)
  run on the per-task statistics of :mod:`.robust`;
* ``"meta_sp"`` — Meta Subspace Pursuit, gradient steps and rank-k hard
  thresholding (:mod:`.meta_sp`);
* ``"amht_lrs"`` — alternating minimisation for low-rank plus sparse task
  parameters (:mod:`.amht_lrs`);
* ``"moments"`` — top eigenvectors of the example moment (1/N) Σ y² x xᵀ of
  Tripuraneni, Jin, Jordan 2021 (:mod:`.moments`).
"""

from __future__ import annotations

from ..._threads import pinned
from ..._validation import check_k_d, lookup
from ...data import MetaDataset
from .bad_example import bad_example
from .amht_lrs import amht_lrs
from .base import SubspaceResult
from .meta_sp import meta_sp
from .moments import moments
from .pca import moment_estimate, pca
from .robust import filter_stage, hrpca_stage, mlr_filter, pca_points_stage, task_statistics
from .robust_pca import (RobustPCAResult, captured_variance, clean_excess, filter_pca, hrpca,
                         plain_pca, trimmed_variance)

__all__ = ["METHODS", "estimate_subspace", "SubspaceResult", "moment_estimate",
           "task_statistics", "RobustPCAResult", "plain_pca", "filter_pca", "hrpca",
           "trimmed_variance", "captured_variance", "bad_example", "clean_excess",
           "mlr_filter", "meta_sp", "amht_lrs", "moments"]

METHODS = {
    "pca": pca,
    "filter": filter_stage,
    "hrpca": hrpca_stage,
    "pca_points": pca_points_stage,
    "meta_sp": meta_sp,
    "amht_lrs": amht_lrs,
    "moments": moments,
}


@pinned
def estimate_subspace(data: MetaDataset, k, method="pca", **kwargs):
    """Estimate span(W) from light tasks.

    Parameters
    ----------
    data : MetaDataset
        Light tasks (pool ``light1``).
    k : int
        Subspace dimension (number of components), ``k <= d``.
    method : str
        A name in :data:`METHODS`: ``"pca"`` (Algorithm 2: top-k eigenvectors
        of M̂, needs t_i >= 2), a robust method (``"filter"``, ``"hrpca"``,
        ``"pca_points"``) or a baseline (``"meta_sp"``, ``"amht_lrs"``,
        ``"moments"``).
    **kwargs
        Passed to the method (e.g. ``alpha``, ``rng``).

    Returns
    -------
    SubspaceResult
    """
    k = check_k_d(k, data.dim)
    fn = lookup(METHODS, method, "subspace method")
    return fn(data, k, **kwargs)
