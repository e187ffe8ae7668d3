"""Subspace stage: estimate span(W) from the light pool L1.

Stage objects (:mod:`.stages`), also selected by name (``ALIASES``):

* ``"pca"`` (:class:`MomentPCA`) — the unbiased moment estimate of ICML 2020 Algorithm 2
  (:mod:`.pca`);
* ``"filter"`` (:class:`FilterPCA`) — the MLR filter of :mod:`.robust` (size-capped clipped
  statistics, generic filter, trimmed re-estimate, bulk-edge test);
* ``"hrpca"`` (:class:`HRPCA`), ``"pca_points"`` (:class:`PointsPCA`) — robust PCA and its plain baseline (:mod:`.robust_pca`)
  run on the per-task statistics of :mod:`.robust`;
* ``"meta_sp"`` (:class:`MetaSP`) — Meta Subspace Pursuit, gradient steps and rank-k hard
  thresholding (:mod:`.meta_sp`);
* ``"amht_lrs"`` (:class:`AMHTLRS`) — alternating minimisation for low-rank plus sparse task
  parameters (:mod:`.amht_lrs`);
* ``"moments"`` (:class:`ExampleMomentPCA`) — top eigenvectors of the example moment (1/N) Σ y² x xᵀ of
  Tripuraneni, Jin, Jordan 2021 (:mod:`.example_moments`).
"""

from __future__ import annotations

from ...data import MetaDataset
from ...threat import ThreatModel
from .._stage import make_stage
from .bad_example import bad_example
from .amht_lrs import amht_lrs
from .base import SubspaceResult
from .meta_sp import meta_sp
from .example_moments import moments
from .pca import moment_estimate, pca
from .robust import filter_stage, hrpca_stage, mlr_filter, pca_points_stage, task_statistics
from .robust_pca import (RobustPCAResult, captured_variance, clean_excess, filter_pca, hrpca,
                         plain_pca, trimmed_variance)
from .stages import (ALIASES, AMHTLRS, HRPCA, ExampleMomentPCA, FilterPCA, MetaSP, MomentPCA,
                     PointsPCA, SubspaceStage)

__all__ = ["ALIASES", "SubspaceStage", "MomentPCA", "FilterPCA", "HRPCA", "PointsPCA", "MetaSP",
           "AMHTLRS", "ExampleMomentPCA", "estimate_subspace", "SubspaceResult",
           "moment_estimate", "task_statistics", "RobustPCAResult", "plain_pca", "filter_pca",
           "hrpca", "trimmed_variance", "captured_variance", "bad_example", "clean_excess",
           "mlr_filter", "meta_sp", "amht_lrs", "moments"]


def estimate_subspace(data: MetaDataset, k, method="pca", *, alpha=0.0, rng=None, **options):
    """Estimate span(W) from light tasks (the function form of the stages).

    Parameters
    ----------
    data : MetaDataset
        Light tasks (pool ``light1``).
    k : int
        Subspace dimension (number of components), ``k <= d``.
    method : str or SubspaceStage
        A name in :data:`ALIASES`: ``"pca"`` (Algorithm 2: top-k eigenvectors
        of M̂, needs t_i >= 2), a robust method (``"filter"``, ``"hrpca"``),
        a baseline (``"pca_points"``, ``"meta_sp"``, ``"amht_lrs"``,
        ``"moments"``), or a stage object.
    alpha : float
        Corrupted fraction handed to robust methods.
    rng : None, int or Generator
        Randomness of randomised methods.
    **options
        Options of the stage (e.g. ``clip`` for ``"filter"``); an option the
        stage does not have raises.

    Returns
    -------
    SubspaceResult
    """
    stage = make_stage(method, ALIASES, SubspaceStage).set_params(**options)
    return stage.fit(data, k, threat=ThreatModel(alpha), rng=rng).result_
