"""Peng–Wei (Burer–Monteiro) at small heavy tasks: where it stops being usable.

The setting of the ``tH_nH_tradeoff`` study (k = 8, d = 64, orthonormal W,
s = 0.5 before the scale convention, exact subspace: the heavy pool drawn in
the k coordinates of span W), t_H = 4, one seed per size. Prints, per n_H,
the CPU and wall seconds of ``PengWei().fit``, the solver's warnings (an
"inaccurate" stop is a warning) and the max centre error after Hungarian
matching; for scale, EM (``EM()``) on the same pool.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_peng_wei_small_tH.py [--sizes 1000,10000]

At n_H = 10⁴ the Peng–Wei fit alone takes minutes.
"""

import argparse
import time
import warnings

import numpy as np

from robust_mlr import MLRParams, make_params, make_tasks
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import EM, PengWei


def run(n, k=8, t=4, seed=0):
    rng = np.random.default_rng(seed)
    theta = make_params(64, k, s=0.5, rng=rng)
    Q = np.linalg.qr(theta.W)[0]
    theta_k = MLRParams(Q.T @ theta.W, theta.s, theta.p)
    heavy = make_tasks(theta_k, n, t, rng=rng)
    for name, stage in (("peng_wei", PengWei()), ("em", EM())):
        c0, w0 = time.process_time(), time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stage.fit(heavy, np.eye(k), k, rng=rng)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        err = parameter_errors(stage.W_tilde_, stage.r2_tilde_, stage.p_tilde_, theta_k)["w_err"]
        notes = sorted({str(w.message).split(";")[0][:110] for w in caught})
        print(f"k={k} t_H={t} n_H={n} {name}: centre error {err:.3f}  cpu {cpu:.1f} s  "
              f"wall {wall:.1f} s  warnings: {notes or 'none'}", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    for n in (int(v) for v in a.sizes.split(",")):
        run(n, seed=a.seed)
