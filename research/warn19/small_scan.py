"""Clean light-2 pools classified by their posteriors under the truth, the
regression filter (filter_components) at alpha 0.05: moved_se (the refit's
move from least squares, in standard errors) and bias_se (the allowance)."""
import sys, time
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.regression._misclass import responsibilities
from robust_mlr.stages.regression.robust import filter_components

for d, k, n, t in [tuple(int(v) for v in a.split(",")) for a in sys.argv[1:]]:
    for seed in (0, 1):
        theta = make_params(d, k, rng=seed)
        data = make_tasks(theta, n, t, rng=seed + 10)
        lab = np.argmax(responsibilities(data, theta.W, theta.s ** 2, theta.p), axis=1)
        t0 = time.time()
        _, _, _, info = filter_components(data, lab, k, alpha=0.05, rng=0)
        c = info["example_clip"]
        print(f"d={d} k={k} n={n} t={t} seed={seed}: moved_se {c['moved_se']} bias_se "
              f"{c.get('bias_se')} agrees {info['refit_agrees']} ({time.time()-t0:.1f}s)",
              flush=True)
