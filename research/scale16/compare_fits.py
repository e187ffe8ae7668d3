"""Fit at n tasks per light pool and save (or compare with) every output.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/scale16/compare_fits.py save|check FILE [n]``
``save`` writes W_, s2_, p_, labels and the numeric diagnostics to FILE
(.npz); ``check`` fits again and reports any value that is not equal bit for bit.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))
from threadpoolctl import threadpool_limits  # noqa: E402

from bench_robust_scale import scale_pools  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402


def flatten(prefix, obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("time", "cpu_seconds", "build_time") or k.endswith("_time"):
                continue
            flatten(f"{prefix}/{k}", v, out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flatten(f"{prefix}/{i}", v, out)
    elif isinstance(obj, (int, float, np.integer, np.floating, np.ndarray, bool, np.bool_)):
        a = np.asarray(obj)
        if a.dtype != object:
            out[prefix] = a


def outputs(n):
    pools = scale_pools(n)
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
    out = {}
    for name in ("W_", "s2_", "p_", "noise_", "weights_", "labels_"):
        if hasattr(m, name):
            out[name] = np.asarray(getattr(m, name))
    for name in dir(m):
        if name.endswith("_") and not name.startswith("_") and name not in out:
            v = getattr(m, name, None)
            if isinstance(v, np.ndarray) and v.dtype != object:
                out[name] = v
    flatten("diag", m.diagnostics_, out)
    return out


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    n = int(float(sys.argv[3])) if len(sys.argv) > 3 else 400_000
    out = outputs(n)
    if mode == "save":
        np.savez(path, **out)
        print(f"saved {len(out)} arrays to {path}")
    else:
        ref = np.load(path)
        bad = 0
        for k in sorted(set(ref.files) | set(out)):
            if k not in ref.files or k not in out:
                print("missing", k)
                bad += 1
                continue
            a, b = ref[k], out[k]
            same = a.shape == b.shape and a.dtype == b.dtype and (
                np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
            if not same:
                bad += 1
                rel = np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300)) if a.shape == b.shape else np.nan
                print(f"DIFF {k}: shape {a.shape}/{b.shape}, max rel {rel:.3g}")
        print(f"{len(out)} arrays compared, {bad} differ")
