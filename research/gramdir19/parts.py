"""Clean fits: the predicted ratio's variance / bias parts, full and trimmed
(per component, in call order full, trimmed), default problem alpha 0.05.

    PYTHONPATH=<worktree> OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python3 research/gramdir19/parts.py fixed 0 1 2
"""
import sys
import warnings

import numpy as np

import robust_mlr.stages.regression._pooled as P
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors

PARTS = []
_r = P._predicted_mse_ratio


def spy(cov_l, cov_h, prec_l, prec, b):
    A = np.linalg.solve(prec, prec_l)
    R = np.eye(A.shape[0]) - A
    th = np.trace(cov_h)
    PARTS.append((round(float((np.trace(R @ cov_h @ R.T) + np.trace(A @ cov_l @ A.T)) / th), 3),
                  round(float(np.sum((A @ b) ** 2) / th), 3)))
    return _r(cov_l, cov_h, prec_l, prec, b)


P._predicted_mse_ratio = spy
sizes = sys.argv[1]
for seed in map(int, sys.argv[2:]):
    PARTS.clear()
    theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    a = m.diagnostics_["regression"]["anchor"]
    print(f"{sizes} seed {seed}: w {parameter_errors(m.W_, m.s2_, m.p_, theta)['w_err']:.4f} "
          f"pull {a['pull'].tolist()} ratio {np.round(a['mse_ratio'], 3).tolist()} "
          f"trim {np.round(a.get('mse_ratio_trimmed', np.full(4, np.nan)), 3).tolist()} "
          f"parts(var, bias) {PARTS}", flush=True)
