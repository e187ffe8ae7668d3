"""Clustering SDP timings and peak memory with cvxpy/SCS (each case in a fresh process).

The Burer–Monteiro solver (the default for Peng–Wei) is benchmarked in
``benchmarks/bench_bm.py``; H against its GEMM floor in ``bench_pipeline.py``.

Cases (d = 8k, orthonormal W, t_H = 16 — the hard regime):
  * Peng–Wei, n_H = 500, k = 4                       (target ≤ 60 s)
  * robust Peng–Wei, n_H = 500, k = 4
  * Peng–Wei + 4th-moment SoS (aggregate Gram), n_H = 200, k = 8   (target ≤ 120 s)
  * per-row Gram certificates, n_H = 60, k = 4 (the per-row form grows fast)
  * per-row Gram certificates, n_H = 100, k = 4 (``rows100``, not in the default run)
Peak memory (target ≤ 4 GB) is the child's maximum resident set size.
Run: ``python3 benchmarks/bench_clustering.py [CASE ...]`` with CASE among
``pw500 robust500 sos200 rows60 rows100`` (default: the first four).
"""

import multiprocessing as mp
import resource
import time


def _case(args, queue):
    import warnings

    import numpy as np

    from robust_mlr import make_params, make_tasks, metrics
    from robust_mlr.stages.clustering import sdp_cluster
    n, k, relaxation, rows = args
    theta = make_params(8 * k, k, rng=0)
    U = np.linalg.qr(theta.W)[0]
    heavy = make_tasks(theta, n, 16, rng=1)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sdp_cluster(heavy, U, k, relaxation=relaxation, m=4, moment_rows=rows,
                          alpha=0.05 if relaxation == "peng_wei_robust" else 0.0,
                          solver="SCS", rng=0)
    wall = time.perf_counter() - t0
    acc = metrics.clustering_accuracy(res.labels, heavy.components, k)
    queue.put((wall, res.info["solver"]["time"], res.info["build_time"], acc,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
               res.info.get("map_nnz")))


CASES = {"pw500": (500, 4, "peng_wei", "aggregate"),
         "robust500": (500, 4, "peng_wei_robust", "aggregate"),
         "sos200": (200, 8, "sos", "aggregate"), "rows60": (60, 4, "sos", "per_row"),
         "rows100": (100, 4, "sos", "per_row")}


def main(names=("pw500", "robust500", "sos200", "rows60")):
    ctx = mp.get_context("spawn")
    for case in (CASES[n] for n in names):
        q = ctx.Queue()
        p = ctx.Process(target=_case, args=(case, q))
        p.start()
        wall, solve, build, acc, rss, nnz = q.get()
        p.join()
        extra = f", moment map nnz {nnz:,}" if nnz else ""
        print(f"{case[2]:>15} {case[3]:>9} n_H={case[0]:4d} k={case[1]}: {wall:6.1f} s "
              f"(build {build:.1f} s, solve {solve:.1f} s), peak RSS {rss:.2f} GB, "
              f"accuracy {acc:.3f}{extra}")


if __name__ == "__main__":
    import sys
    main(sys.argv[1:] or ("pw500", "robust500", "sos200", "rows60"))
