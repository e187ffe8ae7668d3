"""Twenty-sixth red team: light-2 rows whose (capped) information is
concentrated along a few chosen directions (the row cap's admitted gap:
the trace bound does not cover capped information along one direction).

``dir_gram``: redteam24's ``flip_gram`` task choice and β placement, but the
designs' rows lie (share ``mix`` of their energy) in span(U), U chosen
white-box from the clean fit (``WHITEBOX``, filled by the driver):

* "bias": the predicted light bias b_a of the attacked component (the
  ratio's |Ab|² term), "diff": span{w_b − w_a}, "h": ŵ_H − w (the heavy
  estimate's error under the paired heavy attack: the push direction),
  "gap": clean ŵ_L − ŵ_H; combinations with "+".

Rows have ‖x‖²/d = ``scale`` × the screen's limit (the ratio counts them at
most τ; the pooling's own Gram counts them in full).
"""
import numpy as np

from robust_mlr.adversary import register
from robust_mlr.adversary.pooling_attacks import _component

from flip import FlipGram

#: white-box inputs from the clean fit: {"bias": (d, k), "gap": (d, k)}
WHITEBOX = {}


def _basis(vs):
    M = np.column_stack([v / max(np.linalg.norm(v), 1e-300) for v in vs])
    q, r = np.linalg.qr(M)
    keep = np.abs(np.diag(r)) > 1e-8
    return q[:, keep]


@register
class DirGram(FlipGram):
    name = "dir_gram"

    def __init__(self, component="fewest", heavy="seeded_leak", mode="aligned", level=0.95,
                 noise=-1.0, cap=0.6, pick="select", scale=0.97, push=2.0, frac=0.85,
                 dirs="bias+h", mix=0.9, yclip=True):
        if isinstance(heavy, list):          # a (family, params) pair read from JSON
            heavy = tuple(heavy)
        super().__init__(component, heavy, mode, level, noise, cap, pick, scale, push, frac)
        self.dirs, self.mix, self.yclip = dirs, float(mix), bool(yclip)

    def _dirs(self, theta, a, h):
        vs = []
        for name in self.dirs.split("+"):
            if name == "bias":
                vs.append(WHITEBOX["bias"][:, a])
            elif name == "gap":
                vs.append(WHITEBOX["gap"][:, a])
            elif name == "h":
                vs.append(h)
            elif name == "diff":
                vs += [theta.W[:, b] - theta.W[:, a] for b in range(theta.k) if b != a]
            elif name == "wa":
                vs.append(theta.W[:, a])
        return _basis(vs)

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
        sq = self.scale * (x_hi if x_hi is not None else 1.0)
        n = int(data.sizes[idx].sum())
        anchored = bool(np.all(np.isfinite(W_h[:, a])))
        w_h = W_h[:, a] if anchored else theta.W[:, a]
        h = w_h - theta.W[:, a]
        U = self._dirs(theta, a, h if np.linalg.norm(h) > 0 else fixed_direction(theta.W))
        r = U.shape[1]
        g = rng.standard_normal((n, d))
        inU = g[:, :r] @ U.T
        inU /= np.linalg.norm(inU, axis=1, keepdims=True)
        perp = g - (g @ U) @ U.T
        perp /= np.linalg.norm(perp, axis=1, keepdims=True)
        X = np.sqrt(self.mix) * inU + np.sqrt(1 - self.mix) * perp
        X *= np.sqrt(sq * d) / np.linalg.norm(X, axis=1, keepdims=True)
        G_b = X.T @ X
        s2 = float(s2_h[a]) if anchored else s ** 2
        cov_l = s2 * np.linalg.inv(G_c + G_b)
        cov_h = s2 * np.linalg.inv(grams[a]) if anchored else cov_l
        S_inv = np.linalg.inv(cov_l + cov_h)
        q = float(chi2.isf(_test_level() / k, d))
        if self.mode == "aligned" and np.linalg.norm(h) > 0:
            v = h / np.linalg.norm(h)
        elif self.mode == "split" and np.linalg.norm(h) > 0:
            v = _orthogonal_basis(theta.W, h)[:, 0]
        else:
            v = fixed_direction(theta.W)
        c = np.sqrt(self.level * q / float(v @ S_inv @ v))
        target = w_h + c * v
        o = (target - w_c) * self.push
        beta = w_c + np.linalg.pinv(G_b, rcond=1e-10) @ ((G_c + G_b) @ o)
        off = beta - theta.W[:, a]
        lim = self.cap * s / np.sqrt(sq)
        beta = theta.W[:, a] + off * min(1.0, lim / max(np.linalg.norm(off), 1e-300))
        off_n = float(np.linalg.norm(beta - theta.W[:, a]))
        noise = self.noise if self.noise >= 0 else np.sqrt(max(0.0, 1.0 - sq * (off_n / s) ** 2))
        y = X @ beta + noise * s * rng.standard_normal(n)
        if y_hi is not None and self.yclip:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        self.predicted_ = {"component": a, "target": target, "sq": sq, "r": r}
        return X, y
