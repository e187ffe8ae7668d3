"""Fit the docs/scaling.md synthetic set scaled down and print every part of
the regression stage's clean-behaviour verdict.

usage: probe.py N_EXAMPLES SEED MODE   (MODE: mem | ooc | both)
Data: as `robust-mlr generate DIR --d 32 --k 4 --light1 N/4 2 --heavy 400 128
--light2 N/8 4 --seed SEED --dtype float32` (written to /tmp/warn19/...).
"""
import sys, time, warnings, shutil, subprocess
from pathlib import Path
import numpy as np
import robust_mlr
from robust_mlr import MetaLearner
from robust_mlr.data import Pools
from robust_mlr.chunked import open_pools, read_params
from robust_mlr.outofcore import fit_out_of_core

n, seed, mode = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
heavy_n = int(sys.argv[4]) if len(sys.argv) > 4 else 400
path = Path(f"/tmp/warn19/p{n}_s{seed}_h{heavy_n}")
if not path.exists():
    path.parent.mkdir(exist_ok=True)
    t0 = time.time()
    subprocess.run(["python3", "-m", "robust_mlr", "generate", str(path), "--d", "32", "--k", "4",
                    "--light1", str(n // 4), "2", "--heavy", str(heavy_n), "128",
                    "--light2", str(n // 8), "4", "--seed", str(seed), "--dtype", "float32"],
                   check=True)
    print(f"generated in {time.time()-t0:.0f}s")
pools = open_pools(path)
theta = read_params(path)


def short(v):
    if isinstance(v, np.ndarray):
        if v.size > 40:
            return f"array{v.shape}"
        return np.array2string(np.asarray(v), precision=4, max_line_width=200)
    if isinstance(v, float):
        return f"{v:.5g}"
    return v


def show(d, pre="  ", depth=0):
    for key, v in d.items():
        if isinstance(v, dict):
            print(f"{pre}{key}:")
            if depth < 3:
                show(v, pre + "  ", depth + 1)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for i, r in enumerate(v):
                print(f"{pre}{key}[{i}]: " + ", ".join(
                    f"{a}={short(b)}" for a, b in r.items() if not isinstance(b, (dict, list, np.ndarray))
                    or (isinstance(b, np.ndarray) and b.size <= 8)))
        else:
            s = short(v)
            if isinstance(s, str) and s.startswith("array("):
                continue
            print(f"{pre}{key}: {s}")


def run(kind):
    learner = MetaLearner.robust(4, 0.05)
    t0 = time.time()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        if kind == "ooc":
            fit_out_of_core(learner, pools["light1"], pools["heavy"], pools["light2"])
        else:
            learner.fit(Pools(*(pools[p].to_memory() for p in ("light1", "heavy", "light2"))))
    print(f"== {kind} n={n} seed={seed} heavy={heavy_n}: {time.time()-t0:.0f}s")
    for w in ws:
        print(f"WARNING {w.category.__name__}: {w.message}")
    diag = learner.diagnostics_
    for st in ("subspace", "clustering", "classification"):
        e = diag.get(st, {})
        print(st, {a: e.get(a) for a in ("removed", "limit", "passed") if a in e})
    print("regression:")
    show(diag["regression"])
    from robust_mlr.metrics import parameter_errors
    try:
        print("errors:", parameter_errors(learner.W_, learner.s2_, learner.p_, theta))
    except Exception as exc:
        print("errors: n/a", exc)


print("robust_mlr from", robust_mlr.__file__)
for kind in (["mem", "ooc"] if mode == "both" else [mode]):
    run(kind)
