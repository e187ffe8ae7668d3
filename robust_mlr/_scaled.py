"""Screened pools without a copy of the covariates (private).

Screening (:mod:`robust_mlr.stages.screening`) hands the stages the kept
tasks of each pool scaled by the shared robust scales (X/σ̂_x, y/σ̂_y,
clipped). A scaled copy of X is as large as the data, so
:class:`ScaledTasks` keeps a reference to the user's pool, the kept tasks
and the scales, and scales rows when a stage reads them:

* the blocked passes read task-aligned row blocks of X and y through
  :meth:`ScaledTasks._block` (a block-sized gathered copy, in cache);
* :meth:`ScaledTasks.subset` gathers and scales only the chosen tasks' rows
  (``_subsets``: the components the regression filter fits on their own
  rows, into one reused buffer);
* any other reader of ``X`` or ``y`` gets the whole scaled array, built
  once on first access and kept — the behaviour of a scaled copy (for a
  pool in memory; a pool on disk raises, naming its path);
* a stage that reads a small pool many times (the learner's classification
  and regression read light 2 some 25 times) holds its scaled blocks for
  its duration (:func:`held`): a block read again is the one scaled first.

It is a view: the pool's arrays must not change while it is used (a fit
reads them only during the fit).

Every value equals the scaled copy's bit for bit: each entry is divided by
the same scale and clipped the same way, whichever rows are read together.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import _scratch
from ._segments import task_blocks
from .data import MetaDataset, example_rows

#: Entries are clipped to ± this many robust scales after scaling (the clip
#: of :func:`robust_mlr.stages.screening.scale_dataset`).
CLIP = 1e6


def scale_rows(A, s, clip=True):
    """``clip(A / s, ±CLIP)`` in place on a fresh array ``A``; returns it
    (``clip=False``: the caller knows no entry reaches the clip)."""
    with np.errstate(over="ignore"):
        A /= s
    return np.clip(A, -CLIP, CLIP, out=A) if clip else A


#: A screened pool in memory whose covariates take at most this many bytes
#: has its blocks scaled once while a stage that reads it many times runs
#: (:func:`held`):
#: the default problem's light 2 pool (41 MB) is read ≈ 25 times by the
#: robust classification and regression, ≈ 0.05 s of scaling blocks again.
#: Larger pools (and pools on disk) keep their rows where they are.
HOLD_BYTES = 1 << 26


@contextlib.contextmanager
def held(data, limit=HOLD_BYTES):
    """While active, a :class:`ScaledTasks` pool in memory of at most
    ``limit`` bytes of covariates keeps the scaled rows of each of its task
    blocks (:func:`robust_mlr._segments.task_blocks`, the blocks the passes
    read): :meth:`ScaledTasks._block` of exactly such a block returns them
    (the same values, bit for bit: each entry is scaled alone), any other
    rows are scaled as before; dropped on exit. Any other pool is left as
    it is. The blocks are shared by every read, so a reader must not write
    into them (they are read-only while held: a write raises ValueError;
    nor may it into the blocks of an unscreened pool, which are views of
    the user's arrays).

    Block-sized arrays, not one copy of the pool: a fresh 41 MB array
    (the default problem's light 2) took 4 ms to fill, or 45-137 ms in one
    fit of four when its huge-page faults compacted memory, and 17-23 ms on
    plain pages (:mod:`robust_mlr._pages`); blocks come from the heap.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools
    >>> light2 = make_pools(make_params(4, 2, rng=0), 50, 2, 10, 16, 300, 4, rng=1).light2
    >>> data = ScaledTasks(light2, np.arange(light2.n_tasks), 1.7, 0.9)
    >>> a, e = next(iter(task_blocks(data.offsets, data._row_bytes)))
    >>> lo, hi = int(data.offsets[a]), int(data.offsets[e])
    >>> X0, y0 = data._block(lo, hi)
    >>> with held(data):
    ...     X, y = data._block(lo, hi)
    ...     same = data._held_block(lo, hi) is not None and np.array_equal(X, X0)
    ...     try:
    ...         X[0, 0] = 1.0                  # a write into a shared block ...
    ...         same = False
    ...     except ValueError:                 # ... raises
    ...         same = same and not y.flags.writeable
    >>> same, data._block(lo, hi)[0].flags.writeable    # held, read-only; afresh on exit
    (True, True)
    """
    if not (isinstance(data, ScaledTasks) and data._X is None and data._y is None
            and isinstance(data._base.X, np.ndarray) and isinstance(data._base.y, np.ndarray)
            and data.n_examples * data.dim * data._base.X.itemsize <= limit):
        yield data
        return
    off, kept = data.offsets, {}
    for a, e in task_blocks(off, data._row_bytes):
        lo, hi = int(off[a]), int(off[e])
        X, y = data._block(lo, hi)
        X.flags.writeable = y.flags.writeable = False   # shared by every read
        kept[lo] = (hi, (X, y))
    data._held = kept
    try:
        yield data
    finally:
        data._held = None


class ScaledTasks(MetaDataset):
    """The tasks ``kept`` of ``data`` with X/σ̂_x and y/σ̂_y (clipped),
    without a copy of X.

    Parameters
    ----------
    data : MetaDataset
        The pool (not modified).
    kept : ndarray of int
        Indices of the kept tasks, increasing.
    sx, sy : float
        The scales.
    clip : bool
        False when the caller knows that no |x|/σ̂_x of the pool exceeds
        :data:`CLIP`: the clip is then skipped (it would change nothing).
    """

    def __init__(self, data, kept, sx, sy, clip=True):
        kept = np.asarray(kept, dtype=np.int64)
        self._base, self._sx, self._sy, self._clip = data, sx, sy, bool(clip)
        self._X = self._y = self._held = None
        whole = kept.size == data.n_tasks
        # the kept tasks' indices (4 bytes a task below 2³¹ tasks), not their
        # rows' (8 bytes an example): a block's source rows are computed when
        # it is read; all tasks kept: the pool's own offsets (the same values)
        self._kept = None if whole else kept.astype(np.int32 if data.n_tasks < 2 ** 31
                                                    else np.int64)
        self.offsets = data.offsets if whole else np.concatenate(
            [[0], np.cumsum(data.offsets[kept + 1] - data.offsets[kept])]).astype(np.int64)
        self.components = None if data.components is None else data.components[kept]

    @property
    def X(self):
        """All scaled covariates (built on first access, then kept)."""
        if self._X is None:
            if not isinstance(self._base.X, np.ndarray):      # rows on disk stay there
                np.asarray(self._base.X)                       # raises, naming the path
            self._X = self._block(0, self.n_examples)[0]
        return self._X

    @property
    def y(self):
        """All scaled responses (built on first access, then kept)."""
        if self._y is None:
            if not isinstance(self._base.y, np.ndarray):      # rows on disk stay there
                np.asarray(self._base.y)                       # raises, naming the path
            self._y = self._scaled_y(0, self.n_examples)
        return self._y

    @property
    def dim(self):
        return self._base.dim

    @property
    def n_examples(self):
        return int(self.offsets[-1])

    @property
    def _row_bytes(self):
        return 8 * self.dim

    def _scaled_y(self, lo, hi, src=None):
        """Scaled responses of the kept rows ``lo:hi`` (``src``: their rows
        in the pool, when already computed)."""
        if self._y is not None:
            return self._y[lo:hi]
        if self._kept is None:
            return scale_rows(np.array(self._base.y[lo:hi], dtype=float), self._sy)
        src = self._source_rows(np.arange(lo, hi)) if src is None else src
        return scale_rows(np.asarray(self._base.y[src], dtype=float), self._sy)

    def _block_y(self, lo, hi):
        """Scaled responses ``lo:hi`` (without X)."""
        return self._scaled_y(lo, hi)

    def _block(self, lo, hi, out=None):
        """Scaled rows ``lo:hi`` as fresh arrays ``(X, y)`` (X into ``out``, a
        float64 buffer of at least the block's entries reused by a pass,
        when given; the same values)."""
        if self._X is not None:
            return self._X[lo:hi], self._scaled_y(lo, hi)
        got = self._held_block(lo, hi)
        if got is not None:
            return got
        src = self._base.X
        if self._kept is None:                # one pass: the quotient is the copy
            with np.errstate(over="ignore"):
                if out is not None and isinstance(src, np.ndarray) and src.dtype == np.float64:
                    X = np.divide(src[lo:hi], self._sx,
                                  out=out[:(hi - lo) * src.shape[1]].reshape(hi - lo, -1))
                else:
                    X = src[lo:hi] / self._sx
            return (np.clip(X, -CLIP, CLIP, out=X) if self._clip else X), self._scaled_y(lo, hi)
        rows = self._source_rows(np.arange(lo, hi))
        return scale_rows(src[rows], self._sx, self._clip), self._scaled_y(lo, hi, rows)

    def _held_block(self, lo, hi):
        """The scaled rows ``lo:hi`` kept by :func:`held` when they are one
        of its blocks, else None."""
        got = None if self._held is None else self._held.get(int(lo))
        return got[1] if got is not None and got[0] == hi else None

    def _source_rows(self, rows):
        """Rows of the pool holding the kept rows ``rows`` (from the kept
        tasks' offsets: no per-example index array is held)."""
        if self._kept is None:
            return rows
        task = np.searchsorted(self.offsets, rows, side="right") - 1
        return self._base.offsets[self._kept[task]] + (rows - self.offsets[task])

    def _task_rows(self, d):
        """Per-task statistics stored as the pool's own (:meth:`MetaDataset._task_rows`)."""
        return type(self._base)._task_rows(self, d)

    def _block_rows(self, lo, hi, rows, out=None):
        """Scaled rows ``lo:hi`` in the order ``rows`` (the values of
        :meth:`_block`, reordered); ``out``: two float64 buffers of at least
        the block's entries, reused by a pass (X is then a view of the
        second; the same values)."""
        if self._X is not None:
            X = self._X[lo:hi]
            if out is None or X.dtype != np.float64:
                return X[rows], self._gather_y(lo + rows, None)
            # the rows taken into the pass's buffer (mode="clip": in range by
            # construction; the same values as X[rows])
            Xs = out[1][:rows.size * X.shape[1]].reshape(rows.size, X.shape[1])
            return np.take(X, rows, axis=0, out=Xs, mode="clip"), self._gather_y(lo + rows, None)
        got = self._held_block(lo, hi)
        if got is not None:                   # a held block, reordered
            X, y = got
            if out is None or X.dtype != np.float64:
                return np.take(X, rows, axis=0), y[rows]
            Xs = out[1][:rows.size * X.shape[1]].reshape(rows.size, X.shape[1])
            return np.take(X, rows, axis=0, out=Xs, mode="clip"), y[rows]
        if self._kept is None:
            # every task kept: the block is read in order and scaled (one
            # contiguous pass), then reordered while in cache — about half the
            # cost of gathering the rows from the pool and scaling them
            src = self._base.X
            if out is None or not (isinstance(src, np.ndarray) and src.dtype == np.float64):
                X, y = self._block(lo, hi)
                return np.take(X, rows, axis=0), y[rows]
            X, y = self._block(lo, hi, out[0])
            Xs = out[1][:rows.size * X.shape[1]].reshape(rows.size, X.shape[1])
            return np.take(X, rows, axis=0, out=Xs, mode="clip"), y[rows]
        # some tasks removed: the kept rows gathered from the pool in the
        # order asked and scaled in place
        src = self._source_rows(lo + rows)
        base = self._base.X
        # np.take: twice as fast as fancy indexing for row gathers (numpy 2);
        # rows on disk (robust_mlr._disk) are gathered by their own reader
        X = np.take(base, src, axis=0) if isinstance(base, np.ndarray) else base[src]
        return scale_rows(X, self._sx, self._clip), self._gather_y(lo + rows, src)

    def _subsets(self, groups):
        """The subsets of the task index arrays ``groups`` in turn, gathered
        into one reused buffer (each is valid until the next is drawn): the
        regression filter's components cost one allocation, not one each."""
        if self._X is not None:
            yield from super()._subsets(groups)
            return
        groups = [np.asarray(idx, dtype=np.int64) for idx in groups]
        rows = [example_rows(self.offsets, idx) for idx in groups]
        # one buffer for every call inside the learner's regression block
        # (robust_mlr._scratch: a fresh one costs its page faults again)
        buf = _scratch.empty("subset_rows", (max((r.size for r in rows), default=0), self.dim),
                             self._base.X.dtype)
        for idx, r in zip(groups, rows):
            X = buf[:r.size]
            src = self._source_rows(r)
            if isinstance(self._base.X, np.ndarray):
                # mode="clip": the rows are in range by construction, and with
                # ``out`` numpy buffers the default mode's gather (an extra
                # copy of the component: 3-6x slower measured at 10^6 tasks)
                np.take(self._base.X, src, axis=0, out=X, mode="clip")
            else:                               # rows on disk (robust_mlr._disk)
                X[...] = self._base.X[src]
            sizes = self.offsets[idx + 1] - self.offsets[idx]
            off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
            comps = None if self.components is None else self.components[idx]
            yield MetaDataset._trusted(scale_rows(X, self._sx, self._clip),
                                       self._gather_y(r, src), off, comps)

    def subset(self, indices):
        """A plain meta-dataset of the given tasks, their rows gathered and
        scaled (the whole scaled X is not built)."""
        if self._X is not None:
            return super().subset(indices)
        idx = np.asarray(indices)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx.astype(np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_tasks):
            return super().subset(indices)              # the base class names the error
        rows = example_rows(self.offsets, idx)
        src = self._source_rows(rows)
        X = scale_rows(self._base.X[src], self._sx, self._clip)
        sizes = self.offsets[idx + 1] - self.offsets[idx]
        off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        comps = None if self.components is None else self.components[idx]
        return MetaDataset._trusted(X, self._gather_y(rows, src), off, comps)

    def _gather_y(self, rows, src):
        """Scaled responses of the kept rows ``rows`` (pool rows ``src``)."""
        if self._y is not None:
            return self._y[rows]
        src = self._source_rows(rows) if src is None else src
        return scale_rows(np.asarray(self._base.y[src], dtype=float), self._sy)
