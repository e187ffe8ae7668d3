"""Subspace estimation by the unbiased moment estimate (ICML 2020 Algorithm 2).

The unbiased moment estimate splits each light task into two halves with
means β̂⁽¹⁾, β̂⁽²⁾ of y·x and averages their symmetrised outer products:
``E[β̂⁽¹⁾ β̂⁽²⁾ᵀ] = w wᵀ`` because the halves are independent, so
``M̂ = (1/2n) Σ_i (β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ + β̂_i⁽²⁾ β̂_i⁽¹⁾ᵀ)`` is unbiased for
``M = Σ_a p_a w_a w_aᵀ``.
"""

from __future__ import annotations


from ..._linalg import top_eigvecs
from ...data import MetaDataset
from .base import SubspaceResult

__all__ = ["moment_estimate", "pca"]


def moment_estimate(data: MetaDataset):
    """Unbiased estimate M̂ of Σ_a p_a w_a w_aᵀ from tasks with t_i >= 2."""
    b = data.chunk_means(2, stage="subspace estimation (Algorithm 2)")
    C = b[0].T @ b[1] / data.n_tasks
    return (C + C.T) / 2


def pca(data, k):
    """Subspace stage ``"pca"``: top-k eigenvectors of :func:`moment_estimate`."""
    U, vals = top_eigvecs(moment_estimate(data), k)
    return SubspaceResult(U, None, {"eigenvalues": vals})
