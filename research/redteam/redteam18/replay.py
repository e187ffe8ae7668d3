"""Replay logged rows: the attacked fit's W, ŝ², p̂ errors and warning, and
its time against alternating clean fits (``--reps`` of each).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/replay.py \
        LOG.jsonl --rows N [N ...] --reps 3

Rows are numbered in file order (0-based); scale rows (``strategy.family``)
are rebuilt with the unread placement of their run, search rows
(``strategy.light2``) with their Poolwise strategy.
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402
import unread  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools  # noqa: E402


def timed(theta, pools, alpha, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--rows", type=int, nargs="+", required=True)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.log) if line.strip()]
    for i in a.rows:
        r = rows[i]
        theta, pools = problem(r["problem"], r["seed"])
        sett = settings_of(theta, pools, r["alpha"], r["seed"])
        spec = dict(r["strategy"])
        if "family" in spec:
            fam = spec.pop("family")
            draw = unread.predicted_draw(theta, pools, r["alpha"], r["seed"]) if r["avoid"] else None
            att = unread.FAMILIES[fam](draw=draw, avoid=r["avoid"], **spec)
            heavy = None
            if r.get("heavy"):
                hname, hp = json.loads(r["heavy"])
                heavy = (hname, dict(hp, component=spec["component"]) if r.get("aim") not in
                         (None, "none") else hp)
            bad = corrupt_pools(pools, Poolwise(light2=att, heavy=heavy),
                                r.get("attack_alpha") or r["alpha"],
                                theta=theta, settings=sett, rng=np.random.default_rng(r["draw"]))
        else:
            bad = attacked(theta, pools, sett, r["strategy"], r["alpha"], r["draw"])
        res = fit(theta, bad, r["alpha"], r["seed"])
        print(f"row {i}: logged w {r.get('w', float('nan')):.3f} warned {r.get('warned')}; "
              f"replayed w {res.get('w', float('nan')):.3f} s2 {res.get('s2', float('nan')):.3f} "
              f"p {res.get('p', float('nan')):.3f} warned {res.get('warned')} "
              f"{res.get('raised', '')}{(res.get('warnings') or [''])[:1]}", flush=True)
        tc, ta = [], []
        for _ in range(a.reps):
            tc.append(timed(theta, pools, r["alpha"], r["seed"]))
            ta.append(timed(theta, bad, r["alpha"], r["seed"]))
        print(f"row {i} ({r['problem']} seed {r['seed']} alpha {r['alpha']} w {r.get('w', 0):.3f}): "
              f"clean {np.round(tc, 2).tolist()} attacked {np.round(ta, 2).tolist()} "
              f"ratio of minima x{min(ta) / min(tc):.2f}, of medians "
              f"x{np.median(ta) / np.median(tc):.2f}", flush=True)


if __name__ == "__main__":
    main()
