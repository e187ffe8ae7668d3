"""Clean fits of the default robust learner (alpha 0.05, problem seeds 0-2,
both light size laws) on the code first on PYTHONPATH: max||w^-w||/s, the
anchor's per-component pull and predicted ratio, the fit's CPU time, and W_
saved to OUT.npz (to compare two codes fit by fit).

    PYTHONPATH=<worktree> OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python3 research/gramdir19/clean.py OUT
"""
import sys
import time
import warnings

import numpy as np

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors

out = {}
for sizes in ("fixed", "hetero"):
    errs = []
    for seed in range(3):
        theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([seed, 11]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.process_time()
            m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
            cpu = time.process_time() - t0
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        a = m.diagnostics_["regression"]["anchor"]
        errs.append(e["w_err"])
        out[f"{sizes}_{seed}_W"], out[f"{sizes}_{seed}_s2"] = m.W_, m.s2_
        print(f"{sizes} seed {seed}: w {e['w_err']:.6f} s2 {e['s2_err']:.4f} p {e['p_err']:.4f} "
              f"pull {a['pull'].tolist()} mse_ratio {np.round(a['mse_ratio'], 3).tolist()} "
              f"trim {np.round(a.get('mse_ratio_trimmed', np.full(4, np.nan)), 3).tolist()} "
              f"cpu {cpu:.2f}s", flush=True)
    print(f"{sizes}: mean {np.mean(errs):.4f} max {np.max(errs):.4f}", flush=True)
np.savez(sys.argv[1], **out)
