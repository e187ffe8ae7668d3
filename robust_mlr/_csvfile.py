"""Reading a user's CSV file of tasks (``robust-mlr fit | predict DATA.csv``).

The file has a header row, a task-id column, a response column and feature
columns, separated by commas (fields optionally in double quotes, as
spreadsheets write them). Every way a file can be wrong ends in one
:class:`ValidationError` naming the file line and, for a cell, its column: a
row of the wrong width, a cell that is not a finite number, a repeated column
name, text that is not UTF-8.

The rows are parsed in one pass by ``pyarrow.csv`` where pyarrow is
installed (the ``parquet`` extra) and the file is plain: no double quote, no
NUL byte, no line ended by a carriage return alone. numpy's reader (a check
of the rows' widths, then ``numpy.loadtxt`` for the numbers and for the text
columns) reads every other file, any file pyarrow refuses (so each error is
reported by the same numpy code, in the same words), and every file without
pyarrow. Both accept the same numbers (``1e5``, ``.5``, ``nan``, ``inf``,
blanks around a number) and round them alike; numpy's ``loadtxt`` takes
≈ 5 s per 10⁶ rows at d = 16, pyarrow ≈ 1.5 s.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np

from ._tables import table_features, tasks_of_rows
from .exceptions import ValidationError

__all__ = ["read_csv"]


def read_csv(path, task_col, y_col, pool_col=None, skip=()):
    """A CSV file of tasks, read and checked.

    Parameters
    ----------
    path : str or Path
    task_col, y_col : str
        Names of the task-id and response columns; every other column is a
        feature, but a first column without a name (a row index, skipped).
    pool_col : str, optional
        A column naming each row's pool (``light1``, ``heavy``, ``light2``;
        the same on every row of a task); not a feature.
    skip : tuple of str
        Columns that are not features, read by no one, and may be absent
        (``predict`` skips the pool column a model was fitted with).

    Returns
    -------
    data : MetaDataset
        Tasks in order of first appearance.
    labels : ndarray of str
        The task ids, in the dataset's order.
    features : list of str
        The feature columns' names, in the order of the dataset's columns.
    pools : ndarray of int or None
        With ``pool_col``: each task's pool, as an index into
        ``POOL_VALUES`` (``light1``, ``heavy``, ``light2``).

    Raises
    ------
    ValidationError
        Naming the file and, where one is at fault, its line and column.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:    # a spreadsheet's BOM
            header = next(csv.reader(f), None)
    except UnicodeDecodeError:
        raise ValidationError(_not_utf8(path)) from None
    if not header:
        raise ValidationError(f"{path}: empty CSV file (need a header row)")
    header = [h.strip() for h in header]
    names = table_features(path, header, task_col, y_col, pool_col, skip, " in the header",
                           _other_separator)
    feats = [header.index(h) for h in names]
    cols = feats + [header.index(y_col)]
    plain = _read_plain(path, len(header), cols)
    if plain is not None:
        num, texts = plain
        ids = texts[header.index(task_col)]
        pool = texts[header.index(pool_col)] if pool_col is not None else None
    else:
        num, ids, pool = _read_numpy(path, header, cols, task_col, pool_col)
    if num.shape[0] == 0:
        raise ValidationError(f"{path}: no data rows below the header")
    data, labels, pools = tasks_of_rows(path, num, ids, [header[j] for j in cols], task_col,
                                        lambda row: f"line {_file_line(path, row)}", pool_col,
                                        pool if pool_col is not None else None)
    return data, labels, names, pools


def _read_plain(path, n_fields, cols):
    """The rows of a plain file parsed by pyarrow in one pass: ``(numbers,
    texts)``, the columns ``cols`` as an (N, len(cols)) float array and every
    other column ``j`` as ``texts[j]``, an array of str; None without
    pyarrow, for a file that is not plain (see the module's note) and for
    one pyarrow does not read (numpy's reader then names the fault)."""
    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:
        return None
    names = [f"c{j}" for j in range(n_fields)]
    numbers = set(cols)
    types = {n: pa.float64() if j in numbers else pa.string() for j, n in enumerate(names)}
    try:
        with open(path, "rb") as f:
            table = pa_csv.read_csv(
                _PlainBytes(f),
                read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names,
                                                use_threads=False),
                parse_options=pa_csv.ParseOptions(delimiter=",", quote_char=False),
                convert_options=pa_csv.ConvertOptions(column_types=types, null_values=[],
                                                      strings_can_be_null=False))
    except (pa.ArrowException, ValueError, _NotPlain):   # numpy's reader says what is wrong
        return None
    num = np.empty((table.num_rows, len(cols)))
    pool = pa.default_memory_pool()
    for i, j in enumerate(cols):        # each column let go once copied: not two copies
        num[:, i] = table.column(names[j]).to_numpy()
        table = table.drop_columns([names[j]])
        pool.release_unused()
    texts = {j: table.column(names[j]).to_numpy(zero_copy_only=False).astype(str)
             for j in range(n_fields) if j not in numbers}
    return num, texts


class _NotPlain(Exception):
    """A file has a double quote, a NUL byte or a lone carriage return."""


class _PlainBytes:
    """The bytes of a binary file as pyarrow reads them, block by block,
    raising :class:`_NotPlain` at the first block that shows the file is
    not plain: read once, and never held whole."""

    closed = False

    def __init__(self, f):
        self._f = f
        self._cr = False                # the block before ended with a carriage return

    def read(self, size=-1):
        block = self._f.read(size)
        if (b'"' in block or b"\0" in block
                or (self._cr and not block.startswith(b"\n"))
                or (b"\r" in block and block.count(b"\r") - block.count(b"\r\n")
                    > block.endswith(b"\r"))):
            raise _NotPlain
        self._cr = block.endswith(b"\r")
        return block


def _read_numpy(path, header, cols, task_col, pool_col):
    """The numbers, task ids and pool values (or None) of the rows, read by
    numpy: the rows' widths checked, then ``numpy.loadtxt``."""
    wrong = _first_wrong_width(path, len(header))
    if wrong is not None:                  # loadtxt drops the fields beyond its columns
        raise ValidationError(f"{path}, line {wrong[0]}: {wrong[1]} fields, the header has "
                              f"{len(header)}")
    try:
        with warnings.catch_warnings():    # numpy's note on the blank lines it skips
            warnings.filterwarnings("ignore", "Input line", UserWarning)
            warnings.filterwarnings("ignore", "loadtxt: input contained no data", UserWarning)
            num = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, usecols=cols,
                             comments=None, quotechar='"')
            ids = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=1, dtype=str,
                             usecols=header.index(task_col), comments=None, quotechar='"')
            if pool_col is not None:
                pool = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=1, dtype=str,
                                  usecols=header.index(pool_col), comments=None,
                                  quotechar='"')
    except UnicodeDecodeError:
        raise ValidationError(_not_utf8(path)) from None
    except ValueError as exc:
        raise ValidationError(_first_bad_cell(path, header, cols) or f"{path}: {exc}") from None
    return num, ids, pool if pool_col is not None else None


def _other_separator(header):
    """A header read as one column that holds ';', a tab or '|': the file's
    fields are separated by that, which the hint says (else None)."""
    other = len(header) == 1 and next((c for c in ";\t|" if c in header[0]), None)
    return (f" (fields are separated by commas; this header has {other!r} between them)"
            if other else None)


def _file_line(path, row):
    """The file line of data row ``row`` (0-based; blank lines are not rows)."""
    with open(path, "rb") as f:
        next(f)
        rows = (number for number, text in enumerate(f, start=2) if text.strip(b"\r\n"))
        return next(number for i, number in enumerate(rows) if i == row)


def _not_utf8(path):
    """The message for a CSV file that is not UTF-8 text, naming the first
    line that is not."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"{path}, line {line}: byte {data[exc.start]:#04x} is not UTF-8 text; save "
                f"the file as UTF-8 (e.g. 'CSV UTF-8')")
    return f"{path}: not UTF-8 text"


def _first_wrong_width(path, n_fields, block=1 << 24):
    """``(file line, fields)`` of the first data line whose number of
    comma-separated fields is not ``n_fields`` (blank lines skipped, as the
    reader skips them; a comma between double quotes is part of its field),
    or None; the file is scanned in blocks of bytes."""
    line, commas, length = 1, 0, 0         # the line being read, its commas, its bytes
    quotes = 0                             # parity of the double quotes read so far
    with open(path, "rb") as f:
        while True:
            b = np.frombuffer(f.read(block), dtype=np.uint8)
            if b.size == 0:
                break
            nl = np.flatnonzero(b == ord("\n"))
            starts = np.r_[0, nl + 1]
            ends = np.r_[nl, b.size]               # the last segment continues on
            cpos = np.flatnonzero(b == ord(","))
            qpos = np.flatnonzero(b == ord('"'))
            cpos = cpos[(np.searchsorted(qpos, cpos) + quotes) % 2 == 0]   # outside quotes
            quotes = (quotes + qpos.size) % 2
            count = np.searchsorted(cpos, ends) - np.searchsorted(cpos, starts)
            size = ends - starts - (b[np.maximum(ends - 1, 0)] == ord("\r")) * (ends > starts)
            count[0] += commas
            size[0] += length
            lines = line + np.arange(count.size)
            bad = np.flatnonzero((lines[:-1] > 1) & (size[:-1] > 0) &
                                 (count[:-1] != n_fields - 1))
            if bad.size:
                return int(lines[bad[0]]), int(count[bad[0]]) + 1
            line, commas, length = int(lines[-1]), int(count[-1]), int(size[-1])
    if line > 1 and length > 0 and commas != n_fields - 1:     # no final line break
        return line, commas + 1
    return None


def _first_bad_cell(path, header, cols):
    """The first row of the wrong width or cell that is not a number, as a
    message naming its file line and column (None if none is found); text in
    a feature column (``cols`` but its last, the response) may be a column
    the user did not mean as a feature, which the message says."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(header):
                return (f"{path}, line {line}: {len(row)} fields, the header has "
                        f"{len(header)}")
            for j in cols:
                try:
                    float(row[j])
                except ValueError:
                    text = row[j].strip() and j != cols[-1]     # text in a feature column
                    hint = ("; every column but the task-id and response columns is a "
                            "feature: remove a column that is not one" if text else "")
                    return (f"{path}, line {line}, column {header[j]!r}: {row[j]!r} is "
                            f"not a number{hint}")
    return None
