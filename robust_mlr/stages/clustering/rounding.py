"""Rounding a clustering SDP solution Z to labels (private).

Rows of an ideal Z are uniform (1/|C|) over their cluster and zero elsewhere;
outlier rows carry little mass.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster import hierarchy
from scipy.cluster.vq import kmeans2
from scipy.spatial.distance import pdist

from ..._linalg import top_eigvecs

__all__ = ["round_spectral", "round_mode", "round_linkage", "kmeans", "ROUNDINGS"]


def kmeans(P, k, rng, restarts=10):
    """k-means (scipy ``kmeans2``, k-means++ starts) keeping the best of ``restarts``."""
    best = (np.inf, None)
    for _ in range(restarts):
        seed = int(rng.integers(2**31 - 1))
        cent, lab = kmeans2(P, k, minit="++", seed=seed)
        inertia = np.sum((P - cent[lab]) ** 2)
        if inertia < best[0] and np.unique(lab).size == k:
            best = (inertia, lab)
    if best[1] is None:                  # degenerate data: fall back to any split
        best = (0, kmeans2(P, k, minit="++", seed=int(rng.integers(2**31 - 1)))[1])
    return best[1]


def round_spectral(Z, k, P, rng, inliers):
    """Top-k eigenvectors of Z (inlier block), rows clustered by k-means."""
    idx = np.flatnonzero(inliers)
    V, vals = top_eigvecs(Z[np.ix_(idx, idx)], k)
    return idx, kmeans(V * np.sqrt(np.maximum(vals, 0)), k, rng)


def round_mode(Z, k, P, rng, inliers):
    """Denoise-and-mode (Mixon–Villar–Ward): average the points P with Z's
    rows, pick k centres greedily by how many denoised points lie within a
    radius r of them (r = 1/8 of the largest distance between denoised
    points), assign each task to the nearest centre."""
    idx = np.flatnonzero(inliers)
    W = Z[np.ix_(idx, idx)]
    C = (W @ P[idx]) / np.maximum(W.sum(1), 1e-12)[:, None]
    D = np.sqrt(np.maximum(np.sum((C[:, None] - C[None]) ** 2, -1), 0))
    r = D.max() / 8 if D.max() > 0 else 1.0
    near = D <= r
    centres, free = [], np.ones(len(idx), bool)
    for _ in range(k):
        counts = (near & free[None, :]).sum(1) * free
        c = int(np.argmax(counts))
        centres.append(C[c])
        free &= D[c] > 2 * r
        if not free.any():
            free = np.ones(len(idx), bool)
    centres = np.array(centres)
    lab = np.argmin(np.sum((C[:, None] - centres[None]) ** 2, -1), axis=1)
    return idx, lab


def round_linkage(Z, k, P, rng, inliers):
    """Average linkage on the Euclidean distances between rows of Z."""
    idx = np.flatnonzero(inliers)
    W = Z[np.ix_(idx, idx)]
    link = hierarchy.linkage(pdist(W), method="average")
    return idx, hierarchy.fcluster(link, t=k, criterion="maxclust") - 1


ROUNDINGS = {"spectral": round_spectral, "mode": round_mode, "linkage": round_linkage}
