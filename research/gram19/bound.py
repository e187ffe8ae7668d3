"""Numbers for the cap's argument on the default problem (problem seed 0,
alpha 0.05, both light size laws): t_cap, tau over the mean ||x||^2, each
component's capped light Gram trace (true labels) and the most ⌊αn⌋ tasks
can add to it, ⌊αn⌋·t_cap·tau, with the implied floor on tr Σ_L's factor.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/gram19/bound.py
"""
import numpy as np
from scipy.stats import chi2

from experiments.adaptive import PROBLEM, make_problem
from robust_mlr.stages.regression._pooled import capped_grams
from robust_mlr.threat import ThreatModel, size_cap

alpha = 0.05
print(f"chi2_32 0.9 quantile / 32 = {chi2.ppf(0.9, 32) / 32:.3f}, "
      f"0.855 quantile / 32 = {chi2.ppf(0.855, 32) / 32:.3f}")
for sizes in ("fixed", "hetero"):
    theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([0, 11]))
    light = pools.light2
    G, tau = capped_grams(light, light.components, theta.k, alpha)
    mean_sq = float(np.sum(light.X ** 2) / light.X.shape[0])
    t_cap = size_cap(light.sizes)
    nb = ThreatModel(alpha).budget(light.n_tasks)
    e = nb * min(t_cap, light.sizes.max()) * tau
    tr = np.trace(G, axis1=1, axis2=2)
    print(f"{sizes}: n {light.n_tasks} budget {nb} t_cap {t_cap} tau/mean {tau / mean_sq:.3f} "
          f"mean||x||^2/d {mean_sq / light.dim:.3f}")
    print(f"  tr G_l (capped, true labels) {np.round(tr).tolist()}  e = budget·t_cap·tau {e:.0f}"
          f"  tr Σ_L factor >= {np.round(tr / (tr + e), 3).tolist()}")
