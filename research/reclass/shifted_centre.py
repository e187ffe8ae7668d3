"""Robust learner with W̃_0 moved by SHIFT·r̃_0 off span W: w_err with the
second classification pass and, with "off", without it.

    PYTHONPATH=$PWD python3 research/reclass/shifted_centre.py 1.0 [off]
"""
import sys, warnings, numpy as np
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.stages.clustering import PengWei
from robust_mlr.metrics import parameter_errors
import robust_mlr.stages.classification.stages as cs

SHIFT = float(sys.argv[1]); OFF = len(sys.argv) > 2 and sys.argv[2] == "off"
if OFF:
    cs.excess_flags = lambda lab, fl, k, lev: (np.zeros(k), np.full(k, np.inf))

class Shifted(PengWei):
    """Robust Peng-Wei whose first centre is moved off span(W)."""
    def fit(self, data, U, k, **kw):
        super().fit(data, U, k, **kw)
        W = self.W_tilde_
        Q, _ = np.linalg.qr(np.column_stack([W, np.ones(W.shape[0])]))
        self.W_tilde_ = W.copy()
        self.W_tilde_[:, 0] += SHIFT * np.sqrt(self.r2_tilde_[0]) * Q[:, -1]
        return self

warnings.simplefilter("ignore")
for seed in range(3):
    theta = make_params(16, 2, rng=seed)
    pools = make_pools(theta, 6000, 2, 100, 64, 6000, 8, rng=seed + 10)
    m = MetaLearner.robust(2, 0.05, clustering=Shifted(robust=True), rng=seed).fit(pools)
    c = m.diagnostics_["classification"]
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    print(seed, "w_err %.3f" % e["w_err"], "removed", c["removed"], "excess", c.get("excess"),
          "re", c.get("reclassified", {}).get("components"), c.get("reclassified", {}).get("removed"))
