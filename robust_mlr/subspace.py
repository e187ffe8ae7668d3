"""Subspace estimation (SPEC §3, ICML 2020 Algorithm 2) and the stage registry.

The unbiased moment estimate splits each light task into two halves with
means β̂⁽¹⁾, β̂⁽²⁾ of y·x and averages their symmetrised outer products:
``E[β̂⁽¹⁾ β̂⁽²⁾ᵀ] = w wᵀ`` because the halves are independent, so
``M̂ = (1/2n) Σ_i (β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ + β̂_i⁽²⁾ β̂_i⁽¹⁾ᵀ)`` is unbiased for
``M = Σ_a p_a w_a w_aᵀ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._linalg import top_eigvecs
from ._validation import check_k_d, lookup
from .data import MetaDataset

__all__ = ["SubspaceResult", "moment_estimate", "estimate_subspace", "SUBSPACE_METHODS"]


@dataclass
class SubspaceResult:
    """Outcome of a subspace stage.

    Attributes
    ----------
    U : ndarray (d, k)
        Orthonormal basis of the estimated span(W).
    kept : ndarray of bool (n,) or None
        Tasks a robust method kept (None when every task is used).
    info : dict
        Method diagnostics (iterations, removed counts, ...).
    """

    U: np.ndarray
    kept: np.ndarray | None = None
    info: dict = field(default_factory=dict)


def moment_estimate(data: MetaDataset):
    """Unbiased estimate M̂ of Σ_a p_a w_a w_aᵀ from tasks with t_i >= 2."""
    b = data.chunk_means(2, stage="subspace estimation (Algorithm 2)")
    C = b[0].T @ b[1] / data.n_tasks
    return (C + C.T) / 2


def _pca(data, k, **_):
    U, vals = top_eigvecs(moment_estimate(data), k)
    return SubspaceResult(U, None, {"eigenvalues": vals})


SUBSPACE_METHODS = {"pca": _pca}


def estimate_subspace(data: MetaDataset, k, method="pca", **kwargs):
    """Estimate span(W) from light tasks.

    Parameters
    ----------
    data : MetaDataset
        Light tasks (pool ``light1``).
    k : int
        Subspace dimension (number of components), ``k <= d``.
    method : str
        ``"pca"`` (Algorithm 2: top-k eigenvectors of M̂, needs t_i >= 2);
        the robust methods ``"filter"`` and ``"hrpca"`` when registered by
        :mod:`robust_mlr.robust_subspace`.
    **kwargs
        Passed to the method (e.g. ``alpha``, ``rng``).

    Returns
    -------
    SubspaceResult
    """
    k = check_k_d(k, data.dim)
    fn = lookup(SUBSPACE_METHODS, method, "subspace method")
    return fn(data, k, **kwargs)
