"""Classification stage: assign light tasks of pool L2 to components.

:func:`classify` is the likelihood rule of ICML 2020 Algorithm 4
(:mod:`.likelihood`); :func:`flag_unfit_tasks` is its robust form, which also
flags tasks that fit no component (:mod:`.flagging`), and :func:`excess_flags`
says when a component has more flags than clean tasks give. The stage object is
:class:`Likelihood` (``flag_level`` selects the robust form).
"""

from .flagging import excess_flags, flag_unfit_tasks
from .likelihood import classify, task_neg_log_lik
from .stages import ALIASES, ClassificationStage, Likelihood

__all__ = ["ALIASES", "ClassificationStage", "Likelihood", "classify", "task_neg_log_lik",
           "flag_unfit_tasks", "excess_flags"]
