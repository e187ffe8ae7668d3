"""The spike test as the refit reads it, along the attack's own directions:
for each component, its kept rows' mean (x·e)² over the other components'
pooled, for e = u (the shift direction) and v (the decoy direction), and
the top eigenvalue of the whitened Gram (the spike test's statistic; a
spike at > 1.15).

    PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam12/probe12.py ALPHA SEED DRAW 'JSON'
"""
import json
import sys
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools, get_attack
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.adversary.redteam import strategy_attack as _sa  # noqa: F401
from robust_mlr.adversary._base import AttackContext
from robust_mlr.stages.regression import robust as rob

from run import build_problem
from drive import fit


def main():
    alpha, seed, draw, js = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    theta, pools = build_problem("smallheavy", "fixed", seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(8, alpha, rng=seed, clustering="moments_robust").fit(pools)
    settings = attack_settings(clean, alpha)
    strat = {p: tuple(v) for p, v in json.loads(js).items()}
    bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta, settings=settings,
                        rng=np.random.default_rng([seed, draw]))
    name, kw = strat["light2"]
    att = get_attack(name, **kw)
    ctx = AttackContext(theta, settings, pools, "light2")
    a = 6 if kw.get("component") is None else int(kw["component"])
    u, v = att.directions(theta, a, ctx)
    seen = {}
    orig = rob.clipped_refit

    def spy(data, labels, kept, W, s2, t_cap, grams, rhs, *args, **kws):
        seen["grams"] = None if grams is None else np.array(grams)
        seen["labels"] = np.where(kept, labels, -1)
        seen["sizes"] = data.sizes
        return orig(data, labels, kept, W, s2, t_cap, grams, rhs, *args, **kws)

    rob.clipped_refit = spy
    m, rec = fit(bad, theta, alpha, seed)
    G = seen["grams"]
    lab = seen["labels"]
    n = np.bincount(lab[lab >= 0], weights=seen["sizes"][lab >= 0].astype(float), minlength=8)
    tot, ntot = G.sum(axis=0), n.sum()
    print("W", rec["w"], "s2", rec["s2"], "warned", rec["warned"], "spikes", rec["spikes"],
          "reach", rec["reach"])
    for c in range(G.shape[0]):
        rest = (tot - G[c]) / (ntot - n[c])
        mine = G[c] / n[c]
        L = np.linalg.cholesky(rest)
        B = np.linalg.solve(L, np.linalg.solve(L, mine).T)
        lam = np.linalg.eigvalsh((B + B.T) / 2)
        print(f"comp {c}: u ratio {u @ mine @ u / (u @ rest @ u):.3f} (own {u @ mine @ u:.2f}, "
              f"others {u @ rest @ u:.2f}); v ratio {v @ mine @ v / (v @ rest @ v):.3f}; "
              f"top eigenvalues {np.round(lam[-3:], 3).tolist()}")


if __name__ == "__main__":
    main()
