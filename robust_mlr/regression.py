"""Per-component regression stage registry (SPEC §3 and §4.3).

Every method maps (data, labels, k) to ``(W, s2, p, info)``. ``"ls"`` is the
least-squares refinement of ICML Algorithm 4; robust methods register here
from :mod:`robust_mlr.robust_regression`.
"""

from __future__ import annotations

from .classification import refine
from ._validation import lookup

__all__ = ["REGRESSION_METHODS", "fit_components"]


def _ls(data, labels, k, **_):
    W, s2, p = refine(data, labels, k)
    return W, s2, p, {}


REGRESSION_METHODS = {"ls": _ls}


def fit_components(data, labels, k, method="ls", **kwargs):
    """Estimate (W, s², p) per component from classified tasks with ``method``."""
    fn = lookup(REGRESSION_METHODS, method, "regression method")
    return fn(data, labels, k, **kwargs)
