"""Research-only attack families of the twentieth red team (time).

* :class:`NearCopies` (heavy): groups of copies of one task each, every
  copy's responses (and optionally covariates) jittered by ``eps`` relative
  so that no two share ten significant digits (the degenerate-task screen's
  fingerprint) while the distance estimate between them is ≈ 0.
* :class:`PlacedTasks` (heavy): tasks with regression vectors placed in
  span(W) by rule (between components, on the shedding boundary, ...),
  noise ``noise``·s, optionally sharing covariates within a group.
"""
import numpy as np

from robust_mlr.adversary import Attack
from robust_mlr.adversary._whitebox import component_index


class NearCopies(Attack):
    """``groups`` groups of jittered copies of clean tasks (sources chosen
    from ``component`` when given, nearest its centre first when ``near``)."""

    name, stage, targets = "near_copies", "clustering", ("heavy",)

    def __init__(self, groups=2, eps=1e-6, jitter_x=False, component=None, source="random",
                 y_scale=1.0):
        self.groups, self.eps, self.jitter_x = int(groups), float(eps), bool(jitter_x)
        self.component, self.source, self.y_scale = component, source, float(y_scale)

    def craft(self, data, idx, ctx, rng):
        sizes = data.sizes[idx]
        g = min(self.groups, idx.size)
        group = np.arange(idx.size) % g
        task = np.repeat(np.arange(idx.size), sizes)
        pos = np.arange(task.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        others = np.setdiff1d(np.arange(data.n_tasks), idx)
        if self.component is not None and data.components is not None:
            a = self.component if isinstance(self.component, (int, np.integer)) else 0
            pool = others[data.components[others] == a]
            others = pool if pool.size >= g else others
        src = rng.choice(others, g, replace=False)
        row = data.offsets[src[group[task]]] + pos % data.sizes[src[group[task]]]
        X, y = data.X[row].copy(), data.y[row].copy() * self.y_scale
        y *= 1.0 + self.eps * rng.standard_normal(y.size)
        if self.jitter_x:
            X *= 1.0 + self.eps * rng.standard_normal(X.shape)
        return X, y


class PlacedTasks(Attack):
    """Tasks y = x·β + noise·s·ε with β placed in span(W):

    ``mode="between"``: β = (1 − f) w_a + f w_b for the pairs (a, b) in
    turn, f = ``frac`` (± ``spread`` uniform); ``"ring"``: β = w_a + r s u,
    u a random unit vector in span(W) ⊥ ... (r = ``radius``);
    ``"centroid"``: β = mean of the w's + ``radius``·s·u.
    ``share_x``: tasks of one group (``groups``) share their covariates."""

    name, stage, targets = "placed_tasks", "clustering", ("heavy",)

    def __init__(self, mode="between", frac=0.5, spread=0.0, radius=1.0, noise=1.0,
                 groups=0, share_x=False, pairs=None, eps=0.0):
        self.mode, self.frac, self.spread, self.radius = mode, float(frac), float(spread), \
            float(radius)
        self.noise, self.groups, self.share_x = float(noise), int(groups), bool(share_x)
        self.pairs, self.eps = pairs, float(eps)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        W, s, k = theta.W, theta.s, theta.k
        m = idx.size
        sizes = data.sizes[idx]
        task = np.repeat(np.arange(m), sizes)
        pairs = self.pairs or [(a, b) for a in range(k) for b in range(a + 1, k)]
        g = self.groups or m
        grp = np.arange(m) % g
        B = np.empty((data.dim, m))
        sc = np.empty(m)
        Q = np.linalg.qr(W)[0]
        for i in range(m):
            gi = grp[i]
            if self.mode == "between":
                a, b = pairs[gi % len(pairs)]
                f = self.frac + self.spread * rng.uniform(-1, 1)
                B[:, i] = (1 - f) * W[:, a] + f * W[:, b]
                sc[i] = 0.5 * (s[a] + s[b])
            elif self.mode == "ring":
                a = gi % k
                u = Q @ rng.standard_normal(Q.shape[1])
                B[:, i] = W[:, a] + self.radius * s[a] * u / np.linalg.norm(u)
                sc[i] = s[a]
            else:  # centroid
                u = Q @ rng.standard_normal(Q.shape[1])
                B[:, i] = W.mean(axis=1) + self.radius * np.mean(s) * u / np.linalg.norm(u)
                sc[i] = np.mean(s)
        if self.groups:                     # the group shares one β (the first member's)
            first = np.array([np.flatnonzero(grp == gi)[0] for gi in range(g)])
            B, sc = B[:, first[grp]], sc[first[grp]]
        X = rng.standard_normal((task.size, data.dim))
        if self.share_x and self.groups:
            pos = np.arange(task.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            base = rng.standard_normal((g, int(sizes.max()), data.dim))
            X = base[grp[task], pos]
            X = X * (1.0 + self.eps * rng.standard_normal(X.shape))
        y = np.einsum("ij,ji->i", X, B[:, task]) + self.noise * sc[task] * \
            rng.standard_normal(task.size)
        return X, y


class Ladder(Attack):
    """Light-2 tasks that make the task filter remove a few tasks a round.

    The replaced tasks keep their true component a (chosen at random, so
    every component gets ≈ n_bad/k). Group g of them (``directions``
    groups, round robin) pushes along its own direction v_g ⊥ span W:
    every row has x·v_g = ±L (the sign at random, the other coordinates
    Gaussian) and residual ``R``·s·sign(x·v_g), so the task's gradient is
    coherent along v_g. Within a group the tasks form a geometric ladder
    of leverage, L_j = ``L_max`` · ``ratio``^(−j/2) (j = 0, 1, ... cycling
    over ``levels``): the filter's random threshold U(0, max score) takes
    the top rung and a couple below it each round, and the group's
    remaining rungs keep the test failing. ``bulk`` of each group's tasks
    sit at the bottom rung. ``balance``: consecutive tasks of a group push
    in opposite signs (least squares does not absorb the push)."""

    name, stage, targets = "ladder", "regression", ("light2",)

    def __init__(self, directions=8, levels=12, ratio=2.0, L_max=8.0, R=1.0, bulk=0.5,
                 shrink=1.0, balance=True, L_bulk=None):
        self.balance = bool(balance)
        self.L_bulk = None if L_bulk is None else float(L_bulk)
        self.directions, self.levels, self.ratio = int(directions), int(levels), float(ratio)
        self.L_max, self.R, self.bulk, self.shrink = float(L_max), float(R), float(bulk), \
            float(shrink)

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        W, s = theta.W, theta.s
        d = data.dim
        m = idx.size
        sizes = data.sizes[idx]
        task = np.repeat(np.arange(m), sizes)
        comp = data.components[idx] if data.components is not None else np.zeros(m, int)
        comp = np.where(comp < 0, rng.integers(0, theta.k, m), comp)
        Q = np.linalg.qr(W)[0]
        V = rng.standard_normal((d, self.directions))
        V -= Q @ (Q.T @ V)
        if self.directions <= d - theta.k:      # orthonormal directions ⊥ span W
            V = np.linalg.qr(V)[0]
        else:                                   # more than fit: random unit vectors ⊥ span W
            V /= np.linalg.norm(V, axis=0)
        grp = np.arange(m) % self.directions
        rank = np.arange(m) // self.directions              # position within the group
        n_grp = -(-m // self.directions)
        n_bulk = int(self.bulk * n_grp)
        rung = np.where(rank >= n_grp - n_bulk, self.levels - 1,
                        rank % self.levels if self.bulk == 0 else np.minimum(rank, self.levels - 1))
        L = self.L_max * self.ratio ** (-rung / 2.0)
        if self.L_bulk is not None:          # the bulk at its own leverage
            L = np.where(rung == self.levels - 1, self.L_bulk, L)
        X = rng.standard_normal((task.size, d)) * self.shrink
        v = V[:, grp[task]].T                                  # (N, d)
        X -= np.einsum("ij,ij->i", X, v)[:, None] * v
        z = L[task] * rng.choice([-1.0, 1.0], size=task.size)
        X += z[:, None] * v
        wa = W[:, comp[task]].T
        # balanced: the tasks of a rung alternate the sign of their push, so
        # least squares does not absorb it (ŵ stays, the gradients spread)
        sgn = np.where((rank % 2 == 1) & self.balance, -1.0, 1.0)[task]
        y = np.einsum("ij,ij->i", X, wa) + self.R * s[comp[task]] * np.sign(z) * sgn
        return X, y


class Decoy(Attack):
    """Consistent tasks whose covariates put a share of their rows at ±``z``
    along one direction u ⊥ span W (the package's fixed direction, or
    ``u_seed``'s random one), the other coordinates scaled by ``g``
    (‖x‖² ≈ z² + g²(d − 1): under the screen's size limit); responses
    y = x·w_a + s·ε of a random true component a. They move no estimate but
    raise the covariates' second moment along u: the isotropy test of
    ``covariates="auto"`` then whitens every pool."""

    name, stage, targets = "decoy", "generic", ("light1", "heavy", "light2")

    def __init__(self, z=6.0, g=0.25, share=1.0, u_seed=None):
        self.z, self.g, self.share = float(z), float(g), float(share)
        self.u_seed = u_seed

    def craft(self, data, idx, ctx, rng):
        from robust_mlr.adversary._craft import fixed_direction
        theta = ctx.need_theta(self.name)
        d = data.dim
        if self.u_seed is None:
            u = fixed_direction(theta.W)
        else:
            Q = np.linalg.qr(theta.W)[0]
            u = np.random.default_rng(self.u_seed).standard_normal(d)
            u -= Q @ (Q.T @ u)
            u /= np.linalg.norm(u)
        sizes = data.sizes[idx]
        task = np.repeat(np.arange(idx.size), sizes)
        pos = np.arange(task.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        lev = pos < np.ceil(self.share * sizes[task])
        comp = rng.integers(0, theta.k, idx.size)[task]
        X = rng.standard_normal((task.size, d))
        X[lev] -= np.outer(X[lev] @ u, u)
        X[lev] *= self.g
        X[lev] += np.outer(self.z * rng.choice([-1.0, 1.0], size=int(lev.sum())), u)
        y = np.einsum("ij,ji->i", X, theta.W[:, comp]) + theta.s[comp] * \
            rng.standard_normal(task.size)
        return X, y


class Split(Attack):
    """Two families in one pool: ``share`` of the replaced tasks crafted by
    ``first`` (name, params), the rest by ``second``."""

    name, stage, targets = "split", "generic", ("light1", "heavy", "light2")

    def __init__(self, first=("decoy", {}), second=("ladder", {}), share=0.25):
        self.first = LOCAL_FAMILIES[first[0]](**dict(first[1]))
        self.second = LOCAL_FAMILIES[second[0]](**dict(second[1]))
        self.share = float(share)

    def craft(self, data, idx, ctx, rng):
        idx = np.asarray(idx)
        m = int(round(self.share * idx.size))
        pick = np.zeros(idx.size, bool)
        pick[rng.choice(idx.size, m, replace=False)] = True
        sizes = data.sizes[idx]
        task = np.repeat(np.arange(idx.size), sizes)
        X = np.empty((task.size, data.dim))
        y = np.empty(task.size)
        for sel, att in ((pick, self.first), (~pick, self.second)):
            if sel.any():
                Xs, ys = att.craft(data, idx[sel], ctx, rng)
                rows = sel[task]
                X[rows], y[rows] = Xs, ys
        return X, y


LOCAL_FAMILIES = {"decoy": Decoy, "ladder": Ladder, "near_copies": NearCopies,
                  "placed_tasks": PlacedTasks}
