"""Ragged multi-task data: :class:`MetaDataset` and the three :class:`Pools`.

A meta-dataset stores all examples of all tasks in one concatenated array
``X`` (N × d) and ``y`` (N,), with ``offsets`` (n + 1,) such that task ``i``
owns rows ``offsets[i]:offsets[i + 1]``. Per-task reductions use
:func:`numpy.add.reduceat` over those offsets, so no stage loops over tasks
in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _pages
from ._advice import suggest_heavy_min_size
from ._npzfile import load_npz
from ._validation import check_array, check_int, check_real, check_rng
from .exceptions import ValidationError

__all__ = ["MetaDataset", "Pools"]


class MetaDataset:
    """A collection of regression tasks of varying sizes.

    Parameters
    ----------
    X : array_like, shape (N, d)
        All covariates, tasks concatenated.
    y : array_like, shape (N,)
        All responses.
    offsets : array_like of int, shape (n + 1,)
        Task boundaries: ``offsets[0] == 0``, ``offsets[-1] == N`` and every
        task has at least one example.
    components : array_like of int, shape (n,), optional
        True component of each task, when known (synthetic data); ``-1``
        marks a task with no true component (e.g. written by an adversary).

    Examples
    --------
    >>> import numpy as np
    >>> ds = MetaDataset.from_tasks([(np.ones((2, 3)), np.zeros(2)),
    ...                              (np.ones((1, 3)), np.ones(1))])
    >>> ds.n_tasks, ds.dim, ds.sizes.tolist()
    (2, 3, [2, 1])
    """

    def __init__(self, X, y, offsets, components=None):
        X = check_array(X, "X", ndim=2)
        y = check_array(y, "y", ndim=1)
        if y.shape[0] != X.shape[0]:
            raise ValidationError(
                f"y has {y.shape[0]} entries but X has {X.shape[0]} rows")
        off = np.asarray(offsets)
        if off.ndim != 1 or off.size < 1 or not np.issubdtype(off.dtype, np.integer):
            raise ValidationError(f"offsets must be a 1-D integer array, got {off!r:.80}")
        off = off.astype(np.int64)
        if off[0] != 0 or off[-1] != X.shape[0]:
            raise ValidationError(
                f"offsets must start at 0 and end at N={X.shape[0]}, got "
                f"{off[0]} and {off[-1]}")
        sizes = np.diff(off)
        if sizes.size and sizes.min() < 1:
            bad = int(np.argmin(sizes))
            raise ValidationError(
                f"task {bad} has t_i={int(sizes[bad])} examples; every task needs t_i >= 1")
        self.X, self.y, self.offsets = X, y, off
        if components is not None:
            components = np.asarray(components, dtype=np.int64)
            if components.shape != (sizes.size,):
                raise ValidationError(
                    f"components has shape {components.shape}; expected ({sizes.size},)")
        self.components = components

    @classmethod
    def _trusted(cls, X, y, offsets, components=None):
        """A meta-dataset from arrays already checked (an internal subset, a
        scaled or whitened copy): the data are validated once, at the edge,
        not again by every stage that takes a subset."""
        out = cls.__new__(cls)
        out.X, out.y, out.offsets, out.components = X, y, offsets, components
        return out

    # ------------------------------------------------------------------ basics
    @property
    def n_tasks(self):
        """Number of tasks n."""
        return self.offsets.size - 1

    @property
    def n_examples(self):
        """Total number of examples N."""
        return self.X.shape[0]

    @property
    def dim(self):
        """Dimension d of the covariates."""
        return self.X.shape[1]

    @property
    def sizes(self):
        """Array of task sizes t_i."""
        return np.diff(self.offsets)

    @property
    def task_index(self):
        """Task id of every example, shape (N,)."""
        return np.repeat(np.arange(self.n_tasks), self.sizes)

    def __len__(self):
        return self.n_tasks

    def __repr__(self):
        s = self.sizes
        rng = f"{s.min()}..{s.max()}" if s.size else "-"
        return f"MetaDataset(n_tasks={self.n_tasks}, d={self.dim}, t={rng}, N={self.n_examples})"

    def task(self, i):
        """Views ``(X_i, y_i)`` of task ``i`` (no copy)."""
        i = check_int(i, "i", min_val=-self.n_tasks, max_val=self.n_tasks - 1) % self.n_tasks
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.X[a:b], self.y[a:b]

    def __iter__(self):
        for i in range(self.n_tasks):
            yield self.task(i)

    def _block(self, lo, hi, out=None):
        """Rows ``lo:hi`` as ``(X, y)`` (views here; a screened pool scales
        them on the fly, :class:`robust_mlr._scaled.ScaledTasks`, into the
        buffer ``out`` if given): the blocked passes read a pool through this."""
        return self.X[lo:hi], self.y[lo:hi]

    def _block_y(self, lo, hi):
        """Responses ``lo:hi`` (as :meth:`_block` reads them, without X)."""
        return self.y[lo:hi]

    def _block_rows(self, lo, hi, rows, out=None):
        """Rows ``lo:hi`` taken in the order ``rows`` (indices within the
        block) as fresh arrays ``(X, y)``: one gather, which a screened pool
        scales in place (the same values as the block's, reordered);
        ``out``: two float64 buffers a pass reuses (X is a view of one)."""
        X, y = self._block(lo, hi)
        if out is None or X.dtype != np.float64:
            return np.take(X, rows, axis=0), y[rows]
        Xs = out[1][:rows.size * X.shape[1]].reshape(rows.size, X.shape[1])
        return np.take(X, rows, axis=0, out=Xs, mode="clip"), y[rows]

    # --------------------------------------------------------------- selecting
    def subset(self, indices):
        """A new meta-dataset of the given tasks (a boolean mask or indices).

        A contiguous range returns views of the arrays; otherwise rows are
        gathered once with a single fancy index.
        """
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (self.n_tasks,):
                raise ValidationError(
                    f"boolean indices have shape {idx.shape}; expected ({self.n_tasks},)")
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_tasks):
            raise ValidationError(f"task indices must lie in [0, {self.n_tasks}), got "
                                  f"min {idx.min()} max {idx.max()}")
        sizes = self.offsets[idx + 1] - self.offsets[idx]      # no sizes of every task
        new_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        comps = None if self.components is None else self.components[idx]
        if idx.size and np.all(np.diff(idx) == 1):
            a, b = self.offsets[idx[0]], self.offsets[idx[-1] + 1]
            return MetaDataset._trusted(self.X[a:b], self.y[a:b], new_off, comps)
        rows = example_rows(self.offsets, idx)
        return MetaDataset._trusted(self.X[rows], self.y[rows], new_off, comps)

    def _task_rows(self, d):
        """An (n, d) array for per-task statistics filled block by block (in
        memory here; a pool whose rows stay on disk spills it to a file,
        :mod:`robust_mlr._disk`; on plain pages, :mod:`robust_mlr._pages`)."""
        return _pages.empty((self.n_tasks, d))

    def _example_rows(self, d):
        """An (N, d) array for per-example statistics filled block by block
        (in memory here, on plain pages: :mod:`robust_mlr._pages`; spilled
        to a file for rows on disk)."""
        return _pages.empty((self.n_examples, d))

    @property
    def _row_bytes(self):
        """Bytes of one example row (x and y) as the blocked passes read it."""
        return self.y.itemsize * self.dim

    def _subsets(self, groups):
        """:meth:`subset` of each task index array of ``groups`` in turn (a
        screened pool reuses one buffer, :class:`robust_mlr._scaled.ScaledTasks`)."""
        for idx in groups:
            yield self.subset(idx)

    def select_by_size(self, min_size=1, max_size=None):
        """Tasks with ``min_size <= t_i <= max_size``, and their indices."""
        s = self.sizes
        mask = s >= min_size
        if max_size is not None:
            mask &= s <= max_size
        idx = np.flatnonzero(mask)
        return self.subset(idx), idx

    # ---------------------------------------------------------- construction
    @classmethod
    def from_tasks(cls, tasks, components=None):
        """Build from a sequence of ``(X_i, y_i)`` pairs."""
        tasks = list(tasks)
        if not tasks:
            raise ValidationError("tasks is empty; need at least one (X_i, y_i) pair")
        Xs, ys = [], []
        d = None
        for i, (Xi, yi) in enumerate(tasks):
            given = (np.shape(Xi), np.shape(yi))
            check_real(Xi, f"task {i}: X_i")
            check_real(yi, f"task {i}: y_i")
            Xi = np.atleast_2d(np.asarray(Xi, dtype=float))    # a 1-D X_i: one example
            yi = np.atleast_1d(np.asarray(yi, dtype=float))
            if d is None:
                d = Xi.shape[1]
            if Xi.ndim != 2 or Xi.shape[1] != d or yi.shape != (Xi.shape[0],):
                raise ValidationError(
                    f"task {i}: X_i has shape {given[0]} and y_i {given[1]}; expected "
                    f"(t_i, {d}) and (t_i,)")
            Xs.append(Xi)
            ys.append(yi)
        sizes = [len(v) for v in ys]
        return cls(np.vstack(Xs), np.concatenate(ys),
                   np.concatenate([[0], np.cumsum(sizes)]), components)

    @classmethod
    def from_arrays(cls, X, y, task_ids):
        """Build from flat arrays and a task-id column (any hashable labels).

        Tasks are ordered by first appearance; examples keep their order.
        A NaN label (a missing task id) is refused, not made one task.
        """
        X = check_array(X, "X", ndim=2)
        y = check_array(y, "y", ndim=1)
        ids = np.asarray(task_ids)
        if y.shape[0] != X.shape[0]:
            raise ValidationError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows; "
                                  "need one response per row")
        if ids.shape != y.shape:
            raise ValidationError(f"task_ids has shape {ids.shape}; expected {y.shape}")
        if ids.dtype.kind in "fc" and not np.all(np.isfinite(ids)):
            # NaN labels would all be one task (np.unique treats them as equal)
            bad = int(np.flatnonzero(~np.isfinite(ids))[0])
            raise ValidationError(f"task_ids holds {ids[bad]} at index {bad} (a missing "
                                  f"label?); every example needs its task's label")
        try:
            _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        except TypeError:           # e.g. None among the labels: they cannot be ordered
            kinds = sorted({type(v).__name__ for v in ids.ravel()})
            raise ValidationError(f"task_ids must be labels of one kind that sort (numbers or "
                                  f"strings), got {', '.join(kinds)}") from None
        order_of_label = np.argsort(np.argsort(first))      # label -> appearance rank
        task = order_of_label[inverse.ravel()]
        perm = np.argsort(task, kind="stable")
        counts = np.bincount(task)
        return cls(X[perm], y[perm], np.concatenate([[0], np.cumsum(counts)]))

    # ------------------------------------------------------------------- disk
    def save(self, path):
        """Write to a compressed ``.npz`` archive at exactly ``path``.

        Unlike ``numpy.savez``, no ``.npz`` suffix is added, so ``save(p)``
        then :meth:`load` of the same ``p`` reads this file whatever its name
        (``"exp.v2"`` stays ``"exp.v2"``).

        Parameters
        ----------
        path : str or Path
            The file to write. An existing file is replaced atomically: the
            archive is written to a temporary file in the same folder,
            flushed to disk and renamed over ``path``, so a process killed
            during the save leaves the old file or the new one, never a
            truncated mix.
        """
        from .engine._files import atomic_write
        arrays = dict(X=self.X, y=self.y, offsets=self.offsets)
        if self.components is not None:
            arrays["components"] = self.components
        with atomic_write(path) as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load(cls, path):
        """Read the file :meth:`save` wrote at exactly ``path``.

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        MetaDataset

        Raises
        ------
        FileNotFoundError
            No file at ``path`` (the message points to ``path + ".npz"`` when
            that exists: older versions appended the suffix on save).
        ValidationError
            The file is not a dataset :meth:`save` wrote, or is damaged
            (empty, truncated, corrupted, missing arrays, inconsistent
            arrays); the message names ``path`` and what is wrong.
        """
        path = Path(path)
        if not path.exists():
            hint = Path(f"{path}.npz")
            raise FileNotFoundError(
                2, "no dataset file" + (f"; did you mean {hint}?" if hint.exists() else ""),
                str(path))
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder, not a dataset file", str(path))
        return load_npz(cls, path)

    def split_query(self):
        """Hold out the last example of every task as a query.

        Returns
        -------
        support : MetaDataset
            The remaining examples (every task needs t_i >= 2).
        X_query : ndarray (n, d)
        y_query : ndarray (n,)
        """
        if self.sizes.min() < 2:
            bad = int(np.argmin(self.sizes))
            raise ValidationError(f"split_query needs t_i >= 2 but task {bad} has "
                                  f"t_i={int(self.sizes[bad])}")
        last = self.offsets[1:] - 1
        keep = np.ones(self.n_examples, bool)
        keep[last] = False
        support = MetaDataset(self.X[keep], self.y[keep],
                              self.offsets - np.arange(self.n_tasks + 1), self.components)
        return support, self.X[last], self.y[last]

    # ------------------------------------------------------------ reductions
    def require_sizes(self, min_size, reason):
        """Raise :class:`ValidationError` naming the smallest task if some task
        has fewer than ``min_size`` examples; ``reason`` says who needs them."""
        s = self.sizes
        if s.size and s.min() < min_size:
            bad = int(np.argmin(s))
            raise ValidationError(f"{reason}, but task {bad} has t_i={int(s[bad])} < "
                                  f"{min_size} examples")

    def chunk_means(self, n_chunks, stage="this stage", values=None):
        """Per-task means of ``y·x`` (or of ``values``) over ``n_chunks`` contiguous chunks.

        Returns an array of shape (n_chunks, n, d): entry ``[g, i]`` is the
        mean of ``y_ij x_ij`` over the g-th chunk of task i. Chunks of a task
        of size t are the position ranges ``[floor(g t / G), floor((g+1) t / G))``
        and are disjoint, so chunk means of one task are independent.
        ``values`` (N, m), if given, replaces ``y·x`` (e.g. projected
        ``y·Uᵀx``, so that no N × d temporary is built); the result is then
        (n_chunks, n, m).

        Raises
        ------
        ValidationError
            If some task has fewer than ``n_chunks`` examples.
        """
        G = check_int(n_chunks, "n_chunks", min_val=1)
        self.require_sizes(G, f"{stage} splits every task into {G} chunks")
        s = self.sizes
        starts = self.offsets[:-1, None] + (np.arange(G)[None, :] * s[:, None]) // G
        ends = self.offsets[:-1, None] + (np.arange(1, G + 1)[None, :] * s[:, None]) // G
        yx = self.X * self.y[:, None] if values is None else values
        sums = np.add.reduceat(yx, starts.ravel(), axis=0).reshape(self.n_tasks, G, -1)
        sums /= (ends - starts)[..., None]
        return np.ascontiguousarray(np.transpose(sums, (1, 0, 2)))

    def task_sums(self, values):
        """Sum an (N, ...) per-example array over each task -> (n, ...)."""
        values = np.asarray(values)
        return np.add.reduceat(values, self.offsets[:-1], axis=0)


def example_rows(offsets, idx):
    """Row indices of all examples of tasks ``idx`` (vectorised)."""
    sizes = offsets[idx + 1] - offsets[idx]
    total = int(sizes.sum())
    starts = np.repeat(offsets[idx], sizes)
    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return starts + within


@dataclass
class Pools:
    """The three pools of Kong et al. (ICML 2020; NeurIPS 2020): light ``light1`` (subspace), ``heavy``
    (clustering) and light ``light2`` (classification and refinement).

    Attributes
    ----------
    light1, heavy, light2 : MetaDataset
    masks : dict
        Optional per-pool boolean masks of corrupted tasks (set by an
        adversary), keyed by pool name.
    """

    light1: MetaDataset
    heavy: MetaDataset
    light2: MetaDataset
    masks: dict = field(default_factory=dict)

    names = ("light1", "heavy", "light2")

    def __post_init__(self):
        for n in self.names:
            pool = getattr(self, n)
            if not isinstance(pool, MetaDataset):
                raise ValidationError(f"pool {n} must be a MetaDataset, got "
                                      f"{type(pool).__name__}")
            if pool.n_tasks == 0:
                raise ValidationError(f"pool {n} is empty (0 tasks); every pool needs "
                                      "at least one task")
        dims = {n: getattr(self, n).dim for n in self.names}
        if len(set(dims.values())) != 1:
            raise ValidationError(f"pools have different dimensions {dims}")

    @property
    def dim(self):
        """Common dimension d."""
        return self.light1.dim

    def __getitem__(self, name):
        if name not in self.names:
            raise KeyError(f"unknown pool {name!r}; pools are {self.names}")
        return getattr(self, name)

    def replace(self, **pools):
        """A copy with some pools replaced (masks carried over and updated)."""
        kw = {n: pools.get(n, getattr(self, n)) for n in self.names}
        return Pools(**kw, masks=dict(self.masks))

    @classmethod
    def from_dataset(cls, data, heavy_min_size, rng=None):
        """Cut one meta-dataset into pools by task size.

        Tasks with ``t_i >= heavy_min_size`` form the heavy pool; the light
        tasks of two or more examples are split at random into two halves
        for ``light1`` and ``light2`` (the two light stages need independent
        data), and light tasks of one example join ``light2``: the subspace
        stage splits every task in two, classification needs one example.
        """
        heavy_min_size = check_int(heavy_min_size, "heavy_min_size", min_val=1)
        return cls(*_cut_by_size(data, heavy_min_size, check_rng(rng),
                                f"heavy_min_size={heavy_min_size}"))


def _cut_by_size(data, heavy_min_size, rng, said):
    """The light1, heavy and light2 subsets of :meth:`Pools.from_dataset`;
    ``said`` names the threshold in errors as the caller's user wrote it
    (``heavy_min_size=20`` in Python, ``--heavy-min-size 20`` on the command
    line)."""
    if not isinstance(data, MetaDataset):
        raise ValidationError(f"data must be a MetaDataset, got {type(data).__name__}")
    s = data.sizes
    if s.size == 0:
        raise ValidationError(f"{said}: the meta-dataset has no tasks to cut into pools")
    heavy = np.flatnonzero(s >= heavy_min_size)
    light = np.flatnonzero(s < heavy_min_size)
    if heavy.size == 0 or light.size < 2:
        hint = suggest_heavy_min_size(s)
        raise ValidationError(
            f"{said} leaves {heavy.size} heavy and {light.size} light tasks (task sizes "
            f"{int(s.min())}..{int(s.max())}); need at least 1 heavy and 2 light tasks"
            + (f" (the sizes' widest gap suggests {re.sub(r'[0-9.]+$', str(hint), said)})"
               if hint else ""))
    light = rng.permutation(light)
    split = light[s[light] >= 2]
    half = split.size // 2
    if half == 0:
        raise ValidationError(
            f"{said} leaves {split.size} light tasks of two or more examples; the subspace "
            "stage (light1) needs at least 2")
    return (data.subset(np.sort(split[:half])), data.subset(heavy),
            data.subset(np.sort(np.r_[split[half:], light[s[light] < 2]])))

