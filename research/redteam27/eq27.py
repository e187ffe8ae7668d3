"""Equal light sizes (default problem): can ⌊αn⌋ honest-looking light-2 tasks
turn the trim's pull OFF (cost)? ``relabel``: the attacked component's ⌊αn⌋
light-2 tasks of most information along the clean fit's predicted bias b̂
(white-box) are rewritten as honest tasks of another component (fresh
N(0, I) rows, y = Xw_c' + s_c' noise): the data are a clean mixture with
shifted weights; component c loses its most b̂-informative tasks, so its
ratio and trimmed ratio rise.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/redteam27/eq27.py --seed 0
"""
import argparse
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import Attack, corrupt_pools, register
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.generator import make_params, make_pools

B = {}


@register
class Relabel(Attack):
    name = "relabel27"
    stage = "regression"
    targets = ("light2",)

    def __init__(self, comp=0, to=1, rank="bias"):
        self.comp, self.to, self.rank = int(comp), int(to), rank

    def choose(self, data, n_bad, ctx, rng):
        comps = data.components
        u = B["b"] / np.linalg.norm(B["b"])
        if self.rank == "bias":
            v = data.task_sums((data.X @ u) ** 2)
        else:
            v = rng.random(data.n_tasks)
        key = np.where(comps == self.comp, -v, np.inf)
        return np.sort(np.argsort(key, kind="stable")[:n_bad])

    def craft(self, data, idx, ctx, rng):
        th = ctx.need_theta(self.name)
        n = int(data.sizes[idx].sum())
        X = rng.standard_normal((n, data.dim))
        y = X @ th.W[:, self.to] + th.s[self.to] * rng.standard_normal(n)
        return X, y


def fit(k, alpha, seed, pools):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(k, alpha, rng=seed).fit(pools)
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    return m, warned


def err(m, theta):
    e = []
    for a in range(theta.k):
        e.append(np.min(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0)) / theta.s[a])
    return max(e), e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rank", default="bias")
    a = ap.parse_args()
    s = a.seed
    theta = make_params(32, 4, rng=s)
    pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=s + 100)
    m, warned = fit(4, 0.05, s, pools)
    an = m.diagnostics_["regression"]["anchor"]
    W0, e0 = err(m, theta)
    print(f"seed {s} clean W {W0:.4f} warned {warned} pull {np.round(an['pull'], 2)} ratio "
          f"{np.round(an['mse_ratio'], 3)} trim {np.round(an['mse_ratio_trimmed'], 3)}", flush=True)
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [c]], axis=0))) for c in range(4)]
    for c in range(4):
        B["b"] = np.asarray(an["predicted_bias"])[:, order[c]]
        to = (c + 1) % 4
        bad = corrupt_pools(pools, Relabel(comp=c, to=to, rank=a.rank), 0.05,
                            theta=theta, rng=np.random.default_rng([s, 27, c]))
        m2, w2 = fit(4, 0.05, s, bad)
        an2 = m2.diagnostics_["regression"]["anchor"]
        W2, e2 = err(m2, theta)
        print(f"  comp {c}->{to} ({a.rank}): W {W2:.4f} ({W2 / W0:.2f}x) warned {w2} pull "
              f"{np.round(an2['pull'], 2)} ratio {np.round(an2['mse_ratio'], 3)} trim "
              f"{np.round(an2['mse_ratio_trimmed'], 3)} per-comp {np.round(e2, 4)}", flush=True)


if __name__ == "__main__":
    main()
