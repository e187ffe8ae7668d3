"""Rebuild ``redteam_bm_trial.npz``, the fixture of the robust Burer–Monteiro
regression test (tests/test_burer_monteiro.py).

Run from the repository root: ``PYTHONPATH=. python3 tests/data/make_redteam_bm_fixture.py``.

The red team's release search (α = 0.05, light tasks of heterogeneous sizes)
recorded trial 122: ``subspace_spike`` on light1, an in-span ``centre_shift``
on the heavy pool, ``extreme_values`` on light2. The script replays it (same
seeds as the search), fits ``MetaLearner.robust`` to get the subspace
estimate U, screens the pools as the learner does, and saves what the
clustering stage sees of the heavy tasks: the two projected chunk means
B = (2, n_H, k) of every screened heavy task (which determine the factored
distance D_ij = (B0_i − B0_j)ᵀ(B1_i − B1_j)), their true components (−1 for
corrupted) and α, plus the robust Peng–Wei SDP value on the
median-normalised D computed by SCS at eps = 1e-7.
"""

import json
import sys
from pathlib import Path

#: The trial's record in the red team's saved history.
TRIAL = 122
SEARCH = "research/redteam/release/robust_a0.05_hetero_W_b150_s0.json"


def main(out):
    import warnings

    import cvxpy as cp
    import numpy as np

    from experiments.adaptive import PROBLEM, make_problem
    from robust_mlr import MetaLearner
    from robust_mlr.adversary import attack_settings, corrupt_pools
    from robust_mlr.adversary.redteam import strategy_attack
    from robust_mlr.data import Pools
    from robust_mlr.stages.clustering import (LowRankCost, peng_wei_problem,
                                               projected_chunks)
    from robust_mlr.stages.screening import screen_pools

    hist = json.loads(Path(SEARCH).read_text())
    args = hist["args"]
    rec = next(r for r in hist["history"] if r["number"] == TRIAL)
    alpha, seed = args["alpha"], args["seed"]
    theta, pools = make_problem(dict(PROBLEM, sizes=args["sizes"]),
                                np.random.default_rng([seed, 11]))
    attack = strategy_attack({p: tuple(v) for p, v in rec["strategy"].items()})
    learner = MetaLearner.robust(theta.k, alpha, rng=seed)
    # what the red team lets the adversary read off the learner
    settings = attack_settings(learner, alpha)
    bad = corrupt_pools(pools, attack, alpha, theta=theta, settings=settings,
                        rng=np.random.default_rng([seed, TRIAL]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = learner.fit(bad)
    heavy = Pools(**screen_pools(bad, alpha)[0]).heavy
    B = projected_chunks(heavy, model.U_, 2)
    D = LowRankCost(B[0], B[1]).dense()
    D /= np.median(np.abs(D[~np.eye(D.shape[0], dtype=bool)]))   # as the clustering stage
    Z, obj, cons = peng_wei_problem(D, theta.k, alpha, robust=True)
    prob = cp.Problem(obj, cons)
    prob.solve(solver="SCS", eps=1e-7, max_iters=200000)
    if prob.status != "optimal":
        raise RuntimeError(f"SCS ended {prob.status}")
    np.savez_compressed(out, B=B, components=heavy.components, alpha=alpha, k=theta.k,
                        scs_objective=prob.value)
    print(f"saved {out}: n_H={B.shape[1]}, SCS objective {prob.value:.6f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/redteam_bm_trial.npz")
