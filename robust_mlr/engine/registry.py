"""Finding experiments: by registry name, ``module:attribute``, or a TOML file."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from ..exceptions import ValidationError
from .experiment import Experiment

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover
    import tomli as tomllib

__all__ = ["available_experiments", "get_experiment", "load_toml"]


def available_experiments():
    """All experiments defined in the ``experiments`` package: {name: Experiment}.

    Each module there defines ``EXPERIMENT`` (or ``EXPERIMENTS``, a list).
    """
    import experiments

    found = {}
    for info in pkgutil.iter_modules(experiments.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"experiments.{info.name}")
        exps = getattr(mod, "EXPERIMENTS", None) or [getattr(mod, "EXPERIMENT", None)]
        for exp in exps:
            if isinstance(exp, Experiment):
                found[exp.name] = exp
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
        raise ValidationError(f"experiment {spec!r} unknown; available: {', '.join(exps)}")
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
        cfg = tomllib.load(f)
    if "experiment" not in cfg:
        raise ValidationError(f"{path}: the key 'experiment' (which study to run) is missing")
    base = get_experiment(cfg["experiment"])
    return base.with_grid(grid=cfg.get("grid"), replicates=cfg.get("replicates"),
                          name=cfg.get("name", path.stem))
