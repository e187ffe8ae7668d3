"""The pooled estimate's predicted clean gain over the heavy estimate, from
the fitted model only: with A = (Σ_L⁻¹ + Σ_H⁻¹)⁻¹Σ_L⁻¹ (the full
precision-weighted pooling) and b the light estimate's bias predicted on
responses drawn from the fitted model (model_bias),

    ratio = [tr((I − A)Σ_H(I − A)ᵀ) + tr(AΣ_LAᵀ) + |Ab|²] / tr(Σ_H),

the pooled estimate's mean squared error over the heavy one's. Printed per
component for clean fits (seeds 0-4, both size laws), with the realised
ratio |pooled − w|² / |ŵ_H − w|² beside it.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull18/gain.py
"""
import sys
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression import _pooled, stages
from robust_mlr.stages.regression._misclass import model_bias

CAP = {}
_pe, _uh = _pooled.pool_estimates, stages.use_heavy


def spy_pe(*args, **kw):
    CAP["pe"] = (args, kw)
    return _pe(*args, **kw)


def spy_uh(light, labels, kept, heavy, W, s2, p, *a, **kw):
    CAP["uh"] = (light, np.asarray(kept).copy(), W.copy(), s2.copy(), p.copy())
    return _uh(light, labels, kept, heavy, W, s2, p, *a, **kw)


_pooled.pool_estimates, stages.use_heavy = spy_pe, spy_uh


def main(sizes_list, seeds=range(5), alpha=0.05):
    for sizes in sizes_list:
        for seed in seeds:
            theta, pools = make_problem(dict(PROBLEM, sizes=sizes),
                                        np.random.default_rng([seed, 11]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
            args, _ = CAP["pe"]
            light, kept, W, s2, p = CAP["uh"]
            W_L, gram_l, kappa, W_H, gram_h, s2_h = args[:6]
            k = W.shape[1]
            B = model_bias(light, W, s2, p, gram_l, list(range(k)), np.random.default_rng(99))
            pred, real = [], []
            for c in range(k):
                j = int(np.argmin(np.linalg.norm(W_H[:, [c]] - theta.W, axis=0)))
                cl = s2_h[c] * kappa[c] * np.linalg.inv(gram_l[c])
                ch = s2_h[c] * np.linalg.inv(gram_h[c])
                pl = np.linalg.inv(cl)
                A = np.linalg.solve(pl + np.linalg.inv(ch), pl)
                I = np.eye(A.shape[0])
                mse = (np.trace((I - A) @ ch @ (I - A).T) + np.trace(A @ cl @ A.T)
                       + float(np.sum((A @ B[:, c]) ** 2)))
                pred.append(mse / np.trace(ch))
                full = W_H[:, c] + A @ (W_L[:, c] - W_H[:, c])
                real.append(np.sum((full - theta.W[:, j]) ** 2)
                            / np.sum((W_H[:, c] - theta.W[:, j]) ** 2))
            print(f"{sizes} seed {seed}: predicted {np.round(pred, 2).tolist()} "
                  f"realised {np.round(real, 2).tolist()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ("fixed", "hetero"))
