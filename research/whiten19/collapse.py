"""The whitening's trimmed second moment on clean Chebyshev rows (the
covariate-law benchmark's full problem: d = 32, k = 4, seed 1): the
eigenvalues of Σ^{-1/2} Σ̂ Σ^{-1/2} (1 for an exact estimate) at the α a
robust learner is told, and the screens' removals of the robust learner
told that α.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/whiten19/collapse.py
"""
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, law_problem  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.covariates import estimate_second_moment  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402

theta, pools, _ = law_problem("polynomial", FULL["d"], FULL["k"], FULL["sizes"], 1)
Li = np.linalg.inv(np.linalg.cholesky(covariate_moment("polynomial", FULL["d"])))
for alpha in (0.01, 0.05, 0.1):
    Sh, kept = estimate_second_moment(pools, alpha)
    ev = np.linalg.eigvalsh(Li @ Sh @ Li.T)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.process_time()
        m = MetaLearner.robust(FULL["k"], alpha, rng=1).fit(pools)
        sec = time.process_time() - t0
    screen = {name: (e["n_removed"], e["limit"]) for name, e in m.diagnostics_["screen"].items()
              if isinstance(e, dict) and "n_removed" in e}
    w = parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]
    print(f"alpha {alpha}: eigenvalues of the estimate over the truth {ev.min():.3f}..{ev.max():.3f}"
          f" (tasks kept {int(np.sum(kept))}); screen removed (limit) {screen}; W {w:.3f};"
          f" fit {sec:.1f} s CPU; warned {any('corrupted' in str(c.message) for c in caught)}", flush=True)
