"""Regression stage: estimate (W, s², p) per component from classified tasks.

Stage objects (:mod:`.stages`), also selected by name (``ALIASES``); every
method maps ``(data, labels, k)`` to ``(W, s2, p, info)``:

* ``"ls"`` (:class:`LeastSquares`) — least squares on all examples of a component's tasks
  (ICML 2020 Algorithm 4, :mod:`.least_squares`);
* ``"filter"`` (:class:`FilterRegression`) — least squares with a filter on
  per-task gradients, and ``"huber"`` (:class:`Huber`) — Huber IRLS
  (:mod:`.robust`).

Robust fits then pool each ŵ_ℓ with a robust estimate from the heavy tasks
of component ℓ (the anchor: the light estimate moves it only within a χ²_d
consistency region) and take each ŝ²_ℓ from the median of those heavy
tasks' noise ratios, pooled with the light estimate within the stage's
``noise_pull`` (0 by default: the heavy median alone;
:func:`cross_check_noise`, :mod:`.noise_check`), when the heavy tasks'
assignment to components is reliable; otherwise ŝ²_ℓ is taken at the final
ŵ over every light task weighted by its posterior probability of ℓ
(:func:`posterior_noise`), not over the tasks classified to ℓ.
"""

from __future__ import annotations

from ...threat import ThreatModel
from .._stage import make_stage
from .least_squares import refine
from .noise_check import cross_check_noise, heavy_noise_interval, posterior_noise
from .robust import filter_regression, filter_components, huber_regression, robust_noise
from ..._segments import task_weighted_row_quantile

from .stages import ALIASES, FilterRegression, Huber, LeastSquares, RegressionStage

__all__ = ["ALIASES", "RegressionStage", "LeastSquares", "FilterRegression", "Huber",
           "fit_components", "refine", "filter_regression", "huber_regression",
           "filter_components", "robust_noise", "cross_check_noise", "heavy_noise_interval",
           "posterior_noise", "task_weighted_row_quantile"]

def fit_components(data, labels, k, method="ls", *, alpha=0.0, rng=None, heavy=None,
                   **options):
    """Estimate (W, s², p) per component from classified tasks (the function
    form of the stages).

    Parameters
    ----------
    data : MetaDataset
        Light tasks (pool ``light2``).
    labels : ndarray of int (n,)
        Component of each task; ``-1`` excludes a task.
    k : int
        Number of components.
    method : str or RegressionStage
        A name in :data:`ALIASES` or a stage object.
    alpha : float
        Corrupted fraction handed to robust methods.
    rng : None, int or Generator
        Randomness of randomised methods.
    heavy : MetaDataset, optional
        Heavy tasks for the noise cross-check of robust methods.
    **options
        Options of the stage (e.g. ``max_iter`` for ``"filter"``); an option
        the stage does not have raises.

    Returns
    -------
    W : ndarray (d, k), s2 : ndarray (k,), p : ndarray (k,), info : dict
        ``info["labels"]``: the labels after the stage (−1 for removed tasks).
    """
    stage = make_stage(method, ALIASES, RegressionStage).set_params(**options)
    stage.fit(data, labels, k, heavy=heavy, threat=ThreatModel(alpha), rng=rng)
    return stage.W_, stage.s2_, stage.p_, dict(stage.info_, labels=stage.labels_)
