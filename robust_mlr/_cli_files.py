"""The files of ``robust-mlr fit | predict`` (private): reading the one
meta-dataset a command is given (a CSV's or Parquet file's features in the
order a model was fitted with; column options refused for data without
columns), checking a data directory and ``--k`` against it, and the
``--out`` a command writes (refused where it is an input; what the command
made for it removed when it fails).
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

from ._csvfile import read_csv
from .exceptions import ValidationError

__all__ = ["COLUMN_OPTIONS", "TABLE_SUFFIXES", "check_dataset_dir", "check_k", "covariates_line",
           "distinct_columns", "features_as_fitted", "features_line", "load_dataset",
           "not_an_input", "refuse_column_options", "singular_columns", "table_header",
           "undone_on_failure", "warnings_name_columns"]


#: The suffixes of the files read by their columns (the rest read by position).
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")

#: The options that name a CSV or Parquet file's columns.
COLUMN_OPTIONS = (("task_col", "--task-col"), ("y_col", "--y-col"), ("pool_col", "--pool-col"))


def load_dataset(path, args, pool_col=None, skip=()):
    """One meta-dataset in memory (a chunked directory, an .npz, a CSV or a
    Parquet file), its task labels, its feature names (the file's task ids
    and columns; None for a directory or .npz) and, with ``pool_col``, each
    task's pool (else None)."""
    from .chunked import ChunkedMetaDataset
    from .data import MetaDataset
    path = Path(path)
    if path.is_dir():
        return ChunkedMetaDataset(path).to_memory(), None, None, None
    if not path.exists():
        raise ValidationError(f"{path}: no such file or directory")
    suffix = path.suffix.lower()
    columns = (path, args.task_col or "task", args.y_col or "y", pool_col, skip)
    if suffix == ".csv":
        return read_csv(*columns)
    if suffix in (".parquet", ".pq"):
        from ._parquetfile import read_parquet
        return read_parquet(*columns)
    if suffix != ".npz":
        raise ValidationError(f"{path}: not a chunked directory, an .npz, a .csv or a "
                              f".parquet file (the suffix says how a file is read: name a "
                              f"CSV file *.csv, a Parquet file *.parquet)")
    try:
        return MetaDataset.load(path), None, None, None
    except (ValueError, KeyError, OSError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(f"{path}: not a meta-dataset .npz, .csv or .parquet "
                              f"({type(exc).__name__}: {exc})") from None


_ROLES = {"task_col": "task-id", "y_col": "response", "pool_col": "pool"}
_DEFAULTS = {"task_col": "task", "y_col": "y", "pool_col": None}


def distinct_columns(args, taken=()):
    """The task-id, response and pool columns are three different columns:
    one named twice is refused, naming the option the user typed and the
    role the column already has (else the second role's reader complains
    about values it was never meant to read). ``args`` holds the options as
    typed (None: not given); ``taken`` the ``(option, column)`` pairs a
    model file supplied."""
    from_model = {flag: col for flag, col in taken}
    cols = []
    for key, flag in COLUMN_OPTIONS:
        typed = getattr(args, key, None)
        col = typed if typed is not None else from_model.get(flag, _DEFAULTS[key])
        how = "" if typed is not None else (" from the model" if flag in from_model
                                            else ", the default")
        cols.append((key, flag, col, typed is not None, how))
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            if a[2] is None or a[2] != b[2]:
                continue
            said, other = (b, a) if b[3] and not a[3] else (a, b)
            raise ValidationError(f"{said[1]} {said[2]} is also the {_ROLES[other[0]]} column "
                                  f"({other[1]} {other[2]}{other[4]}); the task-id, response "
                                  f"and pool columns must be three different columns")


def table_header(path):
    """The column names of the CSV or Parquet file ``path``, or None when
    they cannot be read (the reader then says why)."""
    import csv
    try:
        if Path(path).suffix.lower() == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as f:
                return [h.strip() for h in next(csv.reader(f), None) or []]
        import pyarrow.parquet as pq
        return list(pq.read_schema(path).names)
    except Exception:                       # noqa: BLE001 - the reader reports it
        return None


def refuse_column_options(args, data):
    """The column options (``--task-col``, ...) only for a CSV or Parquet
    ``data``: given for a directory or an .npz, which have no named
    columns, they are refused, not ignored."""
    data = Path(data)
    if data.suffix.lower() in TABLE_SUFFIXES and not data.is_dir():
        return
    kind = ("a directory, read by position (no column names)" if data.is_dir() else
            "an .npz, read by position (no column names)" if data.suffix.lower() == ".npz"
            else "not a CSV or Parquet file")
    for key, flag in COLUMN_OPTIONS:
        if getattr(args, key, None) is not None:
            raise ValidationError(f"{flag} {getattr(args, key)}: {data} is {kind}; the "
                                  f"option names a column of a CSV or Parquet file")


def features_as_fitted(one, names, model, model_path, data):
    """``one`` (read from the CSV or Parquet ``data`` with feature columns ``names``)
    with its columns in the order of the features the model was fitted
    with (its ``features`` field), so that row j of W meets the column it
    was fitted on; a model file without the field (an older one, or a fit
    of a directory or ``.npz``) keeps the CSV's order."""
    fitted = model.learner.get("features")
    if fitted is None:
        return one
    if (not isinstance(fitted, list) or not all(isinstance(c, str) for c in fitted)
            or len(set(fitted)) != len(fitted) or len(fitted) != model.W_.shape[0]):
        raise ValidationError(f"{model_path}: learner field 'features' must list the "
                              f"{model.W_.shape[0]} distinct feature column names the model "
                              f"was fitted with, got {fitted!r}")
    if list(names) == fitted:
        return one
    missing = [repr(c) for c in fitted if c not in names]
    extra = [repr(c) for c in names if c not in fitted]
    if missing or extra:
        what = "; ".join(([f"no column {', '.join(missing)}"] if missing else []) +
                         ([f"{', '.join(extra)} not among them"] if extra else []))
        raise ValidationError(f"{data} has d={len(names)} features but the model {model_path} "
                              f"was fitted with d={len(fitted)}: {', '.join(fitted)} ({what})"
                              if len(names) != len(fitted) else
                              f"{data}: its feature columns differ from those the model "
                              f"{model_path} was fitted with, {', '.join(fitted)} ({what})")
    from .data import MetaDataset
    order = [list(names).index(c) for c in fitted]
    return MetaDataset(one.X[:, order], one.y, one.offsets)


def check_dataset_dir(data, pool_names):
    """A directory ``fit`` reads is a pools directory (all three pool
    folders) or one chunked meta-dataset (its manifest.json); say which
    part a directory that is neither lacks."""
    if (data / "manifest.json").is_file():
        return
    have = [n for n in pool_names if (data / n).is_dir()]
    if have:
        lack = [n + "/" for n in pool_names if n not in have]
        raise ValidationError(f"{data}: has {', '.join(n + '/' for n in have)} but no "
                              f"{', '.join(lack)}; a pools directory holds all of "
                              f"{', '.join(n + '/' for n in pool_names)}")
    raise ValidationError(f"{data}: not a pools directory ({', '.join(pool_names)} folders) "
                          f"nor a chunked meta-dataset (no manifest.json)")


def check_k(k, dim, data):
    """``--k`` at most the data's number of features."""
    if k > dim:
        raise ValidationError(f"--k {k}: more components than the {dim} features of {data}; "
                              f"need --k <= {dim}")


def not_an_input(out, *inputs):
    """Refuse an ``--out`` that is one of the command's input files or lies
    inside an input directory: writing it would destroy what is being read."""
    target = Path(out).resolve()
    for given in inputs:
        source = Path(given).resolve()
        if target == source or (source.is_dir() and source in target.parents):
            where = "inside the input directory" if target != source else "the input"
            raise ValidationError(f"--out {out}: that is {where} {given}; write the output "
                                  f"elsewhere")


@contextlib.contextmanager
def undone_on_failure(out):
    """Remove, when the block raises, what the command created for its
    output file ``out``: the file if it did not exist before and the
    folders the output check made for it (each only while empty). A file or
    folder that existed before is left alone. No ``out`` (None): nothing."""
    if not out:
        yield
        return
    out = Path(out)
    folder = out.resolve().parent
    missing = [f for f in (folder, *folder.parents) if not f.exists()]     # deepest first
    existed = out.exists() or out.is_symlink()
    try:
        yield
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                out.unlink()
        for folder in missing:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def singular_columns(exc, names, data):
    """The singular-covariates error of a CSV or Parquet fit, naming its columns."""
    from .covariates import _describe_singular
    return (f"{data}: the covariates' second moment is singular: " +
            _describe_singular([repr(names[j]) for j in exc.zero],
                              [repr(names[j]) for j in exc.dependent], "column"))


@contextlib.contextmanager
def warnings_name_columns(names):
    """Warnings of a CSV or Parquet fit that list features (a DataWarning's
    ``zero`` or ``dependent``)
    name the columns; every warning is shown when the block ends (also
    when it raises), in the order raised."""
    if names is None:
        yield
        return
    from ._fit_checks import _describe_dependent_isotropic, _describe_zero_isotropic
    from .exceptions import DataWarning
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield
    finally:
        for w in caught:
            message = w.message
            if isinstance(message, DataWarning) and getattr(message, "zero", None):
                message = DataWarning(_describe_zero_isotropic(
                    [repr(names[j]) for j in message.zero], "column", "",
                    getattr(message, "rows", "every row")))
            elif isinstance(message, DataWarning) and getattr(message, "dependent", None):
                message = DataWarning(_describe_dependent_isotropic(
                    [repr(names[j]) for j in message.dependent], "column", "",
                    getattr(message, "rows", "every row")))
            warnings.showwarning(message, w.category, w.filename, w.lineno, w.file, w.line)


def features_line(names, data, args):
    """The fit report's line of the feature columns of a CSV or Parquet fit:
    which columns it took (a column meant otherwise shows here) and the
    row-index columns it skipped (:func:`._tables.index_columns`)."""
    from ._tables import index_columns, unnamed
    shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
    but = [repr(c) for c in (args.task_col, args.y_col, args.pool_col) if c is not None]
    header, declared = table_header(data) or [], ()
    if Path(data).suffix.lower() != ".csv":
        import pyarrow.parquet as pq
        from ._parquetfile import pandas_index
        declared = pandas_index(pq.read_schema(data))
    index = index_columns(header, (args.task_col, args.y_col, args.pool_col), declared)
    said = ["column 1, which has no name," if header[j] == "" else repr(header[j])
            for j in index]
    writer = ("to_csv" if header[index[0]] == "" else
              "to_csv (under the name read_csv gives it)" if unnamed(header[index[0]]) else
              "to_parquet") if index else ""
    skipped = (f"; {' and '.join(said)} skipped as a row index, as pandas' DataFrame."
               f"{writer} writes one" if index else "")
    return (f"  features: {shown} (every column but {', '.join(but[:-1])} and {but[-1]}"
            f"{skipped})")


def covariates_line(model, option):
    """The fit report's line saying whether the covariates were whitened
    (``model.covariance_``) and why, under ``--covariates option``."""
    wh = model.covariance_
    if wh is not None:
        cond = wh.info.get("condition", float("nan"))
        return (f"  covariates: whitened by their estimated second moment (condition "
                f"number {cond:.3g}; --covariates {option})")
    why = ("their estimated second moment passed the isotropy test" if option == "auto"
           else "taken as isotropic")
    return f"  covariates: not whitened (--covariates {option}: {why})"
