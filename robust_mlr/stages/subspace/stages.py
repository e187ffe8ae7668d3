"""Subspace stage objects: estimate span(W) from the light pool L1.

Each class wraps one method of this package; ``fit(data, k, threat=, rng=)``
sets ``result_`` (a :class:`~.base.SubspaceResult`) and ``U_``. Robust
stages also report, in ``result_.info``, how many tasks they removed
(``removed``), the most the threat model explains (``limit``) and whether
their own test of clean behaviour ``passed``.
"""

from __future__ import annotations

import abc

from ..._validation import check_k_d
from ... import _params
from ...exceptions import ValidationError
from ..._threads import pinned
from ...threat import ThreatModel
from .._results import check_subspace
from .._stage import Stage
from .amht_lrs import amht_lrs
from .meta_sp import meta_sp
from .example_moments import moments
from .pca import pca
from .robust import filter_subspace, hrpca_subspace, points_pca_subspace

__all__ = ["SubspaceStage", "MomentPCA", "FilterPCA", "HRPCA", "PointsPCA", "MetaSP",
           "AMHTLRS", "ExampleMomentPCA", "ALIASES"]


class SubspaceStage(Stage):
    """Base of the subspace stages (pool ``light1``)."""

    kind = "subspace"
    pool = "light1"

    @pinned
    def fit(self, data, k, *, threat=None, rng=None):
        """Estimate a k-dimensional basis from the light tasks ``data``.

        Parameters
        ----------
        data : MetaDataset
            Light tasks (pool ``light1``).
        k : int
            Subspace dimension, ``k <= d``.
        threat : ThreatModel, optional
            The corruption budget (robust stages); default: none.
        rng : None, int or Generator
            Randomness of randomised methods.

        Returns
        -------
        self
        """
        k = check_k_d(k, data.dim)
        threat = threat or ThreatModel()
        if self.robust and data.n_tasks < 2 * k:
            # a robust method locates a k-dimensional span against 2k directions
            raise ValidationError(f"pool {self.pool} has {data.n_tasks} tasks; the robust subspace "
                                  f"method needs at least 2k = {2 * k} (k={k})")
        res = self._estimate(data, k, threat, rng, self._options())
        check_subspace(self, res, data.dim, k)
        if self.robust:
            removed = 0 if res.kept is None else int((~res.kept).sum())
            res.info.update(removed=removed, limit=threat.limit(data.n_tasks),
                            passed=bool(res.info.get("passed", True)))
        self.result_ = res
        self.U_ = res.U
        return self

    @abc.abstractmethod
    def _estimate(self, data, k, threat, rng, options):
        """The method: a SubspaceResult for ``data`` with the validated ``options``."""


class MomentPCA(SubspaceStage):
    """Top-k eigenvectors of the unbiased moment estimate M̂ (ICML 2020
    Algorithm 2; needs t_i ≥ 2). No options."""

    def _estimate(self, data, k, threat, rng, options):
        return pca(data, k)


class ExampleMomentPCA(SubspaceStage):
    """Top-k eigenvectors of the example moment (1/N) Σ y² x xᵀ
    (Tripuraneni, Jin, Jordan 2021). No options."""

    def _estimate(self, data, k, threat, rng, options):
        return moments(data, k)


class FilterPCA(SubspaceStage):
    """The MLR filter of Kong, Somani, Kakade, Oh (NeurIPS 2020) on clipped,
    size-capped task statistics (:func:`~.robust.filter_subspace`).

    Parameters
    ----------
    clip : float or None
        Responses are clipped at this many robust scales (None: the
        unclipped statistic of the paper).
    slack : float
        Relative slack of the bulk-edge test.
    c : float
        Filter threshold, in multiples of the clean energy.
    restarts : int, optional
        Independent filter restarts (default from α).
    delta : float
        Failure probability of the filter's stopping rule.
    max_iter : int
        Filter iterations per restart.
    """

    robust = True
    _parameter_constraints = {
        "clip": _params.real(0.0, include_min=False, none=True), "slack": _params.real(0.0),
        "c": _params.real(0.0, include_min=False), "restarts": _params.integer(1, none=True),
        "delta": _params.real(0.0, 1.0, include_min=False, include_max=False),
        "max_iter": _params.integer(1)}

    def __init__(self, clip=2.0, slack=0.08, c=2.0, restarts=None, delta=1e-4, max_iter=100):
        self.clip = clip
        self.slack = slack
        self.c = c
        self.restarts = restarts
        self.delta = delta
        self.max_iter = max_iter

    def _estimate(self, data, k, threat, rng, options):
        return filter_subspace(data, k, alpha=threat.alpha, rng=rng, **options)


class HRPCA(SubspaceStage):
    """HRPCA (Xu, Caramanis, Mannor 2012) on the per-task statistics.

    Parameters
    ----------
    clip : float or None
        Responses are clipped at this many robust scales (None: the
        unclipped statistic of the paper).
    n_remove : int, optional
        Points removed in all (default from α).
    batch : int, optional
        Points removed per round.
    """

    robust = True
    _parameter_constraints = {"clip": _params.real(0.0, include_min=False, none=True),
                              "n_remove": _params.integer(0, none=True),
                              "batch": _params.integer(1, none=True)}

    def __init__(self, clip=2.0, n_remove=None, batch=None):
        self.clip = clip
        self.n_remove = n_remove
        self.batch = batch

    def _estimate(self, data, k, threat, rng, options):
        return hrpca_subspace(data, k, alpha=threat.alpha, rng=rng, **options)


class PointsPCA(SubspaceStage):
    """Plain PCA of the clipped per-task statistics (a baseline for the
    robust methods, which read the same statistics).

    Parameters
    ----------
    clip : float or None
        Responses are clipped at this many robust scales (None: the
        unclipped statistic of the paper).
    """

    _parameter_constraints = {"clip": _params.real(0.0, include_min=False, none=True)}

    def __init__(self, clip=2.0):
        self.clip = clip

    def _estimate(self, data, k, threat, rng, options):
        return points_pca_subspace(data, k, alpha=threat.alpha, rng=rng, **options)


class MetaSP(SubspaceStage):
    """Meta Subspace Pursuit (Zhang, Liu, Zhang 2024), :func:`~.meta_sp.meta_sp`.

    Parameters
    ----------
    gamma : float, optional
        Step size (default from the data).
    max_iter : int
        Iterations.
    tol : float
        Relative change that stops the iteration.
    """

    _parameter_constraints = {"gamma": _params.real(0.0, include_min=False, none=True),
                              "max_iter": _params.integer(1),
                              "tol": _params.real(0.0, include_min=False)}

    def __init__(self, gamma=None, max_iter=500, tol=1e-6):
        self.gamma = gamma
        self.max_iter = max_iter
        self.tol = tol

    def _estimate(self, data, k, threat, rng, options):
        return meta_sp(data, k, **options)


class AMHTLRS(SubspaceStage):
    """Alternating minimisation for low-rank plus sparse task parameters,
    :func:`~.amht_lrs.amht_lrs`.

    Parameters
    ----------
    sparsity : int
        Nonzeros of each task's sparse part.
    n_hard : int
        Hard-thresholding steps per iteration.
    max_iter : int
        Iterations.
    tol : float
        Relative change that stops the iteration.
    """

    _parameter_constraints = {"sparsity": _params.integer(0), "n_hard": _params.integer(1),
                              "max_iter": _params.integer(1),
                              "tol": _params.real(0.0, include_min=False)}

    def __init__(self, sparsity=0, n_hard=5, max_iter=100, tol=1e-6):
        self.sparsity = sparsity
        self.n_hard = n_hard
        self.max_iter = max_iter
        self.tol = tol

    def _estimate(self, data, k, threat, rng, options):
        return amht_lrs(data, k, **options)


#: Names accepted wherever a subspace stage is expected.
ALIASES = {
    "pca": (MomentPCA, {}),
    "filter": (FilterPCA, {}),
    "hrpca": (HRPCA, {}),
    "pca_points": (PointsPCA, {}),
    "meta_sp": (MetaSP, {}),
    "amht_lrs": (AMHTLRS, {}),
    "moments": (ExampleMomentPCA, {}),
}
