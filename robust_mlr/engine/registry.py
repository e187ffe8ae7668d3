"""Finding experiments: by registry name, ``module:attribute``, or a TOML file."""

from __future__ import annotations

import difflib
import importlib
import numbers
import sys
import warnings
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np

from ..exceptions import ValidationError
from .experiment import Experiment

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover
    import tomli as tomllib

__all__ = ["available_experiments", "get_experiment", "load_toml"]


GROUP = "robust_mlr.experiments"


def available_experiments():
    """Every registered study: {name: Experiment}.

    Studies join the entry-point group ``robust_mlr.experiments`` of their
    distribution's metadata: the value names a module defining
    ``EXPERIMENT`` (or ``EXPERIMENTS``, a list) or an Experiment itself.
    This package's own studies are registered there in ``pyproject.toml``;
    a third-party package joins with, e.g.::

        [project.entry-points."robust_mlr.experiments"]
        my_study = "my_package.my_study"

    The engine imports nothing by name, so it imports no study package at
    import time (no cycle). An entry point that fails to load is skipped with
    a warning naming it; studies are never dropped silently.
    """
    found = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:        # one broken plug-in must not hide the others
            warnings.warn(f"study entry point {ep.name} = {ep.value} failed to load: "
                          f"{type(exc).__name__}: {exc}", stacklevel=2)
            continue
        if isinstance(obj, Experiment):
            exps = [obj]
        else:
            exps = getattr(obj, "EXPERIMENTS", None) or [getattr(obj, "EXPERIMENT", None)]
        for exp in exps:
            if isinstance(exp, Experiment):
                found[exp.name] = exp
    if not found:
        warnings.warn(f"no studies are registered in the entry-point group {GROUP}; "
                      "if this is a source checkout, reinstall it (pip install -e .) so "
                      "its metadata lists them", stacklevel=2)
    return dict(sorted(found.items()))


def get_experiment(spec):
    """Resolve a registry name, ``package.module:ATTR`` or a ``.toml`` path."""
    if str(spec).endswith(".toml"):
        return load_toml(spec)
    if ":" in str(spec):
        mod, attr = str(spec).split(":", 1)
        exp = getattr(importlib.import_module(mod), attr)
        if not isinstance(exp, Experiment):
            raise ValidationError(f"{spec} is a {type(exp).__name__}, not an Experiment")
        return exp
    exps = available_experiments()
    if spec not in exps:
        close = difflib.get_close_matches(str(spec), list(exps), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(f"experiment {spec!r} unknown{hint}; available: {', '.join(exps)}")
    return exps[spec]


def load_toml(path):
    """A sweep declared in TOML.

    Keys: ``experiment`` (a registry name or ``module:ATTR``, required),
    ``name`` (default: the file's stem), ``replicates`` and a ``[grid]``
    table of lists. Example::

        experiment = "icml_fig3"
        replicates = 5
        [grid]
        k = [4, 8]
        t_H = [8, 12, 16]
    """
    path = Path(path)
    with open(path, "rb") as f:
        try:
            cfg = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(cfg) - set(_TOML_KEYS))
    if unknown:
        raise ValidationError(f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"the valid keys are {', '.join(_TOML_KEYS)}")
    if "experiment" not in cfg:
        raise ValidationError(f"{path}: the key 'experiment' (which study to run) is missing")
    base = get_experiment(cfg["experiment"])
    reps = cfg.get("replicates")
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise ValidationError(f"{path}: replicates must be an integer >= 1, got {reps!r}")
    name = cfg.get("name", path.stem)
    if not isinstance(name, str) or not name or any(c in name for c in "/\\"):
        raise ValidationError(f"{path}: name must be a non-empty string without slashes, "
                              f"got {name!r}")
    grid = cfg.get("grid")
    if grid is not None:
        _check_grid(path, grid, base)
    return base.with_grid(grid=grid, replicates=reps, name=name)


_TOML_KEYS = ("experiment", "name", "replicates", "grid")


def _check_grid(path, grid, base):
    """A ``[grid]`` table names only the study's parameters, each with values."""
    if not isinstance(grid, dict):
        raise ValidationError(f"{path}: grid must be a table of parameter lists, got "
                              f"{type(grid).__name__}")
    valid = []
    for quick in (False, True):
        for point in base.points(quick):
            valid += [k for k in point if k not in valid]
    unknown = [k for k in grid if k not in valid]
    if unknown:
        raise ValidationError(
            f"{path}: grid key(s) {', '.join(map(repr, unknown))} are not parameters of "
            f"experiment {base.name}; its parameters are {', '.join(valid)}")
    points = base.points()
    needed = [k for k in valid if all(k in p for p in points)]
    missing = [k for k in needed if k not in grid]
    if missing:
        raise ValidationError(
            f"{path}: grid lacks the parameter(s) {', '.join(missing)} of experiment "
            f"{base.name} (every trial needs them); its parameters are {', '.join(valid)}")
    empty = [k for k, v in grid.items() if isinstance(v, (list, tuple)) and not v]
    if empty:
        raise ValidationError(f"{path}: grid key(s) {', '.join(map(repr, empty))} have no "
                              "values (an empty list)")
    for key, values in grid.items():       # a value of another kind than the study's own
        own = [p[key] for quick in (False, True) for p in base.points(quick) if key in p]
        kinds = {_kind(v) for v in own}
        counts = own and all(_kind(v) == "a number" and isinstance(v, numbers.Integral)
                             for v in own)
        for value in values if isinstance(values, (list, tuple)) else [values]:
            if kinds and _kind(value) not in kinds:
                raise ValidationError(
                    f"{path}: grid key {key!r} has the value {value!r} ({_kind(value)}); the "
                    f"study's own values of {key!r} are {' or '.join(sorted(kinds))}")
            if counts and not float(value).is_integer():    # k = [2.5] ran as a number
                raise ValidationError(
                    f"{path}: grid key {key!r} has the value {value!r}; the study's own "
                    f"values of {key!r} are whole numbers (a count or size)")


def _kind(value):
    """What a grid value is, for comparing a sweep file's values with the study's."""
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if isinstance(value, numbers.Real):           # numpy's scalars too
        return "a number"
    if isinstance(value, str):
        return "text"
    return "None" if value is None else f"a {type(value).__name__}"
