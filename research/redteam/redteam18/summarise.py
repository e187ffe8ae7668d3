"""Worst silent rows of search logs (JSONL), per problem, seed and alpha.

    python3 research/redteam/redteam18/summarise.py LOG.jsonl [...] [--top 3]
"""
import argparse
import json
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--by", default="w")
    a = ap.parse_args()
    rows = [json.loads(line) for p in a.logs for line in open(p) if line.strip()]
    groups = defaultdict(list)
    for r in rows:
        groups[(r["problem"], r["seed"], r["alpha"])].append(r)
    for key, rs in sorted(groups.items()):
        clean = [r for r in rs if r["phase"] == "clean"]
        att = [r for r in rs if r["phase"] == "attack"]
        raised = [r for r in att if "raised" in r]
        ok = [r for r in att if "raised" not in r]
        silent = sorted([r for r in ok if not r["warned"]], key=lambda r: -r[a.by])
        warned = sorted([r for r in ok if r["warned"]], key=lambda r: -r[a.by])
        slow = max((r.get("time_ratio", 0) for r in att), default=0)
        print(f"{key}: clean w {clean[0]['w']:.3f} s2 {clean[0]['s2']:.3f} p {clean[0]['p']:.3f}; "
              f"{len(att)} attacked, {len(warned)} warned, {len(raised)} raised, "
              f"max time x{slow:.2f}")
        for r in silent[:a.top]:
            print(f"  silent {a.by} {r[a.by]:.3f} (w {r['w']:.3f} s2 {r['s2']:.3f} p {r['p']:.3f}) "
                  f"x{r['time_ratio']:.2f} #{r['number']} {json.dumps(r['strategy'])}")
        for r in warned[:1]:
            print(f"  warned {a.by} {r[a.by]:.3f} #{r['number']} {r['warnings'][:1]}")
        for r in raised[:2]:
            print(f"  RAISED #{r['number']} {r['raised']} {json.dumps(r['strategy'])}")


if __name__ == "__main__":
    main()
