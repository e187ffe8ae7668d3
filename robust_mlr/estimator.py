"""The meta-learner: subspace → clustering → classification/refinement →
prediction, with every stage chosen by name (scikit-learn style)."""

from __future__ import annotations

import time
import warnings

import numpy as np

from . import _params
from ._validation import check_alpha, check_int, check_rng
from .covariates import COVARIATES, fit_whitened
from .data import Pools
from .exceptions import CorruptionWarning, ValidationError
from .stages import clustering as _clustering, regression as _regression, subspace as _subspace
from .stages.classification import classify, flag_unfit_tasks
from .stages.clustering import ClusteringResult, cluster_estimates, cluster_heavy, heavy_basis
from .stages.prediction import MixturePredictor
from .stages.regression import cross_check_noise, fit_components
from .stages.screening import excess_limit, screen_pools
from .stages.subspace import estimate_subspace

__all__ = ["MetaLearner"]

#: Clustering methods on pairwise distances, which take a basis of any width;
#: robust fits run them in the heavy-augmented basis (the moment relaxations
#: and estimators are built on k-variate forms and stay in span U).
_DISTANCE_METHODS = ("single", "average", "kmeans", "peng_wei", "peng_wei_robust")


class MetaLearner(_params.ParamsMixin, MixturePredictor):
    """Meta-learning of a mixture of k linear regressions from three pools.

    Parameters
    ----------
    k : int
        Number of components.
    subspace : str
        Subspace stage: ``"pca"`` (ICML Alg. 2) or a robust method
        (``"filter"``, ``"hrpca"``).
    clustering : str
        Heavy-task clustering: ``"single"``/``"average"`` linkage (ICML
        Alg. 3), an SDP relaxation name, or ``"moments"`` /
        ``"moments_robust"`` (third-order moment estimator; it returns the
        cluster estimates W̃, r̃², p̃ itself instead of cluster means).
    regression : str
        Per-component regression: ``"ls"`` (ICML Alg. 4) or a robust method.
    alpha : float
        Assumed corruption fraction handed to robust stages (0 for clean data).
    flag_level : float in (0, 1), optional
        Robust classification: flag light tasks whose best component's
        residuals exceed the (1 − flag_level) χ² quantile (they fit no
        component) and leave them out of the refit. None: classify all.
    L : int, optional
        Split pairs for the distance matrix (default from t_H).
    subspace_kw, clustering_kw, regression_kw : dict, optional
        Extra options for each stage.
    rng : None, int or Generator
        Randomness of the randomised stages.
    covariates : {"isotropic", "estimate"}
        ``"isotropic"``: the stages assume E[x xᵀ] = I (the papers' model).
        ``"estimate"``: estimate Σ_x = E[x xᵀ] from the covariates of all
        pools (trimmed when alpha > 0), run the stages on the whitened pools
        and map W back (:mod:`robust_mlr.covariates`); attribute
        ``covariance_`` holds the whitening.

    Attributes
    ----------
    U_ : ndarray (d, k)
        Estimated subspace.
    heavy_labels_ : ndarray (n_H,)
        Clusters of the heavy tasks (−1 = outlier).
    W_tilde_, r2_tilde_, p_tilde_ :
        Cluster estimates of Algorithm 3.
    light_labels_ : ndarray (n_L2,)
        Components of the classified light tasks (−1 = flagged).
    W_, s2_, p_ :
        Final estimates: (d, k), (k,), (k,).
    diagnostics_ : dict
        Per-stage info and timings. Robust fits (α > 0) add ``"screen"``
        (per pool: ``kept`` mask, ``n_removed``, ``limit``, ``passed``; the
        scales ``sigma_x``, ``sigma_y``), a ``removed`` count and (subspace,
        regression) a ``passed`` flag per stage, and ``"evidence"``: the
        list of findings that raised a CorruptionWarning.

    Notes
    -----
    scikit-learn's estimator protocol without depending on it: ``__init__``
    only stores its arguments; ``get_params``/``set_params``/``repr`` read
    its signature, so ``sklearn.base.clone`` works; every option is checked
    at ``fit`` against ``_parameter_constraints`` (stage names against the
    stage registries); an unfitted model raises :class:`NotFittedError`.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools, MetaLearner
    >>> theta = make_params(8, 2, rng=0)
    >>> pools = make_pools(theta, 4000, 2, 60, 64, 2000, 8, rng=1)
    >>> model = MetaLearner(k=2, rng=2).fit(pools)
    >>> model.W_.shape
    (8, 2)
    """

    def __init__(self, k, *, subspace="pca", clustering="single", regression="ls",
                 alpha=0.0, L=None, flag_level=None, subspace_kw=None, clustering_kw=None,
                 regression_kw=None, rng=None, covariates="isotropic"):
        self.k = k
        self.subspace = subspace
        self.clustering = clustering
        self.regression = regression
        self.alpha = alpha
        self.L = L
        self.flag_level = flag_level
        self.subspace_kw = subspace_kw
        self.clustering_kw = clustering_kw
        self.regression_kw = regression_kw
        self.rng = rng
        self.covariates = covariates

    def fit(self, pools: Pools):
        """Learn θ̂ = (W, s², p) from the three pools; returns ``self``."""
        if not isinstance(pools, Pools):
            raise ValidationError(f"pools must be a robust_mlr.Pools, got {type(pools).__name__}")
        self._validate_params()
        if self.covariates == "estimate":
            return fit_whitened(self, pools)
        k = check_int(self.k, "k", min_val=1)
        if k > pools.dim:
            raise ValidationError(f"k={k} exceeds the dimension d={pools.dim}; need k <= d")
        alpha = check_alpha(self.alpha)
        rng = check_rng(self.rng)
        diag = {}
        full, scales = pools, (1.0, 1.0)
        if alpha > 0:                     # robust: scale and screen before any squaring
            t0 = time.perf_counter()
            screened, scales, diag["screen"] = screen_pools(pools, alpha)
            diag["screen"]["time"] = time.perf_counter() - t0
            pools = Pools(**screened)

        t0 = time.perf_counter()
        sub = estimate_subspace(pools.light1, k, self.subspace, alpha=alpha, rng=rng,
                                **(self.subspace_kw or {}))
        self.U_ = sub.U
        diag["subspace"] = dict(sub.info, kept=sub.kept, time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        cl = self._cluster(pools.heavy, k, alpha, rng)
        self.heavy_labels_ = cl.labels
        if "estimates" in cl.info:     # a method that estimates (W̃, r̃², p̃) itself
            self.W_tilde_, self.r2_tilde_, self.p_tilde_ = cl.info.pop("estimates")
        else:
            self.W_tilde_, self.r2_tilde_, self.p_tilde_ = cluster_estimates(
                pools.heavy, cl.labels, self.U_, k, robust=alpha > 0)
        diag["clustering"] = dict(cl.info, objective=cl.objective, outliers=cl.outliers,
                                  time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        if self.flag_level is None:
            labels, _ = classify(pools.light2, self.W_tilde_, self.r2_tilde_)
            flagged = np.zeros(pools.light2.n_tasks, bool)
        else:
            labels, flagged = flag_unfit_tasks(pools.light2, self.W_tilde_, self.r2_tilde_,
                                               self.flag_level)
            labels = np.where(flagged, -1, labels)
        diag["classification"] = {"flagged": flagged}
        W, s2, p, info = fit_components(pools.light2, labels, k, self.regression,
                                        alpha=alpha, rng=rng, **(self.regression_kw or {}))
        self.light_labels_ = info.pop("labels", labels)
        if alpha > 0:                  # ŝ² checked against the heavy tasks' tighter evidence
            s2, info["noise_check"] = cross_check_noise(pools.heavy, None, W, s2)
        self.W_, self.s2_, self.p_ = W, s2, p
        diag["regression"] = dict(info, time=time.perf_counter() - t0)
        self.diagnostics_ = diag
        if "screen" in diag:
            self._unscreen(full, scales)
            _check_evidence(diag, alpha, pools, self.flag_level)
        return self

    def _unscreen(self, pools, scales):
        """Map estimates back to the user's units and per-task outputs back to
        the unscreened pools (screened-out tasks get label −1)."""
        sx, sy = scales
        self.W_, self.W_tilde_ = self.W_ * (sy / sx), self.W_tilde_ * (sy / sx)
        self.s2_, self.r2_tilde_ = self.s2_ * sy ** 2, self.r2_tilde_ * sy ** 2
        scr = self.diagnostics_["screen"]
        self.heavy_labels_ = _expand(self.heavy_labels_, scr["heavy"]["kept"], -1)
        self.light_labels_ = _expand(self.light_labels_, scr["light2"]["kept"], -1)

    def _cluster(self, heavy, k, alpha, rng):
        """Cluster the heavy tasks; with α > 0 in the basis of U and the
        directions the heavy tasks say U misses
        (:func:`~robust_mlr.stages.clustering.heavy_basis`), and a cluster that the adversary
        could have fabricated whole — no more tasks than the corrupted count
        can plausibly be, :func:`~robust_mlr.stages.screening.excess_limit` —
        is not trusted as a component: its tasks become outliers and the
        others are clustered again into k clusters. A tight group of ⌊αn⌋
        shifted tasks otherwise takes a cluster of its own while two true
        components merge (found by the red team; true components are assumed
        larger than the budget, α < p_min)."""
        U = self.U_
        if alpha > 0 and self.clustering in _DISTANCE_METHODS:
            U = heavy_basis(heavy, U, k, alpha)      # what the heavy tasks say U misses
        cl = cluster_heavy(heavy, U, k, self.clustering, L=self.L, alpha=alpha,
                           rng=rng, **(self.clustering_kw or {}))
        cl.info["basis_dim"] = U.shape[1]
        if alpha == 0 or "estimates" in cl.info:
            return cl
        counts = np.bincount(cl.labels[cl.labels >= 0], minlength=k)
        small = np.flatnonzero(counts <= excess_limit(alpha, heavy.n_tasks))
        keep = np.flatnonzero((cl.labels >= 0) & ~np.isin(cl.labels, small))
        if small.size == 0 or keep.size <= 2 * k:
            return cl
        again = cluster_heavy(heavy.subset(keep), U, k, self.clustering, L=self.L,
                              alpha=alpha, rng=rng, **(self.clustering_kw or {}))
        labels = np.full(heavy.n_tasks, -1)
        labels[keep] = again.labels
        info = dict(again.info, basis_dim=U.shape[1], distrusted_clusters=int(small.size),
                    distrusted_tasks=int(np.isin(cl.labels, small).sum()))
        return ClusteringResult(labels, labels < 0, again.objective, info)

    @classmethod
    def robust(cls, k, alpha, **kwargs):
        """The robust learner of Kong, Somani, Kakade, Oh (NeurIPS 2020):
        filter subspace, robust Peng–Wei clustering of every heavy task in U
        plus the directions the heavy tasks say U misses (Burer–Monteiro
        solver; pass
        ``clustering_kw={"solver": "SCS", "max_sdp": 200}`` for the cvxpy SDP
        on a subsample), χ² flagging in classification, task-filter
        regression, ŝ² cross-checked on the heavy tasks. Keyword arguments
        override any stage.

        With α > 0 the pools are first scaled by shared robust scales and
        screened (:mod:`robust_mlr.stages.screening`); ``diagnostics_``
        then says per stage what was removed and whether its test passed,
        and a :class:`~robust_mlr.exceptions.CorruptionWarning` is raised
        when a stage sees more than αn plus the Binomial margin. What each
        stage lets ⌊αn⌋ tasks move is in docs/robust_pipeline.md."""
        opts = dict(subspace="filter", clustering="peng_wei_robust", regression="filter",
                    flag_level=1e-3)
        opts.update(kwargs)
        return cls(k, alpha=alpha, **opts)

    @property
    def flagged_(self):
        """Per-pool boolean masks of the tasks each stage set aside."""
        self._check_fitted()
        d = self.diagnostics_
        kept = d["subspace"].get("kept")
        out = {"light1": None if kept is None else ~kept,
               "heavy": d["clustering"]["outliers"], "light2": self.light_labels_ < 0}
        if "screen" in d:                 # masks over the screened pools -> full pools
            out["light1"] = ~_expand(~out["light1"] if out["light1"] is not None else
                                     np.ones(int(d["screen"]["light1"]["kept"].sum()), bool),
                                     d["screen"]["light1"]["kept"], False)
            out["heavy"] = _expand(out["heavy"], d["screen"]["heavy"]["kept"], True)
        return out

    # ---------------------------------------------- scikit-learn estimator protocol
    # get_params / set_params / __repr__ come from ParamsMixin (signature
    # introspection); every parameter is checked here at fit time.
    _parameter_constraints = {
        "k": _params.integer(min_val=1),
        "subspace": _params.one_of(_subspace.METHODS, "subspace method"),
        "clustering": _params.one_of(_clustering.METHODS, "clustering method"),
        "regression": _params.one_of(_regression.METHODS, "regression method"),
        "alpha": _params.real(0.0, 0.5, include_max=False),
        "L": _params.integer(min_val=1, none=True),
        "flag_level": _params.real(0.0, 1.0, include_min=False, include_max=False, none=True),
        "subspace_kw": _params.mapping(),
        "clustering_kw": _params.mapping(),
        "regression_kw": _params.mapping(),
        "rng": _params.seed(),
        "covariates": _params.one_of(COVARIATES, "covariates option"),
    }


def _expand(values, kept, fill):
    """Values of the kept tasks spread back over all tasks, ``fill`` elsewhere."""
    out = np.full(kept.shape, fill, dtype=np.asarray(values).dtype)
    out[kept] = values
    return out


def _check_evidence(diag, alpha, pools, flag_level):
    """Per stage: how many tasks it removed, whether that is within αn plus
    the Binomial margin (plus the expected clean removals of a test at its
    level), and whether the stage's own stopping test passed. Anything
    beyond is recorded in ``diag["evidence"]`` and raises a
    :class:`CorruptionWarning`."""
    sub, cl, cls_, reg = (diag[s] for s in ("subspace", "clustering", "classification",
                                            "regression"))
    kept = sub.get("kept")
    sub["removed"] = 0 if kept is None else int((~kept).sum())
    cl["removed"] = int(np.sum(cl["outliers"]))
    cls_["removed"] = int(np.sum(cls_["flagged"]))
    expect = (flag_level or 0.0) * pools.light2.n_tasks
    checks = {
        **{f"screen[{p}]": (diag["screen"][p]["n_removed"], diag["screen"][p]["limit"], True)
           for p in pools.names},
        "subspace": (sub["removed"], excess_limit(alpha, pools.light1.n_tasks),
                     sub.get("passed", True)),
        "clustering": (cl["removed"], excess_limit(alpha, pools.heavy.n_tasks), True),
        "classification": (cls_["removed"],
                           excess_limit(alpha, pools.light2.n_tasks) + int(3 * expect + 3),
                           True),
        "regression": (int(np.sum(reg.get("removed", 0))),
                       excess_limit(alpha, pools.light2.n_tasks), reg.get("passed", True)),
    }
    evidence = []
    for stage, (n_rm, limit, passed) in checks.items():
        if n_rm > limit:
            evidence.append(f"{stage} removed {n_rm} tasks > {limit} (alpha n + Binomial margin)")
        if not passed:
            evidence.append(f"{stage}: its own test of clean behaviour failed")
    diag["evidence"] = evidence
    if evidence:
        warnings.warn("the data look corrupted beyond what alpha=%g and the defences allow: %s"
                      % (alpha, "; ".join(evidence)), CorruptionWarning, stacklevel=3)
