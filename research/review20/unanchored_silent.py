"""The six attacked small-size fits warn20 lists as silent (d = 8, k = 3, light 1
600 x 2, heavy 20 x 32, light 2 300 x 4, alpha 0.05; attacks as
research/warn20/attacks.py) and their clean fits: for every component without
an anchor, its own error ||w_hat - w||/s against the worst case the test
states for its light-only estimate (light_worst = floor + sqrt(d/N_L)), the
anchored worst case and the agreement ratio."""
import sys, warnings
import numpy as np
sys.path.insert(0, "research/warn20")
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.metrics import match_components

PLANS = {"clean": [],
         "anchor_starve+edge_placement": [("anchor_starve", ("heavy",)), ("edge_placement", ("light2",))],
         "anchor_starve+midpoint": [("anchor_starve", ("heavy",)), ("midpoint", ("light2",))],
         "anchor_edge+edge_placement": [("anchor_edge", ("heavy",)), ("edge_placement", ("light2",))],
         "fake_cluster": [("fake_cluster", ("heavy",))],
         "subspace_spike": [("subspace_spike", ("light1",))]}
cases = [(8, p) for p in PLANS] + [(5, "clean"), (5, "subspace_spike"), (6, "clean"),
                                     (6, "anchor_starve+edge_placement")]
for s, name in cases:
    theta = make_params(8, 3, rng=s)
    pools = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
    for i, (att, targets) in enumerate(PLANS[name]):
        pools = corrupt_pools(pools, att, 0.05, theta=theta, targets=targets, rng=4 + s + 100 * i)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, 0.05, rng=2 + s).fit(pools)
    warned = any(w.category.__name__ == "CorruptionWarning" for w in caught)
    perm = match_components(m.W_, theta.W)
    err = np.linalg.norm(m.W_[:, perm] - theta.W, axis=0) / theta.s
    true_of = {int(c): a for a, c in enumerate(perm)}
    heavy = m.diagnostics_["regression"]["anchor"]["heavy"]
    print(f"seed {s} {name}: warned {warned} W err per true comp {np.round(err, 3).tolist()}")
    for c, h in enumerate(heavy):
        if isinstance(h, dict) and not h.get("anchored", True):
            a = true_of.get(c)
            e = err[a] if a is not None else np.nan
            print(f"   est comp {c} (true {a}): tasks {h['tasks']}/{h['needed']} own err {e:.3f} "
                  f"light_worst {h.get('light_worst', np.nan):.3f} (floor {h.get('light_floor', np.nan):.3f}) "
                  f"anchored_worst {h.get('anchored_worst', np.nan):.3f} agreement {h.get('agreement', np.nan):.3f} "
                  f"passed {h.get('passed')} err/light_worst {e / h.get('light_worst', np.nan):.2f}")
