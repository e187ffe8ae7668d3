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

from ._clipped_test import CLIP, ClippedScores, orthonormal


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
    task_lab, sizes, offsets : ndarray
        Each task's component (−1: not kept), size, and the pool's offsets.
    sample : ndarray of bool (n,) or None
        The tasks read (None: all).
    """

    def __init__(self, directions, E, owner, W0, s2, live, task_lab, sizes, offsets, sample):
        self.directions, self.k = directions, len(directions)
        self.live = live.copy()
        self.fitted = np.isfinite(W0).all(axis=0)
        self.W0z = np.where(self.live, W0, 0.0)
        self.kap = CLIP * np.sqrt(np.where(self.live, s2, 0.0))
        self.task_lab, self.sizes, self.off, self.sample = task_lab, sizes, offsets, sample
        self.frame = self._frame(E, owner)
        self.due = True                          # the clipped reading is to be read
        self.test, self.own = np.zeros(self.k), np.zeros(self.k)
        self.unread, self._clipped_unread = {}, {}

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

    def block(self, a, e, X, y, r, lab, own, cw):
        """Tasks ``a:e``: their rows X, y, the residuals r at the pass's fit,
        the rows' components ``lab`` (−1: none; ``own`` floored at 0) and
        weights ``cw``. Reads the clipped products (when due); the scores
        wait for the refit's weights (:meth:`score`)."""
        off, sizes, lo = self.off, self.sizes[a:e], int(self.off[a])
        tl = self.task_lab[a:e]
        tl = np.where(self.live[np.maximum(tl, 0)], tl, -1)
        ts = None if self.sample is None else self.sample[a:e]
        keep = slice(None) if ts is None else np.flatnonzero(np.repeat(ts, sizes))
        rl = np.where(self.live[own[keep]], lab[keep], -1)
        toff = off[a:e + 1] - lo if ts is None else np.concatenate([[0], np.cumsum(sizes[ts])])
        tl = tl if ts is None else tl[ts]
        Xk = X if ts is None else np.take(X, keep, axis=0)
        q = self.frame.products(Xk, r[keep], rl)
        self._rows = (q, keep, rl, cw[keep], toff, tl)
        if self.clipped is not None and rl.size:
            if not self.first:                   # the clipped reading is at the filter's fit
                r0 = y[keep] - (Xk @ self.W0z)[np.arange(rl.size), own[keep]]
                q = self.frame.products(Xk, r0, rl)
            kq = self.kap[np.maximum(rl, 0)][:, None]
            self.clipped.add(np.clip(q, -kq, kq), rl, self._rows[3], toff, tl)

    def score(self, u):
        """The block's refit weights u (per row): the refit's own scores."""
        q, keep, rl, cw, toff, tl = self._rows
        if rl.size:
            self.scored.add(q * u[keep][:, None], rl, cw, toff, tl)

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
                unread[c] = ("no fit (no light task supports it)" if not self.fitted[c] else
                             "zero noise level (no clip scale)")
            elif c in self.unread:
                unread[c] = "; ".join(self.unread[c])
                if kept_tasks[c] > d:
                    for ratio, name in ((test, "clipped"), (own, "score")):
                        if any(w.startswith(name) for w in self.unread[c]):
                            ratio[c] = np.inf
        return {"clipped_test": np.round(test, 4).tolist(),
                "score_test": np.round(own, 4).tolist(), "read": self.frame.m.tolist(),
                "unread": unread}
