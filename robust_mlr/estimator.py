"""The meta-learner: subspace → clustering → classification/refinement →
prediction, with every stage chosen by name (scikit-learn style)."""

from __future__ import annotations

import time

import numpy as np

from . import _params
from ._validation import check_alpha, check_int, check_rng
from .covariates import COVARIATES, fit_whitened
from .data import Pools
from .exceptions import NotFittedError, ValidationError
from .stages import clustering as _clustering, regression as _regression, subspace as _subspace
from .stages.classification import classify, flag_unfit_tasks
from .stages.clustering import cluster_estimates, cluster_heavy
from .stages.prediction import posterior, task_parameters
from .stages.regression import fit_components
from .stages.subspace import estimate_subspace

__all__ = ["MetaLearner"]


class MetaLearner(_params.ParamsMixin):
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
        Per-stage info and timings.

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

        t0 = time.perf_counter()
        sub = estimate_subspace(pools.light1, k, self.subspace, alpha=alpha, rng=rng,
                                **(self.subspace_kw or {}))
        self.U_ = sub.U
        diag["subspace"] = dict(sub.info, kept=sub.kept, time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        cl = cluster_heavy(pools.heavy, self.U_, k, self.clustering, L=self.L, alpha=alpha,
                           rng=rng, **(self.clustering_kw or {}))
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
        self.W_, self.s2_, self.p_ = W, s2, p
        diag["regression"] = dict(info, time=time.perf_counter() - t0)
        self.diagnostics_ = diag
        return self

    @classmethod
    def robust(cls, k, alpha, **kwargs):
        """The robust learner of Kong, Somani, Kakade, Oh (NeurIPS 2020): filter subspace, robust Peng–Wei
        clustering of every heavy task (Burer–Monteiro solver; pass
        ``clustering_kw={"solver": "SCS", "max_sdp": 200}`` for the cvxpy SDP
        on a subsample), χ² flagging in classification, task-filter
        regression. Keyword arguments override any stage."""
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
        return {"light1": None if kept is None else ~kept,
                "heavy": d["clustering"]["outliers"],
                "light2": self.light_labels_ < 0}

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

    def __sklearn_is_fitted__(self):
        return hasattr(self, "W_")

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError("this MetaLearner is not fitted yet; call fit(pools) first")

    def posterior(self, support):
        """Posterior component probabilities of new tasks, (n, k)."""
        self._check_fitted()
        return posterior(support, self.W_, self.s2_, self.p_)

    def task_parameters(self, support, method="bayes"):
        """Regression vectors for new tasks from their support examples, (n, d)."""
        self._check_fitted()
        return task_parameters(support, self.W_, self.s2_, self.p_, method)

    def predict(self, support, X_query, method="bayes"):
        """Predict responses of query points, one row of ``X_query`` per task.

        Parameters
        ----------
        support : MetaDataset
            The new tasks' labelled examples (τ_i each).
        X_query : ndarray (n, d)
            One query covariate per task.
        method : {"bayes", "map"}
        """
        beta = self.task_parameters(support, method)
        X_query = np.asarray(X_query, dtype=float)
        if X_query.shape != beta.shape:
            raise ValidationError(
                f"X_query has shape {X_query.shape}; expected {beta.shape} (one row per task)")
        return np.einsum("ij,ij->i", X_query, beta)
