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
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from queue import Empty

import numpy as np

from .experiment import Experiment
from ._files import check_writable_file
from ._progress import StageProbe, describe_running
from ._settings import sweep_settings
from ._warned import WarningDigest, run_recorded
from .storage import ResultsFile, ResultsFileWarning, read_said_results

__all__ = ["run_trial", "run_sweep", "summarize", "format_summary", "results_path",
           "SweepInterrupted", "check_dask"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_PDEATHSIG = 1          # from <linux/prctl.h>
_WATCH_PERIOD = 0.2            # seconds between a worker's checks of its parent
_POLL = 0.5                    # seconds between the parent's checks of its workers
_STAGE_PERIOD = 5.0            # seconds between reports of a running trial's stage


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


def _labels(trials):
    """Short names of trials for progress lines: the varying parameters and
    the replicate, e.g. ``alpha=0.05,attack=fake_cluster#0``."""
    keys = sorted({k for t in trials for k in t.point})
    vary = [k for k in keys if len({repr(t.point.get(k)) for t in trials}) > 1]
    out = {}
    for t in trials:
        text = ",".join(f"{k}={t.point.get(k)}" for k in vary)
        out[t.trial_id] = (text[:48] + f"#{t.replicate}").lstrip(",")
    return out


def _worker_init(parent, queue, show=None):
    """Worker initializer: die with the parent, leave Ctrl-C to the parent
    (which stops the workers itself), report the running stage, and print
    warnings as the parent does (``show``: the command line's one-line
    format, which a spawned process does not inherit)."""
    global _PROBE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if show is not None:
        warnings.showwarning = show
    _die_with_parent(parent)
    _PROBE = StageProbe(lambda label, stage, secs: queue.put_nowait(
        (os.getpid(), label, stage, secs)), period=_STAGE_PERIOD)


_PROBE = None


def _run_probed(func, point, seed, label):
    """_run_recorded in a worker, with its stage reported while it runs."""
    if _PROBE is not None:
        _PROBE.begin(label)
    try:
        return _run_recorded(func, point, seed)
    finally:
        if _PROBE is not None:
            _PROBE.end()


def check_dask(dask):
    """Raise an ImportError naming the extra if ``dask`` is asked for but missing."""
    if dask is None:
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ImportError("--dask needs Dask, which is not installed: "
                          "pip install 'robust-mlr[dask]'") from None


def _run_serial(experiment, pending, on_result, on_stage, labels):
    probe = StageProbe(on_stage, period=_STAGE_PERIOD) if on_stage else None
    try:
        for trial in pending:
            if probe is not None:
                probe.begin(labels[trial.trial_id])
            try:
                result = _run_recorded(experiment.func, trial.point, trial.seed)
            finally:
                if probe is not None:
                    probe.end()
            on_result(trial, result)
    finally:
        if probe is not None:
            probe.stop()


def _run_pool(experiment, pending, workers, on_result, on_stage, labels):
    """Run in ``workers`` spawned processes; any exception (Ctrl-C included)
    cancels the pending trials and kills the workers at once, after the
    trials already finished are handed to ``on_result``."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    show = warnings.showwarning           # the package's own (the CLI's) pickles by name
    show = show if getattr(show, "__module__", "").startswith("robust_mlr.") else None
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(), queue, show))
    futs, taken = {}, set()
    try:
        with _single_threaded_blas():           # the workers start at the first submit
            futs = {pool.submit(_run_probed, experiment.func, t.point, t.seed,
                                labels[t.trial_id]): t for t in pending}
        waiting = set(futs)
        while waiting:
            done, waiting = wait(waiting, timeout=_POLL, return_when=FIRST_COMPLETED)
            _drain(queue, on_stage)
            for fut in done:
                taken.add(fut)
                on_result(futs[fut], fut.result())
        pool.shutdown(wait=True)
    except BaseException:
        # Stop the running trials now: ProcessPoolExecutor has no public way to
        # end its workers before Python 3.14, so kill its processes directly.
        # Its manager thread then fails every pending future itself (cancelling
        # them here as well races with it on Python < 3.12). Waiting for it
        # (milliseconds, its workers being dead) releases the pool's queues
        # before the command says its line: a second Ctrl-C while the process
        # exits ends it at once, and Python's resource tracker then warned of
        # every semaphore still held.
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        pool.shutdown(wait=True)
        for fut in futs:                        # finished but not yet recorded: keep them
            if fut not in taken and fut.done() and not fut.cancelled() \
                    and fut.exception() is None:
                on_result(futs[fut], fut.result())
        raise
    finally:
        queue.close()
        queue.cancel_join_thread()
        # release the queue's semaphores (the pool holds it too) now, not with
        # the traceback that holds this frame (as above)
        del pool, queue


def _run_recorded(func, point, seed):
    """run_trial with the warnings it gave (said by the sweep's process)."""
    return run_recorded(run_trial, func, point, seed)


def _run_unrecorded(func, point, seed):
    """run_trial in the shape of run_recorded, its warnings left where they are."""
    return run_trial(func, point, seed), []


def _drain(queue, on_stage):
    while True:
        try:
            _, label, stage, secs = queue.get_nowait()
        except (Empty, OSError, ValueError, EOFError):
            return
        if on_stage is not None:
            on_stage(label, stage, secs)


def _run_dask(experiment, pending, workers, address, on_result):
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed
    cluster = client = None
    futs = {}
    try:
        # inside the try: a Ctrl-C in the moment after the local cluster is up
        # closes it here, with the rest, not in Dask's exit hook
        if address in ("local", ""):
            from .._local_dask import start_local_cluster
            cluster, client = start_local_cluster(max(workers, 1))
        else:
            client = Client(address)
        if cluster is not None:             # its workers print on the user's terminal
            from .._local_dask import leave_sigint_to_the_command
            show = warnings.showwarning     # as _run_pool's workers
            show = show if getattr(show, "__module__", "").startswith("robust_mlr.") else None
            leave_sigint_to_the_command(client, show)
        # a remote cluster's workers may run several trials at once in threads,
        # where recording warnings (process-wide state) would lose some: they
        # stay in those workers' logs
        task = _run_recorded if cluster is not None else _run_unrecorded
        futs = {client.submit(task, experiment.func, t.point, t.seed, pure=False): t
                for t in pending}
        by_key = {f.key: t for f, t in futs.items()}
        for fut in dask_completed(list(futs)):
            on_result(by_key[fut.key], fut.result())
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            from .._local_dask import interrupted
            interrupted()
        with contextlib.suppress(Exception):
            client.cancel(list(futs))
        raise
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C (SIGINT) after saving its finished trials.

    Attributes
    ----------
    path : pathlib.Path
        The results file.
    n_saved : int
        Trials in the results file (earlier runs included); a rerun resumes.
    left : str or None
        When every trial was saved, what a rerun does that this run did not
        finish (e.g. ``"draw the figure"``); None when trials are missing.
    """

    def __init__(self, path, n_saved, left=None):
        said = f"{n_saved} trial{'' if n_saved == 1 else 's'} saved; rerun to"
        super().__init__(f"interrupted: {said} resume" if left is None
                         else f"interrupted: all {said} {left}")
        self.path, self.n_saved, self.left = path, n_saved, left


def _print_summary(experiment, path):
    """The summary table of the results file, then the study's own summary."""
    rows = read_said_results(path)          # its skipped rows were said when the run opened it
    print(format_summary(summarize(rows, experiment.metrics)))
    if experiment.summary is not None:
        try:
            print(experiment.summary(rows))
        except (KeyError, IndexError, TypeError, ValueError) as exc:   # the rows stay saved
            warnings.warn(f"the summary of experiment {experiment.name} failed on these "
                          f"rows ({type(exc).__name__}: {exc}); the rows are in {path}",
                          UserWarning, stacklevel=3)


def run_sweep(experiment: Experiment, out_dir="results", *, quick=False, workers=None,
              dask=None, progress=True, quiet=False, overwrite=False):
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
        Show a progress bar (with the stage each running trial is in);
        suppress the printed summary.
    overwrite : bool
        Start the results file over instead of resuming it.

    Returns
    -------
    pathlib.Path
        The results file. A rerun skips trials already in it, so a killed
        sweep resumes losing and duplicating nothing. The sweep's settings
        (name, ``quick``, replicates, grid, metrics, and the package
        version) are recorded beside it in ``NAME.settings.json``; a resume
        by another version warns once (:class:`ResultsFileWarning`).

    Raises
    ------
    ResultsFileBusyError
        Another run is writing the same results file (it is locked for the
        whole sweep).
    ValidationError
        The results file was run with other settings (or has other columns)
        and ``overwrite`` is not set: resuming it would mix two experiments
        in one file. The message names the file and what differs.
    SweepInterrupted
        Ctrl-C: the pending trials were cancelled, the workers stopped and
        every finished trial saved (a subclass of KeyboardInterrupt).
    OutputPathError
        The results file cannot be written there (an OSError).
    ImportError
        ``dask`` is asked for but not installed (checked before any file is
        written).
    """
    from .. import __version__

    check_dask(dask)
    workers = (os.cpu_count() or 1) if workers is None else int(workers)
    trials = experiment.trials(quick)
    params = []
    for t in trials:
        params += [p for p in t.point if p not in params]
    path = results_path(experiment, out_dir, quick)
    check_writable_file(path, "results file")
    store = ResultsFile(path, params, experiment.metrics, sweep_settings(experiment, quick),
                        [t.trial_id for t in trials])
    with store.session(overwrite) as done:
        pending = [t for t in trials if t.trial_id not in done]
        labels = _labels(pending)
        bar, running = None, {}
        if progress and pending:
            from tqdm.auto import tqdm
            # a resumed sweep counts from the trials already in the file
            bar = tqdm(total=len(trials), initial=len(trials) - len(pending),
                       desc=experiment.name, unit="trial")

        def on_stage(label, stage, secs):
            running[label] = (stage, secs, time.perf_counter())
            bar.set_postfix_str(describe_running(running, time.perf_counter()))

        said = WarningDigest()                  # each kind of the trials' warnings once

        def on_result(trial, result):
            (status, error, wall, metrics), warned = result
            record = {"experiment": experiment.name, "trial_id": trial.trial_id,
                      "replicate": trial.replicate, "seed": trial.seed, "status": status,
                      "error": error, "wall_time": round(wall, 4), "version": __version__}
            record.update({f"param.{k}": v for k, v in trial.point.items()})
            record.update({k: v for k, v in metrics.items() if k in experiment.metrics})
            store.append(record)
            said.say(warned)
            if bar is not None:
                running.pop(labels[trial.trial_id], None)
                bar.set_postfix_str(describe_running(running, time.perf_counter()),
                                    refresh=False)
                bar.update()

        stage_cb = on_stage if bar is not None else None
        try:
            if not pending:                     # all in the file: no workers, no cluster
                pass
            elif dask is not None:
                _run_dask(experiment, pending, workers, dask, on_result)
            elif workers <= 1:
                _run_serial(experiment, pending, on_result, stage_cb, labels)
            else:
                _run_pool(experiment, pending, workers, on_result, stage_cb, labels)
        except KeyboardInterrupt:
            if bar is not None:
                bar.leave = False
                bar.close()
            said.close()
            # count the file, not the appends: Ctrl-C may land between a row's
            # write and the count of it
            raise SweepInterrupted(path, store.count()) from None
        if bar is not None:
            bar.close()
        said.close()
    if not quiet:
        try:
            _print_summary(experiment, path)
        except KeyboardInterrupt:               # every trial is saved: say so
            raise SweepInterrupted(path, len(trials), "print the summary") from None
        print(f"results: {path}")
        if not pending:                         # the table above was not run now
            print(f"nothing to run: all {len(trials)} trials were already in {path} "
                  f"(--overwrite runs them again)")
        elif len(pending) < len(trials):
            print(f"resumed: {len(trials) - len(pending)} of {len(trials)} trials were "
                  f"already in {path}")
    return path


def summarize(rows, metrics=None):
    """Mean, standard error and counts per parameter point.

    Returns a list of dicts: the point, ``n_ok``, ``n_failed`` and
    ``<metric>_mean`` / ``<metric>_se`` for each metric. Empty metric cells
    (a metric the trial did not report) are left out of the means; a cell
    of a numeric metric that is not a number (e.g. ``NA`` typed into the
    file) is left out with one :class:`ResultsFileWarning` naming the
    metric, never silently. A metric that is text in every row (e.g. a JSON
    description) gets no mean and no warning.
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
    out, odd = [], {}
    for key, rs in groups.items():
        rec = dict(zip(params, key))
        ok = [r for r in rs if r["status"] == "ok"]
        rec["n_ok"], rec["n_failed"] = len(ok), len(rs) - len(ok)
        for m in metrics:
            vals = np.array([r[m] for r in ok if isinstance(r.get(m), (int, float))], float)
            if vals.size:                       # a numeric metric: report text cells in it
                odd.setdefault(m, []).extend(
                    r.get(m) for r in ok
                    if r.get(m) is not None and not isinstance(r.get(m), (int, float)))
            rec[f"{m}_mean"] = float(vals.mean()) if vals.size else math.nan
            rec[f"{m}_se"] = float(vals.std(ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else math.nan
        out.append(rec)
    odd = {m: v for m, v in odd.items() if v}
    if odd:
        what = "; ".join(f"{m}: {len(v)} cell(s) such as {v[0]!r}" for m, v in odd.items())
        warnings.warn(f"non-numeric metric values left out of the means ({what})",
                      ResultsFileWarning, stacklevel=2)
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
            spread = ("" if math.isnan(se) else "±0" if se <= 1e-12 * abs(mu)  # rounding only
                      else f"±{se:.2g}")
            cells.append(f"{mu:.4g}{spread}")
        lines.append(cells)
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    fmt = "  ".join("{:>%d}" % w for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths))]
                     + [fmt.format(*l) for l in lines])
