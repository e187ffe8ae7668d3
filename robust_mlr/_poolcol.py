"""Pools named by a column of the user's file (``robust-mlr fit --pool-col``).

The column's value on each row says which pool of Kong, Somani, Song,
Kakade and Oh (ICML 2020) its task belongs to: ``light1`` (the subspace
stage), ``heavy`` (clustering) or ``light2`` (classification and
refinement). Every row of a task carries the same value; the column is not
a feature.
"""

from __future__ import annotations

import numpy as np

from .exceptions import ValidationError

__all__ = ["POOL_VALUES", "cut_by_column", "pools_of_tasks"]

#: The values a pool column may hold, in the order of :class:`Pools`.
POOL_VALUES = ("light1", "heavy", "light2")


def pools_of_tasks(path, col, ids, values, where):
    """Each task's pool, from the per-row task ids and pool values.

    Parameters
    ----------
    path : Path
        The file read, named in errors.
    col : str
        The pool column's name.
    ids, values : ndarray of str
        Per row: its task id and its pool column's value (stripped).
    where : callable
        ``where(row)``: how an error names data row ``row`` (0-based), e.g.
        ``"line 40"`` for a CSV file.

    Returns
    -------
    ndarray of int
        Per task, in order of first appearance: the index of its pool in
        :data:`POOL_VALUES`.

    Raises
    ------
    ValidationError
        A value that is no pool (naming it, its row and the allowed ones),
        or a task whose rows name different pools (naming the task).
    """
    codes = np.full(values.shape, -1)
    for i, name in enumerate(POOL_VALUES):
        codes[values == name] = i
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        row = int(bad[0])
        raise ValidationError(f"{path}, {where(row)}, column {col!r}: {str(values[row])!r} "
                              f"is not a pool; the pool column holds {', '.join(POOL_VALUES)}")
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    low = np.full(first.size, len(POOL_VALUES))
    high = np.full(first.size, -1)
    np.minimum.at(low, inverse, codes)
    np.maximum.at(high, inverse, codes)
    mixed = np.flatnonzero(low != high)
    if mixed.size:                         # the one that appears first in the file
        task = mixed[np.argmin(first[mixed])]
        rows = np.flatnonzero(inverse == task)
        other = rows[np.flatnonzero(codes[rows] != codes[rows[0]])[0]]
        raise ValidationError(f"{path}, column {col!r}: task {ids[rows[0]]} has rows in "
                              f"pool {values[rows[0]]} ({where(int(rows[0]))}) and in pool "
                              f"{values[other]} ({where(int(other))}); every row of a task "
                              f"needs the same pool")
    return low[np.argsort(first)]


def cut_by_column(data, pools, labels, path, col):
    """``data``'s light1, heavy and light2 tasks, as ``pools`` (from
    :func:`pools_of_tasks`) says; each pool must hold a task, and each
    light1 and heavy task (``labels``: the task ids) two examples."""
    sizes = np.bincount(pools, minlength=len(POOL_VALUES))
    if not sizes.all():
        lack = [n for n, s in zip(POOL_VALUES, sizes) if s == 0]
        raise ValidationError(f"{path}, column {col!r}: no task in pool(s) "
                              f"{', '.join(lack)}; every pool needs at least one task")
    # the subspace stage splits each light1 task in two, the clustering each heavy task
    for i, stage in ((0, "the subspace stage"), (1, "the clustering stage")):
        small = np.flatnonzero((pools == i) & (data.sizes < 2))
        if small.size:
            raise ValidationError(f"{path}, column {col!r}: task {labels[small[0]]} is in pool "
                                  f"{POOL_VALUES[i]} with 1 example; {stage} splits every "
                                  f"{POOL_VALUES[i]} task in two, so they need 2 or more")
    return tuple(data.subset(np.flatnonzero(pools == i)) for i in range(len(POOL_VALUES)))

