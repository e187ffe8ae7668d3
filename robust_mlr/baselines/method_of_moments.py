"""A plain method-of-moments learner for the mixture.

1. **Subspace** from the light pool L1 by the example moment
   (1/N) Σ y² x xᵀ of Tripuraneni, Jin, Jordan (ICML 2021) (subspace stage
   ``"moments"``; needs no within-task pairing).
2. **Components** from the heavy pool: every heavy task's least-squares
   coefficients inside Û, v_i = (ÛᵀX_iᵀX_iÛ)⁻¹ ÛᵀX_iᵀy_i (one batched k × k
   solve over tasks), are grouped by k-means (k-means++ seeds, ``n_init``
   restarts, smallest within-cluster sum of squares kept).
3. **(W, s², p)** by least squares in the full space on each group's heavy
   examples: w_ℓ from the pooled examples, s_ℓ² = RSS/(N_ℓ − d) and p_ℓ the
   share of heavy tasks (the estimates of ICML 2020 Algorithm 4, here
   without the light-pool classification and refit).

Unlike the pipeline, nothing is done with distances between tasks' split
statistics and the light pool L2 is not used: it is the textbook
"moments, then cluster the projected regressions" estimator.
"""

from __future__ import annotations

import time

import numpy as np

from .._segments import Segments
from .._validation import check_int, check_k_d, check_rng
from ..covariates import Whitening, check_covariates, estimate_second_moment, isotropy_test
from .._advice import not_pools
from ..data import Pools
from ..exceptions import ValidationError
from ..stages.regression import refine
from ..stages.prediction import MixturePredictor
from ..stages.subspace import estimate_subspace
from ..stages.clustering.rounding import kmeans
from ._base import CheckedOptions

__all__ = ["MomentLearner"]


class MomentLearner(CheckedOptions, MixturePredictor):
    """Method-of-moments subspace, k-means of projected regressions, least squares.

    Assumptions: those of the moment subspace (x ~ N(0, I), or isotropic with
    Gaussian-like fourth moments; rank-k, well-conditioned Σ p w wᵀ) and
    heavy tasks long enough (t_H >= k, in practice t_H ≳ k/Δ²) that the
    projected regressions of different components separate. Not robust.

    Parameters
    ----------
    k : int
        Number of components.
    n_init : int
        k-means restarts.
    rng : None, int or Generator
    covariates : {"isotropic", "estimate", "auto"}
        ``"estimate"``: whiten all pools by the estimated second moment of
        the covariates first and map W back, as
        ``MetaLearner(covariates="estimate")`` (:mod:`robust_mlr.covariates`);
        ``"auto"``: only when Σ̂ fails
        :func:`~robust_mlr.covariates.isotropy_test`.

    Attributes
    ----------
    U_ : ndarray (d, k)
        Moment subspace.
    heavy_labels_ : ndarray (n_H,)
        k-means groups of the heavy tasks.
    W_, s2_, p_ : ndarrays (d, k), (k,), (k,)
    diagnostics_ : dict
        Stage times and the k-means inertia.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools, metrics
    >>> theta = make_params(8, 2, rng=0)
    >>> pools = make_pools(theta, 20000, 2, 200, 40, 10, 2, rng=1)
    >>> model = MomentLearner(2, rng=2).fit(pools)
    >>> metrics.clustering_accuracy(model.heavy_labels_, pools.heavy.components) > 0.95
    True
    """

    def __init__(self, k, *, n_init=10, rng=None, covariates="isotropic"):
        self.k = k
        self.n_init = n_init
        self.rng = rng
        self.covariates = covariates

    def fit(self, pools):
        """Learn (W, s², p) from :class:`~robust_mlr.Pools`; returns ``self``.

        Raises
        ------
        ValidationError
            If k is missing or exceeds d, if some heavy task has t_i < k
            (its projected regression is undetermined), or if a k-means group
            has too few examples for least squares in d dimensions.
        """
        if not isinstance(pools, Pools):
            raise not_pools(pools)
        if self.k is None:
            raise ValidationError("k (the number of components) is required; got None")
        k = check_k_d(self.k, pools.dim)
        n_init = check_int(self.n_init, "n_init", min_val=1)
        rng = check_rng(self.rng)
        wh = None
        mode = check_covariates(self.covariates)
        if mode != "isotropic":
            Sigma = estimate_second_moment(pools)[0]
            n_ex = sum(pools[name].n_examples for name in pools.names)
            if mode == "estimate" or not isotropy_test(Sigma, n_ex)[0]:
                wh = Whitening.from_moment(Sigma)
                pools = wh.whiten_pools(pools)
        heavy = pools.heavy
        if heavy.sizes.min() < k:
            bad = int(np.argmin(heavy.sizes))
            raise ValidationError(
                f"heavy task {bad} has t_i={int(heavy.sizes[bad])} examples; the projected "
                f"regression in the k={k}-dimensional subspace needs t_i >= k")
        if heavy.n_tasks < k:
            raise ValidationError(f"the heavy pool has {heavy.n_tasks} tasks; need at least k={k}")
        t0 = time.perf_counter()
        self.U_ = estimate_subspace(pools.light1, k, "moments").U
        t1 = time.perf_counter()
        V = Segments(heavy).solve(heavy.X @ self.U_, heavy.y)
        labels = kmeans(V, k, rng, restarts=n_init)       # best of n_init k-means++ runs
        self.heavy_labels_ = labels
        try:
            self.W_, self.s2_, self.p_ = refine(heavy, labels, k)
        except ValueError as exc:
            raise ValidationError(f"MomentLearner: {exc}") from None
        if wh is not None:
            self.W_, self.U_ = wh.to_original(self.W_), wh.basis_to_original(self.U_)
        self.covariance_ = wh
        centres = np.stack([V[labels == c].mean(axis=0) for c in range(k)])   # loop over k
        self.diagnostics_ = {"subspace_time": t1 - t0,
                             "inertia": float(np.sum((V - centres[labels]) ** 2)),
                             "time": time.perf_counter() - t0}
        return self
