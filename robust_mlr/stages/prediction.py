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
from ..exceptions import ValidationError

__all__ = ["posterior", "task_parameters"]


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
