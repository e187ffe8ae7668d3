"""(B): lever families placed in the tasks the light-2 readings do not read.

Above ``READ_CAP`` kept tasks a component's clipped and score readings read
a random share of its tasks, drawn as ``rng.spawn(1)[0].random(n)`` from
the learner's own generator (:func:`reading_sample`). ``spawn`` children
depend on the seed and the number of earlier spawns, not on the data, so
a white-box adversary who knows the learner (its ``rng``) knows the draw:
:func:`predicted_draw` records it on a clean fit. :func:`unread` makes a
family whose tasks are the target component's with the *largest* draws
(read only if the share exceeds them); ``avoid=False`` keeps the family's
own choice (the sample-agnostic attack).
"""
import copy
import sys
import warnings

import numpy as np

import robust_mlr.stages.regression.robust as _robust
from robust_mlr import MetaLearner
from robust_mlr.adversary import DilutedLever, ShapedLever
from robust_mlr.adversary._whitebox import component_index

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/moments_robust/redteam14")
from biased import BiasedLever  # noqa: E402
import edge_lever  # noqa: E402

_ORIG = _robust.reading_sample
RECORD = []


def _spy(labels, k, rng, cap=None, **kw):
    """reading_sample, recording the draw it makes and the one a second call
    (the learner's recheck) would make (on copies of the generator). Since
    the draw's seed also takes a digest of the data (``data_sums``), the
    draw recorded is the one made on the data of this fit, rebuilt from
    the entropy the call returns (a clean fit's: what the adversary can
    know before it writes its tasks); the recheck's seed-only draw is kept
    as before."""
    n = np.asarray(labels).size
    kids = copy.deepcopy(rng).spawn(2)
    out = _ORIG(labels, k, rng, cap, **kw)
    if isinstance(out, tuple):
        mask, entropy = out
        draw = (kids[0].random(n) if entropy is None
                else np.random.default_rng(np.random.SeedSequence(entropy)).random(n))
    else:                                   # the seed-only draw of earlier releases
        mask, draw = out, kids[0].random(n)
    RECORD.append((draw, mask, kids[1].random(n)))
    return out


def spy(on=True):
    _robust.reading_sample = _spy if on else _ORIG
    RECORD.clear()


def predicted_draw(theta, pools, alpha, seed):
    """The readings' uniform draw on light 2 for this learner (a clean fit)."""
    spy(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    draws = [np.minimum(d, d2) for d, _, d2 in RECORD]
    spy(False)
    return draws[0] if draws else None


def unread(cls):
    """``cls`` choosing the target component's tasks with the largest draws."""

    class Unread(cls):
        name = "unread_" + cls.name

        def __init__(self, draw=None, avoid=True, **kw):
            super().__init__(**kw)
            self.draw, self.avoid = draw, bool(avoid)

        def choose(self, data, n_bad, ctx, rng):
            if not self.avoid or self.draw is None:
                return super().choose(data, n_bad, ctx, rng)
            a = component_index(ctx.need_theta(self.name), self.component)
            mine = np.flatnonzero(data.components == a)
            order = mine[np.argsort(-self.draw[mine])]
            if order.size >= n_bad:
                return np.sort(order[:n_bad])
            rest = np.setdiff1d(np.arange(data.n_tasks), order)
            rest = rest[np.argsort(-self.draw[rest])]
            return np.sort(np.concatenate([order, rest[:n_bad - order.size]]))

    Unread.__name__ = "Unread" + cls.__name__
    return Unread


class DilutedShift(edge_lever.EdgeLever):
    """A coherent shift along u diluted by decoys balanced within the task.

    In each replaced task of component a: ``decoys`` rows at ±``z_d`` RMS
    along u (other coordinates ``g_scale`` · Gaussian) whose residuals
    ±``R`` s have products of opposite signs within the task (they add
    R² z_d² to the filter's per-example moment along u and nothing to the
    task's gradient), each biased by z_d δ s toward the moved fit
    (δ = the predicted move, so least squares and a refit that drops them
    agree); the other rows Gaussian, |x·u| at least ``floor`` (drawn from
    the law beyond it), with y = x·w_a + Δ s (x·u) + ``noise`` s N(0, 1).
    ``u_vec``: the direction (default the fixed one ⊥ span W)."""

    name = "diluted_shift"

    def __init__(self, component=0, shift=1.5, decoys=2, z_d=8.0, R=1.0, noise=0.0,
                 floor=0.0, g_scale=0.25, bias=1.0, u_vec=None, delta=None):
        super().__init__(component=component)
        self.shift, self.decoys, self.z_d, self.R = float(shift), int(decoys), float(z_d), float(R)
        self.noise, self.floor, self.g_scale, self.bias = (float(noise), float(floor),
                                                           float(g_scale), float(bias))
        self.u_vec = None if u_vec is None else np.asarray(u_vec, float)
        self.delta = None if delta is None else float(delta)

    def choose(self, data, n_bad, ctx, rng):
        return _own_component_tasks(self, data, n_bad, ctx, rng)

    def craft(self, data, idx, ctx, rng):
        from scipy.stats import norm
        from robust_mlr.adversary._craft import fixed_direction
        from robust_mlr.adversary.edge import _MARGIN, _row_positions, _screen
        theta = ctx.need_theta(self.name)
        a = component_index(theta, self.component)
        idx = np.asarray(idx)
        sizes = data.sizes[idx]
        d = data.dim
        u = fixed_direction(theta.W) if self.u_vec is None else self.u_vec / np.linalg.norm(self.u_vec)
        task, pos, n = _row_positions(sizes)
        dec = pos >= sizes[task] - self.decoys
        sh = ~dec
        # predicted move: the shift rows' share of the component's stiffness along u
        t = float(np.median(data.sizes))
        ez2 = 1.0 if self.floor <= 0 else float(
            1 + self.floor * norm.pdf(self.floor) / norm.sf(self.floor))
        S_s = sh.sum() * ez2
        S_c = max(theta.p[a] * data.sizes.sum() - idx.size * t, 1.0)
        delta = (self.bias * self.shift * S_s / (S_c + S_s) if self.delta is None
                 else self.delta)
        self.last_plan = (delta,)
        X = rng.standard_normal((n, d))
        X -= np.outer(X @ u, u)
        z = rng.standard_normal(n)
        if self.floor > 0:
            lo = norm.cdf(self.floor)
            z = norm.ppf(rng.uniform(lo, 1.0, size=n)) * rng.choice([-1.0, 1.0], size=n)
        X[sh] += np.outer(z[sh], u)
        s = float(theta.s[a])
        y = X @ theta.W[:, a]
        y[sh] += s * (self.shift * z[sh] + self.noise * rng.standard_normal(int(sh.sum())))
        # decoys: ±z_d along u, products of opposite signs within the task
        nd = int(dec.sum())
        X[dec] *= self.g_scale
        side = rng.choice([-1.0, 1.0], size=nd)
        X[dec] += np.outer(self.z_d * side, u)
        k = pos[dec] - (sizes[task[dec]] - self.decoys)          # 0, 1, ... within the task
        prod = np.where(k % 2 == 0, 1.0, -1.0) * (rng.choice([-1.0, 1.0], size=nd)[0] if nd else 1.0)
        flip = np.where(rng.random(idx.size) < 0.5, 1.0, -1.0)[task[dec]]
        resid = flip * prod * self.R * side + delta * self.z_d * side
        y[dec] = X[dec] @ theta.W[:, a] + s * resid
        x_hi, y_hi = _screen(ctx, ctx.pool)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        return X, y


def _own_component_tasks(self, data, n_bad, ctx, rng):
    """The target component's tasks first (``pick_tasks``), as the package's
    own-component families choose."""
    from robust_mlr.adversary._whitebox import pick_tasks
    a = component_index(ctx.need_theta(self.name), self.component)
    return pick_tasks(data, n_bad, rng, "component", a)


FAMILIES = {c.name: unread(c) for c in (BiasedLever, ShapedLever, DilutedLever,
                                         edge_lever.EdgeLever, DilutedShift)}
