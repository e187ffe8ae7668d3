"""Subspace estimation by the unbiased moment estimate (ICML 2020 Algorithm 2).

The unbiased moment estimate splits each light task into two halves with
means β̂⁽¹⁾, β̂⁽²⁾ of y·x and averages their symmetrised outer products:
``E[β̂⁽¹⁾ β̂⁽²⁾ᵀ] = w wᵀ`` because the halves are independent, so
``M̂ = (1/2n) Σ_i (β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ + β̂_i⁽²⁾ β̂_i⁽¹⁾ᵀ)`` is unbiased for
``M = Σ_a p_a w_a w_aᵀ``.

M̂ is accumulated over blocks of tasks: one pass over the examples, the
halves' means by a sparse chunk operator, no N × d temporary.
"""

from __future__ import annotations

import numpy as np

from ..._linalg import top_eigvecs
from ..._segments import chunk_operator, task_blocks
from ..._threads import single_blas
from ...data import MetaDataset
from .base import SubspaceResult

__all__ = ["moment_estimate", "pca"]


def moment_estimate(data: MetaDataset):
    """Unbiased estimate M̂ of Σ_a p_a w_a w_aᵀ from tasks with t_i >= 2."""
    data.require_sizes(2, "subspace estimation (Algorithm 2) splits every task into 2 chunks")
    d, off, sizes = data.dim, data.offsets, data.sizes
    C = np.zeros((d, d))
    with single_blas():                  # block-sized products: one thread
        for a, e in task_blocks(off, data.X.itemsize * d):   # one pass, no N × d temporary
            lo, hi = off[a], off[e]
            b = chunk_operator(sizes[a:e], 2, data.y[lo:hi]) @ data.X[lo:hi]
            C += b[:e - a].T @ b[e - a:]
    C /= data.n_tasks
    return (C + C.T) / 2


def pca(data, k):
    """Subspace stage ``"pca"``: top-k eigenvectors of :func:`moment_estimate`."""
    U, vals = top_eigvecs(moment_estimate(data), k)
    return SubspaceResult(U, None, {"eigenvalues": vals})
