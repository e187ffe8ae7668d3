"""Rebuild ``slow_escape_heavy.npz``, the fixture of the escape re-solve test
(tests/test_burer_monteiro.py).

Run from the repository root:
``PYTHONPATH=.:research/redteam/redteam6 python3 tests/data/make_slow_escape_fixture.py``.

The eighth red team's search on the default problem (α = 0.05, fixed sizes,
seed 0) recorded search trial 27 (target W): ``copies`` on light1,
``anchor_leak`` on the heavy pool, ``component_shift`` on light2, the
slowest fit of that search (3.1–3.4× its clean time, most of it in the
re-solve after the second escape step of the heavy clustering). The script
replays it (same seeds as the search), fits ``MetaLearner.robust`` and saves
what its Burer–Monteiro clustering sees of the heavy tasks: the two
projected chunk means B = (2, n_H, b) of every heavy task on the stage's
basis (which determine the factored distance), their true components (−1
for corrupted), k and α.
"""

import csv
import json
import sys

#: The trial's row in the red team's saved results.
ROWS = "research/redteam/redteam8/final/default_default_fixed_a0.05_s0_n150.csv"
PHASE, TARGET, NUMBER = "search:search", "W", "27"


def main(out):
    import warnings

    import numpy as np

    from robust_mlr import MetaLearner
    from robust_mlr.adversary import attack_settings, corrupt_pools
    from robust_mlr.adversary.redteam import strategy_attack
    from robust_mlr.stages.clustering import projected_chunks, sdp
    from run import build_problem

    row = next(r for r in csv.DictReader(open(ROWS))
               if (r["phase"], r["target"], r["number"]) == (PHASE, TARGET, NUMBER))
    alpha, seed = float(row["alpha"]), int(row["seed"])
    theta, pools = build_problem(row["problem"], row["sizes"], seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        strategy = {p: tuple(v) for p, v in json.loads(row["strategy"]).items()}
        bad = corrupt_pools(pools, strategy_attack(strategy), alpha, theta=theta,
                            settings=attack_settings(clean, alpha),
                            rng=np.random.default_rng([seed, int(NUMBER)]))
        seen = {}
        solve = sdp.bm_cluster

        def record(data, U, k, **kwargs):
            seen.update(B=projected_chunks(data, U, 2, cache=False),
                        components=data.components, k=k, alpha=kwargs["alpha"])
            return solve(data, U, k, **kwargs)
        sdp.bm_cluster = record
        try:
            MetaLearner.robust(theta.k, alpha, rng=seed).fit(bad)
        finally:
            sdp.bm_cluster = solve
    np.savez_compressed(out, **seen)
    print(f"saved {out}: B {seen['B'].shape}, {int(np.sum(seen['components'] < 0))} corrupted")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/slow_escape_heavy.npz")
