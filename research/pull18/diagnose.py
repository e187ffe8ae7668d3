"""Why the light pool buys no clean precision with light sizes 2-64.

For clean fits (seeds 0-4, both size laws, alpha 0.05) of the default robust
learner, capture the anchor's inputs (pool_estimates) and print per component:
errors ||.-w||/s of the light estimate, the heavy estimate, the pooled one and
an oracle light estimate (the same capped weighted least squares on the tasks'
true components); the Mahalanobis norms^2 of (w_L - w) under the covariance
the anchor uses (Sigma_L) and of (w_H - w) under Sigma_H (both ~ chi2_32,
mean 32, if the estimates are unbiased and the covariances right), the
statistic T and the share of (w_L - w) explained by the classification
(w_L - w_oracle).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull18/diagnose.py
"""
import sys
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression import _pooled
from robust_mlr.stages.regression._misclass import example_weights

CAP = {}
_orig = _pooled.pool_estimates


def spy(*args, **kw):
    CAP["args"] = args
    out = _orig(*args, **kw)
    CAP["out"] = out
    return out


_pooled.pool_estimates = spy
_orig_lc = _pooled.light_covariances


def spy_lc(data, labels, k, *a, **kw):
    CAP["kept"] = np.asarray(labels).copy()
    return _orig_lc(data, labels, k, *a, **kw)


_pooled.light_covariances = spy_lc


def oracle(light, z, k, c):
    d = light.dim
    off = light.offsets
    t = np.diff(off)
    w_rows = np.repeat(c, t)
    zz = np.repeat(z, t)
    W = np.zeros((d, k))
    G = np.zeros((k, d, d))
    for ell in range(k):
        r = zz == ell
        X, y, w = light.X[r], light.y[r], w_rows[r]
        G[ell] = X.T @ (X * w[:, None])
        W[:, ell] = np.linalg.solve(G[ell], X.T @ (w * y))
    return W, G


def main(sizes_list=("fixed", "hetero"), seeds=range(5), alpha=0.05):
    for sizes in sizes_list:
        for seed in seeds:
            theta, pools = make_problem(dict(PROBLEM, sizes=sizes),
                                        np.random.default_rng([seed, 11]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
            W_L, gram_l, kappa, W_H, gram_h, s2_h = CAP["args"][:6]
            W_P, info = CAP["out"]
            k, s = theta.k, theta.s
            perm = [int(np.argmin(np.linalg.norm(W_P[:, [c]] - theta.W, axis=0)))
                    for c in range(k)]
            light = pools.light2
            c = example_weights(light, True)
            W_O, G_O = oracle(light, light.components, k, c)
            final = np.max([np.linalg.norm(m.W_[:, [j]] - theta.W, axis=0).min() / s[0]
                            for j in range(k)])
            print(f"== {sizes} seed {seed} final max err {final:.4f}")
            for ell in range(k):
                j = perm[ell]
                w = theta.W[:, j]
                sj = np.sqrt(theta.s2[j]) if hasattr(theta, "s2") else s[j]
                cov_l = s2_h[ell] * kappa[ell] * np.linalg.inv(gram_l[ell])
                cov_h = s2_h[ell] * np.linalg.inv(gram_h[ell])
                eL, eH = W_L[:, ell] - w, W_H[:, ell] - w
                mL = eL @ np.linalg.solve(cov_l, eL)
                mH = eH @ np.linalg.solve(cov_h, eH)
                eO = W_O[:, j] - w
                bias = W_L[:, ell] - W_O[:, j]
                mB = bias @ np.linalg.solve(cov_l, bias)
                mO = eO @ np.linalg.solve(cov_l, eO)
                # ideal precision-weighted pool without the shrink
                pl, ph = np.linalg.inv(cov_l), np.linalg.inv(cov_h)
                full = np.linalg.solve(pl + ph, pl @ W_L[:, ell] + ph @ W_H[:, ell])
                n_kept = int(np.sum(CAP["kept"] == ell))
                n_true = int(np.sum(light.components == j))
                print(f"  c{ell}: err L {np.linalg.norm(eL)/sj:.4f} H {np.linalg.norm(eH)/sj:.4f}"
                      f" pooled {np.linalg.norm(W_P[:, ell]-w)/sj:.4f}"
                      f" fullpool {np.linalg.norm(full-w)/sj:.4f}"
                      f" oracle {np.linalg.norm(eO)/sj:.4f} | mahal L {mL:.1f} H {mH:.1f}"
                      f" oracle {mO:.1f} bias(L-O) {mB:.1f} T {info['statistic'][ell]:.1f}"
                      f" | s2_h/s2 {s2_h[ell]/sj**2:.3f} kappa {kappa[ell]:.3f}"
                      f" kept {n_kept} true {n_true}"
                      f" tr(covL)/tr(covH) {np.trace(cov_l)/np.trace(cov_h):.3f}"
                      f" share {info['light_weight'][ell]:.3f} failed {int(info['failed'][ell])}",
                      flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ("fixed", "hetero"))
