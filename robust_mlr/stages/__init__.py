"""The pipeline's stages, one subpackage each, in the order they run.

``subspace`` (light pool L1) → ``clustering`` (heavy pool H) →
``classification`` and ``regression`` (light pool L2) → ``prediction``
(new tasks). Each stage package holds its plain and robust methods and an
``ALIASES`` table of the names :class:`robust_mlr.MetaLearner` accepts in place
of its stage objects.
"""

from . import classification, clustering, prediction, regression, subspace

__all__ = ["subspace", "clustering", "classification", "regression", "prediction"]
