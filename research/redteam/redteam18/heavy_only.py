"""The heavy-pool part alone (``anchor_leak`` along its predicted anchor
error, on a given component) on the small problem, draws 0-2.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/heavy_only.py \
        SEED ALPHA COMPONENT --out OUT.jsonl
"""
import argparse
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", type=int)
    ap.add_argument("alpha", type=float)
    ap.add_argument("component", type=int)
    ap.add_argument("--problem", default="small")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    clean = fit(theta, pools, a.alpha, a.seed)
    sett = settings_of(theta, pools, a.alpha, a.seed)
    strat = {"heavy": ["anchor_leak", {"direction": "error", "component": a.component}]}
    with open(a.out, "a") as out:
        for d in range(3):
            draw = [a.seed, d, 19]
            res = fit(theta, attacked(theta, pools, sett, strat, a.alpha, draw), a.alpha, a.seed)
            out.write(json.dumps(dict(problem=a.problem, seed=a.seed, alpha=a.alpha,
                                      phase="attack", number=d, draw=draw, strategy=strat,
                                      clean_w=clean["w"], time_ratio=res["time"] / clean["time"],
                                      **res)) + "\n")
            print(f"seed {a.seed} alpha {a.alpha} heavy only comp {a.component} draw {draw}: "
                  f"clean {clean['w']:.3f} w {res['w']:.3f} warned {res['warned']} "
                  f"{res['warnings'][:1]}", flush=True)


if __name__ == "__main__":
    main()
