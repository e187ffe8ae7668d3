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
