"""Heavy-anchor attacks that ride the filter's gates with the defender's own code.

The heavy anchor of the robust regression (a whitened filter on the
per-task least-squares fits of a component, stopped at the Marchenko–Pastur
edge plus Tracy–Widom scales; a test of the fits' spread along the
light–heavy disagreement; a robust location along the top eigenvectors of
the kept scores where their median and mean disagree; then the shrunk
light–heavy pooling) bounds what the corrupted tasks may *add* along the
directions it looks at. The families here place the ⌊αn_H⌋ corrupted tasks
of one component by a one-parameter shape, and choose the parameter by
running the defender's heavy assignment and anchor on the pool as it would
be corrupted (white-box): the largest error of the heavy estimate whose
filter keeps every gate quiet (``gate="quiet"``), or the largest error
whatever the filter does (``gate="any"``); ``level`` then scales the chosen
parameter (< 1: inside each gate by that margin).

* :class:`AnchorLeak` — *orthogonal leakage*: the corrupted fits sit at
  x·u plus a spread ±b along ``decoys`` directions ⊥ u (signs balanced and
  orthogonal across the decoys, so the decoys add second moment, no mean and
  no skew). The decoys' eigenvalues are set at ``decoy_level`` × the stop
  level, above that along u: the robust location looks along the decoys, the
  shift along u is left to the mean. With ``select`` the replaced tasks are
  the component's fits furthest against u (a truncated clean sample leaning
  along u).
* :class:`VarianceNeutral` — *variance-neutral selection*: the replaced
  tasks are the component's fits furthest against u, and the corrupted fits
  are placed along u at the quantiles of the mass a shifted normal law
  N(δ, ``spread``²) has and the truncated clean sample lacks (clean-like
  noise ⊥ u): the kept sample along u looks like the shifted law, its
  second moment (every eigenvalue) at the clean level and its median and
  mean moved together, so neither the stop rule nor the median–mean gap
  sees it; δ is scanned.

Their pairing with the light-2 placement is :mod:`.gate_pairing`.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
from scipy.stats import norm

from ..data import MetaDataset, example_rows
from ..exceptions import ValidationError
from ._base import Attack, register
from ._craft import fixed_direction, toward_nearest
from .anchor_attacks import _component, exact_fit_tasks

__all__ = ["AnchorLeak", "VarianceNeutral", "predict_anchor", "read_gates"]

DIRECTIONS = ("error", "orthogonal", "toward")
GATES = ("quiet", "any")
LIGHTS = ("clean", "away", "ahead")


def read_gates(m, d):
    """The anchor's gate levels for a component of ``m`` tasks in dimension
    ``d``, read from the defender's code: ``stop`` (top eigenvalue of the
    whitened second moment), ``directions`` (leading directions the robust
    location looks along) and ``skew_ses`` (its median–mean gate, in clean
    standard errors). Missing constants are None (the defence changed).

    Parameters
    ----------
    m, d : int

    Returns
    -------
    dict
    """
    import importlib

    def module(name):                                  # the defender's own, if it has it
        try:
            return importlib.import_module(f"..stages.regression.{name}", __package__)
        except ImportError:
            return None

    dm, pooled = module("_directional_median"), module("_heavy_anchor")
    stop = getattr(pooled, "_stop_level", None)
    return {"stop": None if stop is None else float(stop(m, d)),
            "directions": getattr(dm, "N_DIRECTIONS", None),
            "skew_ses": getattr(dm, "SKEW_SES", None)}


def predict_anchor(theta, heavy, alpha, W_light=None):
    """The defender's heavy estimates on ``heavy``, components assigned under
    the true θ (at heavy task sizes the light estimates' assignment up to
    rounding).

    Parameters
    ----------
    theta : MLRParams
    heavy : MetaDataset
        The heavy pool, as corrupted.
    alpha : float
    W_light : ndarray (d, k), optional
        The light estimates the anchor's directional test points at (None:
        not tested).

    Returns
    -------
    W_H : ndarray (d, k)
        NaN columns for components without an anchor.
    info : list of dict
        The anchor's per-component records.
    """
    from ..stages.regression._heavy_anchor import heavy_anchor, heavy_assignment   # the defender's
    s2 = np.asarray(theta.s, float) ** 2
    labels = heavy_assignment(heavy, theta.W, s2, theta.p, alpha)[0]
    rng = np.random.default_rng(0)
    try:
        out = heavy_anchor(heavy, labels, theta.k, alpha, rng, None, None, W_light)
    except TypeError:                      # a defence without the light target
        out = heavy_anchor(heavy, labels, theta.k, alpha, rng)
    return out[0], out[-1]


#: Scans kept (a light-2 attack rebuilding its paired heavy corruption
#: repeats the heavy family's scan on the same pool with the same seed).
_SCANS: dict = {}
_SCANS_KEPT = 8


def _quiet(rec):
    """The filter's record shows no gate acting: nothing removed, no robust
    location replaced, the record passed."""
    return bool(rec.get("passed", True) and not rec.get("removed", 0)
                and not rec.get("median_directions", 0))


def _balanced_signs(n, r, rng):
    """(n, r) columns orthogonal to each other and to the ones vector, each
    of squared norm n (zero mean, unit second moment, no cross moment)."""
    r = min(r, max(n - 1, 0))
    if r == 0:
        return np.zeros((n, 0))
    Q = np.linalg.qr(np.column_stack([np.ones(n), rng.standard_normal((n, r))]))[0]
    return Q[:, 1:r + 1] * np.sqrt(n)


class _ScannedHeavy(Attack):
    """Base of the scanned heavy families: choice of the component's tasks
    (furthest against u, or at random), exact-fit crafting from whitened
    positions, and the scan over one shape parameter."""

    stage, targets = "regression", ("heavy",)
    _grid = np.linspace(0.0, 1.0, 8)[1:]          # then three bisection steps

    def __init__(self, component, direction, select, level, gate, light, rss, scan_max):
        if direction not in DIRECTIONS or gate not in GATES or light not in LIGHTS:
            raise ValidationError(f"direction must be one of {DIRECTIONS}, gate one of {GATES} "
                                  f"and light one of {LIGHTS}; got {direction!r}, {gate!r}, "
                                  f"{light!r}")
        self.component, self.direction, self.select = component, direction, bool(select)
        self.level, self.gate, self.light = float(level), gate, light
        self.rss, self.scan_max = float(rss), float(scan_max)
        if not (self.level > 0 and self.rss >= 0 and self.scan_max > 0):
            raise ValidationError(f"need level > 0, rss >= 0 and scan_max > 0, got {level}, "
                                  f"{rss}, {scan_max}")

    # -- choice -------------------------------------------------------------
    def _direction(self, theta, a, data, alpha):
        if self.direction == "toward" and theta.k > 1:
            return toward_nearest(theta.W, a)
        if self.direction == "error":
            W_h, _ = predict_anchor(theta, data, alpha)
            e = W_h[:, a] - theta.W[:, a]
            if np.all(np.isfinite(e)) and np.linalg.norm(e) > 0:
                return e / np.linalg.norm(e)
        return fixed_direction(theta.W)

    def _positions_along(self, data, tasks, w, u, s):
        """Whitened positions uᵀ(β_i − w)/(s·√(uᵀA_i⁻¹u)) of ``tasks``' own fits."""
        from ..stages.regression._heavy_anchor import _task_grams             # the defender's own
        sub = data.subset(tasks)
        A = _task_grams(sub)
        beta = np.linalg.solve(A, sub.task_sums(sub.X * sub.y[:, None])[..., None])[..., 0]
        Ainv_u = np.linalg.solve(A, np.broadcast_to(u, beta.shape)[..., None])[..., 0]
        return (beta - w) @ u / (s * np.sqrt(np.maximum(Ainv_u @ u, 1e-300)))

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, data, self.component)
        alpha = float(ctx.settings.get("alpha") or n_bad / max(data.n_tasks, 1))
        self._u = self._direction(theta, a, data, alpha)
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        own = np.flatnonzero((comps == a) & (data.sizes > data.dim + 1))
        if own.size <= n_bad or not self.select:
            tie = rng.permutation(data.n_tasks)
            order = tie[np.argsort(comps[tie] != a, kind="stable")]
            return np.sort(order[:n_bad])
        x = self._positions_along(data, own, theta.W[:, a], self._u, float(theta.s[a]))
        return np.sort(own[np.argsort(x, kind="stable")[:n_bad]])

    # -- crafting -----------------------------------------------------------
    def _exact_tasks(self, w, s, sizes, P, rng):
        """Tasks with XᵢᵀXᵢ = tᵢI fitting β_i = w + s·P_i/√tᵢ exactly, residuals
        ⊥ col(Xᵢ) of sum of squares ``rss``·s²·median χ²_{t−d} (noise-like
        draws for tasks with tᵢ ≤ d)."""
        beta = w + s * P / np.sqrt(np.maximum(sizes, 1))[:, None]
        return exact_fit_tasks(beta, sizes, s, self.rss, rng)

    def _setup(self, data, idx, theta, a, u, rng):
        """Shape state for :meth:`_positions` (subclasses)."""
        return {}

    @abstractmethod
    def _positions(self, scale, state, n, d, u):
        """Whitened positions (n, d) of the corrupted fits at ``scale``."""

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, data, self.component)
        alpha = float(ctx.settings.get("alpha") or idx.size / max(data.n_tasks, 1))
        u = getattr(self, "_u", None)
        if u is None:
            u = self._direction(theta, a, data, alpha)
        self._u = None
        w, s, d = theta.W[:, a], float(theta.s[a]), data.dim
        sizes = data.sizes[idx]
        seed = int(rng.integers(2 ** 31))
        state = self._setup(data, idx, theta, a, u, np.random.default_rng([seed, 1]))

        def build(scale):
            P = self._positions(scale, state, idx.size, d, u)
            return self._exact_tasks(w, s, sizes, P, np.random.default_rng(seed))

        if not np.any(sizes > d + 1):                       # no per-task fits to ride
            return build(self.scan_max)
        key = self._scan_key(data, idx, seed, alpha)
        if key in _SCANS:                 # the paired light attack rebuilding this pool
            self.scan_, self.chosen_ = _SCANS[key]
            return build(self.chosen_["scale"])
        W_light = None if self.light == "away" else theta.W.copy()
        if self.light == "ahead":         # a light estimate placed beyond the shift, along u
            W_light[:, a] = w + 5.0 * s * u
        # the scan runs the anchor on the component's tasks alone, at the α
        # that leaves the pool's budget and removal limit as they are (the
        # anchor is per component); the choice is checked on the whole pool
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        tasks = np.union1d(np.flatnonzero(comps == a), idx)
        alpha_sub = alpha * data.n_tasks / max(tasks.size, 1)
        if not alpha_sub < 0.5:
            tasks, alpha_sub = np.arange(data.n_tasks), alpha
        pools = {False: (data.subset(tasks), alpha_sub, np.searchsorted(tasks, idx)),
                 True: (data, alpha, idx)}
        self.scan_ = []

        def score(scale, whole=False):
            pool, alpha_p, where = pools[whole]
            X, y = build(scale)
            Xa, ya = pool.X.copy(), pool.y.copy()
            rows = example_rows(pool.offsets, where)
            Xa[rows], ya[rows] = X, y
            W_h, info = predict_anchor(theta, MetaDataset(Xa, ya, pool.offsets), alpha_p,
                                       W_light)
            err = float(np.linalg.norm(W_h[:, a] - w) / s) if np.all(np.isfinite(W_h[:, a])) \
                else np.nan
            rec = info[a] if a < len(info) else {}
            ok = bool(np.isfinite(err) and (self.gate == "any" or _quiet(rec)))
            if not whole:
                self.scan_.append((float(scale), err, ok))
            return err if ok else -np.inf

        grid = self._grid * self.scan_max
        errs = np.array([score(x) for x in grid])       # loop over the scan's grid only
        i = int(np.argmax(errs))
        best, best_err = (grid[i], errs[i]) if np.isfinite(errs[i]) else (0.0, -np.inf)
        if np.isfinite(errs[i]) and i + 1 < grid.size:
            # refine between the best point and the next (a gate acts there)
            lo, hi = grid[i], grid[i + 1]
            for _ in range(3):                          # bisection steps only
                mid = 0.5 * (lo + hi)
                e = score(mid)
                if e > best_err:
                    best, best_err, lo = mid, e, mid
                else:
                    hi = mid
        scale = best * self.level
        for _ in range(3):                    # checked on the whole pool (a few steps in)
            whole = score(scale, whole=True)
            if np.isfinite(whole) or not scale > 0:
                break
            scale *= 0.95
        self.chosen_ = {"scale": scale, "predicted_error": whole}
        while len(_SCANS) >= _SCANS_KEPT:
            _SCANS.pop(next(iter(_SCANS)))
        _SCANS[key] = (list(self.scan_), dict(self.chosen_))
        return build(scale)

    def _scan_key(self, data, idx, seed, alpha):
        """The scan's inputs: parameters, generator seed, α, tasks and pool
        (by a fingerprint of its values)."""
        params = tuple((k, repr(v)) for k, v in sorted(vars(self).items())
                       if not k.startswith("_") and not k.endswith("_"))
        pool = (data.n_tasks, data.X.shape, float(data.y.sum()), float(data.X[:, 0].sum()),
                float(data.X[::97].sum()))
        return (self.name, params, seed, float(alpha), idx.tobytes(), pool)


@register
class AnchorLeak(_ScannedHeavy):
    """Corrupted heavy fits shifted along u, with decoy spread that takes the
    robust location's directions away from u.

    Corrupted fit i sits at whitened position x·u + b·Σ_j c_ij v_j
    (β_i = w_a + s_a·position/√t_i, XᵢᵀXᵢ = t_iI), v_1 … v_r orthonormal ⊥ u
    and span(W), c a balanced sign design (zero mean, orthogonal columns);
    b puts the decoys' second moment at ``decoy_level`` × the stop level
    read from the defender; x is scanned (module notes).

    Parameters
    ----------
    component : int or {"fewest", "smallest", "largest", "heaviest"}
        Default "fewest": the component with the fewest heavy tasks.
    direction : {"error", "orthogonal", "toward"}
        u along the defender's clean heavy error, ⊥ span(W), or toward the
        nearest other component.
    decoys : int or None
        Decoy directions (default None: one more than the robust location
        looks along, read from the defender; 0: none).
    decoy_level : float
        The decoys' second moment over the stop level (default 0.95).
    select : bool
        Replace the component's fits furthest against u (default True).
    level : float
        Scale of the chosen x (default 1).
    gate : {"quiet", "any"}
        Scan for the largest heavy error with every gate quiet, or any.
    light : {"clean", "away", "ahead"}
        The light estimate the scan assumes for the anchor's tests along
        the light–heavy disagreement: the truth (a clean light pool), none
        (a light attack pointing away) or beyond the shift along u (a light
        attack aligned with it; the side matters to a test that looks only
        where the heavy median lies behind the mean).
    rss : float
        Residual sum of squares of the corrupted tasks as a multiple of the
        clean median (default 1.3).
    scan_max : float
        Largest x scanned, whitened units (default 8).
    """

    name = "anchor_leak"

    def __init__(self, component="fewest", direction="error", decoys=None, decoy_level=0.95,
                 select=True, level=1.0, gate="quiet", light="clean", rss=1.3, scan_max=8.0):
        super().__init__(component, direction, select, level, gate, light, rss, scan_max)
        self.decoys = None if decoys is None else int(decoys)
        self.decoy_level = float(decoy_level)
        if (self.decoys is not None and self.decoys < 0) or not self.decoy_level >= 0:
            raise ValidationError(f"need decoys >= 0 and decoy_level >= 0, got {decoys}, "
                                  f"{decoy_level}")

    def _setup(self, data, idx, theta, a, u, rng):
        d, n = data.dim, idx.size
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        m = max(int(np.sum(comps == a)), n + 1)
        gates = read_gates(m, d)
        # one more decoy than the location looks along: the leading
        # directions are then all decoys, whatever their order
        r = (gates["directions"] or 0) + 1 if self.decoys is None else self.decoys
        r = int(max(min(r or 0, d - theta.k - 1), 0))
        V = np.linalg.qr(np.column_stack([theta.W, u, rng.standard_normal((d, r))]))[0]
        V = V[:, theta.k + 1:theta.k + 1 + r]
        stop = gates["stop"] or (1 + np.sqrt(d / m)) ** 2
        b2 = max(self.decoy_level * stop - (m - n) / m, 0.0) * m / n
        return {"V": V, "C": _balanced_signs(n, r, rng) * np.sqrt(b2)}

    def _positions(self, scale, state, n, d, u):
        V, C = state["V"], state["C"]
        r = min(V.shape[1], C.shape[1])                # fewer tasks than decoys: fewer decoys
        return scale * u[None, :] + C[:, :r] @ V[:, :r].T


@register
class VarianceNeutral(_ScannedHeavy):
    """Selection against u with corrupted fits filling a shifted normal law
    along u: the kept sample's second moment unchanged, its median moved.

    The replaced tasks are the component's fits furthest against u; the
    corrupted fits sit along u at the n quantiles of the positive part of
    m·N(δ, ``spread``²) − (the clean fits left along u, a normal law
    truncated below at their smallest position), with clean-like noise
    N(0, I − uuᵀ) in whitened units across u; δ is scanned (module notes).

    Parameters
    ----------
    component, direction, level, gate, light, rss
        As :class:`AnchorLeak`.
    spread : float
        Standard deviation of the law mimicked along u, whitened units
        (default 1: the clean one).
    scan_max : float
        Largest δ scanned (default 5).
    """

    name = "variance_neutral"

    def __init__(self, component="fewest", direction="error", spread=1.0, level=1.0,
                 gate="quiet", light="clean", rss=1.3, scan_max=5.0):
        super().__init__(component, direction, True, level, gate, light, rss, scan_max)
        self.spread = float(spread)
        if not self.spread > 0:
            raise ValidationError(f"spread must be > 0, got {spread}")

    def _setup(self, data, idx, theta, a, u, rng):
        comps = data.components if data.components is not None else np.full(data.n_tasks, -1)
        own = np.flatnonzero((comps == a) & (data.sizes > data.dim + 1))
        kept = np.setdiff1d(own, idx)
        low = -np.inf
        if kept.size:
            low = float(np.min(self._positions_along(data, kept, theta.W[:, a], u,
                                                     float(theta.s[a]))))
        G = rng.standard_normal((idx.size, data.dim))
        G -= np.outer(G @ u, u)
        return {"low": low, "m": kept.size + idx.size, "G": G}

    def _positions(self, scale, state, n, d, u):
        x = np.linspace(-6.0, 6.0 + scale, 4001)
        want = state["m"] * norm.pdf(x, scale, self.spread)
        have = state["m"] * norm.pdf(x) * (x > state["low"])
        gap = np.maximum(want - have, 0.0)
        cdf = np.cumsum(gap)
        if not cdf[-1] > 0:
            pos = np.full(n, scale)
        else:
            pos = np.interp((np.arange(n) + 0.5) / n, cdf / cdf[-1], x)
        return pos[:, None] * u[None, :] + state["G"]
