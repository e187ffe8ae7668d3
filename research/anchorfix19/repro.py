"""Reproduce the heavy anchor's LinAlgError under the x0 (deflation) attack
of research/whiten19/attack.py: Chebyshev law, QUICK shape (d = 16, k = 3),
seed 1, ⌊αn⌋ tasks per pool with the whitened rows' coordinate on u zeroed.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/anchorfix19/repro.py
"""
import sys
import traceback
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import QUICK, law_problem  # noqa: E402
from robust_mlr import MetaLearner, Pools  # noqa: E402
from robust_mlr.data import MetaDataset  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402


def scaled_along(pools, theta, alpha, c, u_raw):
    out = {}
    for name in Pools.names:
        ds = pools[name]
        m = int(np.floor(alpha * ds.n_tasks))
        rows = ds.offsets[m]
        X, y = ds.X.copy(), ds.y.copy()
        a, b = u_raw
        dX = (c - 1) * np.outer(X[:rows] @ a, b)
        comp = np.repeat(ds.components[:m], ds.sizes[:m])
        y[:rows] += np.einsum("ij,ji->i", dX, theta.W[:, comp])
        X[:rows] += dX
        out[name] = MetaDataset(X, y, ds.offsets, ds.components)
    return Pools(**out)


law = sys.argv[1] if len(sys.argv) > 1 else "polynomial"
d, k = QUICK["d"], QUICK["k"]
S = covariate_moment(law, d)
L = np.linalg.cholesky(S)
Li = np.linalg.inv(L)
u = np.zeros(d); u[0] = 1.0
u_raw = (Li.T @ u, L @ u)
theta, pools, _ = law_problem(law, d, k, QUICK["sizes"], 1)
for alpha in (0.05, 0.1):
    P = scaled_along(pools, theta, alpha, 0.0, u_raw)
    for cov in ("estimate", "auto", "isotropic"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = MetaLearner.robust(k, alpha, rng=1, covariates=cov).fit(P)
            except Exception as exc:  # noqa: BLE001
                print(f"alpha {alpha} {cov:<9} raised {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=-3)
                continue
        w = parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
        warned = any("orrupt" in type(c_.message).__name__ for c_ in caught)
        print(f"alpha {alpha} {cov:<9} W err {w:.3f} warned {int(warned)}")
