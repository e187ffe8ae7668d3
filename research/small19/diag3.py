"""Where the clean round-one excess along span(W) comes from at each n:
(a) the trimming level ā(n) = (αn + 3√(αn) + 1)/n moves the population
excess; (b) the sampling law of the excess at n points. For χ²_k scores
(the filter's reference) and the clean MLR scores along the true span
(t = 2, Gaussian, d = 4, k = 2; population by a 400 000-task pool).
Usage: diag3.py d k"""
import sys
import numpy as np
from robust_mlr import make_params, make_tasks
from robust_mlr.stages.subspace import robust_pca as rp
from robust_mlr.stages.subspace.robust import _statistics
from robust_mlr.stages.screening import size_cap
from robust_mlr.threat import excess_limit

alpha = 0.05
d, k = int(sys.argv[1]), int(sys.argv[2])
theta = make_params(d, k, rng=0)
big = make_tasks(theta, 400_000, 2, rng=1)
Z, q = _statistics(big, 2.0, 2)
W = np.linalg.qr(theta.W.T if theta.W.shape[0] == k else theta.W)[0]
tau_big = rp._row_sq(Z @ W)
rng = np.random.default_rng(5)
for n in (150, 300, 600, 1200, 3000, 20000):
    a = min(excess_limit(alpha, n) / n, 0.49)
    chi_pop = rp.clean_excess(k, a)
    sig_pop = float(rp.relative_excess(tau_big, a))
    chi_s = [float(rp.relative_excess(rng.chisquare(k, n), a)) for _ in range(400)]
    sig_s = [float(rp.relative_excess(tau_big[rng.choice(tau_big.size, n)], a)) for _ in range(400)]
    print(f"n={n} ā={a:.3f}: χ²_{k} pop {chi_pop:.3f} sample mean {np.mean(chi_s):.3f} sd "
          f"{np.std(chi_s):.3f} q95 {np.quantile(chi_s, .95):.3f} | signal pop {sig_pop:.3f} "
          f"sample mean {np.mean(sig_s):.3f} sd {np.std(sig_s):.3f} | base "
          f"{max(2 * alpha * np.log(1 / alpha), 1.5 * chi_pop):.3f}")
