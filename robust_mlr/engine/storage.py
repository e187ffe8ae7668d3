"""Tidy results files: one CSV row per trial, appended atomically, one writer
at a time."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import warnings
from pathlib import Path

from ..exceptions import ValidationError
from ._files import OutputPathError, atomic_write, check_writable_file
from ._settings import check_settings, write_settings

try:                                    # POSIX advisory locks
    import fcntl
except ImportError:                     # pragma: no cover - Windows
    fcntl = None

__all__ = ["ResultsFile", "ResultsFileBusyError", "ResultsFileWarning", "read_results"]

FIXED = ["experiment", "trial_id", "replicate", "seed", "status", "error", "wall_time",
         "version"]


class ResultsFileBusyError(RuntimeError):
    """Another run holds the results file's lock."""


class ResultsFileWarning(UserWarning):
    """Rows of a results file were skipped (unparsable, duplicated or torn),
    or a results file resumes with another version of the package."""


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)                      # exact round trip
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)                # JSON never holds a raw line break
    return " ".join(str(v).splitlines())    # one record is one physical line


class ResultsFile:
    """An append-only CSV of trial records with a single writer.

    Columns: the fixed ones, then the parameter names, then the metrics. Every
    record is one physical line (line breaks inside a value become spaces),
    written with a single ``os.write`` on a file opened ``O_APPEND`` and then
    fsynced, so a killed sweep leaves at most one partial last line. The
    header is written to a temporary file and renamed into place, so it is
    either absent or whole.

    A run works inside :meth:`session`, which holds an exclusive advisory
    lock (``fcntl.flock``) on the sidecar file ``NAME.csv.lock`` for its whole
    duration: a second run on the same file refuses at once with
    :class:`ResultsFileBusyError` instead of interleaving duplicate trials.
    Refusing rather than waiting keeps the conflict visible; once the first
    run ends, a rerun resumes with whatever is left. The lock dies with its
    process, so a killed run never leaves the file locked.

    Given the sweep's ``settings`` (and its ``trial_ids``), the session also
    records them beside the file (``NAME.settings.json``) and refuses to
    resume a file run with other settings, so two experiments never share
    one file; ``session(overwrite=True)`` starts the file over instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> store = ResultsFile(path, ["mu"], ["mean"])
    >>> with store.session() as done:
    ...     store.append({"trial_id": "a1", "param.mu": 0.5, "mean": 0.25})
    >>> with store.session() as done:
    ...     sorted(done)
    ['a1']
    """

    def __init__(self, path, params, metrics, settings=None, trial_ids=()):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.columns = FIXED + [f"param.{p}" for p in params] + list(metrics)
        self.params = list(params)
        self.settings = settings
        self.trial_ids = set(trial_ids)

    @contextlib.contextmanager
    def session(self, overwrite=False):
        """Lock the file, create or validate it, and yield the finished trial ids.

        Parameters
        ----------
        overwrite : bool
            Start the file over (its rows are removed, none is finished).

        Raises
        ------
        ResultsFileBusyError
            Another process is writing this file.
        ValidationError
            The file's header differs from this sweep's columns, or it was
            run with other settings.
        """
        check_writable_file(self.path, "results file")
        # a file that is no results file at all is refused before the lock
        # file is made: a refused run leaves nothing beside a user's own CSV
        # (checked again under the lock, where the file is read for good)
        if overwrite:
            self._check_replaceable()
        elif self.path.is_file():
            self._check_results_header()
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputPathError(
                f"cannot create the lock file {self.lock_path} beside the results "
                f"({exc.strerror or exc}); a sweep needs a writable folder — copy the "
                "results elsewhere, or use 'experiment plot' to draw them") from None
        try:
            if fcntl is None:                   # pragma: no cover - Windows
                warnings.warn(f"{self.path}: no advisory locks on this platform; do not "
                              "run the same sweep twice at once", ResultsFileWarning)
            else:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
                    raise ResultsFileBusyError(
                        f"results file {self.path} is being written by another run "
                        f"(process {holder}); wait for it to end or use another --out"
                    ) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield self._open(overwrite)
        finally:
            os.close(fd)                        # closing releases the lock

    def _open(self, overwrite=False):
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):   # header of a killed run
            stale.unlink(missing_ok=True)
        if overwrite:
            self._check_replaceable()
            self._write_header()                    # the old rows go in one rename
        elif self.path.exists():
            raw = _read(self.path)
            if not raw.endswith(b"\n"):            # partial last row (or header) from a kill
                cut = raw.rfind(b"\n") + 1
                expected = self._format(dict(zip(self.columns, self.columns))).encode()
                if cut == 0 and not expected.startswith(raw):
                    raise ValidationError(
                        f"{self.path} is not a results file of this sweep (its first line "
                        f"{_short(raw)} is not the expected header); use another --out "
                        "or move the file")
                if cut:                             # validate before changing anything
                    _scan_header(self.path, raw[:cut], self.columns)
                with open(self.path, "r+b") as f:
                    f.truncate(cut)
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._write_header()
            done = set()
        else:
            header, rows = _scan(self.path)
            _scan_header(self.path, None, self.columns, header)
            done = {r["trial_id"] for _, r in rows}
        if self.settings is not None:
            note = check_settings(self.path, self.settings, done, self.trial_ids)
            if note:                                # resumes all the same: say why
                warnings.warn(note, ResultsFileWarning, stacklevel=4)
            write_settings(self.path, self.settings)
        return done

    def _check_replaceable(self):
        """Refuse to start over a file that is not a results file (a user's own
        CSV of that name): ``overwrite`` removes only a sweep's rows."""
        if not self.path.exists():
            return
        raw = _read(self.path)
        first = raw.split(b"\n", 1)[0]
        first = first[len(_BOM):] if first.startswith(_BOM) else first
        header = _parse_line(first)
        expected = self._format(dict(zip(self.columns, self.columns))).encode()
        if raw and not expected.startswith(raw) and not (
                isinstance(header, list) and all(c in header for c in _REQUIRED)):
            raise ValidationError(
                f"{self.path} is not a results file (its first line {_short(first)} lacks "
                f"the columns {', '.join(_REQUIRED)}); overwriting replaces only a results "
                "file: move it yourself or use another --out")

    def _check_results_header(self):
        """Refuse a file whose first line is neither (a start of) this
        sweep's header nor a results file's header, as :func:`_scan` would."""
        with open(self.path, "rb") as f:
            first = f.readline(1 << 20)
        whole = first.endswith(b"\n")
        first = first.rstrip(b"\n")
        first = first[len(_BOM):] if first.startswith(_BOM) else first
        expected = self._format(dict(zip(self.columns, self.columns))).encode()
        if not first or (not whole and expected.startswith(first)):
            return                                  # empty, or a header torn by a kill
        header = _parse_line(first)
        missing = [c for c in _REQUIRED if not isinstance(header, list) or c not in header]
        if missing:
            raise ValidationError(
                f"{self.path} is not a results file of 'experiment run': its first line "
                f"{_short(first)} lacks the column(s) {', '.join(missing)}")

    def _write_header(self):
        with atomic_write(self.path) as f:
            f.write(self._format(dict(zip(self.columns, self.columns))).encode())

    def _format(self, record):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(
            [_cell(record.get(c)) for c in self.columns])
        return buf.getvalue()

    def _write_line(self, line):
        data = line.encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def count(self):
        """Distinct trials in the file (unparsable rows not counted, no warning)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResultsFileWarning)
            return len(_scan(self.path)[1])

    def append(self, record):
        """Append one trial record (a dict keyed by column names)."""
        self._write_line(self._format(record))


def _scan_header(path, raw, columns, header=None):
    """Raise a ValidationError unless the header (parsed from ``raw``) is ``columns``."""
    if header is None:
        first = raw.split(b"\n", 1)[0]
        if first.startswith(_BOM):
            first = first[len(_BOM):]
        header = _parse_line(first)
    if header != columns:
        raise ValidationError(
            f"results file {path} has columns {header} but this sweep writes "
            f"{columns}; use another --out, remove the file or pass --overwrite")


def _scan(path):
    """Header and ``(line number, {column: text})`` of every valid row.

    Each physical line is parsed on its own, so a stray quote cannot swallow
    the lines after it. Unparsable lines, rows of the wrong width, a torn last
    line and repeated trial ids (the first is kept) are skipped with one
    :class:`ResultsFileWarning` per kind naming the line numbers.
    """
    lines = _read(path).split(b"\n")
    torn = lines.pop()                          # b"" when the file ends with a newline
    if lines and lines[0].startswith(_BOM):     # saved by a spreadsheet: read it anyway
        lines[0] = lines[0][len(_BOM):]
    header = _parse_line(lines[0]) if lines else None
    if not isinstance(header, list) or not header:
        raise ValidationError(f"results file {path} has no readable header line"
                              + ("" if lines or torn else " (the file is empty)"))
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            f"{path} is not a results file of 'experiment run': its first line "
            f"{_short(lines[0])} lacks the column(s) {', '.join(missing)}")
    bad, dup, rows, seen = [], [], [], {}
    i = header.index("trial_id") if "trial_id" in header else None
    for no, line in enumerate(lines[1:], 2):
        fields = _parse_line(line)
        if isinstance(fields, str) or len(fields) != len(header):
            why = (fields if isinstance(fields, str)
                   else f"{len(fields)} fields, expected {len(header)}")
            bad.append(f"line {no} ({why})")
            continue
        if i is not None and fields[i] in seen:
            dup.append(f"line {no} (trial {fields[i]} first on line {seen[fields[i]]})")
            continue
        if i is not None:
            seen[fields[i]] = no
        rows.append((no, dict(zip(header, fields))))
    if torn:
        bad.append(f"line {len(lines) + 1} (incomplete: no line end)")
    for what, items in (("unparsable", bad), ("duplicate", dup)):
        if items:
            more = f" and {len(items) - 10} more" if len(items) > 10 else ""
            warnings.warn(f"{path}: skipped {len(items)} {what} row(s): "
                          f"{'; '.join(items[:10])}{more}", ResultsFileWarning, stacklevel=3)
    return header, rows


_BOM = "\ufeff".encode()
_REQUIRED = ("experiment", "trial_id", "status")


def _read(path):
    """The bytes of a results file; a folder or an unreadable path is an OSError
    whose message names the path."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder, not a results file", str(path))
    return path.read_bytes()


def _short(line, n=60):
    text = line.decode(errors="replace").rstrip("\r")      # a CRLF line ends in \r
    return repr(text if len(text) <= n else text[:n] + "...")


def _parse_line(line):
    """The fields of one CSV line, or a reason string if it does not parse."""
    try:
        text = line.decode().rstrip("\r")
        return next(csv.reader([text], strict=True), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        return str(exc)


def _parse(v):
    if v == "":
        return None
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    if v in ("True", "False"):
        return v == "True"
    return v


def read_said_results(path):
    """:func:`read_results` for a run that has just opened ``path``: its
    skipped rows were warned about when the run opened the file (a damaged
    row's warning came once per run, not once per reading)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResultsFileWarning)
        return read_results(path)


def read_results(path):
    """Read a results file into a list of dicts.

    Numbers are parsed and parameters appear under their plain names. No row
    is dropped silently: unparsable lines and repeated trials are skipped
    with a :class:`ResultsFileWarning` naming their line numbers, and every
    other row is returned.

    Parameters
    ----------
    path : str or Path
        A CSV written by :func:`robust_mlr.engine.run_sweep`.

    Returns
    -------
    list of dict
        One dict per trial, in file order.

    Raises
    ------
    ValidationError
        The file has no readable header or is not a results file (it lacks
        the columns ``experiment``, ``trial_id`` and ``status``).
    OSError
        The file cannot be read (missing, a folder, no permission).
    """
    header, rows = _scan(path)
    names = [h[6:] if h.startswith("param.") else h for h in header]
    return [{n: _parse(r[h]) for n, h in zip(names, header)} for _, r in rows]
