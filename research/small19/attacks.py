"""The catalogue's subspace-targeted attacks on light 1, robust fit at
alpha: subspace error, max_a ||ŵ_a − w_a||/s (parameter_errors' W error),
subspace removals, whether a CorruptionWarning was raised.
Usage: attacks.py default|small ALPHA [seeds]. 'default': the default
problem (make_golden's draw: params rng 0, pools rng 1); 'small': d = 4,
k = 2, light1 300×2, heavy 20×32, light2 300×4 (params s, pools 100 + s)."""
import sys, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import DEFAULT_PROBLEM

ATTACKS = ("subspace_spike", "multi_direction", "variance_hiding", "threshold_aware",
           "covariate_spike", "candidate_overflow", "signal_theft", "edge_spike", "direction_swap")
which, alpha = sys.argv[1], float(sys.argv[2])
seeds = range(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
for name in ATTACKS:
    out = []
    for s in seeds:
        if which == "default":
            p = DEFAULT_PROBLEM
            theta = make_params(p["d"], p["k"], rng=s)
            pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                               p["n_light2"], p["t_light2"], rng=1 + s)
        else:
            theta = make_params(4, 2, rng=s)
            pools = make_pools(theta, 300, 2, 20, 32, 300, 4, rng=100 + s)
        bad = corrupt_pools(pools, name, alpha, theta=theta, rng=4 + s)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, alpha, rng=2 + s).fit(bad)
        err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)
        werr = err["w_err"]
        out.append((metrics.subspace_error(m.U_, theta), float(werr),
                    m.diagnostics_["subspace"]["removed"],
                    any(w.category.__name__ == "CorruptionWarning" for w in caught)))
    a = np.array([o[:3] for o in out])
    print(f"{which} alpha={alpha} {name}: subspace err {' '.join(f'{x:.4f}' for x in a[:, 0])}; "
          f"W err {' '.join(f'{x:.4f}' for x in a[:, 1])}; removed {a[:, 2].astype(int).tolist()}; "
          f"warned {sum(o[3] for o in out)}/{len(out)}", flush=True)
