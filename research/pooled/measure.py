"""Measurements of the heavy-pool anchor of the regression stage, clean and
under attack, with the anchor on and off (and the ICML learner on clean data).

    PYTHONPATH=$PWD:research/redteam/redteam4 python3 research/pooled/measure.py clean SEEDS
    ... measure.py hetero SEEDS          heterogeneous light sizes: clean and a
                                         noise-free shift of the largest light-2 tasks
    ... measure.py smallheavy SEEDS      d 64, k 8, heavy 20000x4, light2 20000x16: clean
"""
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.data import MetaDataset, Pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression


def run(learner, pools, theta):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = learner.fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    reg = m.diagnostics_["regression"]
    a = reg.get("anchor", {})
    T = a.get("statistic")
    return (f"w {e['w_err']:.4f} s2 {e['s2_err']:.4f} p {e['p_err']:.4f} warned {int(warned)} "
            f"t {time.perf_counter() - t0:.2f}s reliable "
            f"{reg.get('heavy_assignment', {}).get('reliable')} "
            f"T {None if T is None else np.round(T, 0).tolist()} allow "
            f"{np.round(a.get('bias_allowance', []), 1).tolist()}")


def learners(k, alpha, seed):
    return {"robust anchor": MetaLearner.robust(k, alpha, rng=seed),
            "robust no anchor": MetaLearner.robust(k, alpha, rng=seed,
                                                   regression=FilterRegression(anchor=False))}


def shift_largest(pools, theta, alpha, delta, rng):
    """floor(alpha n) largest light-2 tasks of component 0 made noise-free at
    w0 + delta*s*u (u orthogonal to W)."""
    L2 = pools.light2
    W, s = theta.W, theta.s
    d, k = W.shape
    Q, _ = np.linalg.qr(np.column_stack([W, rng.standard_normal(d)]))
    u = Q[:, k]
    comp0 = np.flatnonzero(L2.components == 0)
    pick = comp0[np.argsort(-L2.sizes[comp0], kind="stable")][:int(np.floor(alpha * L2.n_tasks))]
    rows = np.zeros(L2.n_examples, bool)
    rows[np.repeat(np.isin(np.arange(L2.n_tasks), pick), L2.sizes)] = True
    y = L2.y.copy()
    y[rows] = L2.X[rows] @ (W[:, 0] + delta * s[0] * u)
    return Pools(pools.light1, pools.heavy, MetaDataset(L2.X, y, L2.offsets, L2.components))


mode, seeds = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
alpha = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
for seed in seeds:
    if mode == "clean":
        theta, pools = make_problem(dict(PROBLEM, sizes="fixed"), np.random.default_rng([seed, 11]))
        cases = dict(learners(4, alpha, seed), icml=MetaLearner.icml(4, rng=seed))
        for name, lr in cases.items():
            print(f"clean s{seed} {name:18s}", run(lr, pools, theta), flush=True)
    elif mode == "hetero":
        theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([seed, 11]))
        for name, lr in learners(4, alpha, seed).items():
            print(f"hetero clean s{seed} {name:18s}", run(lr, pools, theta), flush=True)
        for delta in (0.4, 0.8):
            P = shift_largest(pools, theta, alpha, delta, np.random.default_rng([seed, 5]))
            for name, lr in learners(4, alpha, seed).items():
                print(f"hetero shift {delta} s{seed} {name:18s}", run(lr, P, theta), flush=True)
    elif mode == "smallheavy":
        rng = np.random.default_rng([seed, 12])
        theta = make_params(64, 8, rng=rng)
        pools = make_pools(theta, 60000, 2, 20000, 4, 20000, 16, rng=rng)
        for name, lr in learners(8, alpha, seed).items():
            print(f"smallheavy s{seed} {name:18s}", run(lr, pools, theta), flush=True)
