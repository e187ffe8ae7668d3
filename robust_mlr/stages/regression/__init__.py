"""Regression stage: estimate (W, s², p) per component from classified tasks.

Every method maps ``(data, labels, k)`` to ``(W, s2, p, info)``:

* ``"ls"`` — least squares on all examples of a component's tasks
  (ICML 2020 Algorithm 4, :mod:`.least_squares`);
* ``"filter"`` — least squares with a filter on per-task gradients, and
  ``"huber"`` — Huber IRLS (:mod:`.robust`).

Robust fits then clip each ŝ²_ℓ into an interval from the heavy tasks of
cluster ℓ (:func:`cross_check_noise`, :mod:`.noise_check`).
"""

from __future__ import annotations

from ..._threads import pinned
from ..._validation import lookup
from .least_squares import least_squares, refine
from .noise_check import cross_check_noise, heavy_noise_interval
from .robust import (filter_regression, filter_stage, huber_regression, huber_stage,
                     robust_noise)

__all__ = ["METHODS", "fit_components", "refine", "filter_regression", "huber_regression",
           "filter_stage", "robust_noise", "cross_check_noise", "heavy_noise_interval"]

METHODS = {"ls": least_squares, "filter": filter_stage, "huber": huber_stage}


@pinned
def fit_components(data, labels, k, method="ls", **kwargs):
    """Estimate (W, s², p) per component from classified tasks.

    Parameters
    ----------
    data : MetaDataset
        Light tasks (pool ``light2``).
    labels : ndarray of int (n,)
        Component of each task; ``-1`` excludes a task.
    k : int
        Number of components.
    method : str
        A name in :data:`METHODS`.
    **kwargs
        Passed to the method (e.g. ``alpha``, ``rng``).

    Returns
    -------
    W : ndarray (d, k), s2 : ndarray (k,), p : ndarray (k,), info : dict
    """
    fn = lookup(METHODS, method, "regression method")
    return fn(data, labels, k, **kwargs)
