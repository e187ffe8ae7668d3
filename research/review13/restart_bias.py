"""Does the second regression pass, started from the first pass's
removals (``removed=``), keep a bias the first pass's removals carry?

One component (d 16, 4 000 tasks of 8 examples, s = 1), ⌊αn⌋ = 200
corrupted tasks of w + δu (α = 0.05). Pass 1 labels every task (the
first classification let them all in); pass 2 sets aside a share of the
corrupted tasks (the reclassification flags them) and keeps the rest
(the pass's first round fails). Pass 2's ŵ error / s and its removals,
started from nothing ("fresh") or from pass 1's removals ("restart"),
over seeds.

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/restart_bias.py
"""
import numpy as np

from robust_mlr import MetaDataset, make_params, make_tasks
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel


def pool(seed, delta, t=8, n=4000, d=16, alpha=0.05):
    theta = make_params(d, 1, rng=seed)
    ds = make_tasks(theta, n, t, rng=seed + 1)
    rng = np.random.default_rng(seed + 2)
    bad = np.zeros(n, bool)
    bad[rng.choice(n, int(alpha * n), replace=False)] = True
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    rows = np.repeat(bad, ds.sizes)
    y = ds.y.copy()
    y[rows] += delta * theta.s[0] * (ds.X[rows] @ u)
    return theta, MetaDataset(ds.X, y, ds.offsets), bad


def main():
    thr = ThreatModel(0.05)
    for delta in (0.5, 1.0, 2.0, 4.0):
        for keep in (0.1, 0.3, 0.6):
            res = {"fresh": [], "restart": []}
            for seed in range(10):
                theta, ds, bad = pool(seed, delta)
                lab1 = np.zeros(ds.n_tasks, int)
                first = FilterRegression().fit(ds, lab1, 1, threat=thr, rng=seed)
                removed = first.labels_ < 0
                lab2 = lab1.copy()
                rng = np.random.default_rng(seed + 5)
                flag = bad & (rng.random(ds.n_tasks) > keep)
                lab2[flag] = -1
                for name, pre in (("fresh", None), ("restart", removed)):
                    m = FilterRegression().fit(ds, lab2, 1, threat=thr, rng=seed + 7, removed=pre)
                    rm = (lab2 >= 0) & (m.labels_ < 0)
                    res[name].append((np.linalg.norm(m.W_[:, 0] - theta.W[:, 0]) / theta.s[0],
                                      int((rm & ~bad).sum()), int((rm & bad).sum()),
                                      bool(m.info_["passed"]), m.s2_[0] / theta.s[0] ** 2))
            line = f"delta {delta:3.1f} kept bad {keep:.1f}:"
            for name, r in res.items():
                e, cl, bd, ok, s2 = map(np.array, zip(*r))
                line += (f"  {name} err {e.mean():.4f} (max {e.max():.4f}) clean_rm {cl.mean():5.1f} "
                         f"bad_rm {bd.mean():5.1f} passed {ok.mean():.1f} s2 {s2.mean():.3f}")
            print(line, flush=True)


if __name__ == "__main__":
    main()
