"""The warnings of a sweep's trials, each kind said once (private).

The trials of a sweep run in worker processes, and each printed its own
warnings: a study whose every trial meets the same condition (the attack
gallery's single linkage leaving a tiny heavy cluster, with other sizes
each time) repeated one warning per trial. A trial now records its warnings
with its outcome (:func:`run_recorded`), and the sweep's own process says
each kind once (:class:`WarningDigest`): a kind is the warning's category
and its message with the numbers left out, so a message that differs in
words is new and is said. At the end of the sweep one more line per kind
says how many more times it came.
"""

from __future__ import annotations

import pickle
import re
import warnings

__all__ = ["run_recorded", "WarningDigest"]

# a number, not the digits of a name (light1 and light2 are other messages)
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def run_recorded(call, *args):
    """``call(*args)`` with the warnings it gave.

    Returns
    -------
    (result, warned)
        What ``call`` returned, and a list of ``(category, message,
        filename, lineno)`` in order. The filters in force apply (an ignored
        warning is not recorded; one turned into an error is raised).
        Warnings are process-wide state: one call at a time per process.
    """
    with warnings.catch_warnings(record=True) as caught:
        result = call(*args)
    return result, [(_portable(w.category), str(w.message), w.filename, w.lineno)
                    for w in caught]


def _portable(category):
    """``category``, or UserWarning if it cannot travel back from a worker."""
    try:
        pickle.dumps(category)
    except Exception:                           # a class defined inside a function
        return UserWarning
    return category


class WarningDigest:
    """Say each kind of a sweep's trial warnings once (see the module)."""

    def __init__(self):
        self._kinds = {}                        # (category, text without numbers) -> [first, more]

    def say(self, warned):
        """Warn the ``warned`` of one trial (:func:`run_recorded`) whose kind
        is new; count the others."""
        for category, text, filename, lineno in warned:
            kind = (category, _NUMBER.sub("#", text))
            if kind in self._kinds:
                self._kinds[kind][1] += 1
                continue
            self._kinds[kind] = [(text, filename, lineno), 0]
            warnings.warn_explicit(text, category, filename, lineno, registry={})

    def close(self):
        """One warning per kind said more than once: how many more times."""
        for (category, _), ((text, filename, lineno), more) in self._kinds.items():
            if more:
                short = " ".join(text.split())
                short = short if len(short) <= 80 else short[:77] + "..."
                warnings.warn_explicit(
                    f"the warning '{short}' came {more} more time(s) in this sweep's "
                    f"trials (with other numbers)", category, filename, lineno, registry={})
        self._kinds.clear()
