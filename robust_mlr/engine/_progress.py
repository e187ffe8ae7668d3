"""Progress inside long trials: which pipeline stage a running trial is in.

A trial of the headline studies can run for minutes inside one call; a bar
that counts finished trials then sits still. A :class:`StageProbe` thread
samples the stack of the thread running the trial every few seconds and
reports the outermost function of the package that is running (e.g.
``clustering.cluster_heavy``) with the trial's elapsed time. It reads frames
only, so it slows the trial by nothing measurable and needs no cooperation
from the code being run.
"""

from __future__ import annotations

import sys
import threading
import time

__all__ = ["StageProbe", "current_stage", "describe_running"]

_PACKAGES = ("robust_mlr.", "sos.")
_SKIP = ("robust_mlr.engine",)


def current_stage(thread_id):
    """``module.function`` of the outermost package frame below the trial
    function on ``thread_id``'s stack (the stage it is in), or ``""``."""
    frame = sys._current_frames().get(thread_id)
    names = []
    while frame is not None:
        mod = frame.f_globals.get("__name__", "")
        if mod.startswith(_PACKAGES) and not mod.startswith(_SKIP):
            names.append((mod, frame.f_code.co_name))
        frame = frame.f_back
    if not names:
        return ""
    # prefer the outermost frame inside a pipeline stage; else the outermost one
    stages = [n for n in names if ".stages." in n[0]]
    mod, func = (stages or names)[-1]
    return f"{mod.rsplit('.', 1)[-1]}.{func}"


class StageProbe:
    """A daemon thread reporting ``(label, stage, seconds)`` every ``period``.

    Parameters
    ----------
    report : callable ``(label, stage, seconds) -> None``
        Called from the probe thread; must not block.
    period : float
        Seconds between samples.
    thread_id : int, optional
        Thread to watch (default: the one creating the probe).
    """

    def __init__(self, report, period=5.0, thread_id=None):
        self.report, self.period = report, float(period)
        self.thread_id = threading.get_ident() if thread_id is None else thread_id
        self.label, self.start = None, 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        thread = threading.Thread(target=self._loop, daemon=True, name="robust-mlr-stage")
        thread.start()

    def begin(self, label):
        """The watched thread starts the trial ``label``."""
        with self._lock:
            self.label, self.start = label, time.perf_counter()

    def end(self):
        """The watched thread finished its trial."""
        with self._lock:
            self.label = None

    def stop(self):
        """End the probe thread (within one period)."""
        self._stop.set()

    def _loop(self):
        while not self._stop.wait(self.period):
            with self._lock:
                label, start = self.label, self.start
            if label is None:
                continue
            stage = current_stage(self.thread_id)
            try:
                self.report(label, stage, time.perf_counter() - start)
            except Exception:           # a closed queue or bar must not end the trial
                pass


def describe_running(running, now, limit=2):
    """Short text of the running trials: ``{label: (stage, seconds, seen_at)}``."""
    items = sorted(running.items(), key=lambda kv: -kv[1][1])
    parts = []
    for label, (stage, secs, seen) in items[:limit]:
        secs += now - seen
        parts.append(f"{label} {stage or 'running'} {int(secs // 60)}m{int(secs % 60):02d}s")
    more = f" +{len(items) - limit}" if len(items) > limit else ""
    return "; ".join(parts) + more
