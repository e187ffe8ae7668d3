"""Clean fits of the robust moment estimator on the small-heavy problem
(problem seeds 0–4, α 0.05 and 0.01) with the basis null test off
(``basis_null=None``, the earlier code) and on (the default): errors of
W, s², p, whether a CorruptionWarning was raised, the fit time and the
basis width.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/defence7/clean.py
"""
import json
import sys
import time
import warnings

from robust_mlr import MetaLearner
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors
from robust_mlr.stages.clustering import TensorMoments

from run import build_problem

seeds = [int(a) for a in sys.argv[1:]] or list(range(5))
for seed in seeds:
    theta, pools = build_problem("smallheavy", "fixed", seed)
    for alpha in (0.05, 0.01):
        for null in (None, "default"):
            stage = TensorMoments(robust=True) if null else TensorMoments(robust=True,
                                                                          basis_null=None)
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering=stage).fit(pools)
            e = parameter_errors(m.W_, m.s2_, m.p_, theta)
            print(json.dumps({"seed": seed, "alpha": alpha, "null": null,
                              "w": round(float(e["w_err"]), 4),
                              "s2": round(float(e["s2_err"]), 4),
                              "p": round(float(e["p_err"]), 4),
                              "warned": any(issubclass(w.category, CorruptionWarning)
                                            for w in ws),
                              "basis_dim": m.diagnostics_["clustering"]["basis_dim"],
                              "time": round(time.perf_counter() - t0, 1)}), flush=True)
