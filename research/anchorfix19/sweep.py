"""Degenerate-task sweep: ⌊αn⌋ tasks of one pool replaced by a degenerate
family, every learner must return an estimate (no exception).

Families: zero (rows × 0), constant (one repeated row, same y), duplicated
(copies of one clean task), extreme (one ±1e300 entry in X and y), single
(rows with one nonzero feature), deflate (the rows' whitened component on
one direction × 0, responses kept consistent: research/whiten19/attack.py).
Law gaussian / polynomial (Chebyshev), QUICK shape of
benchmarks/bench_covariate_laws.py (d = 16, k = 3), seed 1.
Fits: robust × covariates isotropic/auto/estimate; ICML (covariates auto);
robust with clustering peng_wei_robust / moments_robust / em_robust
(covariates auto). Printed per case: raised?, CorruptionWarning?, W err/s.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/anchorfix19/sweep.py LAW [ALPHAS...]

With ``--icml-alpha`` only the ICML learner, given alpha (its stages are
not robust; the clustering then sets far tasks aside); ``--only=FAMILY``
runs one family; ``--all-pools`` corrupts every pool at once (the case
of research/whiten19/attack.py).
"""
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import QUICK, law_problem  # noqa: E402
from robust_mlr import MetaLearner, Pools  # noqa: E402
from robust_mlr.data import MetaDataset  # noqa: E402
from robust_mlr.exceptions import CorruptionWarning  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402

FAMILIES = ("zero", "constant", "duplicated", "extreme", "single", "deflate")


def corrupt(ds, theta, kind, alpha, rng, u_raw):
    n, d = ds.n_tasks, ds.dim
    m = int(np.floor(alpha * n))
    tasks = np.sort(rng.choice(n, m, replace=False))
    X, y, comp = ds.X.copy(), ds.y.copy(), ds.components.copy()
    if kind == "duplicated":
        keep = np.setdiff1d(np.arange(n), tasks)
        sub = ds.subset(np.r_[keep, np.full(m, keep[0])])
        return MetaDataset(sub.X, sub.y, sub.offsets, np.r_[comp[keep], np.full(m, -1)])
    for i in tasks:
        a, b = ds.offsets[i], ds.offsets[i + 1]
        if kind == "zero":
            X[a:b] = 0.0
        elif kind == "constant":
            X[a:b], y[a:b] = X[a], y[a]
        elif kind == "extreme":
            X[a, rng.integers(d)] = rng.choice([-1e300, 1e300])
            y[a] = rng.choice([-1e300, 1e300])
        elif kind == "single":
            j = rng.integers(d)
            keep = X[a:b, j].copy()
            X[a:b] = 0.0
            X[a:b, j] = keep
        elif kind == "deflate":
            ua, ub = u_raw
            dX = -np.outer(X[a:b] @ ua, ub)
            y[a:b] += dX @ theta.W[:, ds.components[i]]
            X[a:b] += dX
        comp[i] = -1
    return MetaDataset(X, y, ds.offsets, comp)


def fits(k, alpha):
    if ICML_ALPHA:                        # the ICML learner told the budget
        yield "icml/alpha", MetaLearner.icml(k, rng=1, alpha=alpha)
        return
    for cov in ("isotropic", "auto", "estimate"):
        yield f"robust/{cov}", MetaLearner.robust(k, alpha, rng=1, covariates=cov)
    yield "icml/auto", MetaLearner.icml(k, rng=1)
    for cl in ("peng_wei_robust", "moments_robust", "em_robust"):
        yield f"robust+{cl}", MetaLearner.robust(k, alpha, rng=1, clustering=cl)


ICML_ALPHA = "--icml-alpha" in sys.argv
ONLY = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")]
ALL = "--all-pools" in sys.argv
args = [a for a in sys.argv[1:] if not a.startswith("--")]
law = args[0]
alphas = [float(a) for a in args[1:]] or [0.02, 0.05, 0.1]
d, k = QUICK["d"], QUICK["k"]
S = covariate_moment(law, d)
L = np.linalg.cholesky(S)
e0 = np.zeros(d); e0[0] = 1.0
u_raw = (np.linalg.inv(L).T @ e0, L @ e0)
theta, pools, _ = law_problem(law, d, k, QUICK["sizes"], 1)
print(f"law {law} d {d} k {k} sizes {QUICK['sizes']} seed 1", flush=True)
raised = 0
for alpha in alphas:
    for kind in ONLY or FAMILIES:
        for pool in ("all",) if ALL else Pools.names:
            P = Pools(**{nm: corrupt(pools[nm], theta, kind, alpha, np.random.default_rng(7), u_raw)
                         if pool in (nm, "all") else pools[nm] for nm in Pools.names})
            for name, est in fits(k, alpha):
                t0 = time.perf_counter()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        est.fit(P)
                        w = parameter_errors(est.W_, est.s2_, est.p_, theta)["w_err"]
                        res = f"ok     W {w:7.3f}"
                    except Exception as exc:  # noqa: BLE001 — the sweep records it
                        raised += 1
                        res = f"RAISED {type(exc).__name__}: {str(exc)[:90]}"
                warned = int(any(issubclass(c.category, CorruptionWarning) for c in caught))
                print(f"{law:<10} a {alpha:<4} {kind:<10} {pool:<6} {name:<22} {res} "
                      f"warned {warned} {time.perf_counter() - t0:5.1f}s", flush=True)
print(f"raised {raised}", flush=True)
