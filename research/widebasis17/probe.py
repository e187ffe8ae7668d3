"""Robust Peng-Wei on the clustering-relaxations study's clean problem
(k = 8, n_H = 100, d = 64, subspace error 0.1, alpha = 0.05; three draws
default_rng(0..2)) with the stage's wide heavy basis (U plus the heavy
tasks' top-k directions off U: "default"), with U alone ("narrow"), and with
the moment estimator's null test on the extra directions (null_level 1.3:
"null"). Run from the repository root:

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/widebasis17/probe.py T_H MODE
"""
import warnings, sys
import numpy as np
sys.path.insert(0, ".")
from experiments.clustering_relaxations import _heavy
from robust_mlr import cluster_heavy, metrics
import robust_mlr.stages.clustering._stage_base as SB
mode = sys.argv[2] if len(sys.argv) > 2 else "default"
if mode == "narrow":
    SB.heavy_basis = lambda data, U, k, alpha, **kw: U
if mode == "null":
    _hb = SB.heavy_basis
    SB.heavy_basis = lambda data, U, k, alpha, **kw: _hb(data, U, k, alpha, null_level=1.3, rng=np.random.default_rng(7))
tH = int(sys.argv[1])
acc = []
for seed in range(3):
    rng = np.random.default_rng(seed)
    _, U, heavy = _heavy({"k": 8, "n_H": 100, "t_H": tH}, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cluster_heavy(heavy, U, 8, "peng_wei_robust", alpha=0.05, rng=rng)
    acc.append(metrics.clustering_accuracy(res.labels, heavy.components, 8))
    b = res.info.get("basis_dim")
print(mode, tH, np.round(acc, 3).tolist(), "basis_dim", b)
