"""Reading a user's Parquet file of tasks (``robust-mlr fit | predict
DATA.parquet``): the columns of a CSV file (a task-id column, a response
column, every other column a feature, optionally a pool column), checked the
same way, each error naming the file, the column and the row.

The file is read one record batch at a time (``ParquetFile.iter_batches``,
only the columns used), each batch's numbers copied into one float64 array
of the whole file sized from the file's metadata: what is held at once is
that array (8 bytes per feature and response value), the task ids (and pool
values) as strings, and one batch in Arrow form.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._tables import table_features, tasks_of_rows
from .exceptions import ValidationError

__all__ = ["pandas_index", "read_parquet"]

#: Rows per record batch read.
_BATCH_ROWS = 1 << 16


def read_parquet(path, task_col, y_col, pool_col=None, skip=()):
    """A Parquet file of tasks, read and checked.

    Parameters
    ----------
    path : str or Path
    task_col, y_col : str
        Names of the task-id and response columns; every other column is a
        feature (a number: integer, floating point or boolean), but the
        index columns pandas' metadata declares (:func:`pandas_index`).
    pool_col : str, optional
        A column naming each row's pool (``light1``, ``heavy``, ``light2``;
        the same on every row of a task); not a feature.
    skip : tuple of str
        Columns that are not features, not read, and may be absent.

    Returns
    -------
    data : MetaDataset
        Tasks in order of first appearance.
    labels : ndarray of str
        The task ids, in the dataset's order.
    features : list of str
        The feature columns' names, in the order of the file's columns.
    pools : ndarray of int or None
        With ``pool_col``: each task's pool, as an index into
        ``POOL_VALUES`` (``light1``, ``heavy``, ``light2``).

    Raises
    ------
    ValidationError
        Naming the file and, where one is at fault, its column and row
        (counted from 1); a file that is not Parquet (or is truncated) in
        one line naming it; pyarrow missing, naming the extra to install.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ValidationError(f"{path}: reading Parquet needs pyarrow: pip install "
                              f"'robust-mlr[parquet]'") from None
    path = Path(path)
    try:
        pf = pq.ParquetFile(path, pre_buffer=False)    # a row group at a time, not all
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise ValidationError(_not_parquet(path, exc)) from None
    header = list(schema.names)
    feats = table_features(path, header, task_col, y_col, pool_col, skip,
                           declared=pandas_index(schema))
    cols = feats + [y_col]
    for name in cols:
        kind = schema.field(name).type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_boolean(kind)):
            hint = ("; every column but the task-id and response columns is a feature: "
                    "remove a column that is not one" if name != y_col else "")
            raise ValidationError(f"{path}, column {name!r}: values of type {kind}, not "
                                  f"numbers{hint}")
    n = pf.metadata.num_rows
    if n == 0:
        raise ValidationError(f"{path}: no data rows")
    num = np.empty((n, len(cols)))
    ids = np.empty(n, dtype=object)
    pool = np.empty(n, dtype=object) if pool_col is not None else None
    read = [task_col, *cols] + ([pool_col] if pool_col is not None else [])
    start = 0
    try:
        for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=read):
            stop = start + batch.num_rows
            for j, name in enumerate(cols):
                column = batch.column(name)
                if column.null_count:
                    row = start + int(np.flatnonzero(column.is_null().to_numpy(
                        zero_copy_only=False))[0])
                    raise ValidationError(f"{path}, row {row + 1}, column {name!r}: missing "
                                          f"value (null); every cell needs a number")
                num[start:stop, j] = column.to_numpy(zero_copy_only=False)
            ids[start:stop] = _strings(path, batch.column(task_col), task_col, start, pa)
            if pool is not None:
                pool[start:stop] = _strings(path, batch.column(pool_col), pool_col, start, pa,
                                             "its task's pool")
            start = stop
    except (pa.ArrowException, OSError) as exc:
        raise ValidationError(_not_parquet(path, exc)) from None
    data, labels, pools = tasks_of_rows(path, num, ids.astype(str), cols, task_col,
                                        lambda row: f"row {row + 1}", pool_col,
                                        None if pool is None else pool.astype(str))
    return data, labels, feats, pools


def pandas_index(schema):
    """The columns a Parquet file's pandas metadata names its index (a
    ``DataFrame.to_parquet`` of an index other than 0, 1, 2, ... writes it
    as a column, ``__index_level_0__`` when unnamed); a range index, kept
    in the metadata only, is no column."""
    try:
        meta = schema.pandas_metadata or {}
    except ValueError:                      # metadata that is not JSON: no declared index
        return ()
    index = meta.get("index_columns", ()) if isinstance(meta, dict) else ()
    return tuple(c for c in index if isinstance(c, str)) if isinstance(index, list) else ()


def _strings(path, column, name, start, pa, need="its task's id"):
    """A batch's task-id or pool column as strings (a null is an empty
    task id, named by its row)."""
    if column.null_count:
        row = start + int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValidationError(f"{path}, row {row + 1}, column {name!r}: missing value (null); "
                              f"every row needs {need}")
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    return column.to_numpy(zero_copy_only=False)


def _not_parquet(path, exc):
    """The one-line message for a file that pyarrow cannot read."""
    said = " ".join(str(exc).split()) or type(exc).__name__
    return (f"{path}: not a readable Parquet file ({said}); a file named *.parquet must be "
            f"one, whole")
