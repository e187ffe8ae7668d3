"""Checks and convergence measures shared by the iterative subspace
baselines (private)."""

from __future__ import annotations

import numpy as np

from ..._validation import check_k_d
from ...exceptions import ValidationError


def check_rank(r, data, name="k"):
    """A rank ``1 <= r <= d``; a missing rank is an error naming ``name``."""
    if r is None:
        raise ValidationError(f"{name} (the rank of the shared subspace) is required; got None")
    return check_k_d(r, data.dim, name)


def subspace_change(U_old, U):
    """sin of the largest principal angle between two orthonormal bases."""
    s = np.linalg.svd(U_old.T @ U, compute_uv=False)
    return float(np.sqrt(max(0.0, 1.0 - min(s.min(), 1.0) ** 2)))
