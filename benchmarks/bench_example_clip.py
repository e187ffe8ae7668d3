"""The regression filter's clipped refit: what it costs in a robust fit.

A robust fit (``MetaLearner.robust(k, 0.05)``, one BLAS thread) on clean
pools of ``--n`` tasks in each light pool (light1 t = 2, light2 t = 8,
heavy 400 × 128, d = 32, k = 4): the whole fit's CPU time, the refit's own
(``diagnostics_["regression"]["example_clip"]["cpu_seconds"]``), its IRLS
steps (each one pass over light 2) and the share of examples it clips, best
of ``--repeat``; and the same fit with ``example_clip=None`` for the
difference in max‖ŵ − w‖/s.

    OMP_NUM_THREADS=1 python3 benchmarks/bench_example_clip.py [--n 1000000] [--repeat 2]
"""
import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.regression import FilterRegression


def fit(pools, theta, clip):
    learner = MetaLearner.robust(theta.k, 0.05, rng=0,
                                 regression=FilterRegression(example_clip=clip))
    t0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = learner.fit(pools)
    cpu = time.process_time() - t0
    w = float(parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"])
    return cpu, w, model.diagnostics_["regression"].get("example_clip")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    theta = make_params(32, 4, rng=0)
    pools = make_pools(theta, a.n, 2, 400, 128, a.n, 8, rng=1)
    print(f"{a.n} tasks per light pool, d=32, k=4, one BLAS thread, best of {a.repeat}")
    with threadpool_limits(1):
        for clip in (1.5, None):
            runs = [fit(pools, theta, clip) for _ in range(a.repeat)]
            cpu, w, info = min(runs, key=lambda r: r[0])
            line = f"  example_clip={clip!s:5} fit CPU {cpu:6.2f} s  max|w-w*|/s {w:.4f}"
            if info:
                line += (f"  refit CPU {min(r[2]['cpu_seconds'] for r in runs):.2f} s, "
                         f"{info['iterations']} step(s), clipped {np.mean(info['clipped']):.3f}")
            print(line, flush=True)


if __name__ == "__main__":
    main()
