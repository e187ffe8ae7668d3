"""Regression stage objects: estimate (W, s², p) per component from the
classified light tasks of pool L2.

``fit(data, labels, k, heavy=, threat=, rng=)`` sets ``W_``, ``s2_``, ``p_``,
``labels_`` (−1 for tasks a robust method removed) and ``info_``. When the
threat model is active and the heavy tasks are given, robust stages with
``anchor`` pool each ŵ_ℓ with a robust estimate from the heavy tasks, which
bounds how far the light tasks can move it (docs/robust_pipeline.md), and
with ``cross_check`` take each ŝ²_ℓ from the median of the heavy tasks,
pooled with the light estimate within ``noise_pull``
(:func:`~.noise_check.cross_check_noise`); both only when the heavy tasks'
assignment to components is reliable.
"""

from __future__ import annotations

import abc
import warnings

import numpy as np

from ... import _params
from ..._validation import check_rng
from ..._threads import pinned
from ..._fit_checks import _user_level
from ...exceptions import ConvergenceWarning, EmptyClusterError, ValidationError
from ...threat import ThreatModel
from .._results import check_regression
from .._stage import Stage
from .least_squares import least_squares
from ..screening import size_cap
from ._identifiability import unidentified
from ._passes import share_first_pass
from ._pooled import refit_noise, use_heavy
from .robust import _per_component, filter_components, huber_regression

__all__ = ["RegressionStage", "LeastSquares", "FilterRegression", "Huber", "ALIASES"]

#: Settings of :class:`FilterRegression`'s ``noise_refit``.
NOISE_REFIT = {"auto": "when the heavy cross-check does not run", "always": "always",
               "never": "never"}


class RegressionStage(Stage):
    """Base of the regression stages (pool ``light2``)."""

    kind = "regression"
    pool = "light2"
    #: The method weighs examples by the capped task size (the anchor's
    #: covariance of the light estimate follows it).
    _capped = True
    #: :meth:`fit` passes ``removed`` on to the method (a filter's start).
    _starts_from_removed = False

    @pinned
    def fit(self, data, labels, k, *, heavy=None, prior=None, threat=None, rng=None,
            removed=None):
        """Fit every component from the tasks ``labels`` assigns to it.

        Parameters
        ----------
        data : MetaDataset
            Light tasks (pool ``light2``).
        labels : ndarray of int (n,)
            Component of each task; −1 excludes a task.
        k : int
            Number of components.
        heavy : MetaDataset, optional
            Heavy tasks, for the anchor and the noise cross-check of robust
            stages.
        prior : tuple (W̃, r̃², p̃), optional
            The clustering's estimates: the stage keeps W̃_ℓ, r̃²_ℓ for a
            component that no light task supports (an adversary can empty one
            by making a fake component in the heavy pool; single linkage can
            on close components) instead of raising; a robust stage reports
            it as a failed test (a CorruptionWarning), a non-robust one with
            a ConvergenceWarning.
        threat : ThreatModel, optional
            The corruption budget; default: none.
        rng : None, int or Generator
            Randomness of randomised methods.
        removed : ndarray of bool (n,), optional
            Tasks an earlier fit of this stage on the same pool removed
            (under other labels): a filtering stage starts from them removed
            in a component whose first round over all its tasks fails (the
            learner's refit after a reclassification, which passes those the
            new labels leave in the component they were removed from); other
            stages ignore it.

        Returns
        -------
        self
        """
        threat = threat or ThreatModel()
        options = self._options()
        check = options.pop("cross_check", False)
        anchor = options.pop("anchor", False)
        pull = options.pop("pull", 1.0)
        noise_pull = options.pop("noise_pull", 0.0)
        refit = options.pop("noise_refit", "never")
        refit = refit if threat.active else "never"
        if data.n_examples <= k * data.dim:       # a pool too small, not an attack
            raise EmptyClusterError(
                f"the light pool has {data.n_examples} examples for k={k} components: "
                f"regression in d={data.dim} needs more than {data.dim} per component")
        skip = prior is not None
        rng = check_rng(rng)
        if removed is not None and self._starts_from_removed:
            removed = np.asarray(removed, dtype=bool)
            if removed.shape != (data.n_tasks,):
                raise ValidationError(f"removed has shape {removed.shape}; the light pool has "
                                      f"{data.n_tasks} tasks")
            options["removed"] = removed
        out = self._fit(data, np.asarray(labels), k, threat, rng, options, skip)
        check_regression(self, out, data.dim, k)
        W, s2, p, info = out
        unsupported = np.flatnonzero(~np.isfinite(s2))
        if unsupported.size == k:                 # a pool too small, not an attack
            raise EmptyClusterError(
                f"no component has enough light tasks ({data.n_tasks} tasks, "
                f"{data.n_examples} examples in all): regression in d={data.dim} needs more "
                f"than {data.dim} examples per component")
        if unsupported.size:
            W[:, unsupported], s2[unsupported] = (prior[0][:, unsupported],
                                                  prior[1][unsupported])
            info.update(unsupported_components=unsupported.tolist(), passed=False)
            if not self.robust:           # a robust stage's failed test warns already
                warnings.warn(
                    f"components {unsupported.tolist()} received no light tasks with more than "
                    f"d={data.dim} examples; their estimates are the clustering's",
                    ConvergenceWarning, stacklevel=_user_level())
        self.labels_ = info.pop("labels", labels)
        grams = info.pop("grams", None)           # the fit's per-component Gram matrices
        if (check or anchor) and threat.active and heavy is not None:
            W, s2, extra = use_heavy(data, np.asarray(labels), self.labels_, heavy, W, s2, p,
                                     threat.alpha, rng, anchor=anchor, cross_check=check,
                                     unsupported=unsupported.tolist(),
                                     weights_by_task=self._capped, light_gram=grams,
                                     noise_refit=refit, pull=pull, noise_pull=noise_pull)
            # pop first: a failed filter must not short-circuit the pop and
            # let the heavy step's own verdict overwrite it
            heavy_ok = extra.pop("passed")
            info["passed"] = bool(info.get("passed", True)) and heavy_ok
            info.update(extra)
        elif refit != "never":
            s2, info["posterior_noise"] = refit_noise(data, np.asarray(labels), W, s2, p,
                                                      unsupported.tolist())
            if info["posterior_noise"]["collapsed"].any():
                info["passed"] = False
        if self.robust:
            info.update(removed=int(np.sum(info.get("removed", 0))),
                        limit=threat.limit(data.n_tasks), passed=bool(info.get("passed", True)))
            if not info["passed"]:                # separation as the classification saw it
                W_c, s2_c = (W, s2) if prior is None else prior[:2]
                close = unidentified(info, W_c, s2_c, float(np.median(data.sizes)))
                if close is not None:
                    info["unidentified"] = close
        self.W_, self.s2_, self.p_, self.info_ = W, s2, p, info
        return self

    def _share_pass(self, data, k):
        """Ask the classification's pass over ``data`` (within
        :func:`~robust_mlr._segments.residual_memo`) for what this stage's
        :meth:`fit` would read the rows for; nothing by default."""

    def _validate_params(self):
        """Each option against its constraint, then the pairs the constraints
        cannot see: a pull without the anchor it bounds, or a noise pull
        without the cross-check it bounds, would be ignored."""
        super()._validate_params()
        params = self.get_params(deep=False)
        if params.get("pull", 1.0) != 1.0 and not params.get("anchor", True):
            raise ValidationError(f"pull={params['pull']!r} has no effect with "
                                  "anchor=False (the pull bounds how far the light pool moves "
                                  "the heavy anchor); set anchor=True or leave pull at 1")
        if params.get("noise_pull", 0.0) != 0.0 and not params.get("cross_check", True):
            raise ValidationError(f"noise_pull={params['noise_pull']!r} has no effect with "
                                  "cross_check=False (it bounds how far the light pool moves "
                                  "the heavy tasks' ŝ²); set cross_check=True or leave "
                                  "noise_pull at 0")

    @abc.abstractmethod
    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        """The method: ``(W, s2, p, info)`` from the labelled tasks (with
        ``skip_empty``, NaN for a component with too few examples)."""


class LeastSquares(RegressionStage):
    """Least squares on all examples of a component's tasks (ICML 2020
    Algorithm 4). No options."""

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return least_squares(data, labels, k, skip_empty)


class FilterRegression(RegressionStage):
    """Least squares with a filter on per-task gradients (Kong, Somani,
    Kakade, Oh, NeurIPS 2020), :func:`~.robust.filter_components`; when the
    threat is active, the kept tasks are then refitted by a Huber
    M-estimate (``example_clip``).

    Parameters
    ----------
    max_iter : int
        Filter rounds per component.
    cross_check : bool
        When the threat is active, take ŝ² from the heavy tasks' median,
        pooled with the light estimate within ``noise_pull``
        (:func:`~.noise_check.cross_check_noise`).
    anchor : bool
        When the threat is active, pool each ŵ_ℓ with a robust estimate
        from the heavy tasks of component ℓ, the light estimate moving it
        only within a χ²_d consistency region around the heavy one, and
        refit ŝ²_ℓ at the pooled ŵ_ℓ (``info_["anchor"]``); a failed
        consistency test fails the stage's test. Skipped when the heavy
        tasks' assignment to components is unreliable (small heavy tasks)
        or they have no more examples than dimensions; then ŵ_ℓ is the
        filter's clipped, density-weighted refit (``example_clip``,
        ``leverage_cap``) and a component whose kept light tasks the
        adversary could have written fails the test
        (``info_["anchor"]["fabricable"]``).
    noise_refit : {"auto", "always", "never"}
        When the threat is active, take ŝ²_ℓ at the final ŵ over every
        task weighted by its posterior probability of ℓ
        (:func:`~.noise_check.posterior_noise`, ``info_["posterior_noise"]``)
        instead of over the tasks classified to ℓ, whose composition a poor
        clustering centre lets the adversary set, and which is biased low
        on clean data (≈ −4 % at t = 8 on the default problem, −9 % with
        light sizes 2–64): ``"auto"`` whenever the light estimate enters
        ŝ², i.e. when the heavy cross-check does not run (small heavy
        tasks, no heavy pool) or pools it (``noise_pull`` > 0);
        ``"always"`` also where the heavy median alone is kept (the
        refit then only shows in the diagnostics and its collapse test).
    pull : float
        How far the light estimate may move the anchored ŵ_ℓ away from the
        heavy estimate, in units of the median Mahalanobis radius of their
        clean difference (√median χ²_d): 1 gains most of the light pool's
        precision on clean data, 0 keeps the heavy estimate alone wherever
        there is one. An adversary who places the light estimate just
        beyond the heavy one adds up to this pull to the heavy error
        (docs/adversary.md, "What the pull buys"). It is taken only where
        the pooling's clean mean squared error, predicted under the heavy
        estimates, is at most half the heavy estimate's (with light sizes
        2–64 the light estimate's classification bias leaves no gain, and
        the heavy estimate is kept; ``info_["anchor"]["pull"]``,
        ``["mse_ratio"]``). A number in [0, 4],
        default 1; it acts only where the anchor runs (``anchor=True``, a
        threat with α > 0 and a heavy pool), so at α = 0 every pull gives
        the same fit.
    noise_pull : float
        How far the light estimate may move ŝ²_ℓ away from the heavy tasks'
        median h_ℓ where the cross-check runs, in units of the clean spread
        σ_D of their difference (:func:`~.noise_check.cross_check_noise`).
        0 (the default) keeps h_ℓ alone: whatever the light pool does, ŝ²
        is then the heavy median, whose worst case under replacement is
        the heavy pool's floor plus its sampling spread, and the light
        pool cannot add to it. A pull c > 0 pools the posterior-weighted
        light estimate (with ``noise_refit="auto"``) and lets the light
        pool add up to c·σ_H²/σ_D to the worst case, for a smaller clean
        error where the heavy tasks are few or small (docs/robust_pipeline.md,
        "Noise levels"). A number in [0, 4].
    example_clip : float or None
        When the threat is active, refit each component on the tasks the
        filter kept with every example's residual clipped at
        ``example_clip`` · ŝ (Huber; None: plain least squares). The filter
        sees tasks that push ŵ through several examples at once; a task that
        pushes through a single example of large residual and leverage has
        nothing for it to see, and the clip bounds its pull instead
        (docs/robust_pipeline.md, "Bounded influence per example"). In
        [0.5, 10], default 1.5 (≈ 96 % of the least squares' efficiency on
        Gaussian noise). A refit that moves a component by more than three
        standard errors ŝ √(d/n) from the filter's least-squares fit fails
        the stage's test (``info_["refit_agrees"]``): the two agree on clean
        data, and rows pulling through leverage or large residuals set them
        apart.
    leverage_cap : float or None
        With ``example_clip``: along each direction e where a component's
        covariate second moment exceeds the other components' by 1.15×
        (in their RMS), its rows weigh min(1, 1.15 f_o/f_c) in the refit,
        f_c and f_o the component's and the others' shares of their rows
        in bins of 0.05 in |x·e| up to ``leverage_cap`` (the last bin:
        every row beyond), and rows beyond it (leverage_cap/|x·e|)² as well
        (Mallows weights): rows that concentrate leverage along e lose
        their pull at any leverage, so the clip's bound on a row's pull,
        c ŝ times its leverage, cannot be multiplied by rows either (None:
        no such weights). In [1, 100], default 4.
    task_clip : float or None
        With ``example_clip``: each task's clipped score Σ_j ψ(r_j) x_j·v
        along its component's read directions v (those of the stage's
        gradient readings) beyond ``task_clip`` times a clean task's
        standard deviation weighs the task's rows down to it in the refit
        (Huber weights on the task's score): a task that pushes through
        several rows each under the clip pulls by at most that much along
        the directions that show the push (docs/robust_pipeline.md,
        "Bounded influence per task"; None: no such weights). In
        [0.5, 10]; default None (off: 1.5 cut one white-box push on the
        moment estimator to the limit, but an independent red team went
        around it, on the default problem the worst silent rows moved by
        +0.00–0.007, and a clean fit at scale takes a second refit pass).
    """

    robust = True
    _starts_from_removed = True
    _parameter_constraints = {"max_iter": _params.integer(1), "cross_check": _params.boolean(),
                              "anchor": _params.boolean(), "pull": _params.real(0.0, 4.0),
                              "noise_pull": _params.real(0.0, 4.0),
                              "noise_refit": _params.one_of(NOISE_REFIT, "noise_refit"),
                              "example_clip": _params.real(0.5, 10.0, none=True),
                              "leverage_cap": _params.real(1.0, 100.0, none=True),
                              "task_clip": _params.real(0.5, 10.0, none=True)}

    def __init__(self, max_iter=50, cross_check=True, anchor=True, noise_refit="auto", pull=1.0,
                 example_clip=1.5, leverage_cap=4.0, noise_pull=0.0, task_clip=None):
        self.max_iter = max_iter
        self.cross_check = cross_check
        self.anchor = anchor
        self.pull = pull
        self.noise_pull = noise_pull
        self.noise_refit = noise_refit
        self.example_clip = example_clip
        self.leverage_cap = leverage_cap
        self.task_clip = task_clip

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return filter_components(data, labels, k, alpha=threat.alpha, rng=rng,
                                 skip_empty=skip_empty, **options)

    def _share_pass(self, data, k):
        """The first filter round's normal equations, summed by the
        classification's pass (:func:`~._passes.share_first_pass`)."""
        share_first_pass(data, k, size_cap(data.sizes))


class Huber(RegressionStage):
    """Huber regression by IRLS per component, :func:`~.robust.huber_regression`.

    Parameters
    ----------
    cross_check : bool
        When the threat is active, take ŝ² from the heavy tasks' median,
        pooled with the light estimate within ``noise_pull``
        (:func:`~.noise_check.cross_check_noise`).
    anchor : bool
        Pool each ŵ_ℓ with the heavy tasks' robust estimate, as in
        :class:`FilterRegression` (the light estimate's covariance is taken
        as that of unweighted least squares).
    pull : float
        How far the light estimate may move the anchored ŵ_ℓ, as in
        :class:`FilterRegression` (in [0, 4], default 1, only with
        ``anchor=True`` and α > 0).
    noise_pull : float
        How far the light estimate (the Huber scale's square) may move
        ŝ²_ℓ from the heavy median, as in :class:`FilterRegression` (in
        [0, 4], default 0: the heavy median alone; only with
        ``cross_check=True`` and α > 0).
    """

    robust = True
    _capped = False
    _parameter_constraints = {"cross_check": _params.boolean(), "anchor": _params.boolean(),
                              "pull": _params.real(0.0, 4.0), "noise_pull": _params.real(0.0, 4.0)}

    def __init__(self, cross_check=True, anchor=True, pull=1.0, noise_pull=0.0):
        self.cross_check = cross_check
        self.anchor = anchor
        self.pull = pull
        self.noise_pull = noise_pull

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return huber_components(data, labels, k, skip_empty)


def huber_components(data, labels, k, skip_empty=False):
    """Regression stage ``"huber"``: :func:`~.robust.huber_regression` per component."""
    def fit(sub, c):
        w, scale = huber_regression(sub.X, sub.y)
        return w, scale ** 2, np.ones(sub.n_tasks, bool), {"scale": scale}
    W, s2, p, final, infos = _per_component(data, labels, k, fit, skip_empty)
    return W, s2, p, {"labels": final, "components": infos,
                      "passed": all(i.get("passed", True) for i in infos)}


#: Names accepted wherever a regression stage is expected.
ALIASES = {"ls": (LeastSquares, {}), "filter": (FilterRegression, {}), "huber": (Huber, {})}
