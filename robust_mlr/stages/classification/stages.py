"""The classification stage object: assign light tasks of pool L2 to components."""

from __future__ import annotations

import numpy as np

from ... import _params
from ..._threads import pinned
from ...threat import ThreatModel
from .._stage import Stage
from ._shares import final_weights
from .flagging import excess_flags, flag_unfit_tasks
from .likelihood import classify

__all__ = ["ClassificationStage", "Likelihood", "ALIASES"]


class ClassificationStage(Stage):
    """Base of the classification stages (pool ``light2``)."""

    kind = "classification"
    pool = "light2"

    def bound_weights(self, data, W, s2, p, *, threat=None):
        """The mixing weights p̂ after the stage's check at the final
        estimates; the base stage keeps them.

        Parameters
        ----------
        data : MetaDataset
            Light tasks (pool ``light2``).
        W : ndarray (d, k)
            Final regression vectors.
        s2 : ndarray (k,)
            Final noise variances.
        p : ndarray (k,)
            The refinement's p̂ (shares of the tasks this stage classified).
        threat : ThreatModel, optional
            The corruption budget; default: none.

        Returns
        -------
        p : ndarray (k,)
        info : dict
            Entries for the regression's diagnostics (none here).
        """
        return p, {}


class Likelihood(ClassificationStage):
    """Each task goes to its most likely component (ICML 2020 Algorithm 4);
    with ``flag_level`` set, tasks that fit no component are flagged
    (Kong, Somani, Kakade, Oh, NeurIPS 2020).

    Parameters
    ----------
    flag_level : float in (0, 1), optional
        Flag a task when its best component's residual sum of squares / s²
        exceeds the (1 − flag_level) quantile of χ²_t; None: classify all.
    recheck : bool
        With ``flag_level`` set: when a component's flags exceed what clean
        tasks give (``info_["excess"]``), the learner classifies once more
        at its final estimates and refits (docs/robust_pipeline.md); False
        keeps the first labels.

    Attributes
    ----------
    labels_ : ndarray of int (n,)
        Component of each task, −1 when flagged.
    flagged_ : ndarray of bool (n,)
    info_ : dict
        ``flagged``; a robust stage adds ``removed``, ``limit`` and
        ``excess``: the components whose flagged tasks (by best component)
        exceed what clean tasks give at ``flag_level``
        (:func:`~.flagging.excess_flags`), a sign that (W, s²) is off there.
    """

    _parameter_constraints = {"flag_level": _params.real(0.0, 1.0, include_min=False,
                                                         include_max=False, none=True),
                              "recheck": _params.boolean()}

    def __init__(self, flag_level=None, recheck=True):
        self.flag_level = flag_level
        self.recheck = recheck

    @property
    def robust(self):
        """Flagging tasks that fit no component is the robust form."""
        return self.flag_level is not None

    @pinned
    def fit(self, data, W, s2, *, threat=None):
        """Classify the light tasks ``data`` under components (W, s²).

        Parameters
        ----------
        data : MetaDataset
            Light tasks (pool ``light2``).
        W : ndarray (d, k)
        s2 : ndarray (k,)
        threat : ThreatModel, optional
            The corruption budget; default: none.

        Returns
        -------
        self
        """
        level = self._options()["flag_level"]
        threat = threat or ThreatModel()
        if level is None:
            labels, _ = classify(data, W, s2)
            flagged = np.zeros(data.n_tasks, bool)
        else:
            labels, flagged = flag_unfit_tasks(data, W, s2, level)
            counts, bounds = excess_flags(labels, flagged, W.shape[1], level)
            labels = np.where(flagged, -1, labels)
        info = {"flagged": flagged}
        if self.robust:     # a clean pool loses about level·n tasks to the test itself
            info.update(removed=int(flagged.sum()),
                        excess=np.flatnonzero(counts > bounds).tolist(),
                        limit=threat.limit(data.n_tasks) + int(3 * level * data.n_tasks + 3))
        self.labels_, self.flagged_, self.info_ = labels, flagged, info
        return self

    def bound_weights(self, data, W, s2, p, *, threat=None):
        """The robust form under an active threat keeps p̂ within two
        standard errors of the shares this stage classifies at the final
        (W, s²): the shares classified at the clustering's estimates lose
        the clean tasks that a heavy-pool shift of W̃ sends to other
        components (docs/robust_pipeline.md, "Mixing weights"). Otherwise
        p̂ is kept. Parameters as in the base stage's method; ``info`` is
        ``{"weights": ...}`` when the check ran: ``classified`` (the
        refinement's p̂), ``final`` (the shares at (W, s²)), ``tasks`` (the
        number they count), ``width`` and ``moved``.
        """
        threat = threat or ThreatModel()
        if not (self.robust and threat.active):
            return p, {}
        p, info = final_weights(self, data, W, s2, p, threat)
        return p, {"weights": info}


#: Names accepted wherever a classification stage is expected.
ALIASES = {"likelihood": (Likelihood, {}), "flag": (Likelihood, {"flag_level": 1e-3})}
