"""Two worlds, one law: move a pool's task law to the midpoint of two parameter values.

Under replacement of ⌊αn⌋ tasks, two parameter values θ, θ' whose task laws
P, P' are within total variation 2α can be made indistinguishable: from the
world θ the adversary replaces each clean task with probability
½(1 − P'/P)₊ (an expected fraction TV/2 ≤ α) by a draw from the normalised
excess (P' − P)₊, and the pool becomes i.i.d. from (P + P')/2, the law the
same construction gives from θ'. Moving only component a of share p_a
changes the task law by p_a times the change of that component's law, so
the largest moves are those with p_a·TV(G_a, G'_a) ≤ 2α
(:func:`robust_mlr.limits.two_point_floor` gives them per pool). No
estimator can beat half the distance of the two values on such a pool (Le
Cam's two-point method); an estimator that uses only this pool is held to
that floor, one that combines pools to the best pool's floor.
"""

from __future__ import annotations

import numpy as np

from ..data import example_rows
from ..exceptions import ValidationError
from ..limits import shift_tv, two_point_floor
from ._base import Attack, register
from ._craft import fixed_direction, model_examples
from ._whitebox import component_index

__all__ = ["Midpoint", "midpoint_world"]

ESTIMATES = ("w", "s2", "p")
_MAX_ROUNDS = 10_000


def midpoint_world(theta, a, estimate, t, alpha, frac=0.95, other=None):
    """The second world θ' of a two-point pair for component ``a``.

    Parameters
    ----------
    theta : MLRParams
        The true world.
    a : int
        Component moved.
    estimate : {"w", "s2", "p"}
        ``"w"``: w'_a = w_a + δ s_a u (u ⊥ span(W)); ``"s2"``: s'_a² =
        s_a²(1 + h)/(1 − h); ``"p"``: a share ε of component a's tasks
        follows component ``other`` instead.
    t : int or array of int
        The pool's task size(s).
    alpha : float
        Corrupted fraction; the pair is at TV = ``frac`` · 2α.
    frac : float
        In (0, 1]: fraction of the largest admissible move.
    other : int, optional
        Target component of ``"p"`` (default: the nearest to a).

    Returns
    -------
    dict
        ``w`` (d,), ``s`` (float): the alternative law H of a moved task;
        ``share``: the probability scale ε/p_a of a task of a being moved
        (1 for "w" and "s2"); ``distance``: δ, h or ε.
    """
    if estimate not in ESTIMATES:
        raise ValidationError(f"estimate must be one of {ESTIMATES}, got {estimate!r}")
    W, s, p = theta.W, np.asarray(theta.s, float), np.asarray(theta.p, float)
    # a share p_a <= 2α can be moved anywhere: move it to TV 0.9 instead of infinitely far
    a_eff = min(alpha * frac, 0.45 * p[a])
    if estimate == "w":
        delta = 2 * two_point_floor(t, p[a], a_eff)
        return {"w": W[:, a] + delta * s[a] * fixed_direction(W), "s": s[a], "share": 1.0,
                "distance": delta}
    if estimate == "s2":
        h = min(two_point_floor(t, p[a], a_eff, "s2"), 0.99)
        return {"w": W[:, a], "s": s[a] * np.sqrt((1 + h) / (1 - h)), "share": 1.0,
                "distance": h}
    if other is None:
        dist = np.linalg.norm(W - W[:, [a]], axis=0) / s[a]
        dist[a] = np.inf
        other = int(np.argmin(dist))
    sep = float(np.linalg.norm(W[:, a] - W[:, other]) / s[a])
    eps = min(2 * a_eff / shift_tv(t, sep), p[a])
    return {"w": W[:, other], "s": s[other], "share": eps / p[a], "distance": eps,
            "other": other}


def _loglik(X, y, w, s, starts):
    """Per-task Gaussian log-likelihood of y | X under (w, s), up to a shared constant."""
    r = y - X @ w
    sizes = np.diff(np.append(starts, len(y)))
    return -np.add.reduceat(r ** 2, starts) / (2 * s ** 2) - sizes * np.log(s)


@register
class Midpoint(Attack):
    """Move one component's law in one pool to the midpoint of two worlds.

    Tasks of component ``component`` are replaced with probability
    ½·share·(1 − H/G)₊ (G its true law, H the other world's, see
    :func:`midpoint_world`) by draws from the normalised excess (H − G)₊
    (rejection sampling: draw from H, accept with probability (1 − G/H)₊),
    keeping each replaced task's size, so the pool's law becomes
    (P + P')/2. The count of moved tasks is Binomial with mean
    ``frac``·α·n (``"w"``, ``"s2"``) and is cut at the budget ⌊αn⌋ (the cut
    changes the law by at most the overflow's share); the rest of the
    budget replaces random tasks by fresh draws from their own component's
    law, which leaves the law unchanged. Covariates are N(0, I) in both
    worlds.

    Parameters
    ----------
    estimate : {"w", "s2", "p"}
        What the two worlds disagree on.
    component : int or {"smallest", "largest", "heaviest"}
        The component moved (default "largest": the smallest share can
        often be moved anywhere).
    frac : float
        In (0, 1]: fraction of the admissible move (default 0.95).
    other : int, optional
        For ``"p"``: the component receiving the share.
    """

    name, stage = "midpoint", "generic"
    targets = ("light2",)

    def __init__(self, estimate="w", component="largest", frac=0.95, other=None):
        if estimate not in ESTIMATES:
            raise ValidationError(f"estimate must be one of {ESTIMATES}, got {estimate!r}")
        self.estimate, self.component, self.frac = estimate, component, float(frac)
        self.other, self._alpha, self._moves = other, None, np.zeros(0, int)
        if not 0 < self.frac <= 1:
            raise ValidationError(f"frac must be in (0, 1], got {frac}")

    def __repr__(self):
        return (f"Midpoint(estimate={self.estimate!r}, component={self.component!r}, "
                f"frac={self.frac!r}, other={self.other!r})")

    def _world(self, data, ctx):
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        alpha = self._alpha if self._alpha is not None else float(ctx.settings.get("alpha", 0))
        return theta, a, midpoint_world(theta, a, self.estimate, data.sizes, alpha, self.frac,
                                        self.other)

    def __call__(self, data, alpha, rng=None, ctx=None):
        self._alpha = float(alpha)              # the worlds are set by the budget's α
        try:
            return super().__call__(data, alpha, rng, ctx)
        finally:
            self._alpha = None

    def choose(self, data, n_bad, ctx, rng):
        theta, a, world = self._world(data, ctx)
        comps = data.components
        if comps is None:
            raise ValidationError("midpoint needs the pool's true components (data.components)")
        own = np.flatnonzero(comps == a)
        rows = example_rows(data.offsets, own)
        sizes = data.sizes[own]
        st = np.cumsum(sizes) - sizes
        X, y = data.X[rows], data.y[rows]
        llr = _loglik(X, y, world["w"], world["s"], st) - \
            _loglik(X, y, theta.W[:, a], float(theta.s[a]), st)
        prob = 0.5 * world["share"] * np.clip(1 - np.exp(np.minimum(llr, 50.0)), 0, None)
        pick = own[rng.random(own.size) < prob]
        if pick.size > n_bad:
            pick = rng.choice(pick, n_bad, replace=False)
        self._moves = pick
        rest = np.setdiff1d(np.arange(data.n_tasks), pick)
        rest = rest[comps[rest] >= 0]
        pad = rng.choice(rest, min(n_bad - pick.size, rest.size), replace=False)
        return np.sort(np.concatenate([pick, pad]))

    def craft(self, data, idx, ctx, rng):
        theta, a, world = self._world(data, ctx)
        sizes = data.sizes[idx]
        out_start = np.cumsum(sizes) - sizes
        # the budget left over is spent on fresh draws from each task's own law
        pads = ~np.isin(idx, self._moves)
        comp = data.components[idx[pads]]
        X_out, y_out = np.empty((int(sizes.sum()), data.dim)), np.empty(int(sizes.sum()))
        if pads.any():
            rows = np.repeat(pads, sizes)
            X_out[rows], y_out[rows] = model_examples(sizes[pads], theta.W[:, comp].T,
                                                      np.asarray(theta.s)[comp], rng)
        pending = np.flatnonzero(~pads)
        wa, sa = theta.W[:, a], float(theta.s[a])
        for _ in range(_MAX_ROUNDS):
            if pending.size == 0:
                break
            sz = sizes[pending]
            st = np.cumsum(sz) - sz
            X = rng.standard_normal((int(sz.sum()), data.dim))
            y = X @ world["w"] + world["s"] * rng.standard_normal(len(X))
            llr = _loglik(X, y, wa, sa, st) - _loglik(X, y, world["w"], world["s"], st)
            acc = rng.random(pending.size) < np.clip(1 - np.exp(np.minimum(llr, 50.0)), 0, None)
            if acc.any():
                src = np.repeat(acc, sz)
                tasks = np.repeat(pending[acc], sz[acc])
                pos = np.arange(len(X))[src] - np.repeat(st[acc], sz[acc])
                dst = out_start[tasks] + pos
                X_out[dst], y_out[dst] = X[src], y[src]
            pending = pending[~acc]
        else:
            raise RuntimeError(f"midpoint: rejection sampling did not finish in {_MAX_ROUNDS} "
                               f"rounds ({pending.size} tasks left)")
        return X_out, y_out
