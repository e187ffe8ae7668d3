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
"""

from __future__ import annotations

import logging
import signal
import warnings

__all__ = ["leave_sigint_to_the_command", "interrupted"]


def _ignore_sigint(show):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if show is not None:
        warnings.showwarning = show


def leave_sigint_to_the_command(client, show=None):
    """Make the workers of ``client`` (a local cluster's) ignore SIGINT, and
    print warnings with ``show`` (the command line's one-line format, which a
    worker process does not inherit) when given."""
    client.run(_ignore_sigint, show)


def interrupted():
    """Called when Ctrl-C stops the command before its client closes: the
    gathers it abandoned end with errors nobody retrieves, which asyncio
    would log at exit, one traceback each."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
