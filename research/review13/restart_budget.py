"""Pass 1 at a wrong classification (W̃ off): the first filter spends its budget
on clean tasks of another component. Pass 2 (correct labels) then starts from
those removals. Does the restart spend pass 2's budget before it finds the
corrupted tasks, so that the stage fails (a CorruptionWarning) and ŵ is fitted
without a chosen set of clean tasks?

The pool: k = 2 (d 16, tasks of 8 examples, s = 1, ‖w0 − w1‖ = 2), 4 000 clean tasks
a component, and in each component ``bad`` tasks of w_c + 2u_c (α = 0.05 of the pool
in all). Pass 1 labels the ``mis`` tasks of component 1 that fit w0 best as
component 0, and the rest correctly. Pass 2 labels every task by its truth.
Output over seeds: component 1's ŵ error / s, the tasks it removed (clean, bad),
and whether the stage passed, for a fresh pass 2 for one restarted from pass 1's removals
("restart", 9db0a36) and for one restarted from those of them that pass 2 labels
as pass 1 did ("same-label", this branch's learner).

    PYTHONPATH=<tree> OMP_NUM_THREADS=1 python3 research/review13/restart_budget.py [seeds bad:mis ...]
"""
import numpy as np

from robust_mlr import MetaDataset, MLRParams, make_tasks
from robust_mlr.stages.regression import FilterRegression
from robust_mlr.threat import ThreatModel


def pool(seed, bad_per, d=16, n=4000, t=8):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(d)
    w0 /= np.linalg.norm(w0)
    e = rng.standard_normal(d)
    e -= (e @ w0) * w0
    w1 = w0 + 2 * e / np.linalg.norm(e)
    W = np.column_stack([w0, w1])
    theta = MLRParams(W, np.ones(2), np.array([0.5, 0.5]))
    ds = make_tasks(theta, 2 * (n + bad_per), t, rng=seed + 1)
    comp = ds.components.copy()
    bad = np.zeros(ds.n_tasks, bool)
    y = ds.y.copy()
    for c in range(2):
        idx = rng.choice(np.flatnonzero(comp == c), bad_per, replace=False)
        bad[idx] = True
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
        rows = np.repeat(np.isin(np.arange(ds.n_tasks), idx), ds.sizes)
        y[rows] += 2.0 * (ds.X[rows] @ u)
    return theta, MetaDataset(ds.X, y, ds.offsets), comp, bad


def main(seeds=8, cases=((60, 300), (60, 450), (60, 600), (150, 450))):
    thr = ThreatModel(0.05)
    for bad_per, mis in cases:
        res = {"fresh": [], "restart": [], "same-label": []}
        for seed in range(seeds):
            theta, ds, comp, bad = pool(seed, bad_per)
            rss0 = ds.task_sums((ds.y - ds.X @ theta.W[:, 0]) ** 2)
            lab1 = comp.copy()
            c1 = np.flatnonzero((comp == 1) & ~bad)
            lab1[c1[np.argsort(rss0[c1])[:mis]]] = 0        # the ones closest to w0
            first = FilterRegression().fit(ds, lab1, 2, threat=thr, rng=seed)
            removed = (lab1 >= 0) & (first.labels_ < 0)
            same = removed & (lab1 == comp)             # removed from the component pass 2 gives
            for name, pre in (("fresh", None), ("restart", removed), ("same-label", same)):
                m = FilterRegression().fit(ds, comp, 2, threat=thr, rng=seed + 7, removed=pre)
                rm = m.labels_ < 0
                res[name].append((np.linalg.norm(m.W_[:, 1] - theta.W[:, 1]),
                                  int((rm & ~bad & (comp == 1)).sum()),
                                  int((rm & bad & (comp == 1)).sum()),
                                  bool(m.info_["passed"]), m.s2_[1],
                                  int(removed.sum()), bool(first.info_["passed"])))
        line = f"bad/comp {bad_per} mis {mis}:"
        for name, r in res.items():
            e, cl, bd, ok, s2, r1, ok1 = map(np.array, zip(*r))
            line += (f"  {name}: err1 {e.mean():.4f} (max {e.max():.4f}) clean_rm1 {cl.mean():5.1f} "
                     f"bad_rm1 {bd.mean():5.1f}/{bad_per} passed {ok.mean():.2f} s2_1 {s2.mean():.3f}")
        line += f"  [pass 1 removed {r1.mean():.0f}, passed {ok1.mean():.2f}]"
        print(line, flush=True)


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1:                        # seeds, then bad/comp:mis pairs
        main(int(sys.argv[1]), [tuple(map(int, c.split(":"))) for c in sys.argv[2:]])
    else:
        main()
