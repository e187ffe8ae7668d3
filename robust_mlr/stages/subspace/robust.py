"""Robust subspace estimation for MLR (Kong, Somani, Kakade, Oh, NeurIPS 2020): per-task statistics fed
to the robust PCA methods, the subspace stages ``"filter"``,
``"hrpca"`` and ``"pca_points"``.

The statistic of task i is z_i = t_i^{-1/2} Σ_j y_ij x_ij. For Gaussian x,
E[y² x xᵀ] = (s² + ||w||²) I + 2 w wᵀ and the examples are independent, so a
task of component a has

    E[z_i z_iᵀ] = ρ_a² I + (t_i + 1) w_a w_aᵀ.

Mixed over components (and over task sizes, independent of the component)
this is (Σ_a p_a ρ_a²) I + Σ_a p_a E[t + 1] w_a w_aᵀ: a multiple of the identity
plus a positive combination of the w_a w_aᵀ, whose top-k eigenspace is
span(W) — for any t_i ≥ 1. The 1/√t_i normalisation keeps the identity part
the same for every task size, so tasks of unequal sizes can be pooled.
Corruption is per task, so one corrupted task is one corrupted point z_i.
(For non-Gaussian isotropic x a fourth-moment term adds a diagonal
correction of order (κ − 3)||w||²; it vanishes for Gaussian x.)

**Clipped responses (default).** The products y·x are heavy tailed (for
t = 2 the clean ||z||² has its 99th percentile at ≈ 8× its median), so the
fourth-moment bound ν in the filter's guarantee √α·ν·√k is large and
corrupted points hide inside the clean tail. With ψ(y) = clip(y, ±c·σ̂_y),
σ̂_y = 1.4826·median|y| (robust to α < 1/2), the statistic
z_i = t_i^{-1/2} Σ_j ψ(y_ij) x_ij keeps the structure: y depends on x only
through w_aᵀx, so by rotation invariance E[ψ(y)² x xᵀ] = a I + b ŵ_a ŵ_aᵀ and
E[ψ(y) x] ∝ w_a, hence E[z zᵀ] is again isotropic plus a positive
combination of the w_a w_aᵀ (b ≥ 0 because ψ² grows with |ŵᵀx|). The signal
shrinks slightly (clean error 0.132 → 0.137 on the default problem) while
ν drops, which bounds every corrupted task's leverage. ``clip=None`` gives
the unclipped statistic of the paper.
"""

from __future__ import annotations

import numpy as np

from ...constants import MAD_TO_SIGMA
from ...data import MetaDataset
from .robust_pca import filter_pca, hrpca, plain_pca
from .base import SubspaceResult

__all__ = ["task_statistics", "filter_stage", "hrpca_stage", "pca_points_stage"]


def task_statistics(data: MetaDataset, clip=2.0):
    """z_i = t_i^{-1/2} Σ_j ψ(y_ij) x_ij for every task, shape (n, d).

    Parameters
    ----------
    data : MetaDataset
    clip : float or None
        ψ clips responses at ± clip · 1.4826 · median|y|; None: ψ(y) = y.
    """
    y = data.y
    if clip is not None:
        scale = MAD_TO_SIGMA * np.median(np.abs(y))
        y = np.clip(y, -clip * scale, clip * scale)
    sums = data.task_sums(data.X * y[:, None])
    return sums / np.sqrt(data.sizes)[:, None]


def _adapter(method, name):
    def run(data, k, alpha=0.0, rng=None, clip=2.0, **kw):
        res = method(task_statistics(data, clip), k, alpha, rng=rng, **kw)
        return SubspaceResult(res.U, res.kept, dict(res.info, method=name, clip=clip))
    run.__doc__ = f"Subspace stage: {name} on the per-task statistics."
    return run


filter_stage = _adapter(filter_pca, "filtering robust PCA")
hrpca_stage = _adapter(hrpca, "HRPCA")
pca_points_stage = _adapter(plain_pca, "plain PCA of task statistics")
