"""Equal light sizes (cost check of the top-4 trim): redteam27's ``relabel27``
(eq27.py: the attacked component's ⌊αn⌋ light-2 tasks of most information
along the clean fit's predicted bias b̂ — or, ``--rank top``, along the clean
capped Gram's top 4 eigenvectors, the new trim's own ranking, or ``rand`` —
rewritten as honest tasks of the next component: clean-looking data). Does
the pull stay on? Problem as eq27 (make_params(32, 4, rng=s), make_pools(θ,
20000, 2, 400, 128, 20000, 8, rng=s + 100)). One JSONL line per fit.

    PYTHONPATH=$PWD:research/redteam27 OMP_NUM_THREADS=1 python3 research/redteam28/eq28.py --seed 0 --rank bias
"""
import argparse
import json
import time
import warnings

import numpy as np

import eq27
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.generator import make_params, make_pools
from robust_mlr.stages.regression._pull_trim import top_directions


def fit(seed, pools):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(4, 0.05, rng=seed).fit(pools)
    return m, any(issubclass(w.category, CorruptionWarning) for w in ws), time.perf_counter() - t0


class TopRelabel(eq27.Relabel):
    """relabel27 ranked by the largest Σ_j (x_jᵀv_m)² over the clean Gram's top 4 eigenvectors."""
    name = "relabel28_top"

    def choose(self, data, n_bad, ctx, rng):
        comps = data.components
        V = eq27.B["V"]
        v = np.max([data.task_sums((data.X @ V[:, m]) ** 2) for m in range(V.shape[1])], axis=0)
        key = np.where(comps == self.comp, -v, np.inf)
        return np.sort(np.argsort(key, kind="stable")[:n_bad])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rank", default="bias")
    ap.add_argument("--out", default="research/redteam28/logs/fits.jsonl")
    a = ap.parse_args()
    s = a.seed
    theta = make_params(32, 4, rng=s)
    pools = make_pools(theta, 20000, 2, 400, 128, 20000, 8, rng=s + 100)
    m, warned, t0 = fit(s, pools)
    an = m.diagnostics_["regression"]["anchor"]
    W0, _ = eq27.err(m, theta)
    print(f"seed {s} equal clean W {W0:.5f} warned {warned} pull {np.round(an['pull'], 2)} ratio "
          f"{np.round(an['mse_ratio'], 3)} trim {np.round(an['mse_ratio_trimmed'], 3)}", flush=True)
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [c]], axis=0))) for c in range(4)]
    L = pools.light2
    with open(a.out, "a") as f:
        for c in range(4):
            eq27.B["b"] = np.asarray(an["predicted_bias"])[:, order[c]]
            sel = L.components == c        # the component's clean Gram (uncapped: rows are N(0, I))
            Xc = L.X[np.repeat(sel, L.sizes)]
            eq27.B["V"] = top_directions(Xc.T @ Xc)
            to = (c + 1) % 4
            att = TopRelabel(comp=c, to=to) if a.rank == "top" else eq27.Relabel(comp=c, to=to, rank=a.rank)
            bad = corrupt_pools(pools, att, 0.05, theta=theta, rng=np.random.default_rng([s, 28, c]))
            m2, w2, t = fit(s, bad)
            an2 = m2.diagnostics_["regression"]["anchor"]
            W2, e2 = eq27.err(m2, theta)
            rec = dict(seed=s, sizes="equal", family=f"eq_{a.rank}", index=c, note=f"comp {c}->{to}",
                       key=[s, 28, c], clean_W=W0, clean_time=t0, W=W2, ratio_to_clean=W2 / W0,
                       warned=w2, time=t, time_ratio=t / t0, exception="",
                       pull=np.asarray(an2["pull"]).tolist(), mse_ratio=np.asarray(an2["mse_ratio"]).tolist(),
                       mse_ratio_trimmed=np.asarray(an2["mse_ratio_trimmed"]).tolist(),
                       clean_pull=np.asarray(an["pull"]).tolist())
            f.write(json.dumps(rec) + "\n")
            f.flush()
            print(f"  comp {c}->{to} ({a.rank}): W {W2:.5f} ({W2 / W0:.3f}x) warned {w2} t {t / t0:.2f}x pull "
                  f"{np.round(an2['pull'], 2)} ratio {np.round(an2['mse_ratio'], 3)} trim "
                  f"{np.round(an2['mse_ratio_trimmed'], 3)}", flush=True)


if __name__ == "__main__":
    main()
