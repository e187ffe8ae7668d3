"""BLAS thread policy (private): the stages of a fit run on one BLAS thread.

OpenBLAS splits every product over its threads, and its workers keep
spinning for a while after each threaded call. For the block-sized products
of the blocked passes (``robust_mlr._segments``) and the small d × d,
n_H × k and L-BFGS-B algebra of the stages, the hand-offs cost more than the
arithmetic, and when another process holds a core the spinning workers take
the one left: with the default 2 threads and one busy core the ICML fit on
the default problem took 1.0–2.2 s against 0.12 s on one thread, the robust
fit 11 s against 0.8 s. No product of a fit is large enough for threads to
pay (the passes over the pools are blocked into cache-sized products), so
every stage entry point is decorated with :func:`pinned`; the caller's
setting is restored on return, so the user's own numpy keeps its threads.

The controller is built once (finding the loaded BLAS libraries reads the
process's maps, ≈ 5–8 ms), so entering the limit costs ≈ 40 µs; libraries
loaded later than the first use are not limited.
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
