"""Out-of-core fit of a pools directory (the ICML learner, or with
``--method robust`` the robust learner of Kong, Somani, Kakade, Oh, NeurIPS
2020, α = ``--alpha``): time, peak memory, and (with ``--compare``) the
difference from the in-memory fit of the same data.

Write the data first, e.g. 10⁷ examples (d = 32, light pools t = 2 and 4)::

    robust-mlr generate p7 --d 32 --k 4 --light1 2500000 2 --heavy 400 128 \\
        --light2 1250000 4 --dtype float32
    OMP_NUM_THREADS=1 python3 benchmarks/bench_outofcore.py p7 --compare
    OMP_NUM_THREADS=1 python3 benchmarks/bench_outofcore.py p7 --method robust --compare

Printed: the floor (one pass reading every chunk, no arithmetic), the
out-of-core fit (wall and CPU seconds, per 10⁷ examples) and the peak
resident set so far; then, with ``--compare``, the in-memory fit (all pools
loaded: the peak then includes the data) and the largest differences.
"""

import argparse
import resource
import time

import numpy as np


def _clock(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    from robust_mlr import MetaLearner, Pools
    from robust_mlr.chunked import POOL_NAMES, open_pools
    from robust_mlr.outofcore import fit_out_of_core

    ap = argparse.ArgumentParser()
    ap.add_argument("pools")
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--chunk-mb", type=int, default=64)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--method", choices=["icml", "robust"], default="icml")
    ap.add_argument("--alpha", type=float, default=0.05, help="the robust learner's alpha")
    args = ap.parse_args()
    src = open_pools(args.pools)
    n_ex = sum(p.n_examples for p in src.values())
    per = 1e7 / n_ex
    print(f"{args.pools}: {n_ex} examples, d={src['light1'].dim}, {src['light1'].dtype} "
          f"storage, chunks of {args.chunk_mb} MB")

    def read_all():
        for name in ("light1", "light2"):
            for _ in src[name].iter_chunks(args.chunk_mb << 20):
                pass
    _, w, c = _clock(read_all)
    print(f"floor, one read of L1 and L2: {w:7.2f} s wall {c:7.2f} s CPU "
          f"({w * per:.2f} / {c * per:.2f} s per 1e7 examples)")
    def learner():
        if args.method == "icml":
            return MetaLearner.icml(args.k, rng=0)
        return MetaLearner.robust(args.k, args.alpha, rng=0)
    label = {"icml": "ICML", "robust": "robust"}[args.method]
    ooc, w, c = _clock(lambda: fit_out_of_core(learner(), src["light1"], src["heavy"],
                                               src["light2"], chunk_bytes=args.chunk_mb << 20))
    print(f"out-of-core {label} fit:{' ' * (17 - len(label))}{w:7.2f} s wall {c:7.2f} s CPU "
          f"({w * per:.2f} / {c * per:.2f} s per 1e7 examples); peak RSS {_peak_mb():.0f} MB")
    for stage in ("screen", "subspace", "clustering", "regression"):
        if stage in ooc.diagnostics_:
            print(f"  {stage:12s} {ooc.diagnostics_[stage]['time']:7.2f} s")
    if not args.compare:
        return
    pools = Pools(*(src[n].to_memory() for n in POOL_NAMES))
    mem, w, c = _clock(lambda: learner().fit(pools))
    print(f"in-memory {label} fit:{' ' * (19 - len(label))}{w:7.2f} s wall {c:7.2f} s CPU; "
          f"peak RSS {_peak_mb():.0f} MB (data loaded)")
    for name in ("heavy_labels_", "light_labels_"):
        print(f"  {name:14s} identical: {np.array_equal(getattr(ooc, name), getattr(mem, name))}")
    for name in ("U_", "W_tilde_", "r2_tilde_", "W_", "s2_", "p_"):
        diff = np.max(np.abs(getattr(ooc, name) - getattr(mem, name)))
        same = np.array_equal(getattr(ooc, name), getattr(mem, name))
        print(f"  {name:14s} max |out-of-core - in-memory| = {diff:.1e}"
              f"{' (bit for bit)' if same else ''}")


if __name__ == "__main__":
    main()
