"""Experiments, sweeps and their deterministic trial seeds."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..exceptions import ValidationError

__all__ = ["Experiment", "Trial", "expand_grid", "point_key", "trial_seed"]


@dataclass(frozen=True)
class Experiment:
    """A study: a function of one parameter point and a Generator, a grid, seeds.

    Parameters
    ----------
    name : str
        Registry name; also enters every trial's seed.
    func : callable ``(point: dict, rng: Generator) -> dict``
        Runs one trial and returns a flat record of metrics (numbers). Must be
        a module-level function so worker processes can import it.
    grid : dict of lists or list of dicts
        Parameter points: the product of a dict's lists, or the listed points.
    metrics : tuple of str
        Metric names ``func`` returns (fixes the results file's columns).
    replicates : int
        Seeds per point.
    quick_grid, quick_replicates :
        The ``--quick`` size (under a minute, for smoke tests).
    description : str
        What it reproduces and the expected outcome.
    plot : callable ``(rows, out_dir) -> list of paths``, optional
        Figure maker for a results file.
    summary : callable ``(rows) -> str``, optional
        Extra text after the generic summary (e.g. a fitted slope).
    """

    name: str
    func: Callable
    grid: object
    metrics: tuple
    replicates: int = 10
    quick_grid: object = None
    quick_replicates: int = 2
    description: str = ""
    plot: Callable | None = None
    summary: Callable | None = None

    def points(self, quick=False):
        """The list of parameter points (dicts)."""
        grid = self.quick_grid if (quick and self.quick_grid is not None) else self.grid
        return expand_grid(grid)

    def with_grid(self, grid=None, replicates=None, name=None):
        """A copy with another grid, number of replicates or name."""
        kw = {}
        if grid is not None:
            kw["grid"] = grid
            kw["quick_grid"] = None
        if replicates is not None:
            kw["replicates"] = kw["quick_replicates"] = int(replicates)
        if name is not None:
            kw["name"] = name
        return replace(self, **kw)

    def trials(self, quick=False):
        """All trials of the sweep in a fixed order."""
        reps = self.quick_replicates if quick else self.replicates
        out = []
        for point in self.points(quick):
            key = point_key(point)
            for r in range(reps):
                out.append(Trial(point, r, trial_seed(self.name, key, r), key))
        return out


@dataclass(frozen=True)
class Trial:
    """One (point, replicate) with its seed and identity."""

    point: dict
    replicate: int
    seed: int
    key: str = field(repr=False)

    @property
    def trial_id(self):
        """Stable identity used to resume: hash of point and replicate."""
        h = hashlib.sha1(f"{self.key}#{self.replicate}".encode()).hexdigest()
        return h[:16]


def expand_grid(grid):
    """Points of a grid: a dict of lists (Cartesian product) or a list of dicts."""
    if isinstance(grid, dict):
        names = list(grid)
        values = [v if isinstance(v, (list, tuple)) else [v] for v in grid.values()]
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]
    if isinstance(grid, (list, tuple)) and all(isinstance(p, dict) for p in grid):
        return [dict(p) for p in grid]
    raise ValidationError(f"grid must be a dict of lists or a list of dicts, got {type(grid).__name__}")


def point_key(point):
    """Canonical JSON of a point (sorted keys): equal points, equal keys."""
    return json.dumps(point, sort_keys=True, separators=(",", ":"), default=str)


def trial_seed(name, key, replicate):
    """Seed of a trial: derived from (experiment, point, replicate) only.

    The same number whatever executes the trial (serial, N processes, Dask),
    so results do not depend on the worker count.
    """
    digest = hashlib.sha256(f"{name}|{key}|{replicate}".encode()).digest()
    entropy = int.from_bytes(digest[:16], "little")
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0] >> 1)
