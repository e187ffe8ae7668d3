"""Large work arrays on plain pages (private).

A fit fills a few arrays of hundreds of megabytes once, block by block —
the screen's per-example store (16 bytes an example) and the light-1 task
statistics (8·d bytes a task) — and frees them when the stage ends. NumPy
asks the kernel for transparent huge pages for every array of 4 MB or more
(``madvise(MADV_HUGEPAGE)``); where the kernel then compacts memory on the
first touch (the ``madvise`` defragmentation policy, a common default), a
fit whose process has already allocated and freed large arrays — the
second fit of a session, a fit beside other jobs — spent 0.5–1.3 s of
system time per fit (median 0.62 s over twelve fits at 10⁶ tasks per
light pool, d = 32), nearly all of it in the faults of these two arrays,
against 0.3–0.6 s (median 0.44 s) without the advice. :func:`empty` gives them a
fresh anonymous mapping instead, which the kernel backs with ordinary
pages unless it is configured to use huge pages everywhere; the values
written are the same, only the page size differs.

The mapping is private and, where the platform has it, populated when it
is made (``MAP_POPULATE``): every page of these arrays is written right
away, and the kernel then provides them in one call instead of one fault
a page. Writing 256 MB by blocks measured 0.19 s of CPU on the shared
anonymous mapping ``mmap.mmap(-1, n)`` gives by default, 0.14 s on a
private one and 0.10 s on a private populated one (four runs each,
±0.01 s).
"""

from __future__ import annotations

import mmap

import numpy as np

#: Arrays below this many bytes come from :func:`numpy.empty` (NumPy's own
#: threshold for the huge-page advice).
MIN_BYTES = 1 << 22
#: The mapping's flags: private, its pages provided when it is made (the
#: platform's default where it has no such flags).
_FLAGS = ({"flags": mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0)}
          if hasattr(mmap, "MAP_PRIVATE") else {})


def empty(shape, dtype=float):
    """An uninitialised C-ordered array of ``shape``, on a fresh anonymous
    memory mapping when it holds at least :data:`MIN_BYTES` (freed with the
    array), else from :func:`numpy.empty`.

    Examples
    --------
    >>> a = empty((1 << 16, 32))
    >>> a.shape, a.flags.writeable, a.flags.c_contiguous
    ((65536, 32), True, True)
    """
    dtype = np.dtype(dtype)
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, nbytes, **_FLAGS), dtype=dtype).reshape(shape)
