"""Local search around the worst silent rows of search logs: each numeric
parameter of a row's light-2 strategy scaled by exp(N(0, 0.25)) (integers
stepped by ±1), the best silent row kept as the next centre.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/refine.py \
        LOG.jsonl --fits 30 --out OUT.jsonl
"""
import argparse
import json
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401

FIXED = {"component", "u_vec", "direction", "gate", "light", "select"}
UNIT = {"spike", "inflate", "balance", "share", "hide", "g_scale", "decoy_level"}


def perturb(params, r):
    p = dict(params)
    keys = [k for k, v in p.items() if k not in FIXED and isinstance(v, (int, float))]
    for k in r.choice(keys, size=min(3, len(keys)), replace=False):
        v = p[k]
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            p[k] = max(0 if k in ("u_decoys", "decoy") else 1, v + int(r.choice([-1, 1])))
        else:
            p[k] = float(v * np.exp(0.25 * r.standard_normal())) if v else float(r.uniform(0, 0.3))
            if k in UNIT:
                p[k] = min(p[k], 0.999 if k in ("share", "hide", "g_scale", "decoy_level") else 3.0)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--fits", type=int, default=30)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = [json.loads(line) for p in a.logs for line in open(p) if line.strip()]
    rows = [r for r in rows if "light2" in r.get("strategy", {"light2": 0})]
    groups = defaultdict(list)
    for r in rows:
        if r["phase"] == "attack" and "raised" not in r and not r["warned"]:
            groups[(r["problem"], r["seed"], r["alpha"])].append(r)
    out = open(a.out, "a")
    for (prob, seed, alpha), rs in sorted(groups.items()):
        best = max(rs, key=lambda r: r["w"])
        theta, pools = problem(prob, seed)
        clean = fit(theta, pools, alpha, seed)
        tc = min(clean["time"], fit(theta, pools, alpha, seed)["time"])
        out.write(json.dumps(dict(problem=prob, seed=seed, alpha=alpha, phase="clean", **clean))
                  + "\n")
        sett = settings_of(theta, pools, alpha, seed)
        r = np.random.default_rng([seed, int(alpha * 1000), 1818])
        centre, cw = best["strategy"], best["w"]
        print(f"{prob} seed {seed} alpha {alpha}: clean {clean['w']:.3f}, start {cw:.3f}",
              flush=True)
        for i in range(a.fits):
            fam, params = centre["light2"]
            strat = {"light2": [fam, perturb(params, r)]}
            if "heavy" in centre:                # the heavy part too, half the time
                hf, hp = centre["heavy"]
                strat["heavy"] = [hf, perturb(hp, r) if r.random() < 0.5 else hp]
            draw = [seed, 1000 + i, 18]
            bad = attacked(theta, pools, sett, strat, alpha, draw)
            res = fit(theta, bad, alpha, seed)
            res["time_ratio"] = res["time"] / tc
            out.write(json.dumps(dict(problem=prob, seed=seed, alpha=alpha, phase="attack",
                                      number=1000 + i, draw=draw, strategy=strat,
                                      clean_w=clean["w"], **res)) + "\n")
            out.flush()
            if "raised" in res:
                print(f"  RAISED {res['raised']}", flush=True)
                continue
            if not res["warned"] and res["w"] > cw:
                centre, cw = strat, res["w"]
            print(f"  {i} w {res['w']:.3f} warned {int(res['warned'])} best {cw:.3f}", flush=True)


if __name__ == "__main__":
    main()
