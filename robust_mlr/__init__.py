"""robust-mlr: robust meta-learning of mixed linear regression.

The pipeline of Kong et al. (ICML 2020; NeurIPS 2020): subspace estimation,
clustering of heavy tasks, classification and refinement on light tasks,
and MAP/Bayes prediction, each stage an object (or its name).

The data model and the exceptions load with the package; the learner and the
stages load on first use (PEP 562), so ``import robust_mlr`` stays cheap and
cvxpy, optuna, matplotlib and dask load only where a method needs them.
"""

import importlib
from importlib import metadata as _metadata

from .data import MetaDataset, Pools
from .exceptions import (ConvergenceWarning, CorruptionWarning, DataWarning,
                         EmptyClusterError, IdentifiabilityWarning, NotFittedError, SolverFailedError,
                         ValidationError)
from .generator import MLRParams, make_params, make_pools, make_tasks

try:                                   # one source: the version declared in pyproject.toml
    __version__ = _metadata.version("robust-mlr")
except _metadata.PackageNotFoundError:  # pragma: no cover - a checkout never installed
    __version__ = "0+unknown"

#: Public names loaded on first use: name -> (module, attribute or None for the module).
_LAZY = {
    "MetaLearner": (".estimator", "MetaLearner"),
    "ThreatModel": (".threat", "ThreatModel"),
    "estimate_subspace": (".stages.subspace", "estimate_subspace"),
    "cluster_heavy": (".stages.clustering", "cluster_heavy"),
    "distance_matrix": (".stages.clustering", "distance_matrix"),
    "classify": (".stages.classification", "classify"),
    "posterior": (".stages.prediction", "posterior"),
    "task_parameters": (".stages.prediction", "task_parameters"),
    "metrics": (".metrics", None),
    "stages": (".stages", None),
    "preprocess": (".preprocess", None),
    "ChunkedMetaDataset": (".chunked", "ChunkedMetaDataset"),
    "write_chunked": (".chunked", "write_chunked"),
    "fit_out_of_core": (".outofcore", "fit_out_of_core"),
}

__all__ = [
    "MetaDataset", "Pools", "MetaLearner", "ThreatModel", "MLRParams", "make_params",
    "make_tasks", "make_pools", "estimate_subspace", "cluster_heavy", "distance_matrix",
    "classify", "posterior", "task_parameters", "metrics", "stages", "preprocess",
    "ValidationError", "NotFittedError", "EmptyClusterError", "SolverFailedError",
    "ConvergenceWarning", "CorruptionWarning", "IdentifiabilityWarning", "DataWarning",
    "ChunkedMetaDataset", "write_chunked", "fit_out_of_core", "__version__",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'robust_mlr' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = importlib.import_module(module, __name__)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
