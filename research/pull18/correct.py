"""Candidate fixes of the light estimate's clean bias, evaluated on captured
clean fits (seeds 0-4, both size laws, alpha 0.05): the light estimate as is,
minus its estimated misclassification bias (on the pool's responses, B_pool,
and on responses drawn from the fitted model, B_model), each then pooled with
the heavy estimate by the library's pool_estimates (pull 1); errors max over
components of ||.-w||/s, and the mean over components of the light estimate's
error.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/pull18/correct.py
"""
import sys
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.stages.regression import _pooled, stages
from robust_mlr.stages.regression._misclass import misclassification_bias, model_bias

CAP = {}
_pe, _uh = _pooled.pool_estimates, stages.use_heavy


def spy_pe(*args, **kw):
    CAP["pe"] = (args, kw)
    return _pe(*args, **kw)


def spy_uh(light, labels, kept, heavy, W, s2, p, *a, **kw):
    CAP["uh"] = (light, np.asarray(kept).copy(), W.copy(), s2.copy(), p.copy())
    return _uh(light, labels, kept, heavy, W, s2, p, *a, **kw)


_pooled.pool_estimates, stages.use_heavy = spy_pe, spy_uh


def err(W, theta):
    return max(np.linalg.norm(W[:, [c]] - theta.W, axis=0).min() / theta.s[0]
               for c in range(W.shape[1]))


def mean_err(W, theta):
    return np.mean([np.linalg.norm(W[:, [c]] - theta.W, axis=0).min() / theta.s[0]
                    for c in range(W.shape[1])])


def main(sizes_list, seeds=range(5), alpha=0.05):
    for sizes in sizes_list:
        acc = {}
        for seed in seeds:
            theta, pools = make_problem(dict(PROBLEM, sizes=sizes),
                                        np.random.default_rng([seed, 11]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
            args, kw = CAP["pe"]
            light, kept, W, s2, p = CAP["uh"]
            W_L, gram_l, kappa, W_H, gram_h, s2_h = args[:6]
            k = W.shape[1]
            comps = list(range(k))
            B_pool = misclassification_bias(light, kept, W, s2, p, gram_l, comps)
            B_model = model_bias(light, W, s2, p, gram_l, comps, np.random.default_rng(seed))
            rows = {"final": m.W_, "light": W_L, "heavy": W_H}
            for name, B in (("L-Bpool", B_pool), ("L-Bmodel", B_model)):
                Wc = W_L - B
                rows[name] = Wc
                Wp, info = _pe(Wc, gram_l, kappa, W_H, gram_h, s2_h, pull=1.0)
                rows[name + " pooled"] = Wp
                rows[name + " T"] = info["statistic"]
            rows["light pooled"] = _pe(W_L, gram_l, kappa, W_H, gram_h, s2_h, pull=1.0)[0]
            line = []
            for name, v in rows.items():
                if name.endswith(" T"):
                    line.append(f"{name} {np.round(v, 0).astype(int).tolist()}")
                    continue
                acc.setdefault(name, []).append(err(v, theta))
                line.append(f"{name} {err(v, theta):.4f}/{mean_err(v, theta):.4f}")
            cos = [float(B_model[:, c] @ B_pool[:, c] / np.linalg.norm(B_model[:, c])
                         / np.linalg.norm(B_pool[:, c])) for c in range(k)]
            print(f"{sizes} seed {seed}: " + " | ".join(line)
                  + f" | cos(Bmodel,Bpool) {np.round(cos, 2).tolist()}", flush=True)
        print(sizes, "mean of max errors:", {n: round(float(np.mean(v)), 4) for n, v in acc.items()},
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ("hetero", "fixed"))
