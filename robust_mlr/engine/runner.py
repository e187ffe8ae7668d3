"""Running a sweep: serially, in local processes, or on a Dask cluster."""

from __future__ import annotations

import contextlib
import ctypes
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from .experiment import Experiment
from .storage import ResultsFile, read_results

__all__ = ["run_trial", "run_sweep", "summarize", "format_summary", "results_path"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_PDEATHSIG = 1          # from <linux/prctl.h>
_WATCH_PERIOD = 0.2            # seconds between a worker's checks of its parent


def run_trial(func, point, seed):
    """Run one trial; never raises. Returns (status, error, wall_time, metrics)."""
    t0 = time.perf_counter()
    try:
        metrics = func(dict(point), np.random.default_rng(seed))
        status, error = "ok", ""
    except Exception as exc:                  # a failed trial is a result, not a crash
        metrics, status = {}, "failed"
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{type(exc).__name__}: {exc} ({Path(tb.filename).name}:{tb.lineno})"[:300]
    return status, error, time.perf_counter() - t0, metrics


def results_path(experiment, out_dir, quick=False):
    """Where a sweep writes: ``OUT/NAME.csv`` (``NAME-quick.csv`` for --quick)."""
    return Path(out_dir) / f"{experiment.name}{'-quick' if quick else ''}.csv"


@contextlib.contextmanager
def _single_threaded_blas():
    """Worker processes inherit one BLAS thread each (no oversubscription)."""
    old = {v: os.environ.get(v) for v in _THREAD_VARS}
    os.environ.update({v: "1" for v in _THREAD_VARS})
    try:
        yield
    finally:
        for v, val in old.items():
            if val is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = val


def _die_with_parent(parent):
    """Worker initializer: end this worker as soon as the sweep's process dies.

    A SIGKILLed parent cannot shut its pool down, and its workers (and the
    multiprocessing resource tracker, which lives until the last of them
    exits) would wait on their task queue forever. On Linux the kernel
    delivers SIGKILL at the parent's death (``PR_SET_PDEATHSIG``), even to a
    worker inside a long C call; elsewhere, and as a second line, a daemon
    thread polls the parent pid every ``_WATCH_PERIOD`` seconds.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:                   # died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="robust-mlr-parent-watch").start()


def _watch_parent(parent):
    while os.getppid() == parent:
        time.sleep(_WATCH_PERIOD)
    os._exit(1)


def _iter_results(experiment, pending, workers, dask):
    """Yield (trial, outcome) as trials finish, in completion order."""
    if dask is not None:
        yield from _iter_dask(experiment, pending, workers, dask)
    elif workers <= 1:
        for trial in pending:
            yield trial, run_trial(experiment.func, trial.point, trial.seed)
    else:
        ctx = multiprocessing.get_context("spawn")
        with _single_threaded_blas(), ProcessPoolExecutor(
                workers, mp_context=ctx, initializer=_die_with_parent,
                initargs=(os.getpid(),)) as pool:
            futs = {pool.submit(run_trial, experiment.func, t.point, t.seed): t for t in pending}
            for fut in as_completed(futs):
                yield futs[fut], fut.result()


def _iter_dask(experiment, pending, workers, address):
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:
        raise ImportError("Dask execution needs the extra: pip install 'robust-mlr[dask]'") from exc
    cluster = None
    if address in ("local", ""):
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futs = {client.submit(run_trial, experiment.func, t.point, t.seed, pure=False): t
                for t in pending}
        by_key = {f.key: t for f, t in futs.items()}
        for fut in dask_completed(list(futs)):
            yield by_key[fut.key], fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(experiment: Experiment, out_dir="results", *, quick=False, workers=None,
              dask=None, progress=True, quiet=False):
    """Run every unfinished trial of a sweep and append its record.

    Parameters
    ----------
    experiment : Experiment
    out_dir : str or Path
        Folder of the results file (see :func:`results_path`).
    quick : bool
        Use the experiment's quick grid and replicates.
    workers : int, optional
        Local processes (default: all cores); 1 runs in this process.
    dask : str, optional
        A Dask scheduler address, or ``"local"`` for a local cluster of
        ``workers`` processes.
    progress, quiet : bool
        Show a progress bar; suppress the printed summary.

    Returns
    -------
    pathlib.Path
        The results file. A rerun skips trials already in it, so a killed
        sweep resumes losing and duplicating nothing.

    Raises
    ------
    ResultsFileBusyError
        Another run is writing the same results file (it is locked for the
        whole sweep).
    """
    from .. import __version__

    workers = (os.cpu_count() or 1) if workers is None else int(workers)
    trials = experiment.trials(quick)
    params = []
    for t in trials:
        params += [p for p in t.point if p not in params]
    path = results_path(experiment, out_dir, quick)
    store = ResultsFile(path, params, experiment.metrics)
    with store.session() as done:
        pending = [t for t in trials if t.trial_id not in done]
        bar = None
        if progress and pending:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(pending), desc=experiment.name, unit="trial")
        for trial, (status, error, wall, metrics) in _iter_results(experiment, pending,
                                                                   workers, dask):
            record = {"experiment": experiment.name, "trial_id": trial.trial_id,
                      "replicate": trial.replicate, "seed": trial.seed, "status": status,
                      "error": error, "wall_time": round(wall, 4), "version": __version__}
            record.update({f"param.{k}": v for k, v in trial.point.items()})
            record.update({k: v for k, v in metrics.items() if k in experiment.metrics})
            store.append(record)
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
    if not quiet:
        rows = read_results(path)
        print(format_summary(summarize(rows, experiment.metrics)))
        if experiment.summary is not None:
            print(experiment.summary(rows))
        print(f"results: {path}")
    return path


def summarize(rows, metrics=None):
    """Mean, standard error and counts per parameter point.

    Returns a list of dicts: the point, ``n_ok``, ``n_failed`` and
    ``<metric>_mean`` / ``<metric>_se`` for each metric.
    """
    fixed = {"experiment", "trial_id", "replicate", "seed", "status", "error", "wall_time",
             "version"}
    if not rows:
        return []
    if metrics is None:
        metrics = [c for c in rows[0] if c not in fixed and isinstance(rows[0][c], (int, float))]
    params = [c for c in rows[0] if c not in fixed and c not in metrics]
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[p] for p in params), []).append(r)
    out = []
    for key, rs in groups.items():
        rec = dict(zip(params, key))
        ok = [r for r in rs if r["status"] == "ok"]
        rec["n_ok"], rec["n_failed"] = len(ok), len(rs) - len(ok)
        for m in metrics:
            vals = np.array([r[m] for r in ok if isinstance(r.get(m), (int, float))], float)
            rec[f"{m}_mean"] = float(vals.mean()) if vals.size else math.nan
            rec[f"{m}_se"] = float(vals.std(ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else math.nan
        out.append(rec)
    return out


def format_summary(summary, max_metrics=6):
    """A fixed-width text table of :func:`summarize` output."""
    if not summary:
        return "(no trials)"
    cols = list(summary[0])
    params = cols[:cols.index("n_ok")]
    metrics = [c[:-5] for c in cols if c.endswith("_mean")][:max_metrics]
    head = [*params, "ok", "fail", *metrics]
    lines = []
    for s in summary:
        cells = [str(s[p]) for p in params] + [str(s["n_ok"]), str(s["n_failed"])]
        for m in metrics:
            mu, se = s[f"{m}_mean"], s[f"{m}_se"]
            cells.append(f"{mu:.4g}" + ("" if math.isnan(se) else f"±{se:.2g}"))
        lines.append(cells)
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    fmt = "  ".join("{:>%d}" % w for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))]
                     + [fmt.format(*l) for l in lines])
