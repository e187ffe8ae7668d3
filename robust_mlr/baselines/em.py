"""EM for a mixture of linear regressions with task-level latent components.

All examples of task i share one latent component z_i ∈ {1..k}, so the
complete-data likelihood factorises over tasks and the E-step computes, for
every task, the posterior

    γ_iℓ ∝ p_ℓ · Π_j N(y_ij; w_ℓᵀ x_ij, s_ℓ²)

from the (n × k) per-task residual sums (the same likelihood the prediction
stage uses). The M-step is a weighted least squares per component with
example weights γ_{task(j), ℓ}:

    w_ℓ = (Σ_j γ x_j x_jᵀ)⁻¹ Σ_j γ x_j y_j ,
    s_ℓ² = Σ_j γ (y_j − w_ℓᵀx_j)² / Σ_j γ ,   p_ℓ = (1/n) Σ_i γ_iℓ .

Each iteration does not decrease the log-likelihood; the iteration stops
when it rises by less than ``tol`` per example. The E- and M-steps are the
ones of the heavy-task clustering stage ``"em"``
(:mod:`robust_mlr.stages.clustering.em`), here on the raw covariates: per
task sufficient statistics X_iᵀX_i, X_iᵀy_i, y_iᵀy_i when their n d² numbers
fit (small d or large tasks), otherwise the examples with a sparse task
indicator.

Initialisation (each of ``n_init`` restarts, the best final log-likelihood
wins): the method-of-moments subspace Û (Tripuraneni, Jin, Jordan 2021) from
the same data; per-task statistics v_i = Ûᵀ (1/t_i) Σ_j y_ij x_ij (whose mean
is the task's w for isotropic x); k-means on the v_i with k-means++ seeds
drawn from the restart's random stream; then one M-step with the hard
k-means labels gives (W, s², p). One k-means++ run per restart: the best
of several runs would hand every restart the same labelling. A restart
that ends with a component on at most d examples' weight — a singular
point of the likelihood (σ² → 0 on an interpolated task), which heavy-tailed
v_i can seed by holding a far task alone — loses to any restart without
one; if every restart ends so, a ConvergenceWarning says it. EM needs no
isotropy: the M-step is least squares, so it is unaffected by the
covariates' covariance.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from .._em_steps import log_terms, m_step, run_em, task_statistics
from .._validation import check_array, check_float, check_int, check_k_d, check_rng
from ..exceptions import ConvergenceWarning, ValidationError
from ..stages.prediction import MixturePredictor
from ..stages.subspace import estimate_subspace
from ..stages.clustering.rounding import kmeans
from ._base import CheckedOptions, orthonormal_span, pooled

__all__ = ["EMLearner", "em_step"]


def em_step(data, W, s2, p):
    """One EM iteration on ``data`` from (W, s², p); returns the new (W, s2, p).

    Parameters
    ----------
    data : MetaDataset
    W : ndarray (d, k)
    s2, p : ndarray (k,)

    Returns
    -------
    W, s2, p : ndarrays

    Examples
    --------
    >>> from robust_mlr import make_params, make_tasks
    >>> theta = make_params(6, 2, s=0.1, rng=0)
    >>> data = make_tasks(theta, 3000, 10, rng=1)
    >>> W, s2, p = em_step(data, theta.W, theta.s ** 2, theta.p)
    >>> bool(abs(W - theta.W).max() < 0.01)
    True
    """
    stats = task_statistics(data.X, data.y, data)
    L = log_terms(stats, np.asarray(W, float), np.asarray(s2, float), np.asarray(p, float))
    gamma = np.exp(L - L.max(axis=1, keepdims=True))
    gamma /= gamma.sum(axis=1, keepdims=True)
    return m_step(stats, gamma, 1e-12 * np.mean(data.y ** 2))[:3]


def _degenerate(run, stats, d):
    """Whether a component of an EM run holds at most d examples' weight
    (Σ_i γ_iℓ t_i ≤ d): its least squares then interpolates them, and the
    likelihood grows without bound as its σ_ℓ² → 0 — a singular point EM
    does not leave, not an estimate. (A noise level at the floor alone is
    not the sign: noise-free data put every component there.)"""
    mass = run["gamma"].T @ stats.t
    return bool(np.any(mass <= d))


class EMLearner(CheckedOptions, MixturePredictor):
    """Expectation-maximisation for a mixture of k linear regressions, with
    multiple k-means++ restarts from the method-of-moments subspace.

    Assumptions (classical analysis, e.g. Balakrishnan, Wainwright, Yu 2017;
    Kwon, Caramanis 2020): Gaussian noise with the mixture as stated; EM
    converges to the maximum-likelihood estimate only from a starting point
    close enough to the truth (local convergence), with restarts as the
    standard remedy. No isotropy is needed (the M-step is least squares),
    but nothing is robust: one corrupted task enters every M-step with its
    posterior weight.

    Parameters
    ----------
    k : int
        Number of components.
    n_init : int
        Restarts; the one with the largest final log-likelihood is kept.
    max_iter : int
        EM iterations per restart (ConvergenceWarning if the kept restart
        reaches it).
    tol : float
        Stop when the log-likelihood rises by less than ``tol`` per example.
    init : "kmeans++" or (W, s2, p)
        A tuple starts every restart from those parameters (then one
        restart suffices).
    pools : tuple of str
        Pools fitted when ``fit`` receives :class:`~robust_mlr.Pools` (all
        three by default: EM has no use for the split).
    rng : None, int or Generator

    Attributes
    ----------
    W_, s2_, p_ : ndarrays (d, k), (k,), (k,)
    U_ : ndarray (d, k)
        Orthonormal basis of span(W_).
    labels_ : ndarray (n,)
        MAP component of every fitted task.
    log_likelihood_ : float
    n_iter_ : int
    diagnostics_ : dict
        Per-restart log-likelihoods, iterations, convergence and whether
        the restart ended degenerate (a component on at most d examples'
        weight), and the fit time.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools, metrics
    >>> theta = make_params(8, 2, rng=0)
    >>> pools = make_pools(theta, 2000, 4, 100, 40, 2000, 4, rng=1)
    >>> model = EMLearner(2, rng=2).fit(pools)
    >>> metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"] < 0.2
    True
    """

    def __init__(self, k, *, n_init=10, max_iter=300, tol=1e-8, init="kmeans++",
                 pools=("light1", "heavy", "light2"), rng=None):
        self.k = k
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.pools = pools
        self.rng = rng

    def _start(self, data, stats, U, rng, floor):
        if not isinstance(self.init, str):
            W, s2, p = self.init
            W = check_array(W, "init W", ndim=2, shape=(data.dim, self.k_))
            s2 = check_array(s2, "init s2", ndim=1, shape=(self.k_,))
            p = check_array(p, "init p", ndim=1, shape=(self.k_,))
            return W, np.maximum(s2, floor), p
        V = data.task_sums(data.X * data.y[:, None]) / stats.t[:, None] @ U
        # one k-means++ run per restart: the best inertia of several runs is
        # one labelling for every restart, and with heavy-tailed v_i it can
        # hold a far task alone (a component on a task of t < d examples,
        # which EM never leaves; the restarts then differ in nothing)
        labels = kmeans(V, self.k_, rng, restarts=1)
        return m_step(stats, np.eye(self.k_)[labels], floor)[:3]

    def fit(self, data):
        """Fit on a :class:`~robust_mlr.Pools` (the pools in ``pools``) or a
        :class:`~robust_mlr.MetaDataset`; returns ``self``.

        Raises
        ------
        ValidationError
            If k is missing or exceeds d, if there are not more examples
            than d, or an option is out of range.
        """
        t_start = time.perf_counter()
        data = pooled(data, self.pools)
        if self.k is None:
            raise ValidationError("k (the number of components) is required; got None")
        self.k_ = k = check_k_d(self.k, data.dim)
        n_init = check_int(self.n_init, "n_init", min_val=1)
        max_iter = check_int(self.max_iter, "max_iter", min_val=1)
        tol = check_float(self.tol, "tol", min_val=0.0)
        if not isinstance(self.init, str):
            n_init = 1
        elif self.init != "kmeans++":
            raise ValidationError(f"init must be 'kmeans++' or a (W, s2, p) tuple, got {self.init!r}")
        if data.n_examples <= data.dim:
            raise ValidationError(f"EM needs more examples than d={data.dim}; got "
                                  f"N={data.n_examples}")
        rng = check_rng(self.rng)
        stats = task_statistics(data.X, data.y, data)
        floor = 1e-12 * np.mean(data.y ** 2)
        U = estimate_subspace(data, k, "moments").U if isinstance(self.init, str) else None
        best, runs = None, []
        for _ in range(n_init):
            run = run_em(stats, self._start(data, stats, U, rng, floor), max_iter=max_iter,
                         tol=tol, floor=floor)
            run["degenerate"] = _degenerate(run, stats, data.dim)
            runs.append({"log_likelihood": run["log_likelihood"], "iterations": run["n_iter"],
                         "converged": run["converged"], "degenerate": run["degenerate"]})
            # a run with a degenerate component loses to any run without one
            if best is None or ((best["degenerate"], run["log_likelihood"])
                                > (run["degenerate"], best["log_likelihood"])):
                best = run
        W, s2, p, L = best["B"], best["s2"], best["p"], best["L"]
        ll, it = best["log_likelihood"], best["n_iter"]
        if not best["converged"]:
            warnings.warn(f"EM reached max_iter={max_iter} before the log-likelihood gain "
                          f"fell below tol={tol:g} per example", ConvergenceWarning,
                          stacklevel=2)
        if best["degenerate"]:
            warnings.warn(f"every one of n_init={n_init} EM restarts ended with a component "
                          f"fitted to at most d={data.dim} examples (its noise variance at "
                          f"the floor: a singular point of the likelihood, not an estimate); "
                          f"try more restarts or init=(W, s2, p)", ConvergenceWarning,
                          stacklevel=2)
        self.W_, self.s2_, self.p_ = W, s2, p
        self.U_ = orthonormal_span(W)
        self.labels_ = np.argmax(L, axis=1)
        self.log_likelihood_, self.n_iter_ = ll, it
        self.diagnostics_ = {"restarts": runs, "time": time.perf_counter() - t_start}
        return self
