"""Which allowance let a row through: replay search rows (JSONL) on the
current code and with the light-2 filter's sampling allowances put back
to their flat values (monkeypatched here; the defence code is untouched):
``inflated``: inflated_edge -> INFLATED (1.2); ``ratio``: ratio_edge -> its
floor (1.15); ``both``. Clean fits are replayed the same way.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/attribution.py \
        LOG.jsonl --top 3 --out OUT.jsonl
"""
import argparse
import json
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401
import robust_mlr.stages.regression._clipped_test as CT  # noqa: E402
import robust_mlr.stages.regression._example_clip as EC  # noqa: E402

ORIG = {"inflated": CT.inflated_edge, "ratio": EC.ratio_edge}


def variant(name):
    CT.inflated_edge = ORIG["inflated"]
    EC.ratio_edge = ORIG["ratio"]
    if name in ("inflated", "both"):
        CT.inflated_edge = lambda d, rows: CT.INFLATED
    if name in ("ratio", "both"):
        EC.ratio_edge = lambda d, n_c, n_o, floor=1.15: floor


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = [json.loads(line) for p in a.logs for line in open(p) if line.strip()]
    groups = defaultdict(list)
    for r in rows:
        if r["phase"] == "attack" and "raised" not in r and not r["warned"]:
            groups[(r["problem"], r["seed"], r["alpha"])].append(r)
    out = open(a.out, "a")
    for (prob, seed, alpha), rs in sorted(groups.items()):
        rs.sort(key=lambda r: -r["w"])
        theta, pools = problem(prob, seed)
        variant("current")
        sett = settings_of(theta, pools, alpha, seed)
        for v in ("current", "inflated", "ratio", "both"):
            variant(v)
            c = fit(theta, pools, alpha, seed)
            print(f"{prob} seed {seed} alpha {alpha} [{v}] clean w {c['w']:.3f} "
                  f"warned {int(c['warned'])} spikes {c['reg']['spikes']}", flush=True)
            out.write(json.dumps(dict(problem=prob, seed=seed, alpha=alpha, variant=v,
                                      phase="clean", **c)) + "\n")
        for r in rs[:a.top]:
            variant("current")
            bad = attacked(theta, pools, sett, r["strategy"], alpha, r["draw"])
            for v in ("current", "inflated", "ratio", "both"):
                variant(v)
                res = fit(theta, bad, alpha, seed)
                out.write(json.dumps(dict(problem=prob, seed=seed, alpha=alpha, variant=v,
                                          phase="attack", number=r["number"], draw=r["draw"],
                                          strategy=r["strategy"], **res)) + "\n")
                out.flush()
                g = res.get("reg") or {}
                print(f"  #{r['number']} [{v}] w {res.get('w', float('nan')):.3f} "
                      f"warned {int(res.get('warned', 0))} ct {max(g.get('clipped_test') or [0]):.2f} "
                      f"st {max(g.get('score_test') or [0]):.2f} "
                      f"se {max(g.get('moved_se') or [0]):.1f} sp {g.get('spikes')} "
                      f"{(res.get('warnings') or [''])[:1]}", flush=True)
    variant("current")


if __name__ == "__main__":
    main()
