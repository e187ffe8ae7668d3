"""One row per probe10 log: attacked fits, worst silent and warned W,
exceptions and the largest in-run time ratio (attacked over the log's clean fit).

    python3 research/moments_robust/redteam10/table.py research/moments_robust/redteam10/p_*.log
"""
import json
import sys

for path in sys.argv[1:]:
    fits, silent, warned, raised, ratio = 0, None, None, 0, 0.0
    for line in open(path):
        if not line.startswith("    full"):
            continue
        r = json.loads(line.split("full", 1)[1])
        fits += 1
        if "exception" in r:
            raised += 1
            continue
        if r["warned"]:
            warned = max(warned or 0, r["w"])
        else:
            silent = max(silent or 0, r["w"])
        ratio = max(ratio, r.get("ratio") or 0)
    print(f"{path.split('/')[-1]:26s} fits {fits:2d}  silent {silent}  warned {warned}  "
          f"raised {raised}  ratio {ratio}")
