"""Full-learner baselines for mixtures of linear regressions.

Each baseline fits (W, s², p) by a classical route other than the Kong et
al. pipeline and exposes the same interface as :class:`robust_mlr.MetaLearner`
(attributes ``W_``, ``s2_``, ``p_``, ``U_``; ``posterior``,
``task_parameters`` and ``predict`` through :mod:`robust_mlr.stages.prediction`),
so studies score both the same way:

* ``"em"`` — :class:`EMLearner`, expectation-maximisation with task-level
  latent components and k-means++ restarts from the moment subspace
  (:mod:`.em`);
* ``"moments"`` — :class:`MomentLearner`, method-of-moments subspace,
  k-means of the heavy tasks' projected regressions, least squares
  (:mod:`.method_of_moments`).

They live outside :mod:`robust_mlr.stages` because they are whole learners,
not one stage of the pipeline; the subspace parts of the seed baselines
(Meta-SP, AMHT-LRS, moments) are stages in
:data:`robust_mlr.stages.subspace.METHODS`.
"""

from .em import EMLearner, em_step
from .method_of_moments import MomentLearner

__all__ = ["METHODS", "EMLearner", "MomentLearner", "em_step"]

METHODS = {"em": EMLearner, "moments": MomentLearner}
