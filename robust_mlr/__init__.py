"""robust-mlr: robust meta-learning of mixed linear regression.

The pipeline of Kong et al. (ICML 2020; NeurIPS 2020): subspace estimation,
clustering of heavy tasks, classification and refinement on light tasks,
and MAP/Bayes prediction, each stage selectable by name.
"""

from importlib import metadata as _metadata

from .data import MetaDataset, Pools
from .estimator import MetaLearner
from .exceptions import (ConvergenceWarning, CorruptionWarning, EmptyClusterError,
                         NotFittedError,
                         SolverFailedError, ValidationError)
from .generator import MLRParams, make_params, make_pools, make_tasks
from .stages.subspace import estimate_subspace
from .stages.clustering import cluster_heavy, distance_matrix
from .stages.classification import classify
from .stages.prediction import posterior, task_parameters
from . import metrics, stages

try:                                   # one source: the version declared in pyproject.toml
    __version__ = _metadata.version("robust-mlr")
except _metadata.PackageNotFoundError:  # pragma: no cover - a checkout never installed
    __version__ = "0+unknown"

__all__ = [
    "MetaDataset", "Pools", "MetaLearner", "MLRParams", "make_params", "make_tasks",
    "make_pools", "estimate_subspace", "cluster_heavy", "distance_matrix", "classify",
    "posterior", "task_parameters", "metrics", "stages", "ValidationError", "NotFittedError",
    "EmptyClusterError", "SolverFailedError", "ConvergenceWarning", "CorruptionWarning", "__version__",
]
