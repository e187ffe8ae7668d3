"""Tidy results files: one CSV row per trial, appended atomically."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from ..exceptions import ValidationError

__all__ = ["ResultsFile", "read_results"]

FIXED = ["experiment", "trial_id", "replicate", "seed", "status", "error", "wall_time",
         "version"]


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)                      # exact round trip
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    return str(v)


class ResultsFile:
    """An append-only CSV of trial records.

    Columns: the fixed ones, then the parameter names, then the metrics. Each
    finished trial is written as one line with a single ``os.write`` on a
    file opened ``O_APPEND`` and then fsynced, so a killed sweep leaves at
    most one partial last line; :meth:`open` drops such a line (its trial is
    simply run again) and never touches complete rows.
    """

    def __init__(self, path, params, metrics):
        self.path = Path(path)
        self.columns = FIXED + [f"param.{p}" for p in params] + list(metrics)
        self.params = list(params)

    def open(self):
        """Create or validate the file; return the set of finished trial ids."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._write_line(self._format(dict(zip(self.columns, self.columns))))
            return set()
        raw = self.path.read_bytes()
        if not raw.endswith(b"\n"):                # partial last row from a kill
            cut = raw.rfind(b"\n") + 1
            with open(self.path, "r+b") as f:
                f.truncate(cut)
            raw = raw[:cut]
        rows = list(csv.reader(io.StringIO(raw.decode())))
        if rows[0] != self.columns:
            raise ValidationError(
                f"results file {self.path} has columns {rows[0]} but this sweep writes "
                f"{self.columns}; use another --out or remove the file")
        i = self.columns.index("trial_id")
        return {r[i] for r in rows[1:] if len(r) == len(self.columns)}

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

    def append(self, record):
        """Append one trial record (a dict keyed by column names)."""
        self._write_line(self._format(record))


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


def read_results(path):
    """Read a results file into a list of dicts (numbers parsed, parameters
    under their plain names)."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for r in reader:
            if len(r) != len(header):
                continue
            rows.append({(h[6:] if h.startswith("param.") else h): _parse(v)
                         for h, v in zip(header, r)})
    return rows
