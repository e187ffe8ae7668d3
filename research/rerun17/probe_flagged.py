"""Which clean tasks robust Peng-Wei sets aside at k = 8, n_H = 100, t_H = 64.

The clustering_comparison study's problem (d = 8k, subspace error 0.1,
alpha = 0.05), three draws (default_rng(0..2), not the study's seeds): prints
the clean accuracy, how many tasks were flagged and which true components they
belong to.  Usage: PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/rerun17/probe_flagged.py
"""
import warnings

import numpy as np

from experiments.clustering_relaxations import _heavy
from robust_mlr import cluster_heavy, metrics

for seed in range(3):
    rng = np.random.default_rng(seed)
    _, U, heavy = _heavy({"k": 8, "n_H": 100, "t_H": 64}, rng)
    z = heavy.components
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cluster_heavy(heavy, U, 8, "peng_wei_robust", alpha=0.05, rng=rng)
    out = np.asarray(res.outliers)
    print(f"draw {seed}: clean accuracy {metrics.clustering_accuracy(res.labels, z, 8):.3f}, "
          f"flagged {int(out.sum())} (budget alpha*n_H = 5); component sizes "
          f"{np.bincount(z, minlength=8).tolist()}, flagged per component "
          f"{np.bincount(z[out], minlength=8).tolist()}")
