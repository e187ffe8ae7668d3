"""Studies run through :mod:`robust_mlr.engine`.

Each module defines ``EXPERIMENT`` (an :class:`robust_mlr.engine.Experiment`)
with a docstring saying what it reproduces and the expected outcome.
``robust-mlr experiment list`` shows them all.
"""
