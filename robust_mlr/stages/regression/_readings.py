"""The clipped refit's two gradient readings, pass by pass (private).

:func:`._example_clip.clipped_refit` reads, along each component's
directions (:mod:`._clipped_test`), the filter's stopping rule on clipped
products r_j (x_j·v) at the filter's fit and on the refit's own scores
u_j r_j (x_j·v) at the fit each pass starts from. This module holds what
those readings need across the refit's passes, and what they report when a
component cannot be read; nothing reads 0 in silence:

* a component with no fit (no light task supports it) or a zero noise
  level (no clip scale) is not read; its reason is reported
  (``unread``);
* a component whose refit lost its rank (its weighted normal equations
  are not positive definite) keeps its fit, and both readings go on at
  that fit (the refit's loop stops refitting it, not reading it);
* spike directions found after the first pass (the refit summed the
  normal equations itself) join the directions read: the next pass reads
  the clipped products once more, at the filter's fit, on every
  direction;
* a component the readings still could not read although it kept more
  than d tasks (every score zero) fails them: its ratio is +inf.
"""

from __future__ import annotations

import numpy as np

from ._clipped_test import CLIP, ClippedScores, orthonormal, reading_rows


#: Why a component is not read at all.
NO_FIT, NO_SCALE = "no fit (no light task supports it)", "zero noise level (no clip scale)"


def nothing_read(W):
    """The readings of a refit with no component to read (it makes no pass):
    each component named with its reason."""
    k = W.shape[1]
    return {"clipped_test": [0.0] * k, "score_test": [0.0] * k, "read": [0] * k,
            "unread": {c: NO_SCALE if np.isfinite(W[:, c]).all() else NO_FIT
                       for c in range(k)}}


class Readings:
    """Both gradient readings of one clipped refit.

    Parameters
    ----------
    directions : list of ndarray (d, m_c)
        Per component, the directions chosen from its first round.
    E, owner : ndarray (d, P), ndarray of int (P,)
        The spike directions known before the first pass and their components.
    W0 : ndarray (d, k)
        The filter's fits (the clipped reading's).
    s2 : ndarray (k,)
    live : ndarray of bool (k,)
        The components with a fit and a positive noise level: those read.
    task_lab, offsets : ndarray
        Each task's component (−1: not kept) and the pool's offsets.
    sample : ndarray of bool (n,) or None
        The tasks read (None: all).
    unit : bool
        Every example weight c_i is one (the references skip multiplying by it).
    """

    def __init__(self, directions, E, owner, W0, s2, live, task_lab, offsets, sample,
                 unit=False):
        self.directions, self.k = directions, len(directions)
        self.live = live.copy()
        self.fitted = np.isfinite(W0).all(axis=0)
        self.W0z = np.where(self.live, W0, 0.0)
        self.kap = CLIP * np.sqrt(np.where(self.live, s2, 0.0))
        self.task_lab, self.off, self.sample, self.unit = task_lab, offsets, sample, unit
        self.frame = self._frame(E, owner)
        self.due = True                          # the clipped reading is to be read
        self.test, self.own = np.zeros(self.k), np.zeros(self.k)
        self.unread, self._clipped_unread = {}, {}
        # each block's rows read (:func:`reading_rows`), by its first task:
        # the labels, the components read and the sample are fixed, so every
        # pass reads the same rows (a sixth of a pool at 10⁶ light tasks;
        # their indices are kept, not recomputed)
        self._read_rows = {}

    def _frame(self, E, owner):
        """The directions read, orthonormal per component (none where it is not read)."""
        return ClippedScores([orthonormal(np.hstack([self.directions[c], E[:, owner == c]]))
                              if self.live[c] else np.zeros((E.shape[0], 0))
                              for c in range(self.k)])

    def spikes(self, E, owner):
        """Spike directions found after the first pass: read from the next one."""
        self.frame, self.due = self._frame(E, owner), True

    def begin(self, it):
        """A pass starts (``it`` from 1: the first is at the filter's fit)."""
        self.first = it == 1
        self.clipped = self.frame.empty() if self.due else None
        self.scored = self.frame.empty()

    def block(self, a, e, X, y, r, own, cw):
        """Tasks ``a:e``: their rows X, y, the residuals r at the pass's fit,
        the rows' components floored at 0 (``own``) and weights ``cw``. The
        rows read are gathered in label order (:func:`._clipped_test.reading_rows`).
        Reads the clipped products (when due); the scores wait for the
        refit's weights (:meth:`score`)."""
        rows = self._read_rows.get(a)
        if rows is None:
            tl = self.task_lab[a:e]
            tl = np.where(self.live[np.maximum(tl, 0)], tl, -1)
            rows = self._read_rows[a] = reading_rows(
                tl, self.off[a:e + 1] - self.off[a],
                None if self.sample is None else self.sample[a:e], self.k)
        keep, toff, runs, t_runs = rows
        Xk = np.take(X, keep, axis=0)
        q = self.frame.products(Xk, r[keep], runs)
        self._rows = (q, keep, cw[keep], toff, runs, t_runs)
        if self.clipped is not None and keep.size:
            if not self.first:                   # the clipped reading is at the filter's fit
                r0 = y[keep] - (Xk @ self.W0z)[np.arange(keep.size), own[keep]]
                q = self.frame.products(Xk, r0, runs)
            self.clipped.add(self.frame.clipped(q, self.kap, runs), *self._rows[2:], self.unit)

    def score(self, u):
        """The block's refit weights u (per row): the refit's own scores."""
        q, keep, cw, toff, runs, t_runs = self._rows
        if keep.size:
            self.scored.add(q * u[keep][:, None], cw, toff, runs, t_runs, self.unit)

    def end(self, d):
        """The pass is over: its readings."""
        self.unread = {}
        if self.clipped is not None:
            self.test, self.due = self.clipped.ratios(d), False
            self._clipped_unread = dict(self.clipped.unread)
        self.own = self.scored.ratios(d)
        for name, why in (("clipped", self._clipped_unread), ("score", self.scored.unread)):
            for c, reason in why.items():
                self.unread.setdefault(c, []).append(f"{name} reading: {reason}")

    def info(self, kept_tasks, d):
        """``clipped_test``, ``score_test``, ``read`` (the number of
        orthonormal directions read per component) and ``unread``
        (component → reason); a fitted component with a noise level and more
        than d kept tasks that a reading could not read fails it (+inf)."""
        test, own = self.test.copy(), self.own.copy()
        unread = {}
        for c in range(self.k):                  # loop over components only
            if not self.live[c]:
                unread[c] = NO_SCALE if self.fitted[c] else NO_FIT
            elif c in self.unread:
                unread[c] = "; ".join(self.unread[c])
                if kept_tasks[c] > d:
                    for ratio, name in ((test, "clipped"), (own, "score")):
                        if any(w.startswith(name) for w in self.unread[c]):
                            ratio[c] = np.inf
        return {"clipped_test": np.round(test, 4).tolist(),
                "score_test": np.round(own, 4).tolist(), "read": self.frame.m.tolist(),
                "unread": unread}
