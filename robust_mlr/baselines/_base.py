"""Shared parts of the full-learner baselines (private): pooling the data
and an orthonormal span."""

from __future__ import annotations

import numpy as np

from ..data import MetaDataset, Pools
from ..exceptions import ValidationError


def pooled(data, pools=("light1", "heavy", "light2")):
    """One MetaDataset of the tasks of ``pools`` (a MetaDataset passes through)."""
    if isinstance(data, MetaDataset):
        return data
    if not isinstance(data, Pools):
        raise ValidationError(
            f"data must be a robust_mlr.Pools or MetaDataset, got {type(data).__name__}")
    parts = [data[name] for name in pools]
    sizes = np.concatenate([p.sizes for p in parts])
    comps = None
    if all(p.components is not None for p in parts):
        comps = np.concatenate([p.components for p in parts])
    return MetaDataset(np.vstack([p.X for p in parts]), np.concatenate([p.y for p in parts]),
                       np.concatenate([[0], np.cumsum(sizes)]), comps)


def orthonormal_span(W):
    """Orthonormal basis of the column span of W (d, k)."""
    return np.linalg.qr(W)[0]


def kmeans(V, k, rng, n_iter=25):
    """Lloyd's k-means with k-means++ seeding on the rows of V (n, q).

    Returns ``(labels, centers)``. Vectorised over points; loops over
    iterations and seeds only. An emptied cluster is reseeded at the point
    farthest from its centre.
    """
    n = V.shape[0]
    C = np.empty((k, V.shape[1]))
    C[0] = V[rng.integers(n)]
    d2 = np.sum((V - C[0]) ** 2, axis=1)
    for ell in range(1, k):
        total = d2.sum()
        i = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        C[ell] = V[i]
        d2 = np.minimum(d2, np.sum((V - C[ell]) ** 2, axis=1))
    labels = np.full(n, -1)
    for _ in range(n_iter):
        D = np.sum(V ** 2, 1)[:, None] - 2 * V @ C.T + np.sum(C ** 2, 1)[None, :]
        new = np.argmin(D, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(C)
        np.add.at(sums, labels, V)
        for ell in np.flatnonzero(counts == 0):
            far = int(np.argmax(D[np.arange(n), labels]))
            sums[ell], counts[ell] = V[far], 1
        C = sums / counts[:, None]
    return labels, C
