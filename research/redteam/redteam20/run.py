"""One attack strategy: a fit (errors, warning, what ran) and, with
``--reps`` > 0, its time against alternating clean fits.

    python3 research/redteam/redteam20/run.py --problem default --alpha 0.05 \
        --strategy '{"heavy": ["near_copies", {"groups": 2}]}' --reps 3 --out LOG.jsonl

A strategy maps pools to (family, params); families are the package's
(``robust_mlr.adversary.ATTACKS``), this folder's (``attacks.py``:
``near_copies``, ``placed_tasks``) and the eighteenth team's decoys
(``diluted_shift``: ``unread.DilutedShift``, placed without the sample).
``--cap N`` sets ``robust_mlr.covariates.ROUNDS_SAMPLE_PER_DIM`` (a very
large value: every trimming round on all tasks) for the fits of this run.
"""
import argparse
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import attacks  # noqa: E402
from harness import alternate, fit, log, problem, settings_of  # noqa: E402
import robust_mlr.covariates as cov  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools, get_attack  # noqa: E402

LOCAL = {"near_copies": attacks.NearCopies, "placed_tasks": attacks.PlacedTasks,
         "ladder": attacks.Ladder, "decoy": attacks.Decoy, "split": attacks.Split}


def make(name, params):
    if name in LOCAL:
        return LOCAL[name](**params)
    if name == "diluted_shift":
        import unread  # redteam18's, on the path through harness
        return unread.FAMILIES[name](avoid=False, **params)
    return get_attack(name, **params)


def corrupt(theta, pools, sett, alpha, strategy, draw=0):
    att = Poolwise(**{p: make(v[0], dict(v[1])) for p, v in strategy.items()})
    return corrupt_pools(pools, att, alpha, theta=theta, settings=sett,
                         rng=np.random.default_rng(draw))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="default")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--strategy", required=True)
    ap.add_argument("--draw", type=int, default=0)
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--cap", type=float)
    ap.add_argument("--tag", default="")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.cap:
        cov.ROUNDS_SAMPLE_PER_DIM = a.cap
    strategy = json.loads(a.strategy)
    theta, pools = problem(a.problem, a.seed)
    sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
    bad = corrupt(theta, pools, sett, a.alpha, strategy, a.draw)
    r = fit(theta, bad, a.alpha, a.seed)
    row = {"problem": a.problem, "seed": a.seed, "alpha": a.alpha, "draw": a.draw,
           "cap": a.cap, "tag": a.tag, "strategy": strategy, **r}
    print(f"{a.tag} w {r.get('w', float('nan')):.3f} warned {r.get('warned')} "
          f"cpu {r['cpu']:.2f} wall {r['wall']:.2f} wh {r.get('whitened')} bm {r.get('bm')} "
          f"reg {r.get('reg')} sub {r.get('sub', {}).get('run_iterations')} "
          f"{r.get('raised', '')} {r.get('warnings', [''])[:1]} {r.get('other_warnings')}",
          flush=True)
    if a.reps:
        t = alternate(theta, pools, bad, a.alpha, a.seed, a.reps)
        row["timing"] = t
        print(f"{a.tag} clean cpu {t['clean']['cpu']} attacked cpu {t['attacked']['cpu']} "
              f"ratio min cpu x{t['ratio_min_cpu']} med cpu x{t['ratio_med_cpu']} "
              f"min wall x{t['ratio_min_wall']} med wall x{t['ratio_med_wall']}", flush=True)
    if a.out:
        log(a.out, row)


if __name__ == "__main__":
    main()
