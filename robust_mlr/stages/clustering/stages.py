"""Clustering stage objects: group the heavy tasks H by their regression vectors.

``fit(heavy, U, k, threat=, rng=)`` sets ``result_`` (a
:class:`~.base.ClusteringResult` whose ``estimates`` holds the cluster
estimates W̃, r̃², p̃ of ICML 2020 Algorithm 3), ``labels_`` and
``W_tilde_``, ``r2_tilde_``, ``p_tilde_``.

Under an active threat model every clustering stage first sets aside the
tasks far from the bulk (at most ⌊αn⌋; none on clean data), which would
otherwise take clusters of their own, and the noise-free tasks and exact
copies wherever they lie (``info["set_aside"]``: the mask). A robust distance-based stage
(``PengWei(robust=True)``) facing an active threat model clusters in U plus
the directions the heavy tasks say U misses (:func:`~.basis.heavy_basis`);
every robust stage that returns labels distrusts a cluster the adversary
could have fabricated whole — no more tasks than
:meth:`~robust_mlr.threat.ThreatModel.limit` — making its tasks outliers and
clustering the others again into k clusters (a tight group of ⌊αn⌋ shifted
tasks otherwise takes a cluster of its own while two true components merge;
true components are assumed larger than the budget, α < p_min).
"""

from __future__ import annotations

import numpy as np

from ... import _params
from ...exceptions import SolverFailedError, ValidationError
from .._stage import make_stage
from ._stage_base import ClusteringStage
from .em import em_clustering, robust_em_clustering
from ._light_refine import light_refinement
from ._fallbacks import likelihood_fallback, solver_fallback
from .kss import kss_cluster
from .linkage import average_linkage, single_linkage
from .tensor_estimator import moment_clustering, robust_moment_clustering
from .rounding import ROUNDINGS
from .kmeans_baseline import kmeans_baseline
from .pseudo_distribution import single_cluster
from .sdp import sdp_cluster

__all__ = ["ClusteringStage", "Linkage", "KMeans", "PengWei", "SoSRelaxation",
           "SingleClusterPeeling", "TensorMoments", "EM", "BySize", "KSSRelaxation", "ALIASES"]

_LINKAGES = {"single": single_linkage, "average": average_linkage}


class Linkage(ClusteringStage):
    """Linkage on the median-of-splits distance matrix (ICML 2020 Algorithm 3).

    Parameters
    ----------
    linkage : {"single", "average"}
        ``"single"`` as in the paper, ``"average"`` as in the authors' code.
    L : int, optional
        Split pairs of the distance matrix (default from t_H).
    refine : bool
        Follow the linkage cut by :func:`~.linkage.lloyd_refine` (each task
        to the cluster of least mean distance, until stable). A no-op under
        the separation of the paper's guarantee; off, the paper's algorithm
        exactly.
    """

    distance_based = True
    _parameter_constraints = {"linkage": _params.one_of(_LINKAGES, "linkage"),
                              "L": _params.integer(1, none=True),
                              "refine": _params.boolean()}

    def __init__(self, linkage="single", L=None, refine=False):
        self.linkage = linkage
        self.L = L
        self.refine = refine

    def _cluster(self, data, U, k, threat, rng, options):
        return _LINKAGES[options["linkage"]](data, U, k, L=options["L"],
                                             refine=options["refine"])


class KMeans(ClusteringStage):
    """k-means on the projected task means (a baseline).

    Parameters
    ----------
    n_groups : int
        Groups per task averaged into its mean.
    """

    distance_based = True
    _parameter_constraints = {"n_groups": _params.integer(1)}

    def __init__(self, n_groups=2):
        self.n_groups = n_groups

    def _cluster(self, data, U, k, threat, rng, options):
        return kmeans_baseline(data, U, k, rng=rng, **options)


class _Relaxation(ClusteringStage):
    """Options shared by the SDP relaxations (see :func:`~.sdp.sdp_cluster`)."""

    _parameter_constraints = {
        "robust": _params.boolean(), "L": _params.integer(1, none=True),
        "n_groups": _params.integer(1, none=True),
        "rounding": _params.one_of(ROUNDINGS, "rounding"), "readmit": _params.boolean(),
        "max_sdp": _params.integer(2, none=True), "solver": lambda v, n: _check_solver(v, n),
        "solver_opts": _params.mapping()}

    def _sdp(self, data, U, k, threat, rng, options, **fixed):
        options = dict(options, **fixed)
        robust = options.pop("robust")
        alpha = threat.alpha if robust else 0.0
        try:
            return sdp_cluster(data, U, k, alpha=alpha, rng=rng, **options)
        except SolverFailedError as exc:
            if alpha == 0.0:
                raise
            return solver_fallback(data, U, k, alpha, rng, exc)


class PengWei(_Relaxation):
    """The Peng–Wei SDP relaxation of k-means, or its outlier-robust variant
    (Kong, Somani, Kakade, Oh, NeurIPS 2020), on the distance matrix.

    Parameters
    ----------
    robust : bool
        The robust variant: rows may shed their mass, α of them at most.
    solver : str, optional
        ``"BM"`` (default: nonnegative Burer–Monteiro, every heavy task) or a
        cvxpy solver name (the full SDP; use ``max_sdp`` beyond a few hundred
        tasks).
    L : int, optional
        Split pairs of the distance matrix.
    n_groups : int, optional
        Groups per task of the moment forms.
    rounding : {"spectral", "mode", "linkage"}
        Rounding of the SDP solution.
    readmit : bool
        Robust variant: re-admit a shed task close to a cluster.
    max_sdp : int, optional
        Solve on a random subsample of this many tasks, assign the rest.
    solver_opts : dict, optional
        Options of the solver.
    """

    distance_based = True

    def __init__(self, robust=False, solver=None, L=None, n_groups=None, rounding="spectral",
                 readmit=True, max_sdp=None, solver_opts=None):
        self.robust = robust
        self.solver = solver
        self.L = L
        self.n_groups = n_groups
        self.rounding = rounding
        self.readmit = readmit
        self.max_sdp = max_sdp
        self.solver_opts = solver_opts

    def _cluster(self, data, U, k, threat, rng, options):
        relaxation = "peng_wei_robust" if options["robust"] else "peng_wei"
        return self._sdp(data, U, k, threat, rng, options, relaxation=relaxation)


class SoSRelaxation(_Relaxation):
    """Peng–Wei plus m-th moment constraints on every cluster (an
    SoS-inspired relaxation; cvxpy, SCS by default).

    Parameters
    ----------
    m : {4, 6}
        Moment degree.
    robust : bool
        Add the constraints to robust Peng–Wei (when the threat model is
        active) instead of Peng–Wei.
    bound : float or "auto"
        β of the moment constraints in noise units.
    moment_rows : {"aggregate", "per_row"}
        One certificate for the sum of the rows or one per row.
    solver, L, n_groups, rounding, readmit, max_sdp, solver_opts
        As for :class:`PengWei`.
    """

    _parameter_constraints = {**_Relaxation._parameter_constraints,
                              "m": _params.one_of({4: 0, 6: 0}, "moment degree"),
                              "bound": _params.real_or("auto", 0.0),
                              "moment_rows": _params.one_of({"aggregate": 0, "per_row": 0},
                                                            "moment_rows")}

    def __init__(self, m=4, robust=True, bound="auto", moment_rows="aggregate", solver=None,
                 L=None, n_groups=None, rounding="spectral", readmit=True, max_sdp=None,
                 solver_opts=None):
        self.m = m
        self.robust = robust
        self.bound = bound
        self.moment_rows = moment_rows
        self.solver = solver
        self.L = L
        self.n_groups = n_groups
        self.rounding = rounding
        self.readmit = readmit
        self.max_sdp = max_sdp
        self.solver_opts = solver_opts

    def _cluster(self, data, U, k, threat, rng, options):
        return self._sdp(data, U, k, threat, rng, options, relaxation="sos")


class SingleClusterPeeling(ClusteringStage):
    """The lifted single-cluster relaxation peeled k − 1 times (ground truth
    on small instances).

    Parameters
    ----------
    L : int, optional
        Split pairs of the distance matrix.
    solver : str, optional
        cvxpy solver name.
    """

    sets_aside_far_tasks = False          # ground truth on small instances
    _parameter_constraints = {"L": _params.integer(1, none=True),
                              "solver": _params.text(none=True)}

    def __init__(self, L=None, solver=None):
        self.L = L
        self.solver = solver

    def _cluster(self, data, U, k, threat, rng, options):
        return single_cluster(data, U, k, **options)


class KSSRelaxation(ClusteringStage):
    """The genuine degree-4 SoS relaxation of Kothari–Steinhardt–Steurer
    clustering (pseudo-distribution over cluster indicators with Booleanity,
    cluster size and the fourth-moment bound as a localising SoS constraint
    in (w, v)), peeled k − 1 times; tiny n only (n ≈ 20 in a minute). Under
    an active threat model the size constraint becomes (1 − α)s ≤ Σ w ≤ s.

    Parameters
    ----------
    moment : bool
        Impose the fourth-moment constraint (False: the same program without it).
    beta : float or "auto"
        β of the constraint in noise units.
    beta_factor : float
        Calibration factor of ``beta="auto"``.
    min_share : float, optional
        Cluster size ⌊min_share · n⌋ (default balanced).
    n_groups : int
        Groups per task averaged into its point.
    L : int, optional
        Split pairs of the distance matrix of the objective.
    solver : str, optional
        cvxpy solver (default SCS).
    solver_opts : dict, optional
    """

    _parameter_constraints = {"moment": _params.boolean(), "beta": _params.real_or("auto", 0.0),
                              "beta_factor": _params.real(0.0, include_min=False),
                              "min_share": _params.real(0.0, 1.0, include_min=False, none=True),
                              "n_groups": _params.integer(2), "L": _params.integer(1, none=True),
                              "solver": _params.text(none=True), "solver_opts": _params.mapping()}

    def __init__(self, moment=True, beta="auto", beta_factor=1.5, min_share=None, n_groups=2,
                 L=None, solver=None, solver_opts=None):
        self.moment = moment
        self.beta = beta
        self.beta_factor = beta_factor
        self.min_share = min_share
        self.n_groups = n_groups
        self.L = L
        self.solver = solver
        self.solver_opts = solver_opts

    def _cluster(self, data, U, k, threat, rng, options):
        alpha = threat.alpha if threat.active else 0.0
        return kss_cluster(data, U, k, alpha=alpha, rng=rng, **options)


#: The robust moment stage's ``basis_null``: clean λ₁/ν was 0.99–1.10
#: (d 64, k 8, t_H 4; :mod:`.basis`), so noise directions stay out, while
#: a direction the subspace lost with ‖P⊥w‖ ≈ s at p = 1/8 (eigenvalue
#: ≈ 0.11·s², ν ≈ 0.06·s²) comes back.
BASIS_NULL = 1.3


class TensorMoments(ClusteringStage):
    """Third-order moment estimator of the centres (whitening and tensor
    decomposition, for small t_H and large n_H); it estimates W̃, r̃², p̃
    itself.

    The robust variant under an active threat works in U plus the
    directions the heavy tasks say U misses (:func:`~.basis.heavy_basis`:
    light tasks of two examples cannot hold a direction of weight p‖w‖²
    against ⌊αn⌋ replaced tasks at small p) — only those above the noise
    edge of their moment (``basis_null``), since a noise direction lets the
    light-task EM move a centre along whatever direction an adversary
    plants there — and, given the light tasks of
    pool L2, ends with robust likelihood EM on them started from the
    moment estimate (:func:`~._light_refine.light_refinement`).

    Parameters
    ----------
    robust : bool
        Trim tasks with outsized group statistics and take a median of block
        means (uses the threat model's α).
    n_groups : int, optional
        Groups per task (default 3).
    refine_steps : int
        Hard-assignment refinement steps after the decomposition.
    norm_factor : float
        Robust variant: tasks with RMS statistic above this many medians are
        trimmed.
    n_blocks : int
        Robust variant: blocks of the median of means.
    light_refine : bool
        Robust variant: refine the estimates on the light tasks when the
        learner hands them over (under an active threat).
    basis_null : float or None
        Robust variant: keep a heavy-task direction in the basis only where
        its eigenvalue exceeds this many times the noise edge of the
        heavy tasks' moment with random signs (``null_level`` of
        :func:`~.basis.heavy_basis`; default 1.3); None keeps the top k
        directions whatever their size.
    """

    _parameter_constraints = {"robust": _params.boolean(),
                              "n_groups": _params.integer(3, none=True),
                              "refine_steps": _params.integer(0),
                              "norm_factor": _params.real(1.0, include_min=False),
                              "n_blocks": _params.integer(1),
                              "light_refine": _params.boolean(),
                              "basis_null": _params.real(0.0, include_min=False, none=True)}

    def __init__(self, robust=False, n_groups=None, refine_steps=0, norm_factor=4.0,
                 n_blocks=1, light_refine=True, basis_null=BASIS_NULL):
        self.robust = robust
        self.n_groups = n_groups
        self.refine_steps = refine_steps
        self.norm_factor = norm_factor
        self.n_blocks = n_blocks
        self.light_refine = light_refine
        self.basis_null = basis_null

    @property
    def uses_light(self):
        """The robust variant with ``light_refine``."""
        return bool(self.robust and self.light_refine)

    @property
    def wide_basis(self):
        """The robust variant."""
        return bool(self.robust)

    def _cluster(self, data, U, k, threat, rng, options):
        light = options.pop("light", None)
        refine = options.pop("light_refine") and threat.active
        if options.pop("robust"):
            res = robust_moment_clustering(data, U, k, alpha=threat.alpha, rng=rng, **options)
            if refine and light is not None:
                return light_refinement(data, light, U, k, threat.alpha, rng, res)
            return res if res.info["supported"] else likelihood_fallback(
                data, U, k, threat.alpha, rng, res)
        return moment_clustering(data, U, k, rng=rng, n_groups=options["n_groups"],
                                 refine_steps=options["refine_steps"])


class EM(ClusteringStage):
    """Likelihood EM on the heavy tasks' own examples in the working basis
    (:func:`~.em.em_clustering`): each task's examples are Gaussian given its
    component, y_ij ~ N(⟨β_ℓ, Uᵀx_ij⟩, σ_ℓ²); it estimates W̃, r̃², p̃ itself
    and runs at any task size (t_H = 1 included).

    Parameters
    ----------
    robust : bool
        Trimmed E- and M-steps under the threat model's α, bounded per-task
        weight, fabricated components set aside (unless the light tasks of
        pool L2, when given, carry them), χ² flagging of outliers
        (:func:`~.em.robust_em_clustering`).
    init : {"auto", "moments", "kmeans++"}
        Starts: ``"auto"`` runs the moment estimator when every t_i ≥ 3 and
        ``n_init`` k-means++ restarts, keeping the best likelihood.
    n_init : int
        k-means++ restarts.
    max_iter : int
        M-steps per run (ConvergenceWarning when the kept run reaches it).
    tol : float
        Stop when the log-likelihood rises by less than this per example.
    var_floor : float
        σ_ℓ² is at least this times the median of ‖y_i‖²/t_i.
    flag_level : float in (0, 1)
        Robust variant: a task whose residual sum is beyond this χ²
        upper-tail probability under its component is an outlier.
    """

    _parameter_constraints = {
        "robust": _params.boolean(),
        "init": _params.one_of({"auto": 0, "moments": 0, "kmeans++": 0}, "EM start"),
        "n_init": _params.integer(1), "max_iter": _params.integer(1),
        "tol": _params.real(0.0, include_min=False),
        "var_floor": _params.real(0.0, include_min=False),
        "flag_level": _params.real(0.0, 1.0, include_min=False, include_max=False)}

    def __init__(self, robust=False, init="auto", n_init=10, max_iter=500, tol=1e-8,
                 var_floor=1e-6, flag_level=1e-3):
        self.robust = robust
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.var_floor = var_floor
        self.flag_level = flag_level

    @property
    def uses_light(self):
        """The robust variant: light tasks vouch for a small heavy component."""
        return bool(self.robust)

    def _cluster(self, data, U, k, threat, rng, options):
        robust, level, light = (options.pop(o, None) for o in ("robust", "flag_level", "light"))
        if robust:
            return robust_em_clustering(data, U, k, alpha=threat.alpha, flag_level=level,
                                        light=light, rng=rng, **options)
        return em_clustering(data, U, k, rng=rng, **options)


class BySize(ClusteringStage):
    """One clustering for small heavy tasks, another for large ones.

    Distance-based methods need the per-task noise of the split means
    (≈ (s² + ‖w‖²)/t_H per coordinate) to be small against the separation of
    the components, so they fail at small t_H; likelihood EM is consistent at
    any t_H (t_H = 1 included) but costs restarts. The median heavy task size
    decides.

    Parameters
    ----------
    small : str or ClusteringStage
        Used when the median t_H is below ``t_switch`` (default: EM).
    large : str or ClusteringStage
        Used otherwise (default: single linkage, ICML 2020 Algorithm 3).
    t_switch : int
        Median task size from which ``large`` is used.

    Attributes
    ----------
    chosen_ : ClusteringStage
        The fitted stage that ran.
    """

    _parameter_constraints = {"small": lambda v, n: _check_stage(v, n),
                              "large": lambda v, n: _check_stage(v, n),
                              "t_switch": _params.integer(1)}

    def __init__(self, small="em", large="single", t_switch=16):
        self.small = small
        self.large = large
        self.t_switch = t_switch

    @property
    def robust(self):
        """Robust when both choices are."""
        return all(_resolve(v).robust for v in (self.small, self.large))

    def fit(self, data, U, k, *, threat=None, rng=None, light=None):
        """Fit ``small`` or ``large`` by the median heavy task size; the
        result and fitted attributes are the chosen stage's (``light`` is
        handed on to it)."""
        options = self._options()
        if light is not None:
            options["light"] = light
        res = self._cluster(data, U, k, threat, rng, options)
        self.result_, self.labels_ = res, res.labels
        self.W_tilde_, self.r2_tilde_, self.p_tilde_ = res.estimates
        return self

    def _cluster(self, data, U, k, threat, rng, options):
        """The chosen stage's whole fit (far tasks, basis, estimates: its own)."""
        which = "small" if np.median(data.sizes) < options["t_switch"] else "large"
        stage = _resolve(options[which]).fit(data, U, k, threat=threat, rng=rng,
                                             light=options.get("light"))
        stage.result_.info["by_size"] = {"chosen": which, "stage": repr(stage),
                                         "t_switch": options["t_switch"]}
        self.chosen_ = stage
        return stage.result_

    def _nested_object(self, name):
        return _resolve(getattr(self, name))


def _resolve(value):
    """A fresh clustering stage from a name or an object."""
    return make_stage(value, ALIASES, ClusteringStage)


def _check_solver(value, name):
    """None, "BM" or a cvxpy SDP solver usable here (SCS, Clarabel, MOSEK
    with a licence): an unknown name fails before any solve."""
    _params.text(none=True)(value, name)
    if value is None or value.upper() == "BM":
        return
    import sos                                   # loads cvxpy: only for a cvxpy solver name
    usable = sos.available_solvers()
    if value.upper() not in usable:
        raise ValidationError(f"{name}={value!r} is not a usable solver here; choose "
                              f"'BM' or one of {usable}")


def _check_stage(value, name):
    try:
        _resolve(value)._validate_params()
    except ValidationError as exc:
        raise ValidationError(f"{name}: {exc}") from None


#: Names accepted wherever a clustering stage is expected.
ALIASES = {
    "single": (Linkage, {"linkage": "single"}),
    "average": (Linkage, {"linkage": "average"}),
    "linkage": (Linkage, {"linkage": "average", "refine": True}),
    "kmeans": (KMeans, {}),
    "single_cluster": (SingleClusterPeeling, {}),
    "peng_wei": (PengWei, {"robust": False}),
    "peng_wei_robust": (PengWei, {"robust": True}),
    "sos_m4": (SoSRelaxation, {"m": 4}),
    "sos_m6": (SoSRelaxation, {"m": 6}),
    "kss_m4": (KSSRelaxation, {"moment": True}),
    "kss_no_moment": (KSSRelaxation, {"moment": False}),
    "moments": (TensorMoments, {"robust": False}),
    "moments_robust": (TensorMoments, {"robust": True}),
    "em": (EM, {"robust": False}),
    "em_robust": (EM, {"robust": True}),
    "auto": (BySize, {}),
}
