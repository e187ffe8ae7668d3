"""The settings a sweep's results were run with, kept beside its results file.

A results file resumes by trial id, a hash of (point, replicate): a rerun
after the grid or the replicates changed would find some of its trials
there and append the others, and the file would then hold two experiments
with nothing to tell them apart. So the first run writes its settings
(the experiment's name, ``--quick``, the replicates, the grid's points and
the metrics) to ``NAME.settings.json`` beside ``NAME.csv``; a rerun with the
same settings resumes, one with other settings is refused naming what
differs, and ``--overwrite`` starts the file over.

The package version that ran the sweep is recorded too. A rerun by another
version resumes (a bug-fix release must be able to finish a long sweep)
with one warning naming both versions: every row keeps, in its ``version``
column, the version that ran it, so the rows of each can still be told
apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..exceptions import ValidationError
from ._files import atomic_write
from .experiment import point_key

__all__ = ["settings_path", "sweep_settings", "check_settings", "write_settings"]


def settings_path(results):
    """``OUT/NAME.settings.json`` for the results file ``OUT/NAME.csv``."""
    results = Path(results)
    return results.with_name(results.stem + ".settings.json")


def sweep_settings(experiment, quick):
    """The settings of a sweep as plain JSON values (what a rerun compares),
    with the version of the package that runs it."""
    from .. import __version__
    points = sorted(experiment.points(quick), key=point_key)
    settings = {
        "version": __version__,
        "experiment": experiment.name,
        "quick": bool(quick),
        "replicates": experiment.quick_replicates if quick else experiment.replicates,
        "grid": points,
        "metrics": list(experiment.metrics),
    }
    # the values as a reread file holds them (tuples as lists, others as text)
    return json.loads(json.dumps(settings, default=str))


def write_settings(results, settings):
    """Write ``settings`` beside ``results`` (atomically), one grid point a line."""
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in settings.items() if k != "grid"]
    points = ",\n".join(f"  {json.dumps(p)}" for p in settings["grid"])
    lines.append(f' "grid": [\n{points}\n ]')
    with atomic_write(settings_path(results)) as f:
        f.write(("{\n" + ",\n".join(lines) + "\n}\n").encode())


def check_settings(results, settings, done, trial_ids):
    """Refuse to resume ``results`` with other settings than it was run with.

    Parameters
    ----------
    results : Path
        The results file.
    settings : dict
        This sweep's :func:`sweep_settings`.
    done : set of str
        The trial ids already in the file.
    trial_ids : set of str
        This sweep's trial ids.

    Raises
    ------
    ValidationError
        The file holds trials and its recorded settings differ from
        ``settings``, or (settings not recorded, or not readable) it holds
        trials that are not in this sweep. One line, naming the file and
        what differs.

    Returns
    -------
    str or None
        The warning to give when the file resumes all the same: its trials
        were run by another version of the package (or by one that did not
        record its version), or its settings file cannot be read (damaged)
        but all its trials belong to this sweep, whose settings replace it.
        A damaged settings file never costs the rows: only ``--overwrite``
        removes them.
    """
    if not done:
        return None                             # nothing to mix with: the new settings hold
    path = settings_path(results)
    fix = "pass --overwrite to start it over, or use another --out"
    if not path.exists():                       # written before settings were recorded
        _only_this_sweep(results, done, trial_ids, f"no {path.name} records which", fix)
        return None
    try:
        recorded = json.loads(path.read_text())
        if not isinstance(recorded, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        unreadable = f"its settings {path} cannot be read ({exc})"
        _only_this_sweep(results, done, trial_ids, unreadable, fix)
        return (f"results file {results}: {unreadable}; its trials all belong to this "
                f"sweep, which resumes and records its settings again")
    differ = _differences(recorded, settings)
    if differ:
        raise ValidationError(f"results file {results} was run with other settings "
                              f"({'; '.join(differ)}); {fix}")
    return _other_version(results, recorded.get("version"), settings.get("version"))


def _only_this_sweep(results, done, trial_ids, why, fix):
    """Refuse a file without readable settings that holds other trials."""
    other = done - set(trial_ids)
    if other:
        raise ValidationError(
            f"results file {results} holds {len(other)} trial(s) that are not in this "
            f"sweep (run with another grid or replicates; {why}); {fix}")


def _other_version(results, old, new):
    """The warning when the trials of ``results`` were run by another version."""
    if old == new or new is None:
        return None
    before = f"robust-mlr {old}" if isinstance(old, str) else \
        "a robust-mlr that did not record its version"
    return (f"results file {results} was run with {before}; resuming it with robust-mlr "
            f"{new} (each row's version column names the version that ran it)")


def _differences(old, new):
    """What differs between two settings, e.g. ``replicates 2 there, 3 now``."""
    out = []
    for key in ("experiment", "quick", "replicates", "metrics"):
        if old.get(key) != new.get(key):
            out.append(f"{key} {_show(old.get(key))} there, {_show(new.get(key))} now")
    old_points = old.get("grid") if isinstance(old.get("grid"), list) else []
    new_points = new["grid"]
    if sorted(map(_key, old_points)) != sorted(map(_key, new_points)):
        names = []
        for p in old_points + new_points:
            names += [k for k in (p if isinstance(p, dict) else {}) if k not in names]
        by_param = [f"{k} {_values(old_points, k)} there, {_values(new_points, k)} now"
                    for k in names if _values(old_points, k) != _values(new_points, k)]
        out += by_param or [f"grid of {len(old_points)} points there, "
                            f"{len(new_points)} other points now"]
    return out


def _key(point):
    return point_key(point) if isinstance(point, dict) else repr(point)


def _values(points, name):
    """The distinct values of one parameter over a grid's points, in a fixed order."""
    vals = {json.dumps(p[name], sort_keys=True, default=str): p[name]
            for p in points if isinstance(p, dict) and name in p}
    if not vals:
        return "(absent)"
    return "[" + ", ".join(_show(v) for _, v in sorted(vals.items(), key=_order)) + "]"


def _order(item):
    """Numbers by value, then everything else by its JSON text."""
    text, value = item
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return (0, value, text) if number else (1, 0, text)


def _show(value):
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
