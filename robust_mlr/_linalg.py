"""Small linear-algebra helpers (private)."""

from __future__ import annotations

import numpy as np
from scipy import linalg


def top_eigvecs(S, k):
    """Top-``k`` eigenvectors of a symmetric matrix, columns in decreasing order.

    Uses the symmetric eigensolver restricted to the wanted index range
    (LAPACK ``syevr``), never a general SVD.
    """
    S = np.asarray(S)
    d = S.shape[0]
    vals, vecs = linalg.eigh((S + S.T) / 2, subset_by_index=[d - k, d - 1])
    return vecs[:, ::-1], vals[::-1]


def sym(A):
    """Symmetric part of a square matrix."""
    return (A + A.T) / 2
