"""The base of the clustering stage objects (private module; the stages and
their documentation are in :mod:`.stages`): what every stage does around
its own clustering — the tasks set aside under a threat, the working
basis, the clusters the adversary could have fabricated whole."""

from __future__ import annotations

import abc

import numpy as np

from ..._threads import pinned
from ..._validation import check_int, check_rng
from ...exceptions import ValidationError
from ...threat import ThreatModel
from .._results import check_clustering
from .._stage import Stage
from .base import ClusteringResult
from .basis import heavy_basis
from .burer_monteiro import LowRankCost
from ._degenerate import degenerate_tasks
from .estimates import cluster_estimates
from .factored import far_tasks
from ._fallbacks import within_limit
from .linkage import projected_chunks, projection_cache


class ClusteringStage(Stage):
    """Base of the clustering stages (pool ``heavy``)."""

    kind = "clustering"
    pool = "heavy"
    #: Clusters from pairwise distances, so a basis of any width serves
    #: (the moment relaxations and estimators stay in span U).
    distance_based = False
    #: Under an active threat, tasks far from the bulk are set aside first.
    sets_aside_far_tasks = True
    #: Uses the light tasks of pool L2 when given them (refinement, a witness).
    uses_light = False
    #: A robust stage that clusters in U plus the heavy tasks' directions
    #: (:func:`~.basis.heavy_basis`) under an active threat although it is
    #: not distance-based.
    wide_basis = False

    @pinned
    def fit(self, data, U, k, *, threat=None, rng=None, light=None):
        """Cluster the heavy tasks ``data`` in the basis ``U``.

        Parameters
        ----------
        data : MetaDataset
            Heavy tasks.
        U : ndarray (d, k)
            Subspace basis.
        k : int
            Number of clusters, ``k <= n``.
        threat : ThreatModel, optional
            The corruption budget (robust stages); default: none.
        rng : None, int or Generator
            Randomness of randomised methods.
        light : MetaDataset, optional
            Light tasks (pool L2); a stage with ``uses_light`` refines its
            estimates on them, the others ignore them.

        Returns
        -------
        self
        """
        k = check_int(k, "k", min_val=1)
        if k > data.n_tasks:
            raise ValidationError(f"k={k} components but the heavy pool has {data.n_tasks} "
                                  f"task(s): clustering needs at least k heavy tasks")
        if data.n_tasks and data.sizes.max() < 2:       # no two examples of one task anywhere
            raise ValidationError(
                f"pool {self.pool}: all {data.n_tasks} tasks have t_i=1 example; clustering "
                f"({type(self).__name__}) needs heavy tasks of t_i >= 2 examples (the "
                f"pairwise statistics split a task into halves; a task of one example is a "
                f"light task: put it in light2)")
        threat = threat or ThreatModel()
        rng = check_rng(rng)
        options = self._options()
        defend = self.robust and threat.active
        if self.uses_light and light is not None:
            options["light"] = light
        wide = defend and (self.distance_based or self.wide_basis)
        null = options.pop("basis_null", None)
        with projection_cache():            # each basis projected once in this fit
            # the null test's signs come from a child generator: the stage's
            # own draws stay those it makes without the test
            basis = heavy_basis(data, U, k, threat.alpha, null_level=null,
                                rng=rng.spawn(1)[0] if null else None) if wide else U
            far = self._far_tasks(data, basis, k, threat)
            if far is None:
                res = self._fit_tasks(data, basis, U, k, threat, rng, options, defend,
                                      threat.limit(data.n_tasks))
            else:
                keep = np.flatnonzero(~far)
                # the far tasks count against the pool's limit as well
                res = self._fit_tasks(data.subset(keep), basis, U, k, threat, rng, options,
                                      defend, threat.limit(data.n_tasks) - int(far.sum()))
                labels = np.full(data.n_tasks, -1)
                labels[keep] = res.labels
                res = ClusteringResult(labels, labels < 0, res.objective,
                                       dict(res.info, far_tasks=int(far.sum()), set_aside=far),
                                       res.estimates)
        if self.robust:
            res.info.update(removed=int(np.sum(res.outliers)), limit=threat.limit(data.n_tasks))
        self.result_ = res
        self.labels_ = res.labels
        self.W_tilde_, self.r2_tilde_, self.p_tilde_ = res.estimates
        return self

    def _fit_tasks(self, data, basis, U, k, threat, rng, options, defend, room):
        """Cluster, distrust fabricated clusters (robust, under a threat) and
        estimate W̃, r̃², p̃ (in span U); ``room``: how many of ``data``'s
        tasks the pool's limit leaves to remove."""
        res = self._cluster(data, basis, k, threat, rng, options)
        check_clustering(self, res, data.n_tasks, k)
        res.info["basis_dim"] = basis.shape[1]
        if "estimates" in res.info:            # a method that estimates W̃, r̃², p̃ itself
            res.estimates = res.info.pop("estimates")
        elif defend:
            res = self._distrust_fabricated(data, basis, k, threat, rng, options, res, room)
        if res.estimates is None:
            res.estimates = cluster_estimates(data, res.labels, U, k, robust=defend)
        return res

    def _far_tasks(self, data, basis, k, threat):
        """Under an active threat, the tasks so far from the bulk that no
        cluster should be spent on them (:func:`~.factored.far_tasks`: at most
        ⌊αn⌋, none on clean data), as a mask; None when there are none.
        Every clustering stage sets them aside — a group of identical far
        tasks otherwise takes a cluster of its own, or derails a solver.
        Noise-free tasks and exact copies
        (:func:`~._degenerate.degenerate_tasks`) are set aside wherever they
        lie."""
        if not (threat.active and self.sets_aside_far_tasks):
            return None
        suspect = degenerate_tasks(data, threat.alpha)
        if data.sizes.min() < 2:
            fits = suspect.any() and suspect.sum() <= np.floor(threat.alpha * data.n_tasks)
            return suspect if fits and (~suspect).sum() >= 2 * k else None
        # a task whose projected sums overflow (|x| or |y| beyond ≈ 1e154,
        # unscreened: stages that are not robust) is as far as a task can be
        with np.errstate(over="ignore", invalid="ignore"):
            B = projected_chunks(data, basis, 2, stage="clustering")
        inf = ~(np.isfinite(B[0]).all(axis=1) & np.isfinite(B[1]).all(axis=1))
        if inf.any():
            suspect = suspect | inf
            B = [np.where(inf[:, None], 0.0, b) for b in B]
        far = far_tasks(LowRankCost(B[0], B[1]), threat.alpha, suspect=suspect)
        if not far.any() or (~far).sum() < 2 * k:
            return None
        return far

    def _distrust_fabricated(self, data, U, k, threat, rng, options, res, room):
        """Clusters small enough to be fabricated (:func:`fabricable`) become
        outliers, at most ``threat.limit(n)`` tasks in all, and the other
        tasks are clustered again into k clusters.

        The adversary's tasks number at most the limit in all, so the
        distrusted clusters do too: when the small clusters hold more (near
        coincident components split into small clusters on clean data),
        they are taken largest first while they fit, and the rest are kept.

        The tasks the first solve set aside are clustered again with the
        kept ones: that solve's choice was made beside the distrusted
        clusters, and the second solve sets aside its own ⌊αn⌋ (the
        distrusted tasks may be clean ones, the adversary's still among the
        rest). Keeping the first choice as well removed up to 2⌊αn⌋ tasks
        on top of the distrusted ones: on clean sine-wave data 1 + 4 + 1 = 6
        against a limit of 5, a false CorruptionWarning.

        The distrusted tasks and the second solve's together may still pass
        the limit (5 distrusted + 1 set aside on the same data with another
        CPU's rounding): the adversary's tasks number at most the limit, so
        the second solve's set-aside tasks nearest a cluster centre (in the
        basis, per-task means) rejoin that cluster until the removals — the
        far tasks set aside before, the distrusted and these — are within
        it; the farthest, where an adversary's tasks would sit, stay out
        (:func:`readmit_to_limit`).
        """
        counts = np.bincount(res.labels[res.labels >= 0], minlength=k)
        small = within_limit(np.where(counts <= fabricable(counts, threat, data.n_tasks),
                                      counts, 0), threat.limit(data.n_tasks))
        keep = np.flatnonzero(~np.isin(res.labels, small))
        if small.size == 0 or keep.size <= 2 * k:
            return res
        again = self._cluster(data.subset(keep), U, k, threat, rng, options)
        labels = np.full(data.n_tasks, -1)
        distrusted = int(np.isin(res.labels, small).sum())
        labels[keep], back = readmit_to_limit(data.subset(keep), U, again.labels, k,
                                              room - distrusted)
        info = dict(again.info, basis_dim=U.shape[1], distrusted_clusters=int(small.size),
                    distrusted_tasks=distrusted, readmitted=back)
        return ClusteringResult(labels, labels < 0, again.objective, info)

    @abc.abstractmethod
    def _cluster(self, data, U, k, threat, rng, options):
        """The method: a ClusteringResult for ``data`` in the basis ``U``."""


def fabricable(counts, threat, n):
    """The largest cluster the distrust rule takes for fabricated:
    ``threat.limit(n)`` (⌊αn⌋ plus the Binomial margin), but no more than
    half the median cluster unless ⌊αn⌋ itself is more.

    The adversary's ⌊αn⌋ tasks can make a cluster of about that many; a
    true component has about p·n. With few heavy tasks a component is
    within the Binomial margin of the budget: at k = 8 and n_H = 100 the
    limit is 12.7 tasks at α = 0.05 and a component holds 10–15, so the
    rule set a whole true component aside on clean data (the
    clustering-relaxations study's robust Peng–Wei accuracy 0.99 → 0.82 at
    t_H = 64, 0.79 → 0.44 at t_H = 16). Half the median cluster is below
    every component of a problem whose shares are within a factor of two,
    and a fabricated cluster of ⌊αn⌋ tasks stays within reach; where the
    median is large (400 heavy tasks in four components) the limit binds,
    as before."""
    held = counts[counts > 0]
    half = float(np.median(held)) / 2.0 if held.size else 0.0
    return min(float(threat.limit(n)), max(float(np.floor(threat.alpha * n)), half))



def readmit_to_limit(data, U, labels, k, room):
    """``labels`` (of k clusters) with at most ``room`` tasks left out (−1):
    the others of the left-out tasks, nearest a cluster's centre first, join
    that cluster (per-task means of y·Uᵀx; centres the members' means).
    Returns ``(labels, number readmitted)``; nothing is readmitted when no
    task is in a cluster."""
    out = np.flatnonzero(labels < 0)
    excess = min(out.size - max(int(room), 0), out.size)
    if excess <= 0 or out.size == labels.size:
        return labels, 0
    B = projected_chunks(data, U, 1, cache=False)[0]
    held = labels >= 0
    counts = np.bincount(labels[held], minlength=k)
    centres = np.zeros((k, B.shape[1]))
    np.add.at(centres, labels[held], B[held])
    centres /= np.maximum(counts, 1)[:, None]
    dist = np.sum((B[out, None, :] - centres[None]) ** 2, axis=2)
    dist[:, counts == 0] = np.inf
    nearest = np.argmin(dist, axis=1)
    back = np.argsort(dist[np.arange(out.size), nearest], kind="stable")[:excess]
    labels = labels.copy()
    labels[out[back]] = nearest[back]
    return labels, int(excess)
