"""The ICML 2020 fit as passes over task chunks, for data larger than memory.

Every light-pool stage of the learner of Kong, Somani, Song, Kakade, Oh
(ICML 2020) reduces the data to sums over tasks:

* the subspace moment M̂ of Algorithm 2 is ``(1/n) Σ_i β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ``
  (symmetrised): one pass over L1 accumulates ``Σ_i β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ`` and n;
  the example moment ``(1/N) Σ y² x xᵀ`` of Tripuraneni, Jin, Jordan (2021)
  likewise;
* classification and least-squares refinement (Algorithm 4) need, per
  component ℓ, only ``XᵀX``, ``Xᵀy``, ``yᵀy`` and the example and task
  counts of the tasks classified to ℓ: one pass over L2 classifies each
  chunk under (W̃, r̃²) and accumulates them; a Cholesky solve of the d × d
  normal equations then gives ŵ_ℓ and ``RSS = yᵀy − 2 ŵᵀXᵀy + ŵᵀXᵀXŵ``, as
  in memory (with the same extra pass over the residuals when that formula
  would lose digits; where XᵀX is rank-deficient, a pass stacking the R
  factors of each chunk's rows gives the minimum-norm solution the
  in-memory SVD of the rows gives).

Whitening (``covariates="estimate"``) estimates Σ̂ by passes too (the
plain moment; with α > 0 rounds of scoring every task and re-estimating from
the kept ones, all but the last on a random share of the tasks when the pools
are large, as in memory) and whitens every chunk it reads afterwards.

The heavy pool is small (it is the expensive pool to collect) and is
clustered in memory by any clustering stage. Chunks are mapped in order by
this process, or by a ``dask.distributed`` client (partial sums are gathered
and added in chunk order, so the answer does not depend on the workers).

The robust learner of Kong, Somani, Kakade, Oh (NeurIPS 2020) — screening,
the filter PCA, robust clustering, flagging, the regression filter with the
heavy anchor — reads its pools only through blocked passes and gathers of
chosen tasks' rows. It runs unchanged on views of the chunked files whose
blocks are read from disk (:mod:`robust_mlr._disk`): the covariates are never
held, nor the filter PCA's n × d task statistics (spilled to a temporary
file and read back by blocks), while the per-example responses and a few
per-task floats are.
"""

from __future__ import annotations

import functools
import time
import types
import warnings
from pathlib import Path

import numpy as np

from ._linalg import svd_least_squares, top_eigvecs
from ._segments import chunk_operator, label_grams, label_rss, task_blocks
from ._threads import pinned
from ._validation import check_int, check_k_d, check_rng
from .chunked import ChunkedMetaDataset
from .covariates import (Whitening, estimate_second_moment, isotropy_test, _rounds_sample,
                         _share_agrees, trim_mask)
from ._disk import DiskTasks
from .data import MetaDataset, Pools
from ._fit_checks import (check_design, check_evidence, stage_warnings, warn_unprotected,
                          warn_zero_features)
from .estimator import MetaLearner
from .exceptions import ValidationError
from .preprocess import Whiten
from .stages.classification import Likelihood
from .stages.regression import FilterRegression, LeastSquares
from .stages.regression.least_squares import CANCELLATION, solve_components
from .stages.subspace import ExampleMomentPCA, FilterPCA, MomentPCA
from .stages.subspace.base import SubspaceResult
from .threat import ThreatModel

__all__ = ["fit_out_of_core", "SUPPORTED", "ROBUST_SUPPORTED"]

#: Stage classes with an out-of-core form as passes over chunks, by stage
#: (any clustering stage runs, in memory, on the heavy pool).
SUPPORTED = {"subspace": (MomentPCA, ExampleMomentPCA), "classification": (Likelihood,),
             "regression": (LeastSquares,)}
#: Stages of the robust learner (Kong, Somani, Kakade, Oh, NeurIPS 2020),
#: fitted with the light pools' rows on disk (with any screen, whitening and
#: clustering stage; :mod:`robust_mlr._disk`).
ROBUST_SUPPORTED = {"subspace": (FilterPCA,), "classification": (Likelihood,),
                    "regression": (FilterRegression,)}


def _source(data, name):
    if isinstance(data, (MetaDataset, ChunkedMetaDataset)):
        return data
    if isinstance(data, (str, Path)):
        return ChunkedMetaDataset(data)
    raise ValidationError(f"{name} must be a MetaDataset, a ChunkedMetaDataset or its path, "
                          f"got {type(data).__name__}")


def _read_and_apply(source, fn, inv_root, spec, extra):
    chunk = source.read_chunk(spec) if spec is not None else source
    if inv_root is not None:        # whitened covariates x -> Σ̂^{-1/2} x, as Whiten does
        chunk = MetaDataset._trusted(chunk.X @ inv_root, chunk.y, chunk.offsets)
    return fn(chunk) if extra is None else fn(chunk, extra)


class _Passes:
    """Maps a function over the chunks of a pool, in chunk order, in this
    process or on a Dask client; ``inv_root`` whitens every chunk read."""

    def __init__(self, chunk_bytes, client):
        self.chunk_bytes, self.client, self.inv_root = chunk_bytes, client, None

    def specs(self, source):
        return [None] if isinstance(source, MetaDataset) else \
            source.chunk_specs(self.chunk_bytes)

    def task_ranges(self, source):
        """Task range ``(lo, hi)`` of every chunk within ``source``."""
        if isinstance(source, MetaDataset):
            return [(0, source.n_tasks)]
        first = [sh["tasks"][0] for sh in source.manifest["shards"]]
        return [(first[i] + a, first[i] + b) for i, a, b in self.specs(source)]

    def map(self, source, fn, extras=None):
        """``[fn(chunk[, extra]) for chunk in source]``."""
        specs = self.specs(source)
        extras = [None] * len(specs) if extras is None else extras
        run = functools.partial(_read_and_apply, source, fn, self.inv_root)
        if self.client is None or isinstance(source, MetaDataset):
            return [run(spec, extra) for spec, extra in zip(specs, extras)]
        # read and reduce in one task: only the small partial results are held
        return self.client.gather(self.client.map(run, specs, extras, pure=False))


# ------------------------------------------------------------- chunk statistics
def _gram(chunk, kept=None):
    if kept is None:
        return chunk.X.T @ chunk.X, chunk.n_examples
    w = np.repeat(kept, chunk.sizes).astype(float)
    return (chunk.X * w[:, None]).T @ chunk.X, w.sum()


def _task_norms(chunk, inv):
    return np.add.reduceat(np.einsum("ij,ij->i", chunk.X @ inv, chunk.X),
                           chunk.offsets[:-1]) / chunk.sizes


def _second_moment(sources, alpha, n_rounds, passes, rng):
    """:func:`~robust_mlr.covariates.estimate_second_moment` as passes:
    the plain moment, then (α > 0) rounds of one pass scoring every task and
    one pass re-estimating from the kept tasks; the trimming is exact (the
    task scores of all pools, n floats, are held in memory). On large pools
    the rounds but the last run in memory on the same random share of tasks
    as the in-memory estimate's (drawn from ``rng``, its rows read in), and
    the rest on every task when the last round's Σ̂ parts from the share's."""
    n = sum(src.n_tasks for src in sources)
    kept = np.ones(n, bool)
    share = None
    if alpha > 0 and n_rounds > 1:
        share = _rounds_sample([DiskTasks(src) if isinstance(src, ChunkedMetaDataset) else src
                               for src in sources], rng)
    base = np.cumsum([0] + [src.n_tasks for src in sources])

    def trim_round(Sigma):
        """Score every task under Σ̂, trim its excess (at most 2αn), re-estimate
        (two passes)."""
        inv = np.linalg.pinv(Sigma, hermitian=True)
        fn = functools.partial(_task_norms, inv=inv)
        q = np.concatenate([p for src in sources for p in passes.map(src, fn)])
        kept = trim_mask(q, [src.n_tasks for src in sources], np.zeros(n, bool), alpha)
        parts = [p for src, b in zip(sources, base) for p in passes.map(
            src, _gram, [kept[b + lo:b + hi] for lo, hi in passes.task_ranges(src)])]
        return sum(p[0] for p in parts) / sum(p[1] for p in parts), kept

    if share is not None:
        start = estimate_second_moment(share, alpha, n_rounds - 1)[0]
        Sigma, kept = trim_round(start)
        if _share_agrees(start, Sigma):          # as in memory
            return Sigma, kept
        n_rounds -= 1
    else:
        parts = [p for src in sources for p in passes.map(src, _gram)]
        Sigma = sum(p[0] for p in parts) / sum(p[1] for p in parts)
    if alpha == 0:
        return Sigma, kept
    for _ in range(n_rounds):
        Sigma, kept = trim_round(Sigma)
    return Sigma, kept


def _split_moment(chunk):
    """Σ_i β̂_i⁽¹⁾ β̂_i⁽²⁾ᵀ over a chunk's tasks, by blocks as the in-memory M̂."""
    d, off, sizes = chunk.dim, chunk.offsets, chunk.sizes
    C = np.zeros((d, d))
    for a, e in task_blocks(off, chunk.X.itemsize * d):
        lo, hi = off[a], off[e]
        b = chunk_operator(sizes[a:e], 2, chunk.y[lo:hi]) @ chunk.X[lo:hi]
        C += b[:e - a].T @ b[e - a:]
    return C, chunk.n_tasks


def _example_moment(chunk):
    y2 = chunk.y ** 2
    return (chunk.X * y2[:, None]).T @ chunk.X, float(y2.sum()), chunk.n_examples


def _classify_and_sum(chunk, W, s2, level):
    """Labels (and flags) of a chunk's tasks and the per-component normal
    equations of the tasks classified to each component."""
    stage = Likelihood(flag_level=level).fit(chunk, W, s2)     # the in-memory rule
    labels, flagged = stage.labels_, stage.flagged_
    G, b, yy, n_ex = label_grams(chunk.X, chunk.y, chunk.offsets, labels, W.shape[1])
    return labels, flagged, G, b, yy, n_ex


def _label_rss(chunk, labels, W):
    return label_rss(chunk.X, chunk.y, chunk.offsets, labels, W)


def _component_qr(chunk, labels, comps):
    """For each component of ``comps``, the QR factors of the chunk's rows of
    the tasks labelled to it: ``(R, Qᵀy)``."""
    out = []
    for ell in comps:                          # loop over the deficient components only
        rows = np.repeat(labels == ell, chunk.sizes)
        Q, R = np.linalg.qr(chunk.X[rows])
        out.append((R, Q.T @ chunk.y[rows]))
    return out


def _solve_normal(G, b, yy, n_ex, counts, light2, labels, passes):
    """Least squares per component from its normal equations, as the
    in-memory refit (:func:`~robust_mlr.stages.regression.least_squares.solve_components`).
    Where a component's XᵀX is rank-deficient or ill-conditioned, the
    in-memory refit takes the minimum-norm solution from an SVD of its rows;
    here one more pass over ``light2`` stacks the R factors of every chunk's
    rows of those components (X = QR chunk by chunk: the stacked system has
    X's singular values, not XᵀX's) and solves it by an SVD with the cut-off
    lstsq would use on the rows. Returns W, RSS."""
    deficient = []

    def later(ell):
        deficient.append(ell)
        return np.zeros(b.shape[1])
    W, rss = solve_components(G, b, yy, n_ex, counts, later)
    if not deficient:
        return W, rss
    fn = functools.partial(_component_qr, comps=deficient)
    parts = passes.map(light2, fn, [labels[lo:hi] for lo, hi in passes.task_ranges(light2)])
    eps = np.finfo(float).eps
    fixed = {ell: svd_least_squares(np.vstack([p[j][0] for p in parts]),
                                    np.concatenate([p[j][1] for p in parts]),
                                    rcond=eps * max(n_ex[ell], b.shape[1]))
             for j, ell in enumerate(deficient)}
    return solve_components(G, b, yy, n_ex, counts, fixed.__getitem__)


# ------------------------------------------------------------------- the stages
def _subspace(stage, source, k, passes):
    if isinstance(stage, MomentPCA):
        lo = source.size_range[0] if isinstance(source, ChunkedMetaDataset) else \
            int(source.sizes.min())
        if lo < 2:
            raise ValidationError(f"subspace estimation (Algorithm 2) splits every task into 2 "
                                  f"chunks, but light1 has tasks of t_i={lo} < 2 examples")
        parts = passes.map(source, _split_moment)
        C = sum(p[0] for p in parts) / sum(p[1] for p in parts)
        U, vals = top_eigvecs((C + C.T) / 2, k)
        return SubspaceResult(U, None, {"eigenvalues": vals})
    parts = passes.map(source, _example_moment)
    N = sum(p[2] for p in parts)
    U, vals = top_eigvecs(sum(p[0] for p in parts) / N, k)
    return SubspaceResult(U, None, {"method": "method of moments",
                                    "eigenvalues": (vals - sum(p[1] for p in parts) / N) / 2})


def _robust_form(stages):
    return all(type(stages[kind]) in classes for kind, classes in ROBUST_SUPPORTED.items())


def _check_supported(learner, stages):
    for kind, classes in SUPPORTED.items():
        if type(stages[kind]) not in classes:
            robust = ROBUST_SUPPORTED[kind][0].__name__
            raise ValidationError(
                f"{kind}={type(stages[kind]).__name__} has no out-of-core form yet; "
                f"supported: {', '.join(c.__name__ for c in classes)}, or {robust} in the "
                f"robust learner (subspace=FilterPCA, classification=Likelihood, "
                f"regression=FilterRegression)")
    reds = [r for r in learner._reductions(stages) if not isinstance(r, Whiten)]
    if reds:
        raise ValidationError(f"screen={type(reds[0]).__name__} has no out-of-core form yet; "
                              f"pass screen=None")


@pinned
def fit_out_of_core(learner, light1, heavy, light2, *, chunk_bytes=64 << 20, client=None):
    """Fit ``learner`` with its light pools read chunk by chunk.

    The result equals ``learner.fit(Pools(light1, heavy, light2))`` on the
    same data up to the order of floating-point sums (see docs/scaling.md):
    the same task labels, floats within about 1e-12 relative; the robust
    learner's fit is the in-memory fit bit for bit.

    Parameters
    ----------
    learner : MetaLearner
        Its stages must have an out-of-core form: as passes over chunks
        (:data:`SUPPORTED`: the ICML 2020 preset ``MetaLearner.icml(k)``,
        the ``"moments"`` subspace, χ² flagging; any clustering stage;
        whitening; no screening), or the stages of the robust learner
        ``MetaLearner.robust(k, alpha)`` (:data:`ROBUST_SUPPORTED`, with
        any screen, covariates option and clustering stage), whose light
        pools are read block by block from the files.
    light1, heavy, light2 : ChunkedMetaDataset, MetaDataset, str or Path
        The pools (a path opens a chunked directory); ``heavy`` is read
        into memory.
    chunk_bytes : int
        Bound on a chunk's in-memory size (float64 X and y).
    client : dask.distributed.Client, optional
        Map the chunk passes on a Dask cluster (workers must see the files);
        default: this process, chunk after chunk. The robust learner's fit
        runs as one task on a worker (which reads its blocks from the
        files; its passes are not split across workers).

    Returns
    -------
    MetaLearner
        ``learner``, fitted: ``U_``, ``heavy_labels_``, ``W_tilde_``,
        ``r2_tilde_``, ``p_tilde_``, ``light_labels_``, ``W_``, ``s2_``,
        ``p_``, ``stages_``, ``threat_``, ``diagnostics_``.

    Raises
    ------
    ValidationError
        A stage without an out-of-core form (named), pools of different
        dimensions, or an unreadable chunked directory.

    Examples
    --------
    >>> from robust_mlr import make_params, make_pools, MetaLearner
    >>> pools = make_pools(make_params(8, 2, rng=0), 4000, 2, 60, 64, 2000, 8, rng=1)
    >>> a = fit_out_of_core(MetaLearner(2, rng=2), pools.light1, pools.heavy, pools.light2)
    >>> b = MetaLearner(2, rng=2).fit(pools)
    >>> bool(np.allclose(a.W_, b.W_, atol=1e-12))
    True
    """
    if not isinstance(learner, MetaLearner):
        raise ValidationError(f"learner must be a MetaLearner, got {type(learner).__name__}")
    light1, heavy, light2 = (_source(p, n) for p, n in
                             ((light1, "light1"), (heavy, "heavy"), (light2, "light2")))
    dims = {"light1": light1.dim, "heavy": heavy.dim, "light2": light2.dim}
    if len(set(dims.values())) != 1:
        raise ValidationError(f"pools have different dimensions {dims}")
    learner._validate_params()
    check_int(chunk_bytes, "chunk_bytes", min_val=1)
    k = check_k_d(learner.k, light1.dim)
    threat = ThreatModel(learner.alpha)
    rng = check_rng(learner.rng)
    stages = learner.resolved_stages()
    if _robust_form(stages):
        if client is None:
            return _fit_on_disk(learner, light1, heavy, light2)
        # the whole fit as one task on a worker that sees the files (its
        # blocked passes are not split across workers)
        fitted, caught = client.submit(_fit_on_disk_recorded, learner, light1, heavy, light2,
                                       pure=False).result()
        for message in caught:              # said here, as the fit in this process says them
            warnings.warn(message, stacklevel=2)
        vars(learner).update(vars(fitted))
        return learner
    _check_supported(learner, stages)
    warn_unprotected(stages, threat, k)
    if isinstance(heavy, ChunkedMetaDataset):
        heavy = heavy.to_memory()
    if learner.covariates == "isotropic":
        warn_zero_features({"light1": light1, "heavy": heavy, "light2": light2})
    diag, passes, whitening = {}, _Passes(chunk_bytes, client), None
    if learner.covariates in ("estimate", "auto"):
        red = learner._reductions(stages)[0]
        # the Whiten reduction's generator, then its rounds' (as ``fit`` spawns them)
        Sigma, kept = _second_moment((light1, heavy, light2), threat.alpha,
                                     red._options()["n_rounds"], passes,
                                     rng.spawn(1)[0].spawn(1)[0])
        n_ex = sum(ds.n_examples for ds in (light1, heavy, light2))
        if learner.covariates == "estimate" or not isotropy_test(Sigma, n_ex)[0]:
            whitening = Whitening.from_moment(Sigma, kept=kept)
            passes.inv_root = whitening.inv_root
            heavy = whitening.whiten(heavy)

    t0 = time.perf_counter()
    sub = stages["subspace"]
    sub.result_ = _subspace(sub, light1, k, passes)
    learner.U_ = sub.U_ = sub.result_.U
    diag["subspace"] = dict(sub.result_.info, kept=None, time=time.perf_counter() - t0)

    t0 = time.perf_counter()
    with stage_warnings(diag, "clustering"):
        cl = stages["clustering"].fit(heavy, learner.U_, k, threat=threat, rng=rng)
    learner.heavy_labels_ = cl.labels_
    learner.W_tilde_, learner.r2_tilde_, learner.p_tilde_ = cl.W_tilde_, cl.r2_tilde_, cl.p_tilde_
    diag["clustering"] = dict(cl.result_.info, objective=cl.result_.objective,
                              outliers=cl.result_.outliers, time=time.perf_counter() - t0)

    t0 = time.perf_counter()
    _classify_and_refine(learner, stages, light2, k, threat, passes, diag)
    diag["regression"]["time"] = time.perf_counter() - t0
    learner.diagnostics_, learner.stages_, learner.threat_ = diag, stages, threat
    learner.covariance_ = None                  # the whitening's invert sets it
    if whitening is not None:
        red.invert(learner, whitening)
    check_evidence(diag, threat)
    check_design(learner, types.SimpleNamespace(heavy=heavy), k, threat)
    return learner


def _fit_on_disk(learner, light1, heavy, light2):
    """The robust learner with the light pools' rows left on disk:
    ``learner.fit`` itself over :class:`~robust_mlr._disk.DiskTasks` views,
    whose blocked passes read each block from the files (the heavy pool is
    read into memory). The same blocks in the same order with the same
    values: the fit equals the in-memory fit bit for bit."""
    def view(pool):
        return DiskTasks(pool) if isinstance(pool, ChunkedMetaDataset) else pool
    if isinstance(heavy, ChunkedMetaDataset):
        heavy = heavy.to_memory()
    return learner.fit(Pools(view(light1), heavy, view(light2)))


def _fit_on_disk_recorded(learner, light1, heavy, light2):
    """:func:`_fit_on_disk` on a Dask worker, with the warnings it raised:
    a worker prints its own warnings in its log (another machine's, for a
    remote scheduler), so the fitted learner comes back with them, for the
    caller to raise (a CorruptionWarning was otherwise never seen)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = _fit_on_disk(learner, light1, heavy, light2)
    return fitted, [w.message for w in caught]


def _classify_and_refine(learner, stages, light2, k, threat, passes, diag):
    cls_, reg = stages["classification"], stages["regression"]
    level = cls_._options()["flag_level"]
    W, s2 = np.asarray(learner.W_tilde_, float), np.asarray(learner.r2_tilde_, float)
    if np.any(s2 <= 0):
        raise ValidationError(f"noise variances must be positive, got {s2}")
    fn = functools.partial(_classify_and_sum, W=W, s2=s2, level=level)
    parts = passes.map(light2, fn)
    labels = np.concatenate([p[0] for p in parts])
    flagged = np.concatenate([p[1] for p in parts])
    G, b, yy, n_ex = (sum(p[j] for p in parts) for j in range(2, 6))
    info = {"flagged": flagged}
    if cls_.robust:     # as Likelihood.fit: the test itself flags about level·n clean tasks
        n = labels.size
        info.update(removed=int(flagged.sum()),
                    limit=threat.limit(n) + int(3 * level * n + 3))
    cls_.labels_, cls_.flagged_, cls_.info_ = labels, flagged, info
    diag["classification"] = dict(info)
    counts = np.bincount(labels[labels >= 0], minlength=k)
    W_, rss = _solve_normal(G, b, yy, n_ex, counts, light2, labels, passes)
    exact = rss < CANCELLATION * yy     # as in memory: RSS from the residuals themselves
    if exact.any():
        fn = functools.partial(_label_rss, W=W_)
        ranges = passes.task_ranges(light2)
        rss = np.where(exact, sum(passes.map(light2, fn, [labels[lo:hi] for lo, hi in ranges])),
                       rss)
    s2_ = rss / (n_ex - W_.shape[0])
    reg.labels_, reg.W_, reg.s2_, reg.p_, reg.info_ = labels, W_, s2_, counts / counts.sum(), {}
    learner.light_labels_ = labels
    learner.W_, learner.s2_, learner.p_ = reg.W_, reg.s2_, reg.p_
    diag["regression"] = {}

