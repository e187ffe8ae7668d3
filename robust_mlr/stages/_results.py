"""Checks of what a stage's own method returns (private module).

The stage base classes call these on the answer of ``_estimate``,
``_cluster`` and ``_fit`` — the methods a user implements to write a stage
of their own — so a wrong shape, type or value is named with the stage at
once instead of surfacing later as an unrelated error (an empty cluster, a
numpy broadcasting message) or not at all.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError

__all__ = ["check_subspace", "check_clustering", "check_regression"]

_ORTHONORMAL_TOL = 1e-8


def check_subspace(stage, res, d, k):
    """``res.U`` is a (d, k) orthonormal basis of finite numbers."""
    from .subspace.base import SubspaceResult
    name = type(stage).__name__
    if not isinstance(res, SubspaceResult):
        raise ValidationError(f"{name}._estimate must return a SubspaceResult, got "
                              f"{type(res).__name__}")
    U = np.asarray(res.U)
    if U.shape != (d, k) or U.dtype.kind != "f" or not np.all(np.isfinite(U)):
        finite = "" if U.dtype.kind not in "fc" or np.all(np.isfinite(U)) else " (not finite)"
        raise ValidationError(f"{name}._estimate returned U of shape {U.shape} and type "
                              f"{U.dtype}{finite}; expected a ({d}, {k}) array of finite "
                              f"floats")
    gap = float(np.max(np.abs(U.T @ U - np.eye(k))))
    if gap > _ORTHONORMAL_TOL:
        raise ValidationError(f"{name}._estimate returned a U whose columns are not "
                              f"orthonormal (max |UᵀU − I| = {gap:.2g}); orthonormalise it, "
                              f"e.g. np.linalg.qr(U)[0]")


def check_clustering(stage, res, n, k):
    """One integer label in −1..k−1 per task."""
    from .clustering.base import ClusteringResult
    name = type(stage).__name__
    if not isinstance(res, ClusteringResult):
        raise ValidationError(f"{name}._cluster must return a ClusteringResult, got "
                              f"{type(res).__name__}")
    labels = np.asarray(res.labels)
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValidationError(f"{name}._cluster returned labels of shape {labels.shape} and "
                              f"type {labels.dtype}; expected ({n},) integers, one per heavy "
                              f"task")
    if labels.size and (labels.min() < -1 or labels.max() >= k):
        raise ValidationError(f"{name}._cluster returned labels from {labels.min()} to "
                              f"{labels.max()}; expected 0..{k - 1} (k={k}), or -1 for an "
                              f"outlier")


def check_regression(stage, out, d, k):
    """``(W, s2, p, info)`` of shapes (d, k), (k,), (k,) and a dict; a
    component's W column and s² finite (s² ≥ 0) unless its s² is NaN (no
    task supports it), p finite and non-negative."""
    name = type(stage).__name__
    if not (isinstance(out, tuple) and len(out) == 4 and isinstance(out[3], dict)):
        raise ValidationError(f"{name}._fit must return a tuple (W, s2, p, info) with info a "
                              f"dict, got {type(out).__name__}")
    W, s2, p = (np.asarray(a) for a in out[:3])
    if W.shape != (d, k) or s2.shape != (k,) or p.shape != (k,):
        raise ValidationError(f"{name}._fit returned W, s2, p of shapes {W.shape}, "
                              f"{s2.shape}, {p.shape}; expected ({d}, {k}), ({k},), ({k},)")
    fitted = ~np.isnan(s2)
    if not (np.all(np.isfinite(W[:, fitted])) and np.all(np.isfinite(s2[fitted]))
            and np.all(s2[fitted] >= 0) and np.all(np.isfinite(p)) and np.all(p >= 0)):
        raise ValidationError(f"{name}._fit returned s2={s2.tolist()}, p={p.tolist()} (or "
                              f"non-finite W): s2 must be >= 0 (NaN for a component no task "
                              f"supports), p finite and >= 0, W finite")
