"""The pipeline's stages, one subpackage each, in the order they run.

``subspace`` (light pool L1) → ``clustering`` (heavy pool H) →
``classification`` and ``regression`` (light pool L2) → ``prediction``
(new tasks). Each stage package holds its plain and robust methods and a
``METHODS`` registry that :class:`robust_mlr.MetaLearner` looks names up in.
"""

from . import classification, clustering, prediction, regression, subspace

__all__ = ["subspace", "clustering", "classification", "regression", "prediction"]
