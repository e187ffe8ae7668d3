"""Preprocessing reductions: transform the pools before the stages, map the
estimates back after them.

A reduction (in the sense of cvxpy's) has ``apply(pools, threat)`` returning
the transformed pools and what is needed to undo it, and
``invert(model, inverse)``, which maps a fitted learner's estimates back to
the user's coordinates. :class:`~robust_mlr.MetaLearner` applies its
reductions in order and inverts them in reverse.

* :class:`Whiten` — x ↦ Σ̂^{-1/2} x with Σ̂ the (trimmed) second moment of all
  covariates (:mod:`robust_mlr.covariates`);
* :class:`Screen` — shared robust scales and per-example plausibility
  (:mod:`robust_mlr.stages.screening`).
"""

from __future__ import annotations

import abc

import numpy as np

from . import _params
from .covariates import Whitening, estimate_second_moment, isotropy_test
from .data import Pools
from .stages._stage import Stage
from .stages.screening import robust_scales, scale_dataset, screen_pools
from ._validation import check_rng
from .threat import ThreatModel

__all__ = ["Reduction", "Screen", "Whiten"]


class Reduction(Stage):
    """Base of the preprocessing reductions (all pools)."""

    kind = "preprocessing"
    pool = "all"

    @abc.abstractmethod
    def apply(self, pools, threat=None, rng=None):
        """Transform ``pools``; returns ``(pools, inverse)``. ``rng``: the
        randomness of a reduction that samples (a Generator of its own)."""

    @abc.abstractmethod
    def invert(self, model, inverse):
        """Map ``model``'s fitted estimates back through this reduction."""


class Screen(Reduction):
    """Scale all pools by shared robust scales and remove tasks with an
    implausible example (:func:`~robust_mlr.stages.screening.screen_pools`).

    Parameters
    ----------
    delta : float in (0, 1)
        A clean pool loses a task with probability about ``delta``.
    y_range : float
        Responses up to this many times the pooled robust scale's quantile
        are plausible.
    calibrate : bool
        Widen the Gaussian limits to those read from the pool's own laws
        (:func:`~robust_mlr.stages.screening.calibrated_limits`): non-Gaussian
        covariates keep their clean tasks.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools
    >>> pools = make_pools(make_params(6, 2, rng=0), 400, 2, 40, 32, 400, 8, rng=1)
    >>> screened, inverse = Screen().apply(pools)
    >>> {"kept", "limit", "n_removed"} <= set(inverse["info"]["heavy"])
    True
    """

    robust = True
    _parameter_constraints = {"delta": _params.real(0.0, 1.0, include_min=False,
                                                    include_max=False),
                              "y_range": _params.real(0.0, include_min=False),
                              "calibrate": _params.boolean()}

    def __init__(self, delta=1e-3, y_range=2.0, calibrate=True):
        self.delta = delta
        self.y_range = y_range
        self.calibrate = calibrate

    def apply(self, pools, threat=None, rng=None):
        """The kept tasks of every pool, scaled; ``inverse`` holds the scales
        and, per pool, the ``kept`` mask, ``n_removed``, ``limit`` and ``passed``."""
        threat = threat or ThreatModel()
        screened, scales, info = screen_pools(pools, threat.alpha, **self._options())
        return Pools(**screened), {"scales": scales, "info": info}

    def invert(self, model, inverse):
        """Estimates back to the user's units; per-task outputs back over the
        unscreened pools (screened-out tasks get label −1)."""
        sx, sy = inverse["scales"]
        kept = inverse["info"]
        model.W_, model.W_tilde_ = model.W_ * (sy / sx), model.W_tilde_ * (sy / sx)
        model.s2_, model.r2_tilde_ = model.s2_ * sy ** 2, model.r2_tilde_ * sy ** 2
        model.heavy_labels_ = expand(model.heavy_labels_, kept["heavy"]["kept"], -1)
        model.light_labels_ = expand(model.light_labels_, kept["light2"]["kept"], -1)


#: ``covariates="auto"`` decides on Σ̂ with 2·AUTO_TRIM of the tasks trimmed.
AUTO_TRIM = 0.125
#: Trimming rounds of the decision's Σ̂ (the decision reads only its
#: condition number; the whitening estimate itself keeps ``n_rounds``).
AUTO_ROUNDS = 2
#: ``covariates="auto"`` decides on a random sample of about this many
#: examples per dimension: from 1 568·d examples on, the isotropy test's limit
#: is its floor (condition number 1.5), so a larger sample would change no
#: decision and only cost passes over the data (on all of it: 0.28 s of CPU
#: per ICML fit on the default problem, whose fit is 0.034 s without it, and
#: a scaled copy of every pool; on the sample ≈ 0.09 s whatever the size).
AUTO_SAMPLE_PER_DIM = 2048


def _decision_sample(pools, rng):
    """The pools, or the same share of each pool's tasks drawn at random
    when they hold more than ``AUTO_SAMPLE_PER_DIM``·d examples."""
    datasets = [pools[name] for name in pools.names]
    total = sum(ds.n_examples for ds in datasets)
    cap = AUTO_SAMPLE_PER_DIM * pools.dim
    if total <= cap:         # every task; rows kept on disk are read in (they are few)
        return [ds.subset(np.arange(ds.n_tasks)) for ds in datasets]
    share = cap / total
    return [ds.subset(np.sort(rng.choice(ds.n_tasks, max(int(np.ceil(share * ds.n_tasks)), 1),
                                         replace=False))) for ds in datasets]


class Whiten(Reduction):
    """Whiten the covariates by the second moment Σ̂ of all pools (trimmed
    when the threat model is active, so corrupted tasks cannot set it),
    :mod:`robust_mlr.covariates`. Not a defence of its own: it does not
    switch screening on.

    Parameters
    ----------
    n_rounds : int
        Trimming rounds of the estimate.
    only_if_anisotropic : bool
        Leave the pools as they are when Σ̂ passes
        :func:`~robust_mlr.covariates.isotropy_test` (``covariates="auto"``).
    """

    _parameter_constraints = {"n_rounds": _params.integer(1),
                              "only_if_anisotropic": _params.boolean()}

    def __init__(self, n_rounds=5, only_if_anisotropic=False):
        self.n_rounds = n_rounds
        self.only_if_anisotropic = only_if_anisotropic

    def apply(self, pools, threat=None, rng=None):
        """The whitened pools and the :class:`~robust_mlr.covariates.Whitening`
        (``None`` when the test finds the covariates isotropic)."""
        threat = threat or ThreatModel()
        rng = check_rng(rng)
        # the estimate's share of tasks comes from a child generator, the
        # same whether or not the decision drew its sample (the out-of-core
        # fit, which decides on every row, draws the same share)
        rounds_rng = rng.spawn(1)[0]
        if self.only_if_anisotropic:
            # judged on a random sample of tasks, robustly scaled and clipped
            # (finite extreme values, screened later, must not overflow the
            # test), with a quarter of the tasks trimmed: the decision must
            # not be the corrupted tasks'
            sample = _decision_sample(pools, rng)
            sx = robust_scales(sample)[0]
            clipped = Pools(*(scale_dataset(ds, sx, 1.0) for ds in sample))
            Sigma, _ = estimate_second_moment(clipped, max(threat.alpha, AUTO_TRIM),
                                              n_rounds=AUTO_ROUNDS)
            if isotropy_test(Sigma, sum(ds.n_examples for ds in sample))[0]:
                return pools, None
        Sigma, kept = estimate_second_moment(pools, threat.alpha, n_rounds=self.n_rounds,
                                             rng=rounds_rng)
        wh = Whitening.from_moment(Sigma, kept=kept)
        return wh.whiten_pools(pools), wh

    def invert(self, model, inverse):
        """W, W̃ and U back in the original coordinates; sets ``covariance_``
        (nothing to undo when the pools were left isotropic)."""
        if inverse is None:
            return
        model.W_ = inverse.to_original(model.W_)
        model.W_tilde_ = inverse.to_original(model.W_tilde_)
        model.U_ = inverse.basis_to_original(model.U_)
        model.covariance_ = inverse


def expand(values, kept, fill):
    """Values of the kept tasks spread back over all tasks, ``fill`` elsewhere."""
    out = np.full(kept.shape, fill, dtype=np.asarray(values).dtype)
    out[kept] = values
    return out
