"""A chunked directory seen as a meta-dataset whose rows stay on disk (private).

The robust learner of Kong, Somani, Kakade, Oh (NeurIPS 2020) reads its
light pools only through blocked passes (``MetaDataset._block``: task-aligned
blocks of about 4 MB of rows, :func:`robust_mlr._segments.task_blocks`),
through row gathers of chosen tasks (``subset``) and through strided or
blocked row slices of ``X`` (screening). :class:`DiskTasks` serves every one
of them from the files of a :class:`~robust_mlr.chunked.ChunkedMetaDataset`:

* ``X`` is a :class:`DiskRows`: ``X[a:b]`` reads rows ``a:b`` (across
  shards), ``X[idx]`` gathers rows by reading them window by window, and
  the whole N × d array is never built (``np.asarray(X)`` raises);
* ``y`` is a :class:`DiskValues`, read by rows like X (``y[a:b]``,
  ``y[idx]``); the task offsets (8 bytes a task) are read once and kept;
* per-task statistics a stage fills block by block (``_task_rows``: the
  filter PCA's n × d statistics) are a :class:`SpillRows`, written to an
  anonymous temporary file and read back by rows.

The stages then run unchanged on a pool larger than memory — the same
blocks in the same order with the same float64 values as in memory — so
the fit equals the in-memory fit bit for bit. Whitened covariates
(``x ↦ Σ̂^{-1/2} x``) are applied to every block read (``transform``).
"""

from __future__ import annotations

import os
import tempfile
import weakref

import numpy as np

from ._linalg import safe_product
from .data import MetaDataset

#: Rows read at once when gathering scattered rows.
GATHER_ROWS = 1 << 16


class DiskRows:
    """Rows of X of a chunked dataset, read on demand as float64.

    Parameters
    ----------
    source : ChunkedMetaDataset
    transform : ndarray (d, d), optional
        Every row read is returned as ``x @ transform``.
    """

    ndim = 2
    dtype = np.dtype(np.float64)
    itemsize = 8

    def __init__(self, source, transform=None):
        self.source, self.transform = source, transform
        self.shape = (source.n_examples, source.dim)
        self._read = source.read_rows
        self._starts = np.array([sh["examples"][0] for sh in source.manifest["shards"]]
                                + [source.n_examples], dtype=np.int64)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __len__(self):
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"the covariates of {self.source.path} stay on disk "
                        f"({self.shape[0]} x {self.shape[1]}); read them by rows")

    def _range(self, lo, hi):
        """Rows ``lo:hi`` (global), float64, transformed."""
        lo, hi = max(int(lo), 0), min(int(hi), self.shape[0])
        if hi <= lo:
            return np.empty((0,) + self.shape[1:])
        first = int(np.searchsorted(self._starts, lo, side="right")) - 1
        last = int(np.searchsorted(self._starts, hi, side="left")) - 1
        parts = [self._read(i, max(lo, self._starts[i]) - self._starts[i],
                                       min(hi, self._starts[i + 1]) - self._starts[i])
                 for i in range(first, last + 1)]
        X = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return X if self.transform is None else safe_product(X, self.transform)

    def _gather(self, idx):
        """Rows ``idx`` (any order), reading windows of :data:`GATHER_ROWS` rows."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.empty((idx.size,) + self.shape[1:])
        if idx.size == 0:
            return out
        if idx.min() < -self.shape[0] or idx.max() >= self.shape[0]:
            raise IndexError(f"row index out of range for {self.shape[0]} rows")
        idx = np.where(idx < 0, idx + self.shape[0], idx)
        order = np.argsort(idx, kind="stable")
        s = idx[order]
        win = s // GATHER_ROWS
        cuts = np.flatnonzero(np.diff(win)) + 1
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, s.size]):
            lo = int(s[a])
            out[order[a:b]] = self._range(lo, int(s[b - 1]) + 1)[s[a:b] - lo]
        return out

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows = self[key[0]]
            return rows[(slice(None),) + key[1:]]
        if isinstance(key, slice):
            lo, hi, step = key.indices(self.shape[0])
            if step == 1:
                return self._range(lo, hi)
            return self._gather(np.arange(lo, hi, step))
        if isinstance(key, (int, np.integer)):
            return self._gather([key])[0]
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (self.shape[0],):
                raise IndexError(f"boolean row mask of shape {key.shape} for "
                                 f"{self.shape[0]} rows")
            key = np.flatnonzero(key)
        return self._gather(key)


class DiskValues(DiskRows):
    """The responses of a chunked dataset, read on demand as float64 by
    rows (``y[a:b]``, ``y[idx]``) like :class:`DiskRows`: N floats, not held."""

    ndim = 1

    def __init__(self, source):
        super().__init__(source)
        self.shape = (source.n_examples,)
        self._read = source.read_y_rows

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"the responses of {self.source.path} stay on disk "
                        f"({self.shape[0]}); read them by rows")


class SpillRows(DiskRows):
    """An (n, d) float64 array written once, block by block, into an
    anonymous temporary file and then read by rows like :class:`DiskRows`
    (the per-task statistics of a pool whose rows stay on disk: n × d
    floats, more than the memory the fit is allowed).

    ``S[a:b] = block`` writes rows ``a:b``; ``S[a:b]``, ``S[idx]`` read them
    back (the same float64 values, bit for bit). The file is deleted when the
    array is."""

    def __init__(self, n, d):
        self.source, self.transform = None, None
        self.shape = (int(n), int(d))
        self._file = tempfile.TemporaryFile(prefix="robust-mlr-")
        # closed when the array goes (an unclosed file is a ResourceWarning)
        weakref.finalize(self, self._file.close)
        self._file.truncate(self.shape[0] * self.shape[1] * 8)

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"{self.shape[0]} x {self.shape[1]} rows spilled to a temporary "
                        "file; read them by rows")

    def __setitem__(self, key, value):
        lo, hi, step = key.indices(self.shape[0]) if isinstance(key, slice) else (0, 0, 0)
        if step != 1:
            raise TypeError("spilled rows are written by contiguous row slices")
        block = np.ascontiguousarray(np.broadcast_to(value, (hi - lo, self.shape[1])),
                                     dtype=np.float64)
        view, pos = memoryview(block).cast("B"), lo * self.shape[1] * 8
        while view.nbytes:
            done = os.pwrite(self._file.fileno(), view, pos)
            view, pos = view[done:], pos + done

    def _range(self, lo, hi):
        lo, hi = max(int(lo), 0), min(int(hi), self.shape[0])
        out = np.empty((max(hi - lo, 0), self.shape[1]))
        view, pos = memoryview(out).cast("B"), lo * self.shape[1] * 8
        while view.nbytes:
            done = os.preadv(self._file.fileno(), [view], pos)
            if done <= 0:
                raise OSError("temporary file of spilled rows ended early")
            view, pos = view[done:], pos + done
        return out


class DiskTasks(MetaDataset):
    """A :class:`~robust_mlr.chunked.ChunkedMetaDataset` as a meta-dataset
    whose covariates stay on disk (``X`` is a :class:`DiskRows`; ``y`` and
    the offsets are held; ``y`` is a :class:`DiskValues`).

    Parameters
    ----------
    source : ChunkedMetaDataset
    transform : ndarray (d, d), optional
        Covariates read as ``x @ transform``.
    """

    def __init__(self, source, transform=None, *, _yo=None):
        self.source = source
        self.X = DiskRows(source, transform)
        self.y, self.offsets = (DiskValues(source), source.read_offsets()) if _yo is None \
            else _yo
        self.components = None

    def _task_rows(self, d):
        """Per-task statistics (n × d floats) spill to a temporary file."""
        return SpillRows(self.n_tasks, d)

    def _example_rows(self, d):
        """Per-example statistics (N × d floats) spill to a temporary file."""
        return SpillRows(self.n_examples, d)

    def transformed(self, matrix):
        """The same tasks with covariates ``x @ matrix`` (after any transform)."""
        t = self.X.transform
        return DiskTasks(self.source, matrix if t is None else t @ matrix,
                         _yo=(self.y, self.offsets))

    def __repr__(self):
        return f"DiskTasks({str(self.source.path)!r}, n_tasks={self.n_tasks}, d={self.dim})"
