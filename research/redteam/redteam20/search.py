"""Random search over one family's parameters for fit time (one process).

    python3 research/redteam/redteam20/search.py --problem default --alpha 0.05 \
        --family ladder --pool light2 --n 60 --out LOG.jsonl [--fixed JSON] [--extra JSON]

Each trial: one fit; logged with its CPU ratio to the best of two clean fits
of the same process, the filter's rounds and the warning. ``--extra``: a
strategy for the other pools kept fixed."""
import argparse
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import fit, log, problem, settings_of  # noqa: E402
from run import corrupt  # noqa: E402

SPACES = {
    "ladder": lambda r: {"directions": int(r.choice([4, 8, 12, 16, 20, 28, 40, 60])),
                         "levels": int(r.integers(2, 12)),
                         "ratio": float(r.choice([1.5, 2.0, 3.0, 4.0])),
                         "L_max": float(r.uniform(4, 11)), "R": float(r.uniform(0.7, 2.5)),
                         "bulk": float(r.choice([0.0, 0.3, 0.6])),
                         "L_bulk": float(r.uniform(2, 6))},
    "ladder_narrow": lambda r: {"directions": int(r.choice([8, 12, 16, 20, 24, 28])),
                                "levels": int(r.integers(1, 4)),
                                "ratio": float(r.uniform(1.2, 2.0)),
                                "L_max": float(r.uniform(6.5, 11)), "R": float(r.uniform(1.4, 2.6)),
                                "bulk": 0.0},
    "ladder_many": lambda r: {"directions": int(r.choice([28, 40, 60, 100, 200])),
                              "levels": int(r.integers(1, 4)),
                              "ratio": float(r.uniform(1.2, 2.0)),
                              "L_max": float(r.uniform(6.5, 11)), "R": float(r.uniform(1.4, 2.6)),
                              "bulk": 0.0},
    "ladder_single": lambda r: {"directions": 28, "levels": int(r.choice([2, 3, 4])),
                                "ratio": float(r.choice([2.0, 3.0, 4.0])),
                                "L_max": float(r.choice([9.0, 9.6, 10.2])),
                                "R": float(r.choice([1.55, 1.65, 1.75, 1.85])), "bulk": 0.0},
    "placed_tasks": lambda r: {"mode": str(r.choice(["between", "ring", "centroid"])),
                               "frac": float(r.uniform(0.2, 0.8)),
                               "spread": float(r.uniform(0, 0.3)),
                               "radius": float(r.uniform(0.3, 4)),
                               "noise": float(r.choice([0.0, 0.1, 0.5, 1.0, 2.0])),
                               "groups": int(r.choice([0, 1, 2, 3, 4, 5, 10])),
                               "share_x": bool(r.random() < 0.5),
                               "eps": float(r.choice([0.0, 1e-6, 1e-3]))},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="default")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--family", default="ladder")
    ap.add_argument("--pool", default="light2")
    ap.add_argument("--space", help="parameter space (default: the family's)")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--fixed", default="{}")
    ap.add_argument("--extra", default="{}")
    ap.add_argument("--search-seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
    clean = min((fit(theta, pools, a.alpha, a.seed) for _ in range(2)), key=lambda r: r["cpu"])
    print("clean cpu", round(clean["cpu"], 3), flush=True)
    rng = np.random.default_rng(a.search_seed)
    fixed, extra = json.loads(a.fixed), json.loads(a.extra)
    for i in range(a.n):
        params = dict(SPACES[a.space or a.family](rng), **fixed)
        strategy = dict(extra, **{a.pool: [a.family, params]})
        try:
            bad = corrupt(theta, pools, sett, a.alpha, strategy)
        except Exception as exc:  # noqa: BLE001
            print(i, "cannot build", exc)
            continue
        r = fit(theta, bad, a.alpha, a.seed)
        r["ratio_cpu"] = r["cpu"] / clean["cpu"]
        log(a.out, {"problem": a.problem, "seed": a.seed, "alpha": a.alpha, "trial": i,
                    "clean_cpu": clean["cpu"], "strategy": strategy, **r})
        print(f"{i:3d} x{r['ratio_cpu']:.2f} cpu {r['cpu']:.2f} w {r.get('w', np.nan):.3f} "
              f"warned {r.get('warned')} wh {r.get('whitened')} "
              f"filt {r.get('reg', {}).get('comp_iter')} clip {r.get('reg', {}).get('clip_iter')} "
              f"bm {r.get('bm', {}).get('outer_iterations')}/{r.get('bm', {}).get('inner_iterations')} "
              f"{json.dumps(params)} {r.get('raised', '')}", flush=True)


if __name__ == "__main__":
    main()
