"""Who the agreement test sees: the heavy tasks of an unanchored component are
those the light estimates' responsibilities assign to it (heavy_assignment).
For the small-size fits of unanchored_silent.py: per unanchored estimated
component, the true component's heavy tasks (pool's `components`; tasks the
attack replaced excluded when it changed them) and where they were assigned."""
import sys, warnings
import numpy as np
from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import corrupt_pools
from robust_mlr.metrics import match_components
import robust_mlr.stages.regression._pooled as P

PLANS = {"clean": [],
         "anchor_starve+edge_placement": [("anchor_starve", ("heavy",)), ("edge_placement", ("light2",))],
         "anchor_starve+midpoint": [("anchor_starve", ("heavy",)), ("midpoint", ("light2",))],
         "anchor_edge+edge_placement": [("anchor_edge", ("heavy",)), ("edge_placement", ("light2",))],
         "fake_cluster": [("fake_cluster", ("heavy",))]}
seen = {}
orig = P.heavy_anchor
def spy(heavy, labels, *a, **kw):
    seen["labels"] = np.array(labels)
    return orig(heavy, labels, *a, **kw)
P.heavy_anchor = spy
for s, name in [(8, p) for p in PLANS] + [(6, "clean"), (6, "anchor_starve+edge_placement")]:
    theta = make_params(8, 3, rng=s)
    clean = make_pools(theta, 600, 2, 20, 32, 300, 4, rng=100 + s)
    pools = clean
    for i, (att, targets) in enumerate(PLANS[name]):
        pools = corrupt_pools(pools, att, 0.05, theta=theta, targets=targets, rng=4 + s + 100 * i)
    changed = np.array([not (np.array_equal(clean.heavy.task(i)[0], pools.heavy.task(i)[0])
                             and np.array_equal(clean.heavy.task(i)[1], pools.heavy.task(i)[1]))
                        for i in range(clean.heavy.n_tasks)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(theta.k, 0.05, rng=2 + s).fit(pools)
    perm = match_components(m.W_, theta.W)
    lab, truth = seen["labels"], clean.heavy.components
    for c, h in enumerate(m.diagnostics_["regression"]["anchor"]["heavy"]):
        if isinstance(h, dict) and not h.get("anchored", True):
            a = int(np.flatnonzero(perm == c)[0]) if np.any(perm == c) else -1
            own = (truth == a) & ~changed
            print(f"seed {s} {name}: est comp {c} (true {a}) tasks {h['tasks']}: clean true-{a} heavy "
                  f"tasks {own.sum()}, assigned to it {np.sum(own & (lab == c))}, elsewhere "
                  f"{np.sum(own & (lab != c))}; corrupted tasks assigned to it "
                  f"{np.sum(changed & (lab == c))}; agreement {h.get('agreement', np.nan):.3f}")
