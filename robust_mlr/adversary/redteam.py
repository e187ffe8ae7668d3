"""The red team: a black-box search for the most damaging attack.

The adversary chooses, for each pool, an attack family and its parameters
(``"none"`` leaves the pool clean); every candidate is scored by fitting the
learner on the corrupted pools and measuring the chosen error. The search
is Optuna's tree-structured Parzen estimator (TPE): it handles the
conditional space natively (a family's parameters exist only when that
family is chosen), mixes categorical and continuous parameters, needs no
gradients and no smoothness, and is reproducible with a seeded sampler.
Differential evolution would need a fixed-length continuous encoding of the
family choice and spends its budget on population sizes far above the
hundred-odd fits a robust learner affords. The first trials replay the
attack catalogue with default parameters (a warm start), so the search is
never weaker than the catalogue and records its best error for comparison.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import metrics
from .._validation import check_alpha, check_int
from ..data import Pools
from ..exceptions import ValidationError
from ..generator import make_params, make_pools, make_tasks
from ._base import attack_settings, corrupt_pools, get_attack
from ._space import CATALOGUE, SPACE, suggest
from .composite import Poolwise

__all__ = ["RedTeamResult", "TrialRecord", "red_team", "TARGETS", "evaluate_attack",
           "strategy_attack", "attack_settings"]

TARGETS = ("W", "s2", "p", "prediction", "subspace")
_KEY = {"W": "w_err", "s2": "s2_err", "p": "p_err", "prediction": "mse_bayes",
        "subspace": "subspace_err"}
_CRASH = 1e6                      # objective handed to the optimiser for a crashed fit


@dataclass(frozen=True)
class TrialRecord:
    """One evaluated attack: ``strategy`` {pool: (family, params)}, all
    ``metrics``, the target ``error`` (inf for a crash), ``status`` ("ok" or
    "crash"), the exception ``message`` and ``source`` ("catalogue", "warm"
    for an initial strategy, or "search")."""

    number: int
    strategy: dict
    metrics: dict
    error: float
    status: str = "ok"
    message: str = ""
    source: str = "search"


@dataclass(frozen=True)
class RedTeamResult:
    """Outcome of :func:`red_team`.

    Attributes
    ----------
    target, alpha, budget, seed :
        What was searched.
    clean_error, clean_metrics :
        The learner on the uncorrupted pools.
    worst_error, worst_strategy, worst_metrics :
        The most damaging attack found ({pool: (family, params)}).
    history : tuple of TrialRecord
        Every trial in order.
    """

    target: str
    alpha: float
    budget: int
    seed: int
    clean_error: float
    clean_metrics: dict
    worst_error: float
    worst_strategy: dict
    worst_metrics: dict
    history: tuple = field(repr=False)

    @property
    def catalogue_best(self):
        """The best catalogue trial (a :class:`TrialRecord`), or None."""
        cat = [r for r in self.history if r.source == "catalogue"]
        return max(cat, key=lambda r: r.error) if cat else None

    @property
    def worst_finite(self):
        """The most damaging trial whose fit returned (a :class:`TrialRecord`), or None."""
        ok = [r for r in self.history if r.status == "ok"]
        return max(ok, key=lambda r: r.error) if ok else None

    @property
    def n_crashes(self):
        """Number of trials whose fit raised."""
        return sum(r.status == "crash" for r in self.history)

    def attack(self):
        """The worst attack as a :class:`Poolwise` instance."""
        return strategy_attack(self.worst_strategy)


def strategy_attack(strategy):
    """A :class:`Poolwise` attack from ``{pool: (family, params)}``."""
    return Poolwise(**{p: (f, prm) for p, (f, prm) in strategy.items() if f != "none"})


def _as_problem(problem, seed):
    if isinstance(problem, tuple) and len(problem) == 2 and isinstance(problem[1], Pools):
        return problem
    if isinstance(problem, dict):
        rng = np.random.default_rng([int(seed), 7])
        theta = make_params(problem["d"], problem["k"], rng=rng)
        pools = make_pools(theta, problem["n_light1"], problem["t_light1"], problem["n_heavy"],
                           problem["t_heavy"], problem["n_light2"], problem["t_light2"], rng=rng)
        return theta, pools
    raise ValidationError(f"problem must be (theta, pools) or a problem dict, got "
                          f"{type(problem).__name__}")


def _learner_factory(learner, fit_seed):
    if callable(learner) and not hasattr(learner, "fit"):
        return learner
    if not hasattr(learner, "fit"):
        raise ValidationError(f"learner must be a factory or an estimator with fit, got "
                              f"{type(learner).__name__}")
    if hasattr(learner, "get_params"):                 # the scikit-learn protocol
        params = copy.deepcopy(learner.get_params(deep=False))
    else:
        names = [p for p in inspect.signature(type(learner).__init__).parameters
                 if p != "self"]
        params = {p: copy.deepcopy(getattr(learner, p)) for p in names if hasattr(learner, p)}
    if "rng" in params and not isinstance(params["rng"], (int, np.integer)):
        params["rng"] = fit_seed
    return lambda: type(learner)(**copy.deepcopy(params))




def _score(model, theta, pools, test):
    pe = metrics.parameter_errors(model.W_, model.s2_, model.p_, theta)
    out = {"w_err": pe["w_err"], "s2_err": pe["s2_err"], "p_err": pe["p_err"],
           "subspace_err": metrics.subspace_error(model.U_, theta)}
    z = pools.heavy.components
    out["cluster_acc"] = metrics.clustering_accuracy(model.heavy_labels_[z >= 0], z[z >= 0],
                                                     theta.k)
    sup, Xq, yq = test
    out["mse_bayes"] = metrics.prediction_mse(model.task_parameters(sup, "bayes"), Xq, yq)
    return {k: float(v) for k, v in out.items()}


def evaluate_attack(make_learner, theta, pools, attack, alpha, rng, test, settings):
    """Corrupt, fit, score. Returns ``(metrics, status, message)``; a fit
    that raises (or returns non-finite estimates) is a crash with inf metrics."""
    bad = pools if attack is None else corrupt_pools(pools, attack, alpha, theta=theta,
                                                     settings=settings, rng=rng)
    model = make_learner()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model.fit(bad)
            res = _score(model, theta, bad, test)
        if not all(np.isfinite(v) for k, v in res.items() if k != "cluster_acc"):
            return res, "crash", "non-finite estimates"
        return res, "ok", ""
    except Exception as exc:                 # a crash is a finding, not an error
        return {k: float("inf") for k in _KEY.values()}, "crash", \
            f"{type(exc).__name__}: {str(exc)[:200]}"


def _strategy_from(trial, families, k):
    strategy = {}
    for pool, fams in families.items():
        fam = trial.suggest_categorical(pool, ["none"] + list(fams))
        params = {}
        if fam != "none":
            for p, spec in SPACE[pool][fam].items():
                params[p] = suggest(trial, f"{pool}.{fam}.{p}", spec, k)
        strategy[pool] = (fam, params)
    return strategy


def _catalogue_params(name, families):
    att = get_attack(name)
    fixed = {}
    for pool in Pools.names:
        fam = name if (pool in att.targets and name in families.get(pool, ())) else "none"
        fixed[pool] = fam
        if fam != "none":
            for p in SPACE[pool][fam]:
                fixed[f"{pool}.{fam}.{p}"] = getattr(att, p)
    return fixed


def _fixed_params(strategy, families):
    """Optuna's fixed parameters of a strategy {pool: (family, params)}."""
    fixed = {}
    for pool in families:
        fam, params = strategy.get(pool, ("none", {}))
        if fam != "none" and fam not in families[pool]:
            raise ValidationError(f"init strategy family {fam!r} is not searchable on {pool!r}")
        fixed[pool] = fam
        if fam == "none":
            continue
        given = dict(params)
        att = get_attack(fam, **given)               # unspecified parameters: its defaults
        for p, spec in SPACE[pool][fam].items():
            value = given.get(p, getattr(att, p, None))
            if value is None or (spec[0] == "component" and isinstance(value, str)):
                continue                             # left to the sampler
            fixed[f"{pool}.{fam}.{p}"] = value
    return fixed


@contextlib.contextmanager
def _quiet(optuna):
    """optuna's logging at ERROR for the block, then as it was: its INFO
    lines, and the traceback it logs for an exception leaving a trial (Ctrl-C
    included) before re-raising it, are not the caller's to read."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def red_team(learner, problem, alpha, *, target="W", budget=100, seed=0, families=None,
             warm_start=True, on_crash="max", n_test=1000, callback=None, settings=None,
             init_strategies=()):
    """Search attack families and parameters for the largest error of a learner.

    Parameters
    ----------
    learner : MetaLearner or callable
        An estimator (cloned by its constructor parameters for every fit;
        an rng that is not an int is replaced by one derived from ``seed``)
        or a factory ``() -> unfitted estimator``.
    problem : (MLRParams, Pools) or dict
        The true parameters and clean pools, or a problem dict with keys
        ``d, k, n_light1, t_light1, n_heavy, t_heavy, n_light2, t_light2``
        (sizes may be callables, as in :func:`make_tasks`) drawn from ``seed``.
    alpha : float
        Corrupted fraction of each pool (⌊α n⌋ tasks per pool).
    target : {"W", "s2", "p", "prediction", "subspace"}
        Error maximised: max_a ||ŵ_a − w_a||/s_a after Hungarian matching,
        max relative error of ŝ², max |p̂ − p|, Bayes prediction MSE on
        ``n_test`` fresh tasks, or the subspace error.
    budget : int
        Number of attacked learner fits (trials); one more clean fit is made.
    seed : int
        Seeds the sampler, every trial's attack rng (from ``(seed, trial)``),
        the learner and the test tasks: same seed, same history.
    families : dict {pool: sequence of names}, optional
        Restrict the families per pool (default: all of the search space).
    warm_start : bool
        First replay the catalogue attacks with default parameters.
    on_crash : {"max", "ignore"}
        A fit that raises counts as the worst outcome (``"max"``: the search
        homes in on crashes) or is reported to the optimiser as the clean
        error (``"ignore"``: the search looks for the worst *finite* error;
        crashes are still recorded in the history).
    n_test : int
        Test tasks for the prediction error.
    callback : callable ``(TrialRecord) -> None``, optional
        Called after every trial (progress reports).
    settings : dict, optional
        What the adversary reads off the defender (default:
        :func:`attack_settings` of the unfitted learner); pass
        ``attack_settings(fitted_learner)`` to give the edge-placement
        families the thresholds of a clean fit.
    init_strategies : sequence of dict, optional
        Strategies ``{pool: (family, params)}`` evaluated first (after the
        catalogue), e.g. the best attacks of hand-built families: the
        search starts from them. Their families must be searchable on
        their pools; parameters the search space does not have are dropped,
        those it has but the strategy omits take the family's defaults.

    Returns
    -------
    RedTeamResult

    Examples
    --------
    >>> from robust_mlr import MetaLearner
    >>> from robust_mlr.adversary import red_team
    >>> prob = dict(d=6, k=2, n_light1=400, t_light1=2, n_heavy=30, t_heavy=32,
    ...             n_light2=300, t_light2=8)
    >>> res = red_team(MetaLearner(2, rng=0), prob, 0.05, budget=4, seed=1, warm_start=False)
    >>> len(res.history), res.worst_error >= max(r.error for r in res.history)
    (4, True)
    """
    import optuna

    alpha = check_alpha(alpha)
    budget = check_int(budget, "budget", min_val=1)
    if on_crash not in ("max", "ignore"):
        raise ValidationError(f"on_crash must be 'max' or 'ignore', got {on_crash!r}")
    if target not in TARGETS:
        raise ValidationError(f"target must be one of {TARGETS}, got {target!r}")
    theta, pools = _as_problem(problem, seed)
    families = {p: tuple(f) for p, f in (families or {p: tuple(SPACE[p]) for p in SPACE}).items()}
    for pool, fams in families.items():
        unknown = [f for f in fams if pool not in SPACE or f not in SPACE[pool]]
        if unknown:
            raise ValidationError(f"families {unknown} are not searchable on pool {pool!r}")
    make_learner = _learner_factory(learner, int(seed))
    settings = attack_settings(make_learner(), alpha) if settings is None else dict(settings)
    test = make_tasks(theta, n_test, 5, rng=np.random.default_rng([int(seed), 3])).split_query()
    key = _KEY[target]
    clean, status, msg = evaluate_attack(make_learner, theta, pools, None, alpha, None, test,
                                         settings)
    clean_value = clean[key] if status == "ok" else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=int(seed), n_startup_trials=min(20, budget // 4 + 1), multivariate=True,
            group=True)
    with _quiet(optuna):
        study = optuna.create_study(direction="maximize", sampler=sampler)
    n_cat = 0
    if warm_start:
        for name in CATALOGUE[:budget]:
            fixed = _catalogue_params(name, families)
            if any(fixed[p] != "none" for p in Pools.names):
                study.enqueue_trial(fixed)
                n_cat += 1
    n_init = 0
    for strategy in init_strategies:
        study.enqueue_trial(_fixed_params(strategy, families))
        n_init += 1
    history = []

    def objective(trial):
        strategy = _strategy_from(trial, families, theta.k)
        att = strategy_attack(strategy) if any(f != "none" for f, _ in strategy.values()) \
            else None
        rng = np.random.default_rng([int(seed), trial.number])
        res, st, message = evaluate_attack(make_learner, theta, pools, att, alpha, rng, test,
                                           settings)
        err = res[key] if st == "ok" else float("inf")
        rec = TrialRecord(trial.number, strategy, res, float(err), st, message,
                          "catalogue" if trial.number < n_cat else
                          "warm" if trial.number < n_cat + n_init else "search")
        history.append(rec)
        if callback is not None:
            callback(rec)
        if np.isfinite(err):
            return err
        return _CRASH if on_crash == "max" else float(clean_value)

    with _quiet(optuna), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
        study.optimize(objective, n_trials=budget)
    worst = max(history, key=lambda r: r.error)
    return RedTeamResult(target, alpha, budget, int(seed), float(clean[key]) if status == "ok"
                         else float("inf"), clean, worst.error, worst.strategy, worst.metrics,
                         tuple(history))
