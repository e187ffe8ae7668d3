"""The public learner on a clean problem whose classification bias is large
against the light-2 standard error (d 2, k 2, light-2 tasks of t = 2)."""
import sys, time, warnings
import numpy as np
import robust_mlr
from robust_mlr import MetaLearner, make_params, make_pools

print(robust_mlr.__file__)
for d, n2, seed in [(2, 200000, 0), (2, 200000, 1), (4, 400000, 0)]:
    pools = make_pools(make_params(d, 2, rng=seed), 4000, 2, 100, 32, n2, 2, rng=seed + 1)
    t0 = time.time()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(2, 0.05, rng=0).fit(pools)
    r = m.diagnostics_["regression"]
    print(f"d={d} n2={n2} seed={seed}: moved_se {r['example_clip']['moved_se']} bias_se "
          f"{r['example_clip'].get('bias_se')} refit_agrees {r['refit_agrees']} passed "
          f"{r['passed']} ({time.time()-t0:.1f}s)")
    for w in ws:
        print("  WARNING", w.category.__name__, str(w.message)[:200])
