"""Work arrays reused within one stage (private).

The regression stage filters every component on its own rows when its
first round fails — under a ladder attack every component, in both of the
learner's regression passes — and each filter asked for a fresh buffer of
the component's gathered rows (164 MB at 320 000 light-2 tasks of 8) and
fresh n × d arrays of gradients (and each draw at a fixed fit for a copy
of the kept ones), whose pages the kernel provides again on every first
touch; with NumPy's huge-page advice it may compact memory first. That
was 0.66–1.37 s of system time per attacked fit at 320 000 tasks, against
0.05 s for a clean one (the gathers' copies themselves ≈ 0.02 s each), and
0.11–0.28 s with these arrays reused. Inside :func:`reuse` an array asked for by name reuses the
memory of the last array of that name when it is large enough, so those
pages are provided once a stage (on plain pages: :mod:`robust_mlr._pages`).
Outside, :func:`empty` is :func:`robust_mlr._pages.empty`.

A name stands for one array at a time: a caller asks for it again only once
the previous one is no longer used.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from . import _pages

_SPACE = contextvars.ContextVar("robust_mlr_scratch", default=None)


@contextlib.contextmanager
def reuse():
    """Within the block, :func:`empty` hands out the same memory again per name."""
    token = _SPACE.set({})
    try:
        yield
    finally:
        _SPACE.reset(token)


def empty(name, shape, dtype=float):
    """An uninitialised C-ordered array of ``shape`` (the memory of the last
    array called ``name`` inside :func:`reuse`, when large enough).

    Examples
    --------
    >>> with reuse():
    ...     a = empty("g", (4, 2)); b = empty("g", (3, 2))
    >>> bool(np.shares_memory(a, b)), b.shape
    (True, (3, 2))
    """
    dtype = np.dtype(dtype)
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    space = _SPACE.get()
    if space is None:
        return _pages.empty(shape, dtype)
    buf = space.get(name)
    if buf is None or buf.size < nbytes:
        # room for a later, slightly larger component
        buf = _pages.empty(nbytes + nbytes // 8, np.uint8)
        space[name] = buf
    return buf[:nbytes].view(dtype).reshape(shape)
