"""Clustering stage: group the heavy tasks H by their regression vectors.

Stage objects (:mod:`.stages`), also selected by name (``ALIASES``):

* ``"single"``, ``"average"`` (:class:`Linkage`) — linkage on the
  median-of-splits distance matrix (ICML 2020 Algorithm 3, :mod:`.linkage`);
  ``"linkage"`` — average linkage followed by reassignment of each task to
  the cluster of least mean distance (the ICML learner's);
* ``"kmeans"`` (:class:`KMeans`) — k-means on projected task means (baseline,
  :mod:`.kmeans_baseline`);
* ``"peng_wei"``, ``"peng_wei_robust"`` (:class:`PengWei`), ``"sos_m4"``,
  ``"sos_m6"`` (:class:`SoSRelaxation`) — the Peng–Wei SDP, its outlier-robust
  variant and the m-th moment SoS-inspired relaxations (:mod:`.sdp`, with
  :mod:`.split_moments` and :mod:`.rounding`); Peng–Wei and robust Peng–Wei are
  solved by default with the nonnegative Burer–Monteiro solver
  (:mod:`.burer_monteiro`, via :mod:`.factored`: memory O(n k), every heavy
  task), ``solver="SCS"`` selects cvxpy;
* ``"moments"``, ``"moments_robust"`` (:class:`TensorMoments`) — third-order
  moment estimator of the centres (whitening + tensor decomposition,
  :mod:`.tensor_estimator`, with :mod:`.tensor_moments` and
  :mod:`.tensor_decomposition`), plain or with a median of block means;
* ``"em"``, ``"em_robust"`` (:class:`EM`) — likelihood EM on the heavy tasks'
  own examples in the working basis, started by the moment estimator and
  k-means++ restarts, plain or with trimmed E- and M-steps under the budget α
  (:mod:`.em`);
* ``"auto"`` (:class:`BySize`) — EM below a median task size of 16, single
  linkage from there (the learner's default);
* ``"single_cluster"`` (:class:`SingleClusterPeeling`) — the lifted
  single-cluster relaxation peeled k − 1 times (:mod:`.pseudo_distribution`,
  ground truth on small instances);
* ``"kss_m4"``, ``"kss_no_moment"`` (:class:`KSSRelaxation`) — the genuine
  degree-4 SoS relaxation of Kothari–Steinhardt–Steurer clustering, with and
  without its fourth-moment constraint (:mod:`.kss`; n ≈ 20 tasks).

Per-cluster estimates of Algorithm 3 are in :mod:`.estimates`;
:func:`certify_clusters` (:mod:`.certify`) certifies each recovered cluster's
m-th moment bound with the :mod:`sos` core and compares it with one Gaussian
cluster's value (a check that a cluster is not two merged ones).
"""

from __future__ import annotations

from ...threat import ThreatModel
from .._stage import make_stage
from ...data import MetaDataset
from .base import ClusteringResult
from .basis import heavy_basis
from .burer_monteiro import (BMResult, DenseCost, LowRankCost, mds_labels, robust_diag_cap,
                             solve_peng_wei_bm)
from .certify import ClusterCertificates, certify_clusters
from .em import em_clustering, robust_em_clustering
from .estimates import cluster_estimates
from .factored import far_tasks
from .tensor_estimator import geometric_median, moment_clustering, robust_moment_clustering
from .linkage import default_splits, distance_matrix, projected_chunks
from .kss import KSSSolution, auto_beta, brute_force_kss, kss_cluster, kss_relaxation
from .pseudo_distribution import (brute_force_balanced, peel_clusters,
                                  pseudo_distribution_clustering, single_cluster_relaxation)
from .rounding import ROUNDINGS, kmeans
from .sdp import add_moment_constraints, peng_wei_problem, sdp_cluster
from .split_moments import group_estimates, noise_scale, pair_forms, row_form_map
from .tensor_decomposition import decompose_moments, symmetric_power_method, whiten
from .tensor_moments import group_statistics, moment_tensors
from .stages import (ALIASES, EM, BySize, ClusteringStage, KMeans, KSSRelaxation, Linkage,
                     PengWei, SingleClusterPeeling, SoSRelaxation, TensorMoments)

__all__ = ["ALIASES", "ClusteringStage", "Linkage", "KMeans", "PengWei", "SoSRelaxation",
           "SingleClusterPeeling", "TensorMoments", "EM", "BySize", "KSSRelaxation",
           "KSSSolution", "kss_relaxation", "brute_force_kss", "auto_beta", "kss_cluster",
           "cluster_heavy", "ClusteringResult", "cluster_estimates", "heavy_basis",
           "distance_matrix", "projected_chunks", "default_splits", "sdp_cluster",
           "peng_wei_problem", "add_moment_constraints", "ROUNDINGS", "kmeans",
           "group_estimates", "noise_scale", "pair_forms", "row_form_map",
           "single_cluster_relaxation", "peel_clusters", "pseudo_distribution_clustering",
           "brute_force_balanced", "moment_clustering", "robust_moment_clustering",
           "geometric_median", "decompose_moments", "symmetric_power_method", "whiten",
           "group_statistics", "moment_tensors", "solve_peng_wei_bm", "BMResult",
           "DenseCost", "LowRankCost", "robust_diag_cap", "mds_labels", "ClusterCertificates",
           "certify_clusters", "em_clustering", "robust_em_clustering", "far_tasks"]

def cluster_heavy(data: MetaDataset, U, k, method="single", *, alpha=0.0, rng=None, **options):
    """Cluster heavy tasks into ``k`` groups (the function form of the stages).

    Parameters
    ----------
    data : MetaDataset
        Heavy tasks.
    U : ndarray (d, k)
        Subspace basis.
    k : int
        Number of clusters (``k <= n``).
    method : str or ClusteringStage
        A name in :data:`ALIASES`: ``"single"`` (as in the paper) or
        ``"average"`` linkage (as in the authors' released code), ``"kmeans"``,
        an SDP relaxation, a moment estimator, or a stage object.
    alpha : float
        Corrupted fraction handed to robust methods.
    rng : None, int or Generator
        Randomness of randomised methods.
    **options
        Options of the stage (``L``, ``solver``, ...); an option the stage
        does not have raises.

    Returns
    -------
    ClusteringResult
        With ``estimates`` (W̃, r̃², p̃) of the clusters.
    """
    stage = make_stage(method, ALIASES, ClusteringStage).set_params(**options)
    return stage.fit(data, U, k, threat=ThreatModel(alpha), rng=rng).result_
