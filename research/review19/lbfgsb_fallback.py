"""lbfgsb() through the direct step (_SETULB) and through SciPy's drivers
(_SETULB = None, the fallback no test exercises on SciPy ≥ 1.15): the same
x, value and iteration count, with and without a Stall callback."""
import numpy as np
import scipy
import robust_mlr.stages.clustering._bm_lagrangian as bl
from robust_mlr.stages.clustering.burer_monteiro import LowRankCost

rng = np.random.default_rng(0)
lag = bl.Lagrangian(LowRankCost(*rng.standard_normal((2, 40, 3))), 3, True, 0.1, 0.3)
lag.lam = {"rows": rng.standard_normal(40), "trace": 0.3, "total": 0.5,
           "diag": np.abs(rng.standard_normal(40))}
lag.beta = 3.0
fun = lambda v: lag.value_grad(v.reshape(40, 5))[:2]
x0 = rng.uniform(0, 0.4, 200)
print("scipy", scipy.__version__, "direct step available:", bl._SETULB is not None)
for maxiter, cb in ((3, None), (5000, None), (5000, "stall")):
    out = {}
    for mode in ("direct", "fallback"):
        saved = bl._SETULB
        if mode == "fallback":
            bl._SETULB = None
        try:
            out[mode] = bl.lbfgsb(fun, x0, maxiter=maxiter, gtol=1e-12 if cb else 1e-9,
                                  ftol=1e-15 if cb else 1e-14, maxcor=20,
                                  callback=bl.Stall(3, 1e-4) if cb else None)
        finally:
            bl._SETULB = saved
    a, b = out["direct"], out["fallback"]
    print(f"maxiter={maxiter} callback={cb}: same x {np.array_equal(a[0], b[0])}, "
          f"values {a[1]!r} {b[1]!r}, iterations {a[2]} {b[2]}")
