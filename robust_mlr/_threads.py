"""BLAS thread policy (private).

OpenBLAS splits every product over its threads. For the block-sized products
of the blocked passes and the small d × d / n_H × k algebra of the stages,
the threads' hand-offs cost more than the arithmetic, and when another
process holds a core a thread waits for it: with 2 threads and one busy core
a fit on the default problem was measured an order of magnitude slower than
with one. Those loops therefore run pinned to one BLAS thread
(:func:`single_blas`); a single large product outside them keeps the
process's thread count.

The controller is built once (finding the loaded BLAS libraries costs
milliseconds), so entering the limit costs a few microseconds.
"""

from __future__ import annotations

import functools

from threadpoolctl import ThreadpoolController

_CONTROLLER = None


def _controller():
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def single_blas():
    """Context manager: every loaded BLAS library limited to one thread."""
    return _controller().limit(limits=1, user_api="blas")


def pinned(fn):
    """Decorator: run ``fn`` under :func:`single_blas` (signature unchanged)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with single_blas():
            return fn(*args, **kwargs)
    return wrapper
