"""trim20's adaptive probe: redteam27's split_gram with the decoy tasks split
round robin over ``ndecoy`` orthonormal decoy directions (⊥ U, b̂), to keep u
out of the top TOP_DIRECTIONS eigenvectors (an r + 1 split). Copied from
research/redteam27/splitgram.py; changes marked "trim20".

Twenty-seventh red team: ``split_gram`` — redteam26's ``dir_gram`` with the
adversary's ⌊αn⌋ light-2 tasks split in groups, each group writing along ONE
direction u_m (share ``mix`` of every row's energy), the u_m an orthonormal
rotation of span{b̂, next directions} with b̂ = Σ u_m/√r, plus a decoy group
along a direction d0 ⊥ all of them with a larger share (``decoy_mix``) so the
capped Gram's top eigenvector is d0 and the top-direction trim removes the
decoy. After the attack b is shrunk inside span U, b̂ turns to the residual
⊥ U, and the b̂ trim ranks clean tasks first (per-row weight along b̂ of an
adversary row ≈ mix·τ·(u_m·b̂)², small once b̂ ⊥ U).
"""
import numpy as np

from robust_mlr.adversary import register
from robust_mlr.adversary.pooling_attacks import _component

from dirgram import WHITEBOX, DirGram

#: first response of each crafted task -> its group (-1 decoy), for the driver's spies
TAGS = {}
DIRS = {}


def _hadamard(r):
    H = np.array([[1.0]])
    while H.shape[0] < r:
        H = np.block([[H, H], [H, -H]])
    return H


@register
class MultiDecoy(DirGram):
    name = "multi_decoy"

    def __init__(self, r=4, decoy=0.2, decoy_mix=0.9, extra="rand", dseed=0, cover=1.0, d0="rand", honest=False, ndecoy=4, **kw):
        super().__init__(**kw)
        self.ndecoy = int(ndecoy)                    # trim20
        self.r, self.decoy, self.decoy_mix = int(r), float(decoy), float(decoy_mix)
        self.extra, self.dseed, self.cover = extra, int(dseed), float(cover)
        self.d0, self.honest = d0, bool(honest)

    def _split_dirs(self, theta, a, d):
        b = WHITEBOX["bias"][:, a]
        vs = [b]
        rng = np.random.default_rng(self.dseed)
        if self.extra == "diff":
            vs += [theta.W[:, c] - theta.W[:, a] for c in range(theta.k) if c != a]
        while len(vs) < self.r + self.ndecoy:        # trim20: ndecoy decoy columns
            vs.append(rng.standard_normal(d))
        vs.append(rng.standard_normal(d))
        M = np.column_stack([v / np.linalg.norm(v) for v in vs])
        Q = np.linalg.qr(M)[0]                       # Q[:,0] = ±b̂
        # cover: the share cos²θ of b̂ inside span U (the rest, along Q[:, r+1], left
        # out so the attacked b̂ turns out of U and the b̂ trim ranks clean tasks first)
        c0 = np.sqrt(self.cover)
        Q[:, 0] = c0 * Q[:, 0] + np.sqrt(1 - c0 ** 2) * Q[:, self.r + self.ndecoy]
        U = Q[:, :self.r] @ _hadamard(self.r).T / np.sqrt(self.r)   # b̂ = Σ u_m/√r
        d0 = Q[:, self.r:self.r + self.ndecoy]      # trim20: (d, ndecoy)
        return U, d0

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
        sizes = data.sizes[idx]
        n = int(sizes.sum())
        anchored = bool(np.all(np.isfinite(W_h[:, a])))
        w_h = W_h[:, a] if anchored else theta.W[:, a]
        h = w_h - theta.W[:, a]
        U, d0 = self._split_dirs(theta, a, d)
        if self.d0 == "top":      # the decoy along the clean Gram's top direction ⊥ U, b̂
            P = np.linalg.qr(np.column_stack([U, WHITEBOX["bias"][:, a]]))[0]
            Gp = G_c - P @ (P.T @ G_c)
            Gp = Gp - (Gp @ P) @ P.T
            d0 = np.linalg.eigh((Gp + Gp.T) / 2)[1][:, -1]
        # group per task: decoy = first share of tasks (largest first), then round robin
        order = np.argsort(-sizes, kind="stable")
        grp = np.empty(idx.size, int)
        nd = int(round(self.decoy * idx.size))
        # decoy on an evenly spaced share of the tasks (by size), groups round robin
        dec = np.zeros(idx.size, bool)
        dec[np.floor(np.arange(nd) * idx.size / max(nd, 1)).astype(int)] = nd > 0
        grp[order[dec[:idx.size]]] = -1 - np.arange(int(dec.sum())) % self.ndecoy   # trim20
        grp[order[~dec]] = np.arange(idx.size - int(dec.sum())) % self.r
        rows_grp = np.repeat(grp, sizes)
        X = np.empty((n, d))
        for m in range(-self.ndecoy, self.r):       # trim20
            sel = rows_grp == m
            ns = int(sel.sum())
            if ns == 0:
                continue
            u = d0[:, -1 - m] if m < 0 else U[:, m]
            mix = self.decoy_mix if m < 0 else self.mix
            g = rng.standard_normal((ns, d))
            sign = np.sign(g[:, :1])
            perp = g - np.outer(g @ u, u)
            perp /= np.linalg.norm(perp, axis=1, keepdims=True)
            X[sel] = np.sqrt(mix) * sign * u[None, :] + np.sqrt(1 - mix) * perp
        X *= np.sqrt(sq * d) / np.linalg.norm(X, axis=1, keepdims=True)
        Xg = X[rows_grp >= 0] if self.honest else X
        G_b = Xg.T @ Xg
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
        if self.honest:           # the decoy tasks answer honestly (only their rows are odd)
            dec_rows = rows_grp < 0
            y[dec_rows] = X[dec_rows] @ theta.W[:, a] + s * rng.standard_normal(int(dec_rows.sum()))
        if y_hi is not None and self.yclip:
            y = np.clip(y, -_MARGIN * y_hi, _MARGIN * y_hi)
        self.predicted_ = {"component": a, "target": target, "sq": sq, "r": self.r}
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        DIRS.update(U=U, d0=d0)
        TAGS.clear()
        TAGS.update({(round(float(np.float32(y[s0])), 3), round(float(np.float32(y[s0 + 1])), 3)): int(g) for s0, g in zip(starts, grp)})
        return X, y
