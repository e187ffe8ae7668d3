"""Largest U-side ratio Rw(U)/Rw_ref over all filter iterations and runs on
clean Gaussian pools (the margin must exceed it for the Gaussian level to stay)."""
import sys, os, io, contextlib, re
import numpy as np
os.environ["RMLR_DBG"] = "1"
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.subspace.robust import filter_subspace
for (d, k, n, alpha) in [(16, 3, 6000, 0.01), (32, 4, 20000, 0.01), (32, 4, 20000, 0.05),
                         (16, 3, 6000, 0.1), (8, 3, 20000, 0.01), (8, 2, 4000, 0.05)]:
    worst, binds = [], 0
    for seed in range(int(sys.argv[1])):
        ds = make_tasks(make_params(d, k, rng=seed), n, 2, rng=seed + 1)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            filter_subspace(ds, k, alpha, rng=seed)
        r = [(float(a), float(b)) for a, b in re.findall(r"uratio=([\d.]+) bscale=([\d.]+)", buf.getvalue())]
        worst.append(max(a for a, b in r))
        binds += sum(a / 1.25 > b for a, b in r)
    print(f"d={d} k={k} n={n} alpha={alpha}: max U ratio per seed {np.round(worst, 3).tolist()}; "
          f"iterations where 1.25 would bind: {binds}", flush=True)
