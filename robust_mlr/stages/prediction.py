"""Prediction for new tasks (Kong et al., ICML 2020, Definition 4.5).

For a new task with τ examples the posterior weight of component ℓ is

    log L_ℓ = −Σ_j (y_j − ŵ_ℓᵀ x_j)² / (2 ŝ_ℓ²) − τ log ŝ_ℓ + log p̂_ℓ,

normalised with log-sum-exp. MAP uses ŵ of the largest weight; Bayes uses
the posterior mean Σ_ℓ L_ℓ ŵ_ℓ / Σ_ℓ L_ℓ.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .classification.likelihood import task_neg_log_lik
from ..data import MetaDataset
from .._validation import check_real
from ..exceptions import ValidationError, not_fitted

__all__ = ["posterior", "task_parameters", "MixturePredictor"]


def posterior(data: MetaDataset, W, s2, p):
    """Posterior probabilities of the components for each task, (n, k)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    logw = -task_neg_log_lik(data, W, s2) + logp
    return np.exp(logw - logsumexp(logw, axis=1, keepdims=True))


def task_parameters(data: MetaDataset, W, s2, p, method="bayes"):
    """Regression vector to use for each task: (n, d).

    Parameters
    ----------
    data : MetaDataset
        The new tasks' training examples (τ_i each).
    W, s2, p : arrays
        Estimated (or true) meta-parameters.
    method : {"bayes", "map"}
    """
    post = posterior(data, W, s2, p)
    if method == "bayes":
        return post @ np.asarray(W).T
    if method == "map":
        return np.asarray(W).T[np.argmax(post, axis=1)]
    raise ValidationError(f"method must be 'bayes' or 'map', got {method!r}")


class MixturePredictor:
    """Prediction for new tasks from fitted ``W_``, ``s2_``, ``p_``.

    The interface every learner of the toolkit shares (:class:`robust_mlr.MetaLearner`
    and the baselines of :mod:`robust_mlr.baselines`): posterior component
    probabilities, MAP / Bayes task parameters and query predictions.
    """

    def __sklearn_is_fitted__(self):
        return hasattr(self, "W_")

    def _check_fitted(self, support=None):
        if not self.__sklearn_is_fitted__():
            raise not_fitted(f"this {type(self).__name__} is not fitted yet; "
                             "call fit(pools) first")
        d = np.shape(self.W_)[0]
        if support is not None and not isinstance(support, MetaDataset):
            raise ValidationError(f"support must be a MetaDataset of the new tasks' examples "
                                  f"(MetaDataset.from_tasks([(X_i, y_i), ...]) builds one), "
                                  f"got {type(support).__name__}")
        if support is not None and support.dim != d:
            raise ValidationError(f"support has dimension {support.dim}; the fitted "
                                  f"{type(self).__name__} has d = {d}")

    def posterior(self, support):
        """Posterior component probabilities of new tasks, (n, k)."""
        self._check_fitted(support)
        return posterior(support, self.W_, self.s2_, self.p_)

    def task_parameters(self, support, method="bayes"):
        """Regression vectors for new tasks from their support examples, (n, d)."""
        self._check_fitted(support)
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

        Returns
        -------
        ndarray (n,)
        """
        beta = self.task_parameters(support, method)
        check_real(X_query, "X_query")
        try:
            X_query = np.asarray(X_query, dtype=float)
        except (TypeError, ValueError):
            raise ValidationError(f"X_query must be an array of numbers, got "
                                  f"{type(X_query).__name__}") from None
        if X_query.shape != beta.shape:
            raise ValidationError(
                f"X_query has shape {X_query.shape}; expected {beta.shape} (one row per task)")
        if not np.all(np.isfinite(X_query)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(X_query))[0])
            raise ValidationError(f"X_query contains a non-finite value "
                                  f"{X_query[bad]} at index {bad}")
        return np.einsum("ij,ij->i", X_query, beta)
