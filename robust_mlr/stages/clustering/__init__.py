"""Clustering stage: group the heavy tasks H by their regression vectors.

Methods (``METHODS``, looked up by name by :class:`robust_mlr.MetaLearner`):

* ``"single"``, ``"average"`` — linkage on the median-of-splits distance
  matrix (ICML 2020 Algorithm 3, :mod:`.linkage`);
* ``"kmeans"`` — k-means on projected task means (baseline, :mod:`.sdp`);
* ``"peng_wei"``, ``"peng_wei_robust"``, ``"sos_m4"``, ``"sos_m6"`` — the
  Peng–Wei SDP, its outlier-robust variant and the m-th moment SoS-inspired
  relaxations (:mod:`.sdp`, with :mod:`.split_moments` and :mod:`.rounding`);
  Peng–Wei and robust Peng–Wei are solved by default with the nonnegative
  Burer–Monteiro solver (:mod:`.burer_monteiro`, via :mod:`.factored`:
  memory O(n k), every heavy task), ``solver="SCS"`` selects cvxpy;
* ``"moments"``, ``"moments_robust"`` — third-order moment estimator of the
  centres (whitening + tensor decomposition, :mod:`.moments`, with
  :mod:`.tensor_moments` and :mod:`.tensor_decomposition`), plain or with a
  median of block means;
* ``"single_cluster"`` — the lifted single-cluster relaxation peeled k − 1
  times (:mod:`.pseudo_distribution`, ground truth on small instances).

Per-cluster estimates of Algorithm 3 are in :mod:`.estimates`;
:func:`certify_clusters` (:mod:`.certify`) certifies each recovered cluster's
m-th moment bound with the :mod:`sos` core and compares it with one Gaussian
cluster's value (a check that a cluster is not two merged ones).
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_alpha, check_int, lookup
from ...data import MetaDataset
from .base import ClusteringResult
from .basis import heavy_basis
from .burer_monteiro import (BMResult, DenseCost, LowRankCost, mds_labels, robust_diag_cap,
                             solve_peng_wei_bm)
from .certify import ClusterCertificates, certify_clusters
from .estimates import cluster_estimates
from .factored import far_tasks
from .moments import geometric_median, moment_clustering, robust_moment_clustering
from .linkage import (average_linkage, default_splits, distance_matrix, projected_chunks,
                      single_linkage)
from .pseudo_distribution import (brute_force_balanced, peel_clusters,
                                  pseudo_distribution_clustering, single_cluster_relaxation)
from .rounding import ROUNDINGS, kmeans
from .sdp import (add_moment_constraints, kmeans_baseline, peng_wei, peng_wei_problem,
                  peng_wei_robust, sdp_cluster, single_cluster, sos_m4, sos_m6)
from .split_moments import group_estimates, noise_scale, pair_forms, row_form_map
from .tensor_decomposition import decompose_moments, symmetric_power_method, whiten
from .tensor_moments import group_statistics, moment_tensors

__all__ = ["METHODS", "cluster_heavy", "ClusteringResult", "cluster_estimates", "heavy_basis",
           "distance_matrix", "projected_chunks", "default_splits", "sdp_cluster",
           "peng_wei_problem", "add_moment_constraints", "ROUNDINGS", "kmeans",
           "group_estimates", "noise_scale", "pair_forms", "row_form_map",
           "single_cluster_relaxation", "peel_clusters", "pseudo_distribution_clustering",
           "brute_force_balanced", "moment_clustering", "robust_moment_clustering",
           "geometric_median", "decompose_moments", "symmetric_power_method", "whiten",
           "group_statistics", "moment_tensors", "solve_peng_wei_bm", "BMResult",
           "DenseCost", "LowRankCost", "robust_diag_cap", "mds_labels", "ClusterCertificates",
           "certify_clusters", "far_tasks"]

METHODS = {
    "single": single_linkage,
    "average": average_linkage,
    "kmeans": kmeans_baseline,
    "single_cluster": single_cluster,
    "peng_wei": peng_wei,
    "peng_wei_robust": peng_wei_robust,
    "sos_m4": sos_m4,
    "sos_m6": sos_m6,
    "moments": moment_clustering,
    "moments_robust": robust_moment_clustering,
}


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
        A name in :data:`METHODS`: ``"single"`` (as in the paper) or
        ``"average"`` linkage (as in the authors' released code), ``"kmeans"``,
        or an SDP relaxation of :mod:`.sdp`.
    **kwargs
        Passed to the method (``L``, ``alpha``, ``solver``, ...).

    With ``alpha`` > 0, tasks far from the bulk (:func:`far_tasks`: at most
    ⌊αn⌋, each beyond 4× the median outlyingness) are outliers (label −1,
    ``info["far_tasks"]``) and the method clusters the others: no method
    then spends a cluster on a group of identical far tasks. Without far
    tasks the method sees the data unchanged.

    Returns
    -------
    ClusteringResult
    """
    k = check_int(k, "k", min_val=1, max_val=data.n_tasks)
    fn = lookup(METHODS, method, "clustering method")
    alpha = check_alpha(kwargs.get("alpha", 0.0))
    far = np.zeros(data.n_tasks, bool)
    if alpha > 0 and method != "single_cluster" and data.n_tasks and data.sizes.min() >= 2:
        B = projected_chunks(data, U, 2, stage="clustering")
        far = far_tasks(LowRankCost(B[0], B[1]), alpha)
    keep = np.flatnonzero(~far)
    if not far.any() or keep.size < 2 * k:
        return fn(data, U, k, **kwargs)
    res = fn(data.subset(keep), U, k, **kwargs)
    labels = np.full(data.n_tasks, -1)
    labels[keep] = res.labels
    return ClusteringResult(labels, labels < 0, res.objective,
                            dict(res.info, far_tasks=int(far.sum())))
