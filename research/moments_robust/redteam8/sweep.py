"""Probe grids of ``median_park`` strategies on the small-heavy problem with
the third moment red team's recorder (``research/moments_robust/redteam7/probe.py``):
one clean fit, then each strategy on its draw, one JSON line per fit.

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam8/sweep.py --seed 1 --alpha 0.05 \\
        --heavy edge --grid 'shift=1.3,1.5;inflate=0.1,0.12;noise=0.2' [--draws 0,1]

``--grid`` gives lists of ``median_park`` parameters (product); the rest
are fixed by ``--base`` (JSON). ``--heavy``: ``edge`` (the third team's
heavy ``anchor_edge`` on the same component), ``none``, or a JSON
``[family, params]``. Each line is the probe's record plus the strategy and
its draw ([seed, n]) so ``replay.py --strategy search:n:JSON`` replays it.
"""
import argparse
import itertools
import json
import runpy
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "redteam7"))
import probe  # noqa: E402 - the third team's recorder (wraps the light-median step)

from robust_mlr.adversary import attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.adversary.redteam import strategy_attack  # noqa: E402

HEAVY_EDGE = ["anchor_edge", {"component": 6, "level": 1.2, "rss": 1.3, "pick": "own",
                              "direction": "orthogonal"}]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--grid", default="")
    ap.add_argument("--base", default='{"component": 6, "shift": 1.5, "decoys": 0.03, '
                                      '"noise": 0.2, "inflate": 0.12}')
    ap.add_argument("--heavy", default="edge")
    ap.add_argument("--light1", default="", help="JSON [family, params] for light 1")
    ap.add_argument("--family", default="median_park")
    ap.add_argument("--draws", default="0")
    a = ap.parse_args()
    import robust_mlr.adversary  # noqa: F401
    theta, pools = probe.build_problem("smallheavy", "fixed", a.seed)
    clean, rec = probe.fit(pools, theta, a.alpha, a.seed)
    print("clean", json.dumps(rec), flush=True)
    settings = attack_settings(clean, a.alpha)
    base = json.loads(a.base)
    grid = [(k, [float(x) if x.replace(".", "").replace("-", "").isdigit() else x
                 for x in v.split(",")])
            for k, v in (item.split("=") for item in a.grid.split(";") if item)]
    heavy = (HEAVY_EDGE if a.heavy == "edge" else None if a.heavy == "none"
             else json.loads(a.heavy))
    for combo in itertools.product(*[v for _, v in grid]):
        params = dict(base, **{k: v for (k, _), v in zip(grid, combo)})
        if isinstance(params.get("component"), float):
            params["component"] = int(params["component"])
        strat = {"light2": [a.family, params]}
        if heavy:
            strat["heavy"] = heavy
        if a.light1:
            strat["light1"] = json.loads(a.light1)
        for n in [int(x) for x in a.draws.split(",")]:
            st = {p: tuple(v) for p, v in strat.items()}
            bad = corrupt_pools(pools, strategy_attack(st), a.alpha, theta=theta,
                                settings=settings, rng=np.random.default_rng([a.seed, n]))
            try:
                _, r = probe.fit(bad, theta, a.alpha, a.seed)
                r["ratio"] = round(r["time"] / rec["time"], 2)
            except Exception as exc:  # noqa: BLE001 - a crash is a finding
                import traceback
                r = {"exception": f"{type(exc).__name__}: {str(exc)[:160]}",
                     "trace": traceback.format_exc().strip().splitlines()[-1]}
            short = {k: r.get(k) for k in ("w", "s2", "warned", "worst", "ratio", "exception")}
            short.update(filt=r.get("filter"), n_final=r.get("n_cls_final"),
                         fab=r.get("fabricable"), recheck=r.get("recheck"),
                         ev=r.get("evidence"))
            print(f"search:{n}:{json.dumps(strat)}", flush=True)
            print("   ", json.dumps(short), flush=True)
            print("    full", json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
