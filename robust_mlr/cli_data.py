"""``robust-mlr generate | fit | predict``: the command line on the user's data.

* ``generate DIR`` streams a synthetic meta-dataset of any size to a pools
  directory (``DIR/light1``, ``DIR/heavy``, ``DIR/light2`` in the chunked
  format of :mod:`robust_mlr.chunked`, and the truth in ``DIR/params.json``).
* ``fit DATA --k K --out MODEL`` fits a learner and writes the JSON model
  file of :mod:`robust_mlr.modelfile`. DATA is a pools directory (the fit
  then runs out of core: the ICML fit chunk by chunk, the robust fit with
  the light pools' rows read from disk block by block), or one meta-dataset — a
  chunked directory, an ``.npz`` written by :meth:`MetaDataset.save`, or a
  CSV or Parquet file with a task-id column, a response column and feature
  columns — cut into pools by task size (``--heavy-min-size``) or, for a CSV
  or Parquet file, by a column naming each row's pool (``--pool-col``).
* ``predict MODEL DATA`` classifies DATA's tasks under the model (and, with
  ``--holdout``, predicts each task's last example from the others).

A user error (a missing file or column, a foreign directory, bad numbers)
ends as one line ``robust-mlr ...: error: ...`` with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import time
from pathlib import Path

import numpy as np

from ._cli_files import (TABLE_SUFFIXES, check_dataset_dir, check_k, covariates_line,
                         distinct_columns, features_as_fitted, features_line, load_dataset,
                         not_an_input, refuse_column_options, singular_columns, table_header,
                         undone_on_failure, warnings_name_columns)
from ._csvfile import read_csv
from .exceptions import EmptyClusterError, SolverFailedError, ValidationError
from ._argtypes import alpha_value, closest, nonnegative_int, positive_int

__all__ = ["add_data_parsers", "read_csv_tasks"]

_USER_ERRORS = (ValidationError, EmptyClusterError, SolverFailedError, OSError)


def read_csv_tasks(path, task_col="task", y_col="y"):
    """A meta-dataset from a CSV file with a header row.

    Parameters
    ----------
    path : str or Path
    task_col, y_col : str
        Names of the task-id and response columns; every other column is a
        feature, but a first column without a name (the row index pandas'
        ``DataFrame.to_csv`` writes), which is skipped.

    Returns
    -------
    MetaDataset
        Tasks in order of first appearance.

    Raises
    ------
    ValidationError
        A missing column (named, with the columns the file has), a column
        without a name past the first (named by its position), no feature
        column, a row of the wrong width, a value that is not a number or not
        finite (named by file line and column).
    """
    return read_csv(path, task_col, y_col)[0]


@contextlib.contextmanager
def _dask_client(address):
    """A ``dask.distributed`` client: None without an address, a local
    cluster of 2 single-threaded worker processes for ``local``."""
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ValidationError("--dask needs the extra: pip install 'robust-mlr[dask]'") from None
    if address == "local":
        from ._local_dask import interrupted, leave_sigint_to_the_command, start_local_cluster
        cluster, client = start_local_cluster(2)
        with cluster, client:
            leave_sigint_to_the_command(client)
            try:
                yield client
            except KeyboardInterrupt:
                interrupted()
                raise
    else:
        with Client(address) as client:
            yield client


def _generate(args):
    from .chunked import _check_replaceable, _is_pools, write_synthetic_pools
    from .generator import make_params
    _check_replaceable(Path(args.dir), args.overwrite, "pools directory", _is_pools,
                       "--overwrite")
    for pool, stage in (("light1", "the subspace stage"), ("heavy", "the clustering stage")):
        if getattr(args, pool)[1] < 2:               # data no learner could fit
            raise ValidationError(f"--{pool} T={getattr(args, pool)[1]}: {stage} splits every "
                                  f"task into 2 halves, so {pool} tasks need T >= 2")
    if args.k > args.d:
        raise ValidationError(f"--k {args.k}: more components than the dimension --d {args.d}; "
                              f"need --k <= --d")
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    path = write_synthetic_pools(args.dir, make_params(args.d, args.k, rng=rng), args.light1,
                                 args.heavy, args.light2, rng=rng, dtype=args.dtype,
                                 overwrite=args.overwrite)
    n = sum(a[0] * a[1] for a in (args.light1, args.heavy, args.light2))
    print(f"wrote {path}: {n} examples (d={args.d}, k={args.k}, {args.dtype}) in "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


def _fit(args):
    data = Path(args.data)
    if not data.exists():
        raise ValidationError(f"{data}: no such file or directory")
    not_an_input(args.out, data)
    with undone_on_failure(args.out):       # a failed fit leaves no --out folder behind
        report = _fit_to(args, data)
    print("\n".join(report))                # the model is saved: a closed pipe cannot undo it
    return 0


def _fit_to(args, data):
    """The fit of ``_fit``, its output checked and written; returns the
    lines of its report."""
    from .chunked import POOL_NAMES, open_pools, read_params
    from ._advice import suggest_heavy_min_size
    from .data import Pools, _cut_by_size
    from ._poolcol import cut_by_column
    from .estimator import MetaLearner
    from .modelfile import save_model
    from .outofcore import fit_out_of_core
    from .engine._files import check_writable_file
    check_writable_file(args.out, "model file", "--out folder")
    pools_dir = all((data / n).is_dir() for n in POOL_NAMES)
    if data.is_dir() and not pools_dir:
        check_dataset_dir(data, POOL_NAMES)
    refuse_column_options(args, data)
    if args.pool_col is not None and args.heavy_min_size is not None:
        raise ValidationError(f"--pool-col {args.pool_col} and --heavy-min-size "
                              f"{args.heavy_min_size}: pools are cut by a column or by task "
                              f"size, not both; give one of them")
    distinct_columns(args)
    args.task_col, args.y_col = args.task_col or "task", args.y_col or "y"
    if args.chunk_mb is not None and not pools_dir:
        raise ValidationError(f"--chunk-mb {args.chunk_mb}: {data} is one meta-dataset, fitted "
                              f"in memory; the option sets the chunks of a pools directory's "
                              f"out-of-core fit")
    chunk_mb = args.chunk_mb or 64
    if pools_dir and args.heavy_min_size is not None:
        raise ValidationError(f"--heavy-min-size {args.heavy_min_size}: {data} is a pools "
                              f"directory, already cut into pools (the option is for one "
                              f"meta-dataset)")
    if args.dask is not None and not pools_dir:
        raise ValidationError(f"--dask {args.dask}: only the fit of a pools directory "
                              f"runs out of core; this fit runs in memory")
    if args.method is None:                 # a corrupted fraction asks for the robust learner
        args.method = "robust" if args.alpha > 0 else "icml"
    preset = MetaLearner.icml if args.method == "icml" else MetaLearner.robust
    chosen = {} if args.clustering is None else {"clustering": args.clustering}
    learner = preset(args.k, alpha=args.alpha, covariates=args.covariates, rng=args.seed,
                     **chosen)
    if args.clustering is not None:     # an unknown --clustering fails before the data load
        _check_clustering(args.clustering)
    learner.resolved_stages()
    t0 = time.perf_counter()
    table_read = False
    if pools_dir:
        src = open_pools(data)
        check_k(args.k, src["heavy"].dim, data)
        how = "pools directory"
        with _dask_client(args.dask) as client:
            model = fit_out_of_core(learner, src["light1"], src["heavy"], src["light2"],
                                    chunk_bytes=chunk_mb << 20, client=client)
        if args.method == "icml":
            how += f", out of core in chunks of {chunk_mb} MB"
        else:
            how += ", out of core (the light pools' rows read from disk block by block)"
        how += f" on Dask ({args.dask})" if args.dask else ""
        sizes = {n: (src[n].n_tasks, src[n].n_examples) for n in POOL_NAMES}
    else:
        one, labels, names, cut = load_dataset(data, args, args.pool_col)
        if args.heavy_min_size is None and cut is None:
            hint = suggest_heavy_min_size(one.sizes)
            raise ValidationError(f"{data} is one meta-dataset: --heavy-min-size T is needed "
                                  f"to cut it into pools by task size (task sizes "
                                  f"{int(one.sizes.min())}..{int(one.sizes.max())}"
                                  + (f"; the widest gap suggests --heavy-min-size {hint}"
                                     if hint else "")
                                  + "; or, for a CSV or Parquet file, --pool-col NAME: by a "
                                    "column)")
        table_read = names is not None
        check_k(args.k, one.dim, data)
        if cut is None:
            pools = Pools(*_cut_by_size(one, args.heavy_min_size,
                                        np.random.default_rng(args.seed),
                                        f"--heavy-min-size {args.heavy_min_size}"))
        else:
            pools = Pools(*cut_by_column(one, cut, labels, data, args.pool_col))
        try:
            with warnings_name_columns(names):
                model = learner.fit(pools)
        except ValidationError as exc:
            if names is None or not hasattr(exc, "dependent"):
                raise
            raise ValidationError(singular_columns(exc, names, data)) from None
        how = (f"pools by task size (heavy: t >= {args.heavy_min_size}), in memory" if cut is None
               else f"pools by column {args.pool_col!r}, in memory")
        sizes = {n: (pools[n].n_tasks, pools[n].n_examples) for n in POOL_NAMES}
    seconds = time.perf_counter() - t0
    clustering = model.stages_["clustering"]
    clustering = getattr(clustering, "chosen_", clustering)     # what "auto" picked
    truth = read_params(data) if data.is_dir() else None        # may refuse: before the save
    how_fitted = {"method": args.method, "k": args.k, "alpha": args.alpha,
                  "covariates": args.covariates, "seed": args.seed,
                  "clustering": repr(clustering), "data": str(data)}
    if table_read:                          # predict reads the same columns by default
        how_fitted.update(task_col=args.task_col, y_col=args.y_col, features=list(names))
        if args.pool_col is not None:       # and skips this one
            how_fitted.update(pool_col=args.pool_col)
    save_model(model, args.out, how_fitted)
    report = [f"fit {args.method}: k={args.k}, d={model.W_.shape[0]}, alpha={args.alpha:g}, "
              f"clustering {clustering!r}; {how}; {seconds:.2f} s"]
    if table_read:                          # a column meant otherwise shows here
        report.append(features_line(names, data, args))
    report.append(covariates_line(model, args.covariates))
    for n, (nt, ne) in sizes.items():
        report.append(f"  {n:7s} {nt:>11d} tasks {ne:>12d} examples")
    report.append("  component      p        s2     |w|")
    for ell in range(model.W_.shape[1]):
        report.append(f"  {ell:9d} {model.p_[ell]:6.3f} {model.s2_[ell]:9.4f} "
                      f"{np.linalg.norm(model.W_[:, ell]):7.4f}")
    if truth is not None and truth.W.shape == model.W_.shape:
        from .metrics import parameter_errors
        err = parameter_errors(model.W_, model.s2_, model.p_, truth)
        report.append(f"  against the true parameters: w_err {err['w_err']:.4f}, s2_err "
                      f"{err['s2_err']:.4f}, p_err {err['p_err']:.4f}")
    elif truth is not None:                 # say why the comparison is missing
        report.append(f"  against the true parameters: not compared (params.json has "
                      f"k={truth.W.shape[1]}, d={truth.W.shape[0]}; this fit k="
                      f"{model.W_.shape[1]}, d={model.W_.shape[0]})")
    report.append(f"model: {args.out}")
    return report


def _check_clustering(name):
    """``--clustering NAME``: one of the clustering stages' names."""
    from .stages.clustering import ALIASES
    if name not in ALIASES:
        close = closest(name, ALIASES)
        hint = f" (did you mean {close}?)" if close else ""
        raise ValidationError(f"--clustering {name}: no such clustering stage{hint}; choose "
                              f"from {', '.join(sorted(ALIASES))}")


def _predict_chunks(model, chunks, holdout, writer, labels=None):
    from .stages.prediction import posterior
    n = 0
    counts = np.zeros(model.k, np.int64)
    sq, conf = 0.0, 0.0
    for chunk in chunks:
        if holdout:
            support, Xq, yq = chunk.split_query()
            beta = model.task_parameters(support)
            sq += float(np.sum((np.einsum("ij,ij->i", Xq, beta) - yq) ** 2))
            chunk = support
        post = posterior(chunk, model.W_, model.s2_, model.p_)
        comp = np.argmax(post, axis=1)
        counts += np.bincount(comp, minlength=model.k)
        conf += float(post.max(axis=1).sum())
        if writer is not None:
            ids = range(n, n + chunk.n_tasks) if labels is None else labels[n:n + chunk.n_tasks]
            writer.writerows(zip(ids, comp.tolist(),
                                 np.round(post.max(axis=1), 6).tolist()))
        n += chunk.n_tasks
    return n, counts, conf, sq


def _predict(args):
    from .modelfile import load_model
    from .engine._files import check_writable_file
    model = load_model(args.model)
    data = Path(args.data)
    refuse_column_options(args, data)       # before the model's columns fill them in
    if args.chunk_mb is not None and not data.is_dir():
        raise ValidationError(f"--chunk-mb {args.chunk_mb}: {data} is read into memory whole; "
                              f"the option sets the chunks a directory is read in")
    typed = argparse.Namespace(**{key: getattr(args, key) for key, _, _ in _COLUMNS})
    taken = _columns_from_model(args, model)
    distinct_columns(typed, taken)
    if args.out:
        not_an_input(args.out, args.model, data)
    with undone_on_failure(args.out):       # a failed prediction leaves no --out behind
        if args.out:
            check_writable_file(args.out, "output file", "--out folder")
        report = _predict_to(args, model, data, taken)
    print("\n".join(report))                # the CSV is written: a closed pipe cannot undo it
    return 0


#: The column options ``fit`` writes in the model file: (key, option, default).
_COLUMNS = (("task_col", "--task-col", "task"), ("y_col", "--y-col", "y"),
            ("pool_col", "--pool-col", None))


def _columns_from_model(args, model):
    """Set the column options the user did not pass to those the model was
    fitted with (its ``learner`` fields; a model file without them, or a fit
    that read no CSV: the defaults). Returns the options taken from the
    model, as typed."""
    taken = []
    for key, flag, default in _COLUMNS:
        if getattr(args, key) is not None:
            continue
        stored = model.learner.get(key)
        if stored is None:
            setattr(args, key, default)
            continue
        if not isinstance(stored, str) or not stored:
            raise ValidationError(f"{args.model}: learner field {key!r} must be a column name, "
                                  f"got {stored!r}; pass {flag} NAME")
        setattr(args, key, stored)
        taken.append((flag, stored))
    return taken


def _predict_to(args, model, data, taken):
    """The prediction of ``_predict``, its output checked; returns the
    lines of its report."""
    from .chunked import POOL_NAMES, ChunkedMetaDataset
    labels = None
    if data.is_dir() and all((data / n).is_dir() for n in POOL_NAMES):
        raise ValidationError(f"{data} is a pools directory; predict reads one meta-dataset, "
                              f"e.g. {data / 'light2'}")
    if data.is_dir():
        src = ChunkedMetaDataset(data)
        dim = src.dim
        chunks = src.iter_chunks((args.chunk_mb or 64) << 20)
    else:
        typed = args.pool_col is not None and ("--pool-col", args.pool_col) not in taken
        header = table_header(data) if typed and data.suffix.lower() in TABLE_SUFFIXES else None
        if header is not None and args.pool_col not in header:     # as fit says it
            close = closest(args.pool_col, header)
            raise ValidationError(f"{data}: no pool column {args.pool_col!r}; the columns are "
                                  f"{', '.join(header)}"
                                  + (f" (did you mean {close!r}?)" if close else ""))
        try:                                # the pool column, not a feature, is skipped
            skip = () if args.pool_col is None else (args.pool_col,)
            one, labels, names, _ = load_dataset(data, args, skip=skip)
        except ValidationError as exc:
            said = [f"{flag} {col}" for flag, col in taken if f"column {col!r}" in str(exc)]
            if not said:
                raise
            raise ValidationError(f"{exc} ({', '.join(said)}: the column the model {args.model} "
                                  f"was fitted with; pass the option to read another)") from None
        if names is not None:               # W's rows are the fitted columns, by name
            one = features_as_fitted(one, names, model, args.model, data)
        dim, chunks = one.dim, [one]
    if args.holdout:
        if not data.is_dir():
            small = np.flatnonzero(np.diff(one.offsets) < 2)
        else:                               # the sizes are read only if the manifest says
            small = np.flatnonzero(src.sizes < 2) if src.size_range[0] < 2 else []
        if len(small):
            name = labels[small[0]] if labels is not None else small[0]
            raise ValidationError(f"--holdout predicts each task's last example from the "
                                  f"others: task {name} of {data} has 1 example")
    if dim != model.W_.shape[0]:
        raise ValidationError(f"{data} has d={dim} features but the model {args.model} was "
                              f"fitted with d={model.W_.shape[0]}")
    with contextlib.ExitStack() as stack:
        writer = None
        if args.out:                        # the file replaced only once every task is written
            from .engine._files import atomic_write
            raw = stack.enter_context(atomic_write(args.out))
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            stack.callback(out.detach)      # flushed into the file before it is renamed
            writer = csv.writer(out)
            # a CSV's ids under its own column name, so the rows join back on it
            writer.writerow([args.task_col if labels is not None else "task", "component",
                             "probability"])
        n, counts, conf, sq = _predict_chunks(model, chunks, args.holdout, writer, labels)
    shares = ", ".join(f"{c / n:.3f}" for c in counts)
    report = [f"predict: {n} tasks; MAP component shares [{shares}]; mean posterior of the "
              f"MAP component {conf / n:.3f}"]
    if args.holdout:
        report.append(f"  held-out last example of every task: MSE {sq / n:.4f} (Bayes "
                      f"prediction)")
    if args.out:
        report.append(f"per-task components: {args.out}")
    else:
        report.append("  (--out FILE writes each task's component and its probability)")
    return report


def _guarded(func):
    """Run a command; user errors become one argparse line (exit status 2)."""
    def run(args):
        try:
            return func(args)
        except BrokenPipeError:         # the reader of the output went away: not a user error
            raise
        except _USER_ERRORS as exc:
            args.parser.error(str(exc))
    return run


def _data_options(p, from_model=False):
    said = ("the one MODEL was fitted with, else " if from_model else "")
    kept = "" if from_model else "; kept in the model file as predict's default"
    p.add_argument("--task-col", default=None,
                   help=f"CSV or Parquet task-id column (default: {said}task{kept})")
    p.add_argument("--y-col", default=None,
                   help=f"CSV or Parquet response column (default: {said}y{kept})")
    p.add_argument("--pool-col", default=None, metavar="NAME",
                   help="CSV or Parquet column that is not a feature: skipped (default: the "
                        "pool column MODEL was fitted with)" if from_model else
                        "CSV or Parquet column naming each row's pool (light1, heavy, "
                        "light2; the same on every row of a task): pools by this column "
                        "instead of --heavy-min-size; not a feature")
    p.add_argument("--chunk-mb", type=positive_int, default=None,
                   help="chunk size, in MB, of the out-of-core passes over a directory "
                        "(default 64)")


def add_data_parsers(sub):
    """Add ``generate``, ``fit`` and ``predict`` to the top-level subparsers."""
    p = sub.add_parser("generate", help="stream a synthetic meta-dataset to disk",
                       description="Write DIR/light1, DIR/heavy, DIR/light2 (chunked .npy "
                                   "shards with a manifest) and DIR/params.json (the truth).")
    p.add_argument("dir", help="pools directory to create")
    p.add_argument("--d", type=positive_int, required=True, help="dimension")
    p.add_argument("--k", type=positive_int, required=True, help="number of components")
    for pool in ("light1", "heavy", "light2"):
        p.add_argument(f"--{pool}", type=positive_int, nargs=2, metavar=("N", "T"), required=True,
                       help=f"{pool}: N tasks of T examples")
    p.add_argument("--seed", type=nonnegative_int, default=0,
                   help="random seed >= 0 (default 0)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                   help="storage type (float32 halves the disk; default float64)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing pools directory DIR (nothing else)")
    p.set_defaults(func=_guarded(_generate), parser=p)

    p = sub.add_parser("fit", help="fit a learner on a dataset and write a model file",
                       description="DATA: a pools directory (fitted out of core), or one "
                                   "meta-dataset (chunked directory, .npz, .csv or .parquet) "
                                   "cut into pools by task size or by a column.")
    p.add_argument("data", help="pools directory, chunked directory, .npz, .csv or .parquet")
    p.add_argument("--k", type=positive_int, required=True, help="number of components")
    p.add_argument("--alpha", type=alpha_value, default=0.0, help="corrupted fraction (default 0)")
    p.add_argument("--method", choices=["icml", "robust"], default=None,
                   help="icml or robust (both out of core on a pools directory); default: "
                        "robust when --alpha > 0, else icml")
    p.add_argument("--covariates", choices=["auto", "isotropic", "estimate"], default="auto",
                   help="estimate: whiten by the covariates' estimated second moment first "
                        "(features not isotropic, e.g. real data); auto (default): only "
                        "when that moment is not isotropic")
    p.add_argument("--clustering", default=None, metavar="NAME",
                   help="heavy-task clustering stage (default: the method's own, 'linkage' "
                        "(average linkage refined by reassignment) for icml; 'auto' picks likelihood EM below a median heavy "
                        "task size of 16, 'em', 'average', 'moments', 'peng_wei_robust', ...: "
                        "robust_mlr.stages.clustering.ALIASES)")
    p.add_argument("--out", required=True, help="model file to write (JSON)")
    p.add_argument("--heavy-min-size", type=positive_int, default=None,
                   help="for one meta-dataset: tasks with t >= this are heavy")
    p.add_argument("--seed", type=nonnegative_int, default=0,
                   help="random seed >= 0 (default 0)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="map the out-of-core passes (icml) or run the fit (robust) on a "
                        "Dask scheduler at ADDRESS, or 'local' for a local cluster of 2 "
                        "workers")
    _data_options(p)
    p.set_defaults(func=_guarded(_fit), parser=p)

    p = sub.add_parser("predict", help="classify new tasks under a model file",
                       description="Posterior component of every task of DATA (a chunked "
                                   "directory, .npz, .csv or .parquet) under MODEL.")
    p.add_argument("model", help="model file written by 'robust-mlr fit'")
    p.add_argument("data", help="chunked directory, .npz, .csv or .parquet of tasks")
    p.add_argument("--holdout", action="store_true",
                   help="predict each task's last example from the others; print the MSE")
    p.add_argument("--out", help="CSV of task (a CSV's own task ids, under its task-id "
                        "column's name; else the task's index), component, probability")
    _data_options(p, from_model=True)
    p.set_defaults(func=_guarded(_predict), parser=p)

