"""Attacked fits at a small size and on the default problem: W error
(max_a ||ŵ_a − w_a||/s), whether a CorruptionWarning was raised, and the
unanchored components (count/needed, passed). Attacks are applied pool by
pool (corrupt_pools on each target in turn, draw 4 + s).
Usage: attacks.py small|small2|default ALPHA NSEEDS
  small : d = 8, k = 3, light1 600 × 2, heavy 20 × 32, light2 300 × 4
  small2: d = 4, k = 2, light1 300 × 2, heavy 20 × 32, light2 300 × 4
  default: make_golden's problem (d = 32, k = 4, light1 20000 × 2,
           heavy 400 × 128, light2 20000 × 8), params s, pools 1 + s."""
import sys, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools, metrics
from robust_mlr.adversary import corrupt_pools
from robust_mlr.generator import DEFAULT_PROBLEM

PLANS = {  # name: sequence of (attack, pools) applied in turn
    "clean": [],
    "anchor_starve+edge_placement": [("anchor_starve", ("heavy",)), ("edge_placement", ("light2",))],
    "anchor_starve+midpoint": [("anchor_starve", ("heavy",)), ("midpoint", ("light2",))],
    "edge_placement": [("edge_placement", ("light2",))],
    "anchor_edge+edge_placement": [("anchor_edge", ("heavy",)), ("edge_placement", ("light2",))],
    "component_shift": [("component_shift", ("heavy", "light2"))],
    "sign_flip": [("sign_flip", ("heavy", "light2"))],
    "fake_cluster": [("fake_cluster", ("heavy",))],
    "median_push": [("median_push", ("heavy", "light2"))],
    "subspace_spike": [("subspace_spike", ("light1",))],
}
which, alpha, nseeds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
plans = sys.argv[4].split(",") if len(sys.argv) > 4 else list(PLANS)
for name in plans:
    out = []
    for s in range(nseeds):
        if which == "default":
            p = DEFAULT_PROBLEM
            theta = make_params(p["d"], p["k"], rng=s)
            pools = make_pools(theta, p["n_light1"], p["t_light1"], p["n_heavy"], p["t_heavy"],
                               p["n_light2"], p["t_light2"], rng=1 + s)
        elif which == "small":
            theta = make_params(8, 3, rng=s)
            pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
        else:
            theta = make_params(4, 2, rng=s)
            pools = make_pools(theta, 300, 2, 20, 32, 300, 4, rng=100 + s)
        for i, (att, targets) in enumerate(PLANS[name]):
            pools = corrupt_pools(pools, att, alpha, theta=theta, targets=targets,
                                  rng=4 + s + 100 * i)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m = MetaLearner.robust(theta.k, alpha, rng=2 + s).fit(pools)
            except Exception as exc:              # recorded, not hidden
                out.append((np.nan, False, [f"{type(exc).__name__}: {exc}"]))
                continue
        err = metrics.parameter_errors(m.W_, m.s2_, m.p_, theta)
        heavy = m.diagnostics_["regression"].get("anchor", {}).get("heavy") or []
        un = [f"{h['tasks']}/{h['needed']}{'' if h.get('passed', True) else '!'}"
              for h in heavy if isinstance(h, dict) and not h.get("anchored", True)]
        out.append((float(err["w_err"]),
                    any(w.category.__name__ == "CorruptionWarning" for w in caught), un))
    print(f"{which} alpha={alpha} {name}: W err {' '.join(f'{o[0]:.3f}' for o in out)}; "
          f"warned {''.join('W' if o[1] else '.' for o in out)} ({sum(o[1] for o in out)}/"
          f"{len(out)}); unanchored {[o[2] for o in out]}", flush=True)
