"""Shared parts of the full-learner baselines (private): pooling the data
and an orthonormal span."""

from __future__ import annotations

import difflib

import numpy as np

from .._params import _checked_init
from ..data import MetaDataset, Pools
from ..exceptions import ValidationError


class CheckedOptions:
    """A baseline's ``__init__`` refuses a misspelled keyword option with a
    ValidationError naming the class, the option, the closest valid one and
    all of them (the check of the pipeline's learner and stages)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _checked_init(cls, init)


def pool_names(pools):
    """``pools`` as a tuple of pool names (one name alone is one pool), or a
    ValidationError naming the unknown one and the closest name."""
    names = (pools,) if isinstance(pools, str) else pools
    try:
        names = tuple(names)
    except TypeError:
        raise ValidationError(f"pools must be pool names from {', '.join(Pools.names)}, "
                              f"got {pools!r}") from None
    for name in names:
        if not isinstance(name, str) or name not in Pools.names:
            close = difflib.get_close_matches(str(name), Pools.names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValidationError(f"pools: {name!r} is not a pool{hint}; pools are "
                                  f"{', '.join(Pools.names)}")
    if not names:
        raise ValidationError(f"pools must name at least one of {', '.join(Pools.names)}, "
                              f"got {pools!r}")
    return names


def pooled(data, pools=("light1", "heavy", "light2")):
    """One MetaDataset of the tasks of ``pools`` (a MetaDataset passes through)."""
    if isinstance(data, MetaDataset):
        return data
    if not isinstance(data, Pools):
        raise ValidationError(
            f"data must be a robust_mlr.Pools or MetaDataset, got {type(data).__name__}")
    pools = pool_names(pools)
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
