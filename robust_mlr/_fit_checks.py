"""Checks every fit makes of its own regime and evidence (private module),
shared by :class:`~robust_mlr.MetaLearner` and the out-of-core fit: α with
stages that are not robust, α not below the smallest component share, too
small a heavy pool, and removals beyond what the threat model explains
(a :class:`~robust_mlr.exceptions.CorruptionWarning`) or failed tests
that components too close to tell apart explain
(an :class:`~robust_mlr.exceptions.IdentifiabilityWarning`); and a feature
zero on every row under isotropic covariates, and responses with an
intercept the features cannot carry
(a :class:`~robust_mlr.exceptions.DataWarning`)."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

import numpy as np

from .constants import MAD_TO_SIGMA
from .exceptions import CorruptionWarning, DataWarning, IdentifiabilityWarning

__all__ = ["warn_unprotected", "check_design", "check_evidence", "stage_warnings",
           "warn_zero_features", "warn_intercept"]

#: Rows of a pool read by :func:`warn_intercept` (an even stride over it).
_INTERCEPT_ROWS = 1 << 16
#: Tasks of a pool whose own fits with a constant term :func:`warn_intercept`
#: reads (an even stride over those with at least d + 9 examples), and the
#: median squared t-statistic of their constants beyond which it warns.
_INTERCEPT_TASKS, _INTERCEPT_T2 = 256, 9.0

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _user_level():
    """The ``stacklevel`` of the first caller outside this package, so a
    warning points at the user's line, not at the learner's internals."""
    frame, level = sys._getframe(1), 1       # the frame that calls warnings.warn
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def warn_unprotected(stages, threat, k):
    """α > 0 with a stage that does not defend against it: say which; and an
    α no method can handle (some component's share is at most 1/k)."""
    if threat.alpha >= 1.0 / k:
        _warn_fabricable(threat.alpha, 1.0 / k, "at most 1/k for some component")
    if not threat.active:
        return
    plain = [f"{kind}={type(stage).__name__} (robust: {', '.join(_robust_names(kind))})"
             for kind, stage in stages.items() if not stage.robust]
    if plain:
        warnings.warn(f"alpha={threat.alpha:g} but these stages are not robust to it: "
                      f"{'; '.join(plain)}; without a stage option, "
                      f"MetaLearner.robust(k, alpha) builds the defended learner", UserWarning,
                      stacklevel=_user_level())


def _robust_names(kind):
    """The names of the stages of ``kind`` (its ``ALIASES``) that defend
    against α, in the aliases' order."""
    import importlib
    aliases = importlib.import_module(f"robust_mlr.stages.{kind}").ALIASES
    names = []
    for name, (cls, kw) in aliases.items():
        try:
            if cls(**kw).robust:
                names.append(name)
        except Exception:                                # pragma: no cover - a stage's
            continue                                     # options need data: not offered
    return names


def check_design(model, pools, k, threat):
    """Warn when the fit is outside the regime the methods are built for: a
    heavy pool too small to give every component tasks, or an α the
    adversary could use to fabricate a whole component (the design point is
    α well below the smallest component share p_min)."""
    n_h = pools.heavy.n_tasks
    if n_h < 2 * k:
        warnings.warn(f"the heavy pool has n_H={n_h} tasks for k={k} components (fewer than "
                      f"2k): clusters, hence W, cannot be trusted", UserWarning,
                      stacklevel=_user_level())
    counts = np.bincount(model.heavy_labels_[model.heavy_labels_ >= 0], minlength=k)
    if n_h >= 2 * k and counts.min() < max(2.0, 0.2 * counts.sum() / k):
        warnings.warn(f"the heavy clusters have sizes {counts.tolist()}: one is far below "
                      f"n_H/k = {counts.sum() / k:.0f}, so its W̃ (and the components "
                      f"classified to it) cannot be trusted; {_clustering_hint(model)}",
                      UserWarning, stacklevel=_user_level())
    p_min = float(np.min(model.p_))
    if threat.active and 1.0 / k > threat.alpha >= p_min:
        _warn_fabricable(threat.alpha, p_min, "the smallest estimated")


def _clustering_hint(model):
    """What to try after unbalanced heavy clusters: the hint names the stage
    that ran (the one a size switch chose), so it never suggests that stage."""
    from .stages.clustering import Linkage
    stage = getattr(model, "stages_", {}).get("clustering")
    stage = getattr(stage, "chosen_", stage)
    if isinstance(stage, Linkage) and stage.linkage == "single" and not stage.refine:
        return "single linkage chains at small separations (try clustering='linkage' or 'em')"
    return (f"the clustering {stage!r} did not separate the components (more or larger heavy "
            f"tasks, or another clustering stage, may)")


def _warn_fabricable(alpha, share, which):
    warnings.warn(f"alpha={alpha:g} is not below the component share p_min={share:.3g} "
                  f"({which}): ⌊αn⌋ tasks could form a whole component, which no method can "
                  f"tell from a true one; the design point is alpha well below p_min",
                  UserWarning, stacklevel=_user_level())


@contextlib.contextmanager
def stage_warnings(diag, stage):
    """Inside: a CorruptionWarning the stage raises itself (a clustering
    stage that fell back or ridged its moments) is kept in
    ``diag["stage_evidence"]`` as ``"stage: message"``, for
    :func:`check_evidence` to list and raise with the rest, so
    ``diag["evidence"]`` holds every CorruptionWarning of the fit; any
    other warning is passed on as raised (its category and line)."""
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for w in caught:
            if issubclass(w.category, CorruptionWarning):
                diag.setdefault("stage_evidence", []).append(f"{stage}: {w.message}")
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                       source=w.source)


def check_evidence(diag, threat):
    """Per screened pool and robust stage: how many tasks it removed, whether
    that is within what the threat model explains (αn plus the Binomial
    margin, plus the expected clean removals of a test at its level), and
    whether the stage's own test of clean behaviour passed. Anything beyond,
    and what a stage said itself (:func:`stage_warnings`), is recorded in
    ``diag["evidence"]`` and raises one CorruptionWarning. A
    failed regression test whose every failed component has a neighbour the
    light tasks cannot tell it from (``diag["regression"]["unidentified"]``)
    raises an IdentifiabilityWarning instead."""
    checks = {f"screen[{name}]": (entry["n_removed"], entry["limit"], True)
              for name, entry in diag.get("screen", {}).items() if isinstance(entry, dict)
              and "n_removed" in entry}
    checks.update((stage, (diag[stage]["removed"], diag[stage]["limit"],
                           diag[stage].get("passed", True)))
                  for stage in ("subspace", "clustering", "classification", "regression")
                  if "limit" in diag[stage])
    close = diag.get("regression", {}).get("unidentified")
    evidence = list(diag.pop("stage_evidence", []))
    for stage, (n_rm, limit, passed) in checks.items():
        if n_rm > limit:
            # the count is of every task removed: clean ones a filter could not
            # tell from the corrupted count too (an attack at the full alpha can
            # pass the limit so, the corrupted tasks being no more than alpha n)
            evidence.append(f"{stage} removed {n_rm} tasks > {limit} (alpha n + Binomial "
                            f"margin; clean tasks removed with corrupted ones count too)")
        if not passed and not (stage == "regression" and close):
            evidence.append(f"{stage}: its own test of clean behaviour failed"
                            + (_unanchored_reason(diag) + _exhausted_reason(diag)
                               if stage == "regression" else ""))
    if close:
        _warn_unidentified(close)
    diag["evidence"] = evidence
    if evidence:
        warnings.warn("the data look corrupted beyond what alpha=%g and the defences allow: %s "
                      "(on clean data, a k below the number of components does this too: "
                      "docs/learner.md, 'When a clean fit warns')"
                      % (threat.alpha, "; ".join(evidence)), CorruptionWarning,
                      stacklevel=_user_level())


def _unanchored_reason(diag):
    """Why the regression's test failed where the reason is a component the
    heavy pool had too few tasks to anchor (clean data with a small
    component do this too): '' otherwise."""
    heavy = diag.get("regression", {}).get("anchor", {}).get("heavy")
    short = [(c, r) for c, r in enumerate(heavy or ()) if isinstance(r, dict)
             and not r.get("anchored", True) and r.get("passed") is False and "needed" in r]
    if not short:
        return ""
    parts = [f"component {c} has {r['tasks']} usable heavy tasks, fewer than the {r['needed']} "
             f"its anchor needs, and the light pool alone allows "
             f"{r.get('light_floor', float('nan')):.2g}·s against the heavy pool's "
             f"{r.get('heavy_floor', float('nan')):.2g}·s (worst cases "
             f"{r.get('light_worst', float('nan')):.2g}·s alone, "
             f"{r.get('anchored_worst', float('nan')):.2g}·s anchored at "
             f"{r.get('could_have', r['needed'])} tasks"
             + (f"; its heavy tasks disagree with the light estimate, "
                f"{r['agreement']:.2g}× their clean quantile" if r.get("agreement", 0) > 1
                else "") + ")" for c, r in short]
    return " (" + "; ".join(parts) + ")"


def _exhausted_reason(diag):
    """The components whose heavy filter removed all but one of their tasks
    (its budget capped at m − 1, :mod:`.stages.regression._heavy_anchor`):
    their tasks never agreed, one task's fit is the anchor. '' if none."""
    heavy = diag.get("regression", {}).get("anchor", {}).get("heavy")
    gone = [(c, r) for c, r in enumerate(heavy or ()) if isinstance(r, dict)
            and r.get("exhausted")]
    if not gone:
        return ""
    return " (" + "; ".join(f"the heavy filter removed {r['removed']} of component {c}'s "
                            f"{r['tasks']} heavy tasks, all but one: they never agreed"
                            for c, r in gone) + ")"


def _warn_unidentified(close):
    pairs = ", ".join(f"{c} (nearest {b}, {r:.0%} of tasks misclassified between them)"
                      for c, b, r in zip(close["components"], close["nearest"],
                                         close["misclassification"]))
    warnings.warn(f"the robust regression's test failed for components {pairs} at "
                  f"t={close['task_size']:g} examples a task: components this close share "
                  f"their light tasks at random, which explains the failure without "
                  f"corruption; their estimates cannot be trusted (a fabricated heavy cluster "
                  f"would look the same). More examples per task, or fewer components, "
                  f"identify them", IdentifiabilityWarning, stacklevel=_user_level())


def _describe_zero_isotropic(zero, noun, where="", rows="every row"):
    """The :class:`DataWarning` text for features zero on ``rows`` under
    ``covariates="isotropic"``, for the given labels."""
    from .covariates import _named
    one = len(zero) == 1
    return (f"{_named(zero, noun, where)} zero on {rows}, but covariates='isotropic' "
            f"assumes unit variance in every coordinate (E[x xᵀ] = I): the fit is "
            f"misspecified and W's {'entry' if one else 'entries'} for "
            f"{'it is' if one else 'them are'} not identified; remove "
            f"{'it' if one else 'them'}")


def _describe_dependent_isotropic(dependent, noun, where="", rows="every row"):
    """The :class:`DataWarning` text for features linearly dependent on
    ``rows`` under ``covariates="isotropic"``, for the given labels."""
    from .covariates import _named
    return (f"{_named(dependent, noun, where)} linearly dependent on {rows} (e.g. one a copy "
            f"or a multiple of another), but covariates='isotropic' assumes E[x xᵀ] = I: the "
            f"fit is misspecified and W's entries for them are not identified; remove one "
            f"of them")


def _dependent_features(held, zero):
    """Columns in an exact linear dependence on the rows ``held`` (features
    zero everywhere aside): read off the null space of the Gram matrix of a
    strided sample of at most 2¹⁵ rows a pool, confirmed on every row (a
    sparse feature can vanish from a sample, and two can agree on it)."""
    def null_columns(G):
        vals, vecs = np.linalg.eigh((G + G.T) / 2)
        null = vecs[:, vals <= 1e-10 * max(float(vals[-1]), 1e-300)]
        touched = np.linalg.norm(null, axis=1) > 1e-6
        touched[zero] = False
        return touched & (np.diag(G) > 0)
    sample = [X[::max(1, X.shape[0] >> 15)] for X in held.values()]
    if sum(S.shape[0] for S in sample) <= held[next(iter(held))].shape[1]:
        return np.zeros(0, dtype=int)
    if not null_columns(sum(S.T @ S for S in sample)).any():
        return np.zeros(0, dtype=int)
    return np.flatnonzero(null_columns(sum(X.T @ X for X in held.values())))


def warn_zero_features(pools):
    """Warn (a :class:`DataWarning`) when some feature is zero on every row
    of ``pools``, and (another) when some are linearly dependent there (``{name: dataset}``; pools whose rows stay on disk are not
    read for this, and the warning then names the pools it read). The
    warning's ``zero`` (or ``dependent``) lists the features and ``rows``
    says where. Called by
    fits with ``covariates="isotropic"``: the other options estimate Σ̂,
    whose singularity raises (naming the features)."""
    held = {name: ds.X for name, ds in pools.items()
            if isinstance(getattr(ds, "X", None), np.ndarray) and ds.X.shape[0]}
    if not held:
        return
    zero = np.flatnonzero(~np.logical_or.reduce([X.any(axis=0) for X in held.values()]))
    if zero.size:
        rows = "every row" if len(held) == len(pools) else \
            f"every row of the {' and '.join(held)} pool{'s' if len(held) > 1 else ''}"
        warning = DataWarning(_describe_zero_isotropic(zero, "feature", "(columns of X, from 0)",
                                                       rows))
        warning.zero, warning.rows = [int(j) for j in zero], rows
        warnings.warn(warning, stacklevel=_user_level())
    dependent = _dependent_features(held, zero)
    if dependent.size:
        rows = "every row" if len(held) == len(pools) else \
            f"every row of the {' and '.join(held)} pool{'s' if len(held) > 1 else ''}"
        warning = DataWarning(_describe_dependent_isotropic(dependent, "feature",
                                                            "(columns of X, from 0)", rows))
        warning.dependent, warning.rows = [int(j) for j in dependent], rows
        warnings.warn(warning, stacklevel=_user_level())


def warn_intercept(pools):
    """Warn (a :class:`DataWarning`) when the responses have an intercept
    that no feature can carry.

    The model has E[y | x] = xᵀw_ℓ, no constant term: with features centred
    at zero the responses are too, and an offset y + c is fitted as noise
    and as a bias of every ŵ_ℓ. The test reads, per pool held in memory, an
    even stride of at most 2¹⁶ rows; robust location and scale (median and
    MAD), so that α·n corrupted tasks move neither: it warns when the
    median response is more than half a (MAD) standard deviation from zero
    while every feature's median is within a tenth of its own (a positive
    MAD). Features that are not centred (a column of ones, Chebyshev
    features of uniform x, one-hot columns) can carry a mean of y, and the
    test stays silent.

    The pooled median misses an offset per component (y + c_ℓ with offsets
    of both signs, their median near 0) and one behind features that are
    not centred (x in [0, 1]: their medians may seem to carry it, but only
    a column of ones does). Tasks with at least d + 9 examples therefore
    also fit their own responses on [x, 1] (up to
    :data:`_INTERCEPT_TASKS` of them, tasks whose design with the constant
    is singular — a column of ones, one-hot columns summing to one — left
    out): under the model each constant's squared t-statistic follows
    F(1, t − d − 1), whose median is below 0.6 for t − d − 1 ≥ 8; the
    test warns when the median over the tasks exceeds
    :data:`_INTERCEPT_T2` (|t| > 3 in half the tasks: with five tasks the
    chance on clean data is below 10⁻³, and less than half of them
    corrupted cannot move a median that far). Pools on disk (the
    out-of-core fit) are not read."""
    if _pooled_offset(pools):
        return
    for name, ds in pools.items():
        t2 = _task_constants(ds)
        if t2 is not None and t2 > _INTERCEPT_T2:
            warnings.warn(DataWarning(
                f"pool {name}: the tasks' own fits with a constant term find one in most "
                f"tasks (median t-statistic {np.sqrt(t2):.3g}): the model has no intercept, "
                f"so the offset is fitted as noise and bias; add a column of ones to the "
                f"features (covariates='auto' or 'estimate' whiten it)"),
                stacklevel=_user_level())
            return


def _task_constants(ds):
    """Median squared t-statistic of the constant term in the own fits on
    [x, 1] of up to :data:`_INTERCEPT_TASKS` tasks of ``ds`` with at least
    d + 9 examples (an even stride, about :data:`_INTERCEPT_ROWS` rows at
    most; one batched solve per distinct task size), or None when fewer than
    five such tasks are held in memory or regular with the constant."""
    X, y, off = getattr(ds, "X", None), getattr(ds, "y", None), getattr(ds, "offsets", None)
    if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray) and off is not None):
        return None
    d = X.shape[1]
    sizes = np.diff(off)
    tasks = np.flatnonzero(sizes >= d + 9)
    if tasks.size < 5:
        return None
    keep = max(5, min(_INTERCEPT_TASKS, _INTERCEPT_ROWS // int(np.median(sizes[tasks]))))
    tasks = tasks[::-(-tasks.size // keep)]
    t2 = []
    for t in np.unique(sizes[tasks]):                # loop over distinct sizes only
        idx = tasks[sizes[tasks] == t]
        rows = off[idx][:, None] + np.arange(t)
        Z = np.concatenate([X[rows], np.ones((idx.size, t, 1))], axis=2)   # (n_t, t, d + 1)
        with np.errstate(all="ignore"):
            G = np.matmul(Z.transpose(0, 2, 1), Z)
        ok = np.isfinite(G).all(axis=(1, 2)) & np.isfinite(y[rows]).all(axis=1)
        lam = np.linalg.eigvalsh(G[ok])        # extreme tasks (±1e300) left out first
        ok[ok] = lam[:, 0] > 1e-10 * np.abs(lam[:, -1])
        if not ok.any():
            continue
        G, Z, yt = G[ok], Z[ok], y[rows[ok]]
        with np.errstate(all="ignore"):        # overflow in a task: its t² is nan
            inv = np.linalg.inv(G)
            beta = np.einsum("nij,nj->ni", inv, np.einsum("ntj,nt->nj", Z, yt))
            res = yt - np.einsum("ntj,nj->nt", Z, beta)
            s2 = np.einsum("nt,nt->n", res, res) / (t - d - 1)
            t2.append(beta[:, -1] ** 2 / (s2 * inv[:, -1, -1]))
    t2 = np.concatenate(t2) if t2 else np.zeros(0)
    t2 = t2[~np.isnan(t2)]
    return float(np.median(t2)) if t2.size >= 5 else None


def _pooled_offset(pools):
    """The pooled-median test of :func:`warn_intercept`: warns and returns
    True when a pool's median response is off 0 while its features are
    centred."""
    for name, ds in pools.items():
        X, y = getattr(ds, "X", None), getattr(ds, "y", None)
        if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray)) or y.size < 100:
            continue
        step = -(-y.size // _INTERCEPT_ROWS)
        ys = y[::step]
        med_y = float(np.median(ys))
        mad_y = MAD_TO_SIGMA * float(np.median(np.abs(ys - med_y)))
        if not abs(med_y) > 0.5 * mad_y:        # the usual case: one median of y
            continue
        Xs = X[::step]
        med_x = np.median(Xs, axis=0)
        mad_x = MAD_TO_SIGMA * np.median(np.abs(Xs - med_x), axis=0)
        if not np.all((mad_x > 0) & (np.abs(med_x) <= 0.1 * mad_x)):
            continue                # a column that is mostly 0 (one-hot) can carry it
        away = f"{abs(med_y) / mad_y:.1f}" if mad_y > 0 else "infinitely many"
        warnings.warn(DataWarning(
            f"pool {name}: the responses' median is {med_y:.3g} ({away} standard deviations "
            f"from 0) while every feature is centred at 0: the model "
            f"has no intercept, so the offset is fitted as noise and bias; centre y or add a "
            f"column of ones to the features (covariates='auto' or 'estimate' whiten it)"),
            stacklevel=_user_level())
        return True
    return False
