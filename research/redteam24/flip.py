"""Twenty-fourth red team: light-2 families that try to turn the pull back on.

The pull rule (robust_mlr/stages/regression/_pooled.py) predicts the pooled
estimate's clean MSE over ŵ_H's from Σ_L = ŝ²_H κ G_L⁻¹ (G_L the light Gram of
the component's *kept* tasks, adversary's included) and b = model_bias(...),
b ≈ G_L⁻¹·(misclassification terms on drawn responses). The adversary's tasks
enter G_L (all of them, in the attacked component) but b only through the
random component draws: tasks with a large Gram (the pool's largest tasks,
designs of large amplitude) shrink Σ_L and b together.

* ``flip_match``: :class:`AnchorMatch` (ŵ_L placed against the predicted heavy
  estimate) on the attacked component's *largest* tasks (``pick``), with the
  design amplitude ``amp``.
"""
import numpy as np

from robust_mlr.adversary import register
from robust_mlr.adversary.pooling_attacks import AnchorMatch, _component


@register
class FlipMatch(AnchorMatch):
    name = "flip_match"

    def __init__(self, component="fewest", heavy="seeded", mode="aligned", level=0.95, noise=0.0,
                 cap=0.6, select=False, amp=1.0, pick="largest"):
        super().__init__(component, heavy, mode, level, noise, cap, select, amp)
        self.pick = pick

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, ctx.pools.heavy, self.component)
        comps = data.components
        tie = rng.permutation(data.n_tasks)
        self._state = None
        if self.pick == "largest":          # the component's largest tasks, then others' largest
            key = -(data.sizes[tie].astype(float)) - 1e6 * (comps[tie] == a)
        elif self.pick == "largest_any":    # the pool's largest tasks, whatever their component
            key = -data.sizes[tie].astype(float)
        else:
            return super().choose(data, n_bad, ctx, rng)
        order = tie[np.argsort(key, kind="stable")]
        return np.sort(order[:n_bad])


@register
class FlipGram(AnchorMatch):
    """``anchor_match``'s placement, written on tasks chosen for their Gram:

    * ``pick`` "others": other components' largest tasks (the attacked
      component's clean tasks all stay: G_L only grows), "own": its own
      largest, "any": the pool's largest;
    * designs: Gaussian rows rescaled to ‖x‖²/d = ``scale`` × the screen's
      upper limit (``scale`` ≤ 0.97 stays inside), so each example adds
      ≈ scale·x_hi times a clean one to G_L (all directions);
    * responses y = Xβ + noise·s, β from AnchorMatch's formula with the new
      designs; ‖β − w_a‖ capped at cap·s/√(‖x‖²/d) (per-example residual
      ≈ cap·s).
    """
    name = "flip_gram"

    def __init__(self, component="fewest", heavy="seeded_leak", mode="aligned", level=0.95,
                 noise=-1.0, cap=0.6, pick="select", scale=0.97, push=2.0, frac=0.85):
        super().__init__(component, heavy, mode, level, 0.0, cap, False, 1.0)
        # noise < 0: "matched", the per-example residual variance s² in all
        self.pick, self.scale, self.push, self.noise = pick, float(scale), float(push), float(noise)
        self.frac = float(frac)     # "select*": share of the budget selected, the rest others' largest

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, ctx.pools.heavy, self.component)
        comps = data.components
        tie = rng.permutation(data.n_tasks)
        self._state = None
        size = data.sizes[tie].astype(float)
        if self.pick in ("select", "select_big"):
            # the component's tasks of least gradient along the predicted heavy
            # error: the clean ones left lean along it (the selection channel)
            from robust_mlr.adversary.pooling_attacks import fixed_direction
            alpha = float(ctx.settings.get("alpha") or n_bad / data.n_tasks)
            st = self._heavy_estimate(ctx, alpha)
            h = st[1][:, a] - theta.W[:, a]
            u = h / np.linalg.norm(h) if np.all(np.isfinite(h)) and np.linalg.norm(h) > 0 \
                else fixed_direction(theta.W)
            g = data.task_sums((data.X @ u) * (data.y - data.X @ theta.W[:, a]))
            if self.pick == "select_big":     # per capped example: favours tasks of the cap's size
                g = g / np.sqrt(data.sizes)
            key = np.where(comps[tie] == a, g[tie], np.inf)
            order = tie[np.argsort(key, kind="stable")]
            n_sel = int(round(self.frac * n_bad))
            sel = order[:n_sel]
            rest = tie[np.argsort(-size + 1e6 * (comps[tie] == a), kind="stable")][:n_bad - n_sel]
            return np.sort(np.concatenate([sel, rest]))
        if self.pick == "others":
            key = -size + 1e6 * (comps[tie] == a)
        elif self.pick == "own":
            key = -size - 1e6 * (comps[tie] == a)
        else:
            key = -size
        order = tie[np.argsort(key, kind="stable")]
        return np.sort(order[:n_bad])

    def craft(self, data, idx, ctx, rng):
        from robust_mlr._dist import chi2
        from robust_mlr.adversary.edge import _MARGIN, _screen
        from robust_mlr.adversary.pooling_attacks import (_least_squares, _orthogonal_basis,
                                                          _test_level, fixed_direction)
        theta = ctx.need_theta(self.name)
        d, k = theta.W.shape
        alpha = float(ctx.settings.get("alpha") or idx.size / data.n_tasks)
        clean_h, W_h, grams, s2_h = self._heavy_estimate(ctx, alpha)
        a = _component(theta, ctx.pools.heavy, self.component)
        s = float(theta.s[a])
        comps = data.components
        out = np.zeros(data.n_tasks, bool)
        out[idx] = True
        keep = np.flatnonzero((comps == a) & ~out)
        G_c, w_c = _least_squares(data, keep, theta.W[:, a])
        x_hi, y_hi = _screen(ctx, ctx.pool)
        sq = self.scale * (x_hi if x_hi is not None else 1.0)       # ‖x‖²/d of every row
        sizes = data.sizes[idx]
        n = int(sizes.sum())
        X = rng.standard_normal((n, d))
        X *= np.sqrt(sq * d) / np.linalg.norm(X, axis=1, keepdims=True)
        G_b = X.T @ X
        anchored = bool(np.all(np.isfinite(W_h[:, a])))
        w_h = W_h[:, a] if anchored else theta.W[:, a]
        s2 = float(s2_h[a]) if anchored else s ** 2
        cov_l = s2 * np.linalg.inv(G_c + G_b)
        cov_h = s2 * np.linalg.inv(grams[a]) if anchored else cov_l
        S_inv = np.linalg.inv(cov_l + cov_h)
        q = float(chi2.isf(_test_level() / k, d))
        h = w_h - theta.W[:, a]
        if self.mode == "aligned" and np.linalg.norm(h) > 0:
            v = h / np.linalg.norm(h)
        elif self.mode == "split" and np.linalg.norm(h) > 0:
            v = _orthogonal_basis(theta.W, h)[:, 0]
        else:
            v = fixed_direction(theta.W)
        c = np.sqrt(self.level * q / float(v @ S_inv @ v))
        target = w_h + c * v
        o = (target - w_c) * self.push
        beta = w_c + np.linalg.solve(G_b, (G_c + G_b) @ o)
        off = beta - theta.W[:, a]
        lim = self.cap * s / np.sqrt(sq)
        beta = theta.W[:, a] + off * min(1.0, lim / max(np.linalg.norm(off), 1e-300))
        off_n = float(np.linalg.norm(beta - theta.W[:, a]))
        noise = self.noise if self.noise >= 0 else np.sqrt(max(0.0, 1.0 - sq * (off_n / s) ** 2))
        y = X @ beta + noise * s * rng.standard_normal(n)
        if y_hi is not None:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        self.predicted_ = {"component": a, "target": target, "beta_off": float(np.linalg.norm(off)),
                           "sq": sq}
        return X, y


from robust_mlr.adversary.pooling_attacks import Seeded  # noqa: E402


@register
class SeededLeak(Seeded):
    """:class:`Seeded` with the eighth red team's heavy family (anchor_leak,
    no decoys) as its default, so that a search can pair it with
    ``flip_gram``'s default ``heavy`` by name."""
    name = "seeded_leak"

    def __init__(self, family=("anchor_leak", {"decoys": 0}), seed=0):
        super().__init__(family, seed)


#: search-space entries (added at run time by search24.py; the library's
#: space is not edited)
SPACE_ADD = {
    "heavy": {"seeded_leak": {}},
    "light2": {"flip_gram": {"component": ("component",),
                             "pick": ("cat", ("select", "others")),
                             "frac": ("float", 0.5, 1.0), "cap": ("float", 0.4, 1.0),
                             "push": ("logfloat", 0.5, 3.0), "scale": ("float", 0.6, 0.97),
                             "level": ("logfloat", 0.5, 2.0),
                             "mode": ("cat", ("aligned", "along", "split"))}},
}


from robust_mlr.adversary import Attack  # noqa: E402


@register
class StealTasks(Attack):
    """Equal sizes, the other way: push a component's predicted ratio *above*
    PULL_GAIN. ``mode`` "steal" (light 2): the component's own tasks
    rewritten as clean tasks of the next component (Gaussian designs, y =
    X w_b + s·noise), so its light Gram shrinks; "gram" (heavy): other
    components' tasks rewritten as clean tasks of the component with rows at
    ``scale`` × the screen's ‖x‖²/d limit, so its heavy Gram grows (Σ_H
    shrinks, Σ_L/Σ_H grows)."""
    name, stage, targets = "steal_tasks", "regression", ("light2", "heavy")

    def __init__(self, component="fewest", mode="steal", scale=0.97):
        self.component, self.mode, self.scale = component, mode, float(scale)

    def choose(self, data, n_bad, ctx, rng):
        theta = ctx.need_theta(self.name)
        a = _component(theta, ctx.pools.heavy, self.component)
        comps = data.components
        tie = rng.permutation(data.n_tasks)
        own = comps[tie] == a
        key = np.where(own, 0, 1) if self.mode == "steal" else np.where(own, 1, 0)
        return np.sort(tie[np.argsort(key, kind="stable")][:n_bad])

    def craft(self, data, idx, ctx, rng):
        from robust_mlr.adversary.edge import _screen
        theta = ctx.need_theta(self.name)
        a = _component(theta, ctx.pools.heavy, self.component)
        k = theta.k
        n = int(data.sizes[idx].sum())
        d = theta.W.shape[0]
        X = rng.standard_normal((n, d))
        if self.mode == "steal":
            b = (a + 1) % k
        else:
            b = a
            x_hi, _ = _screen(ctx, ctx.pool)
            sq = self.scale * (x_hi if x_hi is not None else 1.0)
            X *= np.sqrt(sq * d) / np.linalg.norm(X, axis=1, keepdims=True)
        y = X @ theta.W[:, b] + float(theta.s[b]) * rng.standard_normal(n)
        return X, y
