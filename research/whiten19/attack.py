"""Covariance-directed attacks on the whitening's trimmed Σ̂: in every pool
⌊αn⌋ tasks have their rows' component along one direction u (the first
eigenvector of the true Σ, in whitened coordinates) multiplied by c, the
responses made consistent (y + (x' − x)ᵀw_c, the same noise): c = 30
inflates Σ̂ along u, c = 0 deflates it; ``tilt`` is the package's
CovariateTilt (frac 0.7, norm 1.1; f = 0.9, norm 1). Printed: the
eigenvalues of Σ^{-1/2} Σ̂ Σ^{-1/2} (clean: all ≈ 1), the tasks trimmed, and
the robust learner's (covariates="estimate") max ‖ŵ−w‖/s, warned or not.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/whiten19/attack.py [law] [--quick]
"""
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, QUICK, law_problem  # noqa: E402
from robust_mlr import MetaLearner, Pools  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools  # noqa: E402
from robust_mlr.covariates import estimate_second_moment  # noqa: E402
from robust_mlr.data import MetaDataset  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402


def scaled_along(pools, theta, alpha, c, u_raw):
    """⌊αn⌋ tasks per pool (the first ones) with x ↦ x + (c − 1)(xᵀa) b,
    a, b the dual pair of u (so the whitened row's coordinate on u is × c)."""
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


law = next((a for a in sys.argv[1:] if not a.startswith("--")), "gaussian")
shape = QUICK if "--quick" in sys.argv else FULL
d, k = shape["d"], shape["k"]
S = covariate_moment(law, d)
L = np.linalg.cholesky(S)
Li = np.linalg.inv(L)
vals, Q = np.linalg.eigh(Li @ S @ Li.T) if False else (None, None)
u = np.zeros(d); u[0] = 1.0
u_raw = (Li.T @ u, L @ u)        # coordinate on u of the whitened row: xᵀ L^{-T} u; direction L u
theta, pools, _ = law_problem(law, d, k, shape["sizes"], 1)
print(f"law {law} d {d} k {k} sizes {shape['sizes']} seed 1")
for alpha in (0.05, 0.1):
    cases = {"clean": pools}
    for c in (30.0, 3.0, 0.0):
        cases[f"rows x{c:g} on u"] = scaled_along(pools, theta, alpha, c, u_raw)
    for f, nm in ((0.7, 1.1), (0.9, 1.0)):
        t = ("covariate_tilt", {"frac": f, "norm": nm})
        cases[f"tilt f{f} m{nm}"] = corrupt_pools(pools, Poolwise(light1=t, heavy=t, light2=t),
                                                  alpha, theta=theta, rng=0)
    for name, P in cases.items():
        Sh, kept = estimate_second_moment(P, alpha)
        ev = np.linalg.eigvalsh(Li @ Sh @ Li.T)
        t0 = time.process_time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = MetaLearner.robust(k, alpha, rng=1, covariates="estimate").fit(P)
            except Exception as exc:          # noqa: BLE001 — reported, the sweep goes on
                print(f"alpha {alpha} {name:<16} eig {ev.min():.3f}..{ev.max():.3f} trimmed "
                      f"{kept.size - int(kept.sum())}  fit raised {type(exc).__name__}: {exc}",
                      flush=True)
                continue
        sec = time.process_time() - t0
        w = parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
        scr = m.diagnostics_["screen"]
        print(f"alpha {alpha} {name:<16} eig {ev.min():.3f}..{ev.max():.3f} trimmed "
              f"{kept.size - int(kept.sum())}  W err {w:.3f}  warned "
              f"{int(any('corrupt' in str(c_.message) for c_ in caught))}  screen "
              f"{[(scr[p]['n_removed'], scr[p]['limit']) for p in Pools.names]}  fit {sec:.1f} s",
              flush=True)
