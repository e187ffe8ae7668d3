"""Attacks on the pooling of the light and heavy estimates of a component.

The robust regression stages end with ŵ_ℓ = ŵ_H + (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹D,
D = ŵ_L − ŵ_H, where ŵ_H is the heavy pool's robust estimate (a whitened
filter on per-task fits stopped at the Marchenko–Pastur edge) and D is first
shrunk onto the radius √(median χ²_d) of its clean law when
T = Dᵀ(Σ_L + Σ_H)⁻¹D exceeds it; the test fails when T exceeds the
1 − 10⁻³/k quantile q of χ²_d. The families here read that rule white-box:

* :class:`Seeded` — any family run with a seed of its own, so its tasks do
  not depend on the generator the pool's corruption is handed: an attack on
  another pool can rebuild this pool's corruption exactly (a coordinated
  adversary across pools).
* :class:`AnchorSpread` — :class:`~robust_mlr.adversary.AnchorEdge`'s
  exact-fit heavy tasks in ``n_directions`` groups, each shifted along its
  own direction ⊥ span(W): the move is split over r directions, each
  carrying 1/√r of it (a probe of tests along fixed directions; against
  the top-eigenvalue stop rule a single direction moves the estimate as
  far, since each group's excess must stay under the same edge).
* :class:`AnchorSelect` — the same exact-fit tasks, written over the
  component's own heavy tasks whose fits lie furthest *against* the shift
  direction: the clean tasks left are a truncated sample whose mean already
  sits along the shift and whose spread along it is smaller, so the stop
  rule leaves the crafted tasks more room.
* :class:`AnchorMatch` — light-2 tasks that place ŵ_L where the pooling
  rewards it given ŵ_H, which it predicts by running the defender's own
  heavy assignment and anchor on the heavy pool as its paired (seeded)
  heavy attack corrupts it: moved by exactly the heavy estimate's move
  (D stays clean-like), or at ŵ_H + c·v with the clean noise of D
  cancelled, v along ŵ_H − w (aligned), ⊥ to it and span(W) (split) or
  along the shared direction u, c sized so that T = ``level``·q.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from ..data import example_rows
from ..exceptions import ValidationError
from ._base import Attack, AttackContext, register
from ._craft import fixed_direction, toward_nearest
from .anchor_attacks import AnchorEdge, _component
from .composite import _resolve
from .edge import _MARGIN, _screen, eigen_designs

__all__ = ["Seeded", "AnchorSpread", "AnchorSelect", "AnchorMatch", "predict_heavy"]

MODES = ("matched", "aligned", "split", "along")


@register
class Seeded(Attack):
    """Another family with a generator of its own.

    Parameters
    ----------
    family : str, (str, dict) or Attack
        The family (and its parameters) to run (default
        :class:`AnchorSelect` along the heavy estimate's error).
    seed : int
        Seed of the generator its choice of tasks and its crafting share
        (default 0), whatever generator the pool's corruption passes.
    """

    name, stage = "seeded", "generic"

    def __init__(self, family=("anchor_select", {"direction": "error"}), seed=0):
        self.family = family
        self.attack = _resolve(family)
        if self.attack is None:
            raise ValidationError("family must name an attack family, got None")
        self.seed = int(seed)
        self.targets, self.stage = self.attack.targets, self.attack.stage

    def choose(self, data, n_bad, ctx, rng):
        self._rng = np.random.default_rng(self.seed)
        return self.attack.choose(data, n_bad, ctx, self._rng)

    def craft(self, data, idx, ctx, rng):
        gen = getattr(self, "_rng", None) or np.random.default_rng(self.seed)
        self._rng = None
        return self.attack.craft(data, idx, ctx, gen)


def _orthogonal_basis(W, extra=None):
    """Orthonormal columns ⊥ span(W) (and ⊥ ``extra``), the first one
    :func:`~._craft.fixed_direction` when ``extra`` is None."""
    d, k = W.shape
    cols = [W] if extra is None else [W, extra[:, None]]
    lead = sum(c.shape[1] for c in cols)
    Q = np.linalg.qr(np.column_stack(cols + [np.eye(d)]))[0]
    return Q[:, lead:]


@register
class AnchorSpread(AnchorEdge):
    """Exact-fit heavy tasks in groups along several directions, inside the stop rule.

    Task j of the corrupted ones is an exact fit β = w_a + δ·s_a·u_{j mod r}/√t
    with XᵀX = t·I (as :class:`~robust_mlr.adversary.AnchorEdge`), u_1 … u_r
    orthonormal ⊥ span(W) (u_1 the direction the light-pool families share);
    δ is bisected on the filter's first-round statistic so its top
    eigenvalue sits at ``level`` × the stop level.

    Parameters
    ----------
    component : int or {"fewest", "smallest", "largest", "heaviest"}
    n_directions : int
        r ≥ 1 (default 2; at most d − k).
    level, shift, rss, pick
        As :class:`~robust_mlr.adversary.AnchorEdge`.
    """

    name = "anchor_spread"

    def __init__(self, component="fewest", n_directions=2, level=0.97, shift=None, rss=1.3,
                 pick="own"):
        super().__init__(component, level, shift, rss, pick, "orthogonal")
        self.n_directions = int(n_directions)
        if self.n_directions < 1:
            raise ValidationError(f"n_directions must be >= 1, got {n_directions}")

    def _tasks(self, theta, a, sizes, delta, u, rng):
        U = _orthogonal_basis(theta.W)
        r = max(min(self.n_directions, U.shape[1]), 1)
        dirs = U[:, np.arange(sizes.size) % r].T                     # (m, d), one per task
        return super()._tasks(theta, a, sizes, delta, dirs, rng)


@register
class AnchorSelect(AnchorEdge):
    """Exact-fit heavy tasks over the component's tasks that lie furthest against the shift.

    As :class:`~robust_mlr.adversary.AnchorEdge` with ``pick="own"``, but
    the replaced tasks are the component's own tasks of least
    uᵀ(β_i − w_a) (β_i a task's own least-squares fit; random ones when the
    component has fewer than the budget, or for tasks with t_i ≤ d): the
    remaining clean fits are the upper part of their law along u, so their
    mean moves by about φ(z_ε)/(1 − ε) standard errors along u before any
    crafted task is counted, and their spread along u shrinks.

    Parameters
    ----------
    component, level, shift, rss
        As :class:`~robust_mlr.adversary.AnchorEdge`.
    direction : {"orthogonal", "toward", "error"}
        u ⊥ span(W), toward the nearest other component, or along the
        error of the defender's heavy estimate of the component on the clean
        pool (white-box: the selection, the crafted tasks and that error
        then add up along one direction).
    """

    name = "anchor_select"

    def __init__(self, component="fewest", level=0.97, shift=None, rss=1.3,
                 direction="orthogonal"):
        if direction not in ("orthogonal", "toward", "error"):
            raise ValidationError(f"direction must be 'orthogonal', 'toward' or 'error', "
                                  f"got {direction!r}")
        super().__init__(component, level, shift, rss, "own",
                         "orthogonal" if direction == "error" else direction)
        self.direction = direction

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, data, self.component)
        self._u = self._direction(theta, a, data, ctx, n_bad)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        own = np.flatnonzero((comps == a) & (data.sizes > data.dim))
        if own.size <= n_bad:
            return super().choose(data, n_bad, ctx, rng)
        from ..stages.regression._heavy_anchor import _task_grams             # the defender's own
        sub = data.subset(own)
        A = _task_grams(sub)
        beta = np.linalg.solve(A, sub.task_sums(sub.X * sub.y[:, None])[..., None])[..., 0]
        return np.sort(own[np.argsort((beta - theta.W[:, a]) @ self._u, kind="stable")[:n_bad]])

    def _tasks(self, theta, a, sizes, delta, u, rng):
        u = getattr(self, "_u", None) if self.direction == "error" else u
        return super()._tasks(theta, a, sizes, delta,
                              fixed_direction(theta.W) if u is None else u, rng)

    def _direction(self, theta, a, data, ctx, n_bad):
        if self.direction == "toward" and theta.k > 1:
            return toward_nearest(theta.W, a)
        if self.direction == "error":
            alpha = float(ctx.settings.get("alpha") or n_bad / max(data.n_tasks, 1))
            e = predict_heavy(theta, data, alpha)[0][:, a] - theta.W[:, a]
            if np.all(np.isfinite(e)) and np.linalg.norm(e) > 0:
                return e / np.linalg.norm(e)
        return fixed_direction(theta.W)


def predict_heavy(theta, heavy, alpha):
    """The defender's heavy-pool estimates on ``heavy``, as the robust
    regression stage computes them (assignment under the true θ, which at
    heavy task sizes is the light estimates' up to rounding).

    Returns ``(W_H, grams, s2_H)``: (d, k) with NaN columns for components
    without an anchor, (k, d, d), (k,).
    """
    from ..stages.regression._heavy_anchor import heavy_anchor, heavy_assignment   # the defender's
    labels, _, _ = heavy_assignment(heavy, theta.W, np.asarray(theta.s, float) ** 2, theta.p,
                                    alpha)
    W, grams, s2, _ = heavy_anchor(heavy, labels, theta.k, alpha, np.random.default_rng(0))
    return W, grams, s2


def _least_squares(data, tasks, w0):
    """Gram and least-squares fit over the examples of ``tasks`` (``w0`` plus
    the minimum-norm correction when they do not determine the fit)."""
    rows = example_rows(data.offsets, tasks)
    X, y = data.X[rows], data.y[rows]
    G = X.T @ X
    return G, w0 + np.linalg.pinv(G) @ (X.T @ (y - X @ w0))


@register
class AnchorMatch(Attack):
    """Light-2 tasks that place a component's light estimate against the predicted heavy one.

    The heavy pool is rebuilt as ``heavy`` corrupts it (exactly when
    ``heavy`` is a :class:`Seeded` family; with any other the rebuild uses a
    fixed generator and matches in law only) and the defender's heavy
    estimate ŵ_H, its covariance Σ_H = ŝ²_H·gram⁻¹ and the light one,
    Σ_L = ŝ²_H·G_L⁻¹ (G_L the light Gram of the component's tasks), are
    computed. The target ŵ_L* is

    * ``"matched"``: ŵ_c + (ŵ_H − ŵ_H⁰), ŵ_c the least-squares fit of the
      component's remaining clean light tasks and ŵ_H⁰ the heavy estimate on
      the clean heavy pool: D keeps its clean law, no statistic points at
      the shift;
    * ``"aligned"``, ``"split"``, ``"along"``: ŵ_H + c·v, so D = c·v exactly
      (the clean noise of D cancelled), with v the unit vector of
      ŵ_H − w_a, a unit vector ⊥ span(W) and ⊥ ŵ_H − w_a, or the direction
      u ⊥ span(W) the other families share; c² = ``level``·q/(vᵀ(Σ_L + Σ_H)⁻¹v).

    The corrupted tasks are noise-free (or ``noise``·s_a) fits
    y = Xβ with designs that have o = ŵ_L* − ŵ_c as an exact eigenvector
    (:func:`~robust_mlr.adversary.edge.eigen_designs`) and
    β = ŵ_c + G_b⁻¹(G_c + G_b)·o, so the least squares over the
    component's tasks lands on ŵ_L*.

    Parameters
    ----------
    component : int or {"fewest", "smallest", "largest", "heaviest"}
        Default "fewest": the component with the fewest heavy tasks.
    heavy : str, (str, dict), Attack or None
        The heavy pool's attack this one is paired with (default
        ``"seeded"``: :class:`Seeded` with its defaults; None: clean heavy).
    mode : {"matched", "aligned", "split", "along"}
    level : float
        T as a fraction of the test's threshold q (default 0.95: just under
        it); ignored by ``"matched"``.
    noise : float
        Noise of the corrupted tasks in units of s_a (default 0).
    select : bool
        Replace the component's light tasks of least gradient
        Σ_j vᵀx_j(y_j − x_jᵀw_a) along the predicted heavy error
        v ∝ ŵ_H − w_a (default False: at random): the clean tasks left then
        pull ŵ_c along v.
    cap : float
        Largest ‖β − w_a‖/s_a (default 0.6): the classification flags a
        task whose residual sum of squares under its best component exceeds
        a χ²_t quantile, and a noise-free task's is t·‖β − w_a‖² (the light
        estimate then falls short of its target); with ``amp`` the bound is
        on amp·‖β − w_a‖/s_a.
    amp : float
        Amplitude of the designs along the placement's direction e (rows
        ±amp·e + g, g ⊥ e; default 1): a task's pull on the least squares
        along e grows as amp² and its residual sum of squares as
        amp²‖β − w_a‖², so under the flag's bound the pull grows as amp
        (within the screen's norm limit).
    """

    name, stage, targets = "anchor_match", "regression", ("light2",)

    def __init__(self, component="fewest", heavy="seeded", mode="aligned", level=0.95, noise=0.0,
                 cap=0.6, select=False, amp=1.0):
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {MODES}, got {mode!r}")
        self.component, self.mode = component, mode
        self.heavy = heavy
        _resolve(heavy)                                   # a bad heavy spec fails here
        self.level, self.noise, self.cap = float(level), float(noise), float(cap)
        self.select, self.amp = bool(select), float(amp)
        if not (self.level > 0 and self.noise >= 0 and self.cap > 0 and self.amp > 0):
            raise ValidationError(f"need level > 0, noise >= 0, cap > 0 and amp > 0, got "
                                  f"{level}, {noise}, {cap}, {amp}")

    def _heavy_pool(self, ctx, alpha):
        if ctx.pools is None:
            raise ValidationError(f"attack {self.name!r} reads the heavy pool: corrupt with "
                                  "corrupt_pools (the context holds the pools)")
        clean = ctx.pools["heavy"] if not hasattr(ctx.pools, "heavy") else ctx.pools.heavy
        att = _resolve(self.heavy)
        if att is None:
            return clean, clean
        hctx = AttackContext(ctx.theta, ctx.settings, ctx.pools, "heavy")
        bad, _ = att(clean, alpha, np.random.default_rng(0), hctx)
        return clean, bad

    def _heavy_estimate(self, ctx, alpha):
        """(clean heavy pool, ŵ_H, grams, ŝ²_H) predicted for the paired heavy attack."""
        theta = ctx.need_theta(self.name)
        clean_h, bad_h = self._heavy_pool(ctx, alpha)
        return (clean_h,) + predict_heavy(theta, bad_h, alpha)

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        heavy = ctx.pools.heavy if ctx.pools is not None else data
        a = _component(theta, heavy, self.component)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        tie = rng.permutation(data.n_tasks)
        order = tie[np.argsort(comps[tie] != a, kind="stable")]
        self._state = None
        if self.select:
            # the component's own tasks of least gradient along the heavy
            # estimate's error first: the clean ones left lean along it (a
            # selection bias, every task left clean)
            alpha = float(ctx.settings.get("alpha") or n_bad / data.n_tasks)
            self._state = self._heavy_estimate(ctx, alpha)
            h = self._state[1][:, a] - theta.W[:, a]
            u = h / np.linalg.norm(h) if np.all(np.isfinite(h)) and np.linalg.norm(h) > 0 \
                else fixed_direction(theta.W)
            g = data.task_sums((data.X @ u) * (data.y - data.X @ theta.W[:, a]))
            key = np.where(comps[tie] == a, g[tie], np.inf)
            order = tie[np.argsort(key, kind="stable")]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        d, k = theta.W.shape
        alpha = float(ctx.settings.get("alpha") or idx.size / data.n_tasks)
        state, self._state = getattr(self, "_state", None), None
        clean_h, W_h, grams, s2_h = state or self._heavy_estimate(ctx, alpha)
        a = _component(theta, ctx.pools.heavy, self.component)
        s = float(theta.s[a])
        comps = data.components
        if comps is None:
            raise ValidationError(f"attack {self.name!r} needs the pool's component labels")
        out = np.zeros(data.n_tasks, bool)
        out[idx] = True
        keep = np.flatnonzero((comps == a) & ~out)
        G_c, w_c = _least_squares(data, keep, theta.W[:, a])
        rows_b = float(np.sum(data.sizes[idx]))
        anchored = bool(np.all(np.isfinite(W_h[:, a])))
        w_h = W_h[:, a] if anchored else theta.W[:, a]
        s2 = float(s2_h[a]) if anchored else s ** 2
        cov_l = s2 * np.linalg.inv(G_c + rows_b * np.eye(d))
        cov_h = s2 * np.linalg.inv(grams[a]) if anchored else cov_l
        S_inv = np.linalg.inv(cov_l + cov_h)
        q = float(chi2.isf(_test_level() / k, d))
        if self.mode == "matched":
            w_h0 = predict_heavy(theta, clean_h, alpha)[0][:, a]
            move = w_h - w_h0 if anchored and np.all(np.isfinite(w_h0)) else np.zeros(d)
            target = w_c + move
        else:
            h = w_h - theta.W[:, a]
            if self.mode == "aligned" and np.linalg.norm(h) > 0:
                v = h / np.linalg.norm(h)
            elif self.mode == "split" and np.linalg.norm(h) > 0:
                v = _orthogonal_basis(theta.W, h)[:, 0]
            else:
                v = fixed_direction(theta.W)
            c = np.sqrt(self.level * q / float(v @ S_inv @ v))
            target = w_h + c * v
        o = target - w_c
        nrm = np.linalg.norm(o)
        e = o / nrm if nrm > 0 else fixed_direction(theta.W)
        sizes = data.sizes[idx]
        X = eigen_designs(sizes, e, self.amp, rng)
        beta = w_c + np.linalg.pinv(X.T @ X) @ ((G_c + X.T @ X) @ o)
        off = beta - theta.W[:, a]
        beta = theta.W[:, a] + off * min(1.0, self.cap * s / self.amp / max(np.linalg.norm(off), 1e-300))
        y = X @ beta + self.noise * s * rng.standard_normal(len(X))
        _, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:                             # stay inside the screen's |y| limit
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        D = target - w_h
        self.predicted_ = {"component": a, "anchored": anchored, "w_heavy": w_h,
                           "target": target, "T": float(D @ S_inv @ D), "q": q}
        return X, y


def _test_level():
    from ..stages.regression._pooled import TEST_LEVEL           # the defender's own level
    return TEST_LEVEL
