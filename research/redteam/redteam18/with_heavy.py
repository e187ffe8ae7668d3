"""The worst silent small-problem rows with the heavy pool attacked too
(``anchor_leak`` along its predicted anchor error, on the row's component),
draws 0-2 and the row's own draw.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/with_heavy.py \
        LOG.jsonl --rows N [N ...] --out OUT.jsonl
"""
import argparse
import json
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--rows", type=int, nargs="+", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.log) if line.strip()]
    out = open(a.out, "a")
    for i in a.rows:
        r = rows[i]
        theta, pools = problem(r["problem"], r["seed"])
        clean = fit(theta, pools, r["alpha"], r["seed"])
        sett = settings_of(theta, pools, r["alpha"], r["seed"])
        comp = r["strategy"]["light2"][1]["component"]
        for heavy in (None, ["anchor_leak", {"direction": "error", "component": comp}]):
            strat = dict(r["strategy"])
            if heavy:
                strat["heavy"] = heavy
            for draw in (r["draw"], [r["seed"], 0, 19], [r["seed"], 1, 19], [r["seed"], 2, 19]):
                res = fit(theta, attacked(theta, pools, sett, strat, r["alpha"], draw),
                          r["alpha"], r["seed"])
                out.write(json.dumps(dict(problem=r["problem"], seed=r["seed"], alpha=r["alpha"],
                                          phase="attack", number=i, draw=draw, strategy=strat,
                                          clean_w=clean["w"],
                                          time_ratio=res["time"] / clean["time"], **res)) + "\n")
                out.flush()
                print(f"row {i} seed {r['seed']} alpha {r['alpha']} clean {clean['w']:.3f} "
                      f"heavy {bool(heavy)} draw {draw}: w {res.get('w', float('nan')):.3f} "
                      f"warned {res.get('warned')} {res.get('raised', '')}", flush=True)


if __name__ == "__main__":
    main()
