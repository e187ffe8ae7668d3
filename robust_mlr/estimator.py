"""The meta-learner: a short driver over stage objects.

preprocessing (whitening, screening) → subspace (L1) → clustering (H) →
classification and regression (L2) → prediction, each stage an object of
:mod:`robust_mlr.stages` (or its name), with one threat model handed to all.
"""

from __future__ import annotations

import time

import numpy as np

from . import _params, _scaled, _scratch
from ._segments import residual_memo
from ._fit_checks import (check_design, check_evidence, stage_warnings, warn_unprotected,
                          warn_zero_features, warn_intercept)
from ._threads import pinned
from ._validation import check_k_d, check_rng
from .covariates import COVARIATES
from ._advice import not_pools
from .data import Pools
from .exceptions import ValidationError
from .preprocess import Reduction, Screen, Whiten, expand
from .stages import classification as _classification, clustering as _clustering
from .stages import regression as _regression, subspace as _subspace
from .stages._stage import make_stage
from .stages.prediction import MixturePredictor
from .stages.regression._identifiability import unidentified
from .threat import ThreatModel

__all__ = ["MetaLearner"]

#: Stage parameter → (aliases, base class) of the stage kind.
_KINDS = {
    "subspace": (_subspace.ALIASES, _subspace.SubspaceStage),
    "clustering": (_clustering.ALIASES, _clustering.ClusteringStage),
    "classification": (_classification.ALIASES, _classification.ClassificationStage),
    "regression": (_regression.ALIASES, _regression.RegressionStage),
}


def _stage_param(kind):
    aliases, base = _KINDS[kind]

    def check(value, name):
        try:
            make_stage(value, aliases, base)._validate_params()
        except ValidationError as exc:
            raise ValidationError(f"{name}: {exc}") from None
    return check


def _screen_param(value, name):
    if not (value is None or value == "auto" or isinstance(value, Reduction)):
        raise ValidationError(f"{name} must be 'auto', None or a Screen object, got {value!r}")


#: ‖ŵ_ℓ − W̃_ℓ‖/ŝ_ℓ above which the light tasks are classified again at ŵ.
_RECHECK_SHIFT = 0.5


def _moved(W, s2, W_tilde, threat):
    """Components whose fitted ŵ_ℓ lies more than ``_RECHECK_SHIFT``·ŝ_ℓ
    from the centre W̃_ℓ the light tasks were classified at (none when the
    threat model is inactive).

    A centre the adversary pulled hands the tasks out wrongly without
    flagging them: on the small-heavy problem (d 64, k 8, α = 0.05) a
    heavy midpoint put the direction of light-2 edge-placed tasks into the
    clustering's basis, the light-task EM's centre of their component sat
    0.85·s off, and 1 000 of its clean tasks went to the other components
    (no excess flags) while the adversary's 1 000 made most of what
    remained: the fit followed them to 0.56·s. Classified again at the
    fitted estimates more of its clean tasks return to it.

    The fit asks only where W̃ is itself fitted on light 2 (the moment
    estimator's light refinement). A W̃ from the heavy tasks alone moves by
    their imprecision: on the authors' sine-wave problem (k = 8, t_H = 16,
    heavy clustering accuracy 0.35) classifying again at ŵ left components
    a handful of tasks, and the clean prediction error rose from 1.11–1.17×
    the oracle to up to 1.43×.
    """
    if not threat.active or W_tilde is None or np.shape(W_tilde) != np.shape(W):
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.linalg.norm(W - W_tilde, axis=0) / np.sqrt(np.asarray(s2, float))
    return np.flatnonzero(shift > _RECHECK_SHIFT).tolist()


class MetaLearner(_params.ParamsMixin, MixturePredictor):
    """Meta-learning of a mixture of k linear regressions from three pools.

    Parameters
    ----------
    k : int
        Number of components.
    subspace : str or SubspaceStage
        Subspace stage on pool L1: ``"pca"`` (:class:`~robust_mlr.stages.subspace.MomentPCA`,
        ICML Alg. 2), ``"filter"`` (:class:`~robust_mlr.stages.subspace.FilterPCA`), ...;
        see :data:`robust_mlr.stages.subspace.ALIASES`.
    clustering : str or ClusteringStage
        Heavy-task clustering: ``"auto"`` (default,
        :class:`~robust_mlr.stages.clustering.BySize`: likelihood EM below a
        median heavy task size of 16, single linkage from there),
        ``"single"`` / ``"average"``
        (:class:`~robust_mlr.stages.clustering.Linkage`, ICML Alg. 3),
        ``"linkage"`` (average linkage refined by reassignment,
        :meth:`icml`'s),
        ``"peng_wei_robust"`` (:class:`~robust_mlr.stages.clustering.PengWei`),
        ``"moments"`` (:class:`~robust_mlr.stages.clustering.TensorMoments`), ...
    classification : str or ClassificationStage
        Light-task classification: ``"likelihood"``
        (:class:`~robust_mlr.stages.classification.Likelihood`) or ``"flag"``
        (the same with ``flag_level=1e-3``: tasks that fit no component are
        left out).
    regression : str or RegressionStage
        Per-component regression: ``"ls"`` (ICML Alg. 4), ``"filter"``,
        ``"huber"``.
    alpha : float in [0, 0.5)
        Fraction of each pool's tasks an adversary may replace: the
        :class:`~robust_mlr.threat.ThreatModel` handed to every stage. Only
        robust stages act on it; α > 0 with a non-robust stage warns.
    screen : "auto", None or Screen
        Screening (:class:`~robust_mlr.preprocess.Screen`): ``"auto"`` screens
        when any stage is robust; None never.
    covariates : {"auto", "isotropic", "estimate"}
        ``"isotropic"``: the stages assume E[x xᵀ] = I (the papers' model).
        ``"estimate"``: whiten by the estimated Σ_x first
        (:class:`~robust_mlr.preprocess.Whiten`) and map W back; attribute
        ``covariance_`` holds the whitening. ``"auto"`` (default): estimate
        Σ_x and whiten only when it fails
        :func:`~robust_mlr.covariates.isotropy_test` (condition number above
        1.5 on large pools), so isotropic data are fitted exactly as with
        ``"isotropic"`` and correlated or feature covariates are whitened.
    rng : None, int or Generator
        Randomness of the randomised stages (one Generator, used in turn).

    Attributes
    ----------
    U_ : ndarray (d, k)
        Estimated subspace.
    heavy_labels_ : ndarray (n_H,)
        Clusters of the heavy tasks (−1 = outlier or screened out).
    W_tilde_, r2_tilde_, p_tilde_ :
        Cluster estimates of Algorithm 3.
    light_labels_ : ndarray (n_L2,)
        Components of the light tasks (−1 = flagged, removed or screened out).
    W_, s2_, p_ :
        Final estimates: (d, k), (k,), (k,).
    covariance_ : Whitening or None
        The whitening the fit applied (``covariates="estimate"``, or
        ``"auto"`` when the isotropy test failed); None when the stages saw
        the covariates as given.
    stages_ : dict
        The fitted stage objects, by stage.
    threat_ : ThreatModel
    diagnostics_ : dict
        Per-stage info and timings. With screening, ``"screen"`` (per pool:
        ``kept`` mask, ``n_removed``, ``limit``, ``passed``; the scales
        ``sigma_x``, ``sigma_y``); robust stages add ``removed``, ``limit``
        and ``passed``; ``"evidence"`` lists the findings that raised a
        :class:`~robust_mlr.exceptions.CorruptionWarning`.

    Notes
    -----
    scikit-learn's estimator protocol without depending on it: ``__init__``
    only stores its arguments; ``get_params(deep=True)`` also lists each stage
    object's options as ``"<stage>__<option>"`` and ``set_params`` sets them
    (a stage given by name is replaced by its object first), so
    ``sklearn.base.clone`` and grid searches work; every option is checked at
    ``fit``; a misspelled one raises a ValidationError naming it and the valid
    ones.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools, MetaLearner
    >>> from robust_mlr.stages.regression import FilterRegression
    >>> theta = make_params(8, 2, rng=0)
    >>> pools = make_pools(theta, 4000, 2, 60, 64, 2000, 8, rng=1)
    >>> model = MetaLearner(k=2, rng=2).fit(pools)
    >>> model.W_.shape
    (8, 2)
    >>> robust = MetaLearner.robust(2, 0.05, rng=2).set_params(regression__max_iter=80)
    >>> robust.regression
    FilterRegression(max_iter=80)
    """

    def __init__(self, k, *, subspace="pca", clustering="auto", classification="likelihood",
                 regression="ls", alpha=0.0, screen="auto", covariates="auto", rng=None):
        self.k = k
        self.subspace = subspace
        self.clustering = clustering
        self.classification = classification
        self.regression = regression
        self.alpha = alpha
        self.screen = screen
        self.covariates = covariates
        self.rng = rng

    @classmethod
    def icml(cls, k, **kwargs):
        """The learner of Kong, Somani, Song, Kakade, Oh (ICML 2020): moment
        PCA, linkage clustering, likelihood classification, least squares.

        The clustering is ``"linkage"``: average linkage (the authors'
        released code; the paper's Algorithm 3 states single linkage,
        ``clustering="single"``) on the median-of-splits distances,
        followed by reassignment of each task to the cluster of least mean
        distance (:func:`~robust_mlr.stages.clustering.linkage.lloyd_refine`,
        a no-op under the separation of the paper's guarantee). Single
        linkage chains when one pair of tasks of two components is close by
        noise, which at the default split count (one split pair) happens on
        clean data. Keyword arguments set any other parameter."""
        return cls(k, **{"clustering": "linkage", **kwargs})

    @classmethod
    def robust(cls, k, alpha, **kwargs):
        """The robust learner of Kong, Somani, Kakade, Oh (NeurIPS 2020).

        Screening by shared robust scales
        (:class:`~robust_mlr.preprocess.Screen`), the MLR filter on L1
        (:class:`~robust_mlr.stages.subspace.FilterPCA`), robust Peng–Wei
        clustering of every heavy task in U plus the directions the heavy
        tasks say U misses (:class:`~robust_mlr.stages.clustering.PengWei`,
        Burer–Monteiro solver; when the heavy tasks are small, median
        t_H < 16, trimmed likelihood EM,
        :class:`~robust_mlr.stages.clustering.EM`), χ² flagging in
        classification (``flag_level=1e-3``), task-filter regression pooled
        with a robust estimate from the heavy tasks, the light tasks moving
        ŵ only within a χ²_d region around it, and ŝ² cross-checked on the
        heavy tasks (:class:`~robust_mlr.stages.regression.FilterRegression`);
        p̂, the shares of the light tasks classified at the clustering's
        estimates, is kept within two standard errors of the shares
        classified at the final (Ŵ, ŝ²). Keyword arguments replace any
        stage or parameter. What each stage lets ⌊αn⌋ tasks move is in
        docs/robust_pipeline.md.
        """
        opts = dict(subspace=_subspace.FilterPCA(),
                    clustering=_clustering.BySize(small=_clustering.EM(robust=True),
                                                  large=_clustering.PengWei(robust=True)),
                    classification=_classification.Likelihood(flag_level=1e-3),
                    regression=_regression.FilterRegression())
        opts.update(kwargs)
        return cls(k, alpha=alpha, **opts)

    @pinned
    def fit(self, pools: Pools):
        """Learn θ̂ = (W, s², p) from the three pools; returns ``self``."""
        if not isinstance(pools, Pools):
            raise not_pools(pools)
        self._validate_params()
        k = check_k_d(self.k, pools.dim)
        threat = ThreatModel(self.alpha)
        rng = check_rng(self.rng)
        stages = self.resolved_stages()
        warn_unprotected(stages, threat, k)
        if self.covariates == "isotropic":
            warn_zero_features({name: pools[name] for name in pools.names})
        warn_intercept({name: pools[name] for name in pools.names})
        self.covariance_ = None                 # a whitening's invert sets it
        diag, undo = {}, []
        for red in self._reductions(stages):
            t0 = time.perf_counter()
            pools, inverse = red.apply(pools, threat, rng=rng.spawn(1)[0])
            undo.append((red, inverse))
            if isinstance(red, Screen):
                diag["screen"] = dict(inverse["info"], time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        sub = stages["subspace"].fit(pools.light1, k, threat=threat, rng=rng)
        self.U_ = sub.U_
        diag["subspace"] = dict(sub.result_.info, kept=sub.result_.kept,
                                time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        with stage_warnings(diag, "clustering"):
            cl = stages["clustering"].fit(pools.heavy, self.U_, k, threat=threat, rng=rng,
                                          light=pools.light2)
        self.heavy_labels_ = cl.labels_
        self.W_tilde_, self.r2_tilde_, self.p_tilde_ = cl.W_tilde_, cl.r2_tilde_, cl.p_tilde_
        diag["clustering"] = dict(cl.result_.info, objective=cl.result_.objective,
                                  outliers=cl.result_.outliers, time=time.perf_counter() - t0)

        t0 = time.perf_counter()
        # the residual sums at the final estimates are read by the regression's
        # noise levels and again by the check of p̂ (and a reclassification):
        # one pass over the light tasks serves both (the same values)
        # (light 2 read ≈ 25 times: a small screened pool scaled once, _scaled.held)
        with residual_memo(pools.light2), _scratch.reuse(), _scaled.held(pools.light2):
            # the classification reads every row of L2 to label it: the
            # regression's first pass over the labelled rows is summed there
            stages["regression"]._share_pass(pools.light2, k)
            cls_ = stages["classification"].fit(pools.light2, self.W_tilde_, self.r2_tilde_,
                                                threat=threat)
            diag["classification"] = dict(cls_.info_)
            # heavy tasks the clustering set aside (far, noise-free, copies) check no ŝ²
            aside = cl.result_.info.get("set_aside")
            heavy = pools.heavy if aside is None else pools.heavy.subset(np.flatnonzero(~aside))
            prior = (self.W_tilde_, self.r2_tilde_, self.p_tilde_)
            reg = stages["regression"].fit(pools.light2, cls_.labels_, k, heavy=heavy, prior=prior,
                                           threat=threat, rng=rng)
            recheck = cls_.get_params().get("recheck", False)
            # the recheck is the robust classification's (flag_level set), as
            # documented; a move from W̃ triggers it only where W̃ is itself a
            # light-2 fit (the moment estimator's light refinement), which the
            # adversary's light tasks can pull
            moved = (_moved(reg.W_, reg.s2_, self.W_tilde_, threat)
                     if cls_.robust and "light_refinement" in cl.result_.info else [])
            if recheck and (diag["classification"].get("excess") or moved):
                # far more flags than clean tasks give: W̃ is off there, and the
                # flags cut that component's clean tasks on one side; or the fit
                # moved far from W̃, which handed the tasks out. Classify once
                # more at the final estimates and fit again.
                first, first_reg = diag["classification"], dict(reg.info_)
                # the tasks the first fit's filter removed start removed, where
                # the reclassification keeps them in the component they were
                # removed from: those it hands to another were removed as
                # outliers of the wrong component (W̃ off sends a component's
                # tasks on one side of it there), and kept out of their own
                # they would carry that one-sided cut into the refit
                first_labels = cls_.labels_
                removed = (first_labels >= 0) & (reg.labels_ < 0)
                cls_ = stages["classification"].fit(pools.light2, reg.W_, reg.s2_, threat=threat)
                removed &= cls_.labels_ == first_labels
                reg = stages["regression"].fit(pools.light2, cls_.labels_, k, heavy=heavy,
                                               prior=prior, threat=threat, rng=rng,
                                               removed=removed)
                first_clip = first_reg.get("example_clip") or {}
                if not first_reg.get("refit_agrees", True):
                    # rows that set the refit apart from least squares are
                    # evidence whichever pass saw them: a reclassification at
                    # the refit's estimates can hand the same rows a fit
                    # that agrees with its refit
                    reg.info_.update(refit_agrees=False, passed=False,
                                     first_pass_moved_se=first_clip["moved_se"],
                                     first_pass_bias_se=first_clip.get("bias_se", []))
                if not first_reg.get("clipped_test_passed", True):
                    # and so are tasks pushing coherently in the gradient tests
                    reg.info_.update(clipped_test_passed=False, passed=False,
                                     first_pass_clipped_test=first_clip["clipped_test"],
                                     first_pass_score_test=first_clip["score_test"])
                if not (first_reg.get("refit_agrees", True)
                        and first_reg.get("clipped_test_passed", True)):
                    # the kept failures name their components too: only close
                    # neighbours of every one of them excuse the stage
                    reg.info_.pop("unidentified", None)
                    W_c, s2_c = (reg.W_, reg.s2_) if prior is None else prior[:2]
                    close = unidentified(reg.info_, W_c, s2_c,
                                         float(np.median(pools.light2.sizes)))
                    if close is not None:
                        reg.info_["unidentified"] = close
                diag["classification"] = dict(
                    cls_.info_, removed=max(cls_.info_["removed"], first["removed"]),
                    reclassified={"components": first["excess"], "removed": first["removed"],
                                  "flagged": first["flagged"], "moved": moved})
            self.light_labels_ = reg.labels_
            self.W_, self.s2_ = reg.W_, reg.s2_
            # the shares classified at W̃ lose the clean tasks a heavy-pool shift
            # of W̃ sends elsewhere: the robust stage keeps p̂ near those at (Ŵ, ŝ²)
            # — where the heavy anchor holds (Ŵ, ŝ²): without it nothing says
            # the final estimates classify better than W̃ (on the authors'
            # sine-wave problem, t_H = 16 and no anchor, the check raised the
            # clean prediction error from 1.13 to 1.30× the oracle in a draw)
            if "W_heavy" in reg.info_.get("anchor", {}):
                self.p_, checked = cls_.bound_weights(pools.light2, reg.W_, reg.s2_, reg.p_,
                                                      threat=threat)
            else:
                self.p_, checked = reg.p_, {}
            diag["regression"] = dict(reg.info_, **checked, time=time.perf_counter() - t0)

        self.diagnostics_, self.stages_, self.threat_ = diag, stages, threat
        for red, inverse in reversed(undo):
            red.invert(self, inverse)
        check_evidence(diag, threat)
        check_design(self, pools, k, threat)
        return self

    def resolved_stages(self):
        """Fresh stage objects for the current parameters (names resolved to
        their objects, objects cloned), by stage: what ``fit`` runs and what
        an adversary reads (:func:`robust_mlr.adversary.attack_settings`).

        Returns
        -------
        dict
            ``{"subspace": ..., "clustering": ..., "classification": ...,
            "regression": ...}``.
        """
        return {kind: make_stage(getattr(self, kind), *_KINDS[kind]) for kind in _KINDS}

    def _reductions(self, stages):
        """The preprocessing reductions, in the order they apply."""
        out = {"estimate": [Whiten()], "auto": [Whiten(only_if_anisotropic=True)]}.get(
            self.covariates, [])
        screen = self.screen
        if screen == "auto":
            screen = Screen() if any(s.robust for s in stages.values()) else None
        if screen is not None:
            out.append(make_stage(screen, {"screen": (Screen, {})}, Reduction))
        return out

    def _nested_object(self, name):
        if name in _KINDS and isinstance(getattr(self, name), str):
            return make_stage(getattr(self, name), *_KINDS[name])
        return super()._nested_object(name)

    @property
    def flagged_(self):
        """Per-pool boolean masks of the tasks each stage set aside."""
        self._check_fitted()
        d = self.diagnostics_
        kept = d["subspace"].get("kept")
        out = {"light1": None if kept is None else ~kept,
               "heavy": d["clustering"]["outliers"], "light2": self.light_labels_ < 0}
        if "screen" in d:                 # masks over the screened pools -> full pools
            out["light1"] = ~expand(~out["light1"] if out["light1"] is not None else
                                    np.ones(int(d["screen"]["light1"]["kept"].sum()), bool),
                                    d["screen"]["light1"]["kept"], False)
            out["heavy"] = expand(out["heavy"], d["screen"]["heavy"]["kept"], True)
        return out

    _parameter_constraints = {
        "k": _params.integer(min_val=1),
        "subspace": _stage_param("subspace"),
        "clustering": _stage_param("clustering"),
        "classification": _stage_param("classification"),
        "regression": _stage_param("regression"),
        "alpha": _params.real(0.0, 0.5, include_max=False),
        "screen": _screen_param,
        "covariates": _params.one_of(COVARIATES, "covariates option"),
        "rng": _params.seed(),
    }
