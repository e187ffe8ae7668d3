"""Regression stage objects: estimate (W, s², p) per component from the
classified light tasks of pool L2.

``fit(data, labels, k, heavy=, threat=, rng=)`` sets ``W_``, ``s2_``, ``p_``,
``labels_`` (−1 for tasks a robust method removed) and ``info_``. Robust
stages with ``cross_check`` clip each ŝ²_ℓ into the interval the heavy tasks
allow (:func:`~.noise_check.cross_check_noise`) when the threat model is
active.
"""

from __future__ import annotations

import abc

import numpy as np

from ... import _params
from ..._validation import check_rng
from ..._threads import pinned
from ...exceptions import EmptyClusterError
from ...threat import ThreatModel
from .._stage import Stage
from .least_squares import least_squares
from .noise_check import cross_check_noise
from .robust import filter_components, huber_components

__all__ = ["RegressionStage", "LeastSquares", "FilterRegression", "Huber", "ALIASES"]


class RegressionStage(Stage):
    """Base of the regression stages (pool ``light2``)."""

    kind = "regression"
    pool = "light2"

    @pinned
    def fit(self, data, labels, k, *, heavy=None, prior=None, threat=None, rng=None):
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
            Heavy tasks, for the noise cross-check of robust stages.
        prior : tuple (W̃, r̃², p̃), optional
            The clustering's estimates: a robust stage keeps W̃_ℓ, r̃²_ℓ for a
            component that no light task supports (an adversary can empty one
            by making a fake component in the heavy pool) and reports it as
            a failed test, instead of raising.
        threat : ThreatModel, optional
            The corruption budget; default: none.
        rng : None, int or Generator
            Randomness of randomised methods.

        Returns
        -------
        self
        """
        threat = threat or ThreatModel()
        options = self._options()
        check = options.pop("cross_check", False)
        if data.n_examples <= k * data.dim:       # a pool too small, not an attack
            raise EmptyClusterError(
                f"the light pool has {data.n_examples} examples for k={k} components: "
                f"regression in d={data.dim} needs more than {data.dim} per component")
        skip = self.robust and prior is not None
        W, s2, p, info = self._fit(data, np.asarray(labels), k, threat, check_rng(rng), options,
                                   skip)
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
        self.labels_ = info.pop("labels", labels)
        if check and threat.active and heavy is not None:
            s2, info["noise_check"] = cross_check_noise(heavy, None, W, s2)
        if self.robust:
            info.update(removed=int(np.sum(info.get("removed", 0))),
                        limit=threat.limit(data.n_tasks), passed=bool(info.get("passed", True)))
        self.W_, self.s2_, self.p_, self.info_ = W, s2, p, info
        return self

    @abc.abstractmethod
    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        """The method: ``(W, s2, p, info)`` from the labelled tasks (with
        ``skip_empty``, NaN for a component with too few examples)."""


class LeastSquares(RegressionStage):
    """Least squares on all examples of a component's tasks (ICML 2020
    Algorithm 4). No options."""

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return least_squares(data, labels, k)


class FilterRegression(RegressionStage):
    """Least squares with a filter on per-task gradients (Kong, Somani,
    Kakade, Oh, NeurIPS 2020), :func:`~.robust.filter_components`.

    Parameters
    ----------
    max_iter : int
        Filter rounds per component.
    cross_check : bool
        Clip ŝ² into the heavy tasks' interval when the threat is active.
    """

    robust = True
    _parameter_constraints = {"max_iter": _params.integer(1), "cross_check": _params.boolean()}

    def __init__(self, max_iter=50, cross_check=True):
        self.max_iter = max_iter
        self.cross_check = cross_check

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return filter_components(data, labels, k, alpha=threat.alpha, rng=rng,
                                 skip_empty=skip_empty, **options)


class Huber(RegressionStage):
    """Huber regression by IRLS per component, :func:`~.robust.huber_regression`.

    Parameters
    ----------
    cross_check : bool
        Clip ŝ² into the heavy tasks' interval when the threat is active.
    """

    robust = True
    _parameter_constraints = {"cross_check": _params.boolean()}

    def __init__(self, cross_check=True):
        self.cross_check = cross_check

    def _fit(self, data, labels, k, threat, rng, options, skip_empty):
        return huber_components(data, labels, k, skip_empty)


#: Names accepted wherever a regression stage is expected.
ALIASES = {"ls": (LeastSquares, {}), "filter": (FilterRegression, {}), "huber": (Huber, {})}
