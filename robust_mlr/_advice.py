"""Advice in the learners' and the command line's errors (private module):
what to call to make Pools from what a fit was given, and the task-size
threshold a meta-dataset's sizes suggest."""

from __future__ import annotations

import numpy as np

from .exceptions import ValidationError

__all__ = ["not_pools", "suggest_heavy_min_size"]


def not_pools(pools):
    """The error for a fit given something other than :class:`Pools`, with
    the call that makes Pools from it (private: the learners' message)."""
    got = type(pools).__name__
    if hasattr(pools, "offsets") and hasattr(pools, "sizes"):      # a MetaDataset
        fix = ("cut one meta-dataset into pools by task size with "
               "Pools.from_dataset(data, heavy_min_size)")
    elif hasattr(pools, "columns") or isinstance(pools, (tuple, list, np.ndarray)):
        fix = ("make a MetaDataset from rows first, MetaDataset.from_arrays(X, y, task_ids) "
               "(pandas columns are accepted), then Pools.from_dataset(data, heavy_min_size)")
    else:
        fix = "build one with Pools(light1, heavy, light2) or Pools.from_dataset"
    return ValidationError(f"pools must be a robust_mlr.Pools, got {got}; {fix}")


def suggest_heavy_min_size(sizes):
    """The smallest task size above the widest ratio between consecutive
    distinct task sizes (where light and heavy tasks part), as the size
    threshold the user can pass, or None when all tasks have one size or
    the cut would leave fewer than two light tasks (private: the learners'
    and the command line's advice)."""
    u, count = np.unique(np.asarray(sizes), return_counts=True)
    if u.size < 2:
        return None
    ratio = u[1:] / np.maximum(u[:-1], 1)
    j = int(np.argmax(ratio))
    if count[:j + 1].sum() < 2:
        return None
    return int(u[j + 1])
