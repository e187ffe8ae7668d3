"""Clean d = 32, k = 8 fits (the default problem with k = 8, light 2 40 000 x 8,
equal sizes; robust, alpha 0.05): the CorruptionWarning text and the unanchored
components' records. Run on this code and on fbf7e89 (before this session)."""
import sys, warnings
import numpy as np
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.metrics import parameter_errors
for seed in range(int(sys.argv[1])):
    theta, pools = make_problem(dict(PROBLEM, k=8, n_light2=40_000, sizes="fixed"),
                                np.random.default_rng([seed, 11]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    print(f"seed {seed}: W err {e['w_err']:.4f}")
    for w in caught:
        if w.category.__name__ == "CorruptionWarning":
            print("   WARN:", str(w.message)[:700])
    for c, h in enumerate(m.diagnostics_["regression"]["anchor"]["heavy"]):
        if isinstance(h, dict) and not h.get("anchored", True):
            print(f"   comp {c}: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                           for k, v in h.items()))
