"""What the CSV and Parquet readers share (private): the header's columns
named and checked, and the per-row values made into tasks.

A table holds one row per example: a task-id column, a response column,
optionally a pool column (:mod:`._poolcol`), and every other column a
feature.
"""

from __future__ import annotations

import re

import numpy as np

from ._argtypes import closest
from ._poolcol import pools_of_tasks
from .exceptions import ValidationError

__all__ = ["index_columns", "table_features", "tasks_of_rows", "unnamed"]


def table_features(path, header, task_col, y_col, pool_col, skip, in_header="",
                   layout_hint=None, declared=()):
    """The feature columns of a table's header, in the header's order: every
    column but the task-id, response and pool columns, ``skip`` and the
    columns of a row index (:func:`index_columns`).

    Parameters
    ----------
    path : Path
        The file read, named in errors.
    header : list of str
    task_col, y_col, pool_col : str (pool_col may be None)
    skip : tuple of str
        Columns that are not features and may be absent.
    in_header : str
        Said after "appear more than once" (" in the header" for a CSV file).
    layout_hint : callable, optional
        ``layout_hint(header)``: a hint for a missing column that explains
        the whole header (a CSV file with another separator), or None.
    declared : tuple of str
        Index columns the file declares (:func:`index_columns`).

    Returns
    -------
    list of str

    Raises
    ------
    ValidationError
        A column without a name past the first (named by its position), a
        repeated column name, a missing task-id, response or pool column
        (with the closest name), or no feature column.
    """
    named = (task_col, y_col, pool_col)
    index = index_columns(header, named, declared)
    blank = [j for j, h in enumerate(header)
             if unnamed(h) and j not in index and h not in named]
    if blank:                           # a feature named '' would be fitted without a word
        j = blank[0]
        if header[j] != "":
            raise ValidationError(f"{path}: column {j + 1} of {len(header)} is named "
                                  f"{header[j]!r}, pandas' name for a column without one (a "
                                  f"second row index, if the file was read without "
                                  f"index_col=0 and written with its index): read it with "
                                  f"pd.read_csv(f, index_col=0) or write it with index=False, "
                                  f"or name the column to fit it as a feature")
        raise ValidationError(f"{path}: column {j + 1} of {len(header)} has no name in the "
                              f"header; give it a name (it is then a feature: every column "
                              f"but the task-id, response and pool columns is one) or remove "
                              f"it (only a first column without a name, a row index as "
                              f"pandas' DataFrame.to_csv writes it, is skipped)")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise ValidationError(f"{path}: column name(s) {', '.join(map(repr, twice))} appear "
                              f"more than once{in_header}; each column needs its own name")
    roles = (("task-id", task_col), ("response", y_col)) + ((("pool", pool_col),)
                                                           if pool_col is not None else ())
    for role, col in roles:
        if col not in header:
            hint = layout_hint(header) if layout_hint is not None else None
            if not hint:
                close = closest(col, header)
                hint = f" (did you mean {close!r}?)" if close else ""
            raise ValidationError(f"{path}: no {role} column {col!r}; the columns are "
                                  f"{', '.join(header)}{hint}")
    others = (task_col, y_col, pool_col, *skip)
    feats = [h for j, h in enumerate(header) if h not in others and j not in index]
    if not feats:
        said = ", ".join(repr(c) for c in others if c in header)
        raise ValidationError(f"{path}: no feature column besides {said}")
    return feats


def unnamed(name):
    """Whether a column name is the mark of a column without one: empty, or
    ``'Unnamed: N'``, the name pandas' ``read_csv`` gives it (a CSV read and
    written again by pandas keeps its row index under that name)."""
    return name == "" or re.fullmatch(r"Unnamed: \d+", name) is not None


def index_columns(header, roles=(), declared=()):
    """The positions of the columns of ``header`` that hold a row index, not
    a feature: a first column without a name (the index pandas'
    ``DataFrame.to_csv`` writes, a row number; or named ``'Unnamed: 0'``,
    as it is once pandas has read and written the file again) and the columns in
    ``declared`` (those a Parquet file's pandas metadata names its index,
    ``__index_level_0__`` for the index ``DataFrame.to_parquet`` writes).
    A column an option gives a role (task id, response, pool) keeps it.

    Parameters
    ----------
    header : list of str
    roles : tuple of str
        The task-id, response and pool columns' names.
    declared : tuple of str
        Names of index columns the file declares.

    Returns
    -------
    list of int
    """
    return [j for j, h in enumerate(header) if h not in roles
            and ((j == 0 and unnamed(h)) or (h != "" and h in declared))]


def tasks_of_rows(path, num, ids, names, task_col, where, pool_col=None, pool=None):
    """The meta-dataset of a table read by rows (CSV or Parquet): its values
    checked finite and its task ids non-empty, the tasks in order of first
    appearance and, with a pool column, each task's pool.

    Parameters
    ----------
    path : Path
        The file read, named in errors.
    num : ndarray (N, p + 1)
        Per row the features, then the response.
    ids : ndarray of str (N,)
        Per row its task id.
    names : list of str
        The columns of ``num``, named in errors.
    task_col : str
    where : callable
        ``where(row)``: how an error names data row ``row`` (0-based).
    pool_col : str, optional
    pool : ndarray of str (N,), optional
        Per row its pool column's value.

    Returns
    -------
    data : MetaDataset
    labels : ndarray of str
        The task ids, in the dataset's order.
    pools : ndarray of int or None
        :func:`pools_of_tasks` with a pool column.
    """
    from .data import MetaDataset
    bad = ~np.isfinite(num)
    if bad.any():
        row, j = np.argwhere(bad)[0]
        raise ValidationError(f"{path}, {where(row)}, column {names[j]!r}: {num[row, j]} is "
                              f"not a finite number")
    empty = np.flatnonzero(np.char.str_len(np.char.strip(ids)) == 0)
    if empty.size:                         # every empty cell would be one task ""
        raise ValidationError(f"{path}, {where(empty[0])}, column {task_col!r}: empty task "
                              f"id; every row needs its task's id")
    data = MetaDataset.from_arrays(num[:, :-1], num[:, -1], ids)
    _, first = np.unique(ids, return_index=True)
    pools = None if pool_col is None else pools_of_tasks(path, pool_col, ids,
                                                         np.char.strip(pool), where)
    return data, ids[np.sort(first)], pools
