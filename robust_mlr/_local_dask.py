"""The workers of a local Dask cluster leave Ctrl-C to the command (private).

A Ctrl-C at a terminal sends SIGINT to every process of the foreground
group, the worker processes of a ``LocalCluster`` included; each of them
(``asyncio.run`` handles SIGINT in a worker) then printed its own
tracebacks while the command was closing the cluster, and the one line
the command prints for an interruption was lost among them. The command
itself stops the workers when it is interrupted (closing the cluster), so
they can ignore the signal; and the client's waits the interruption
abandoned are not reported one by one as asyncio's "Task exception was
never retrieved" (29 tracebacks for an interrupted fit at 10⁷ examples).

The cluster's 2-4 s of startup is covered too (:func:`start_local_cluster`):
a Ctrl-C there reached the worker processes while they were still importing
(each printing a traceback), and it cancelled the cluster's start half-way,
so that Dask's own exit hook failed to close it with a traceback of its own.
The cluster is therefore started in a thread with SIGINT blocked: the
threads it makes and the processes they start inherit the blocked signal (as
Python's multiprocessing resource tracker is started), so only the command
receives it; the command then lets the start finish, closes the cluster and
reports one line.
"""

from __future__ import annotations

import logging
import signal
import threading
import warnings
from multiprocessing import resource_tracker

__all__ = ["start_local_cluster", "leave_sigint_to_the_command", "interrupted"]


def start_local_cluster(n_workers):
    """A ``LocalCluster`` of ``n_workers`` single-threaded worker processes and
    its ``Client``, started so that a Ctrl-C during the start reaches only
    the calling (main) thread.

    Returns
    -------
    (LocalCluster, Client)

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C during the start: the cluster is closed before this returns.
    """
    from dask.distributed import Client, LocalCluster

    made, failed = [], []

    def start():
        try:
            # no dashboard; the scheduler's own HTTP routes on a free port (by
            # default they take 8787, and a second cluster there warns)
            made.append(LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                     processes=True, dashboard_address=None,
                                     scheduler_kwargs={"dashboard_address": ":0"}))
            made.append(Client(made[0]))
        except BaseException as exc:            # handed to the caller below
            failed.append(exc)

    starter = threading.Thread(target=start, name="robust-mlr-local-cluster", daemon=True)
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        starter.run()
        return _started(made, failed)
    # Starting multiprocessing's resource tracker unblocks SIGINT in the thread
    # that starts it (Dask's event loop would): start it here, where it is not blocked.
    resource_tracker.ensure_running()
    try:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            starter.start()                     # it inherits the blocked SIGINT
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)   # a Ctrl-C meanwhile: here
        starter.join()
    except KeyboardInterrupt:
        if starter.ident is not None:
            starter.join()                      # a second Ctrl-C exits at once (cli)
        for part in reversed(made):
            part.close()
        raise
    return _started(made, failed)


def _started(made, failed):
    """The cluster and client, or the start's error once what it made is closed."""
    if failed:
        for part in reversed(made):
            part.close()
        raise failed[0]
    return made[0], made[1]


def _ignore_sigint(show):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if show is not None:
        warnings.showwarning = show
    logging.getLogger("distributed.worker.state_machine").addFilter(_not_closed_mid_task)


def _not_closed_mid_task(record):
    """Logging filter of a worker: drop the line (several hundred characters)
    a worker logs for each task still running when it is closed. The command
    closes its local cluster when it is interrupted, and its own line says
    which trials were saved; every other record passes."""
    message = record.getMessage()
    return not (message.startswith("Async instruction for ")
                and message.endswith(" ended with CancelledError"))


def leave_sigint_to_the_command(client, show=None):
    """Make the workers of ``client`` (a local cluster's) ignore SIGINT, not
    log each task the command's closing of the cluster cancels, and print
    warnings with ``show`` (the command line's one-line format, which a
    worker process does not inherit) when given."""
    client.run(_ignore_sigint, show)


def interrupted():
    """Called when Ctrl-C stops the command before its client closes: the
    gathers it abandoned end with errors nobody retrieves, which asyncio
    would log at exit, one traceback each."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
