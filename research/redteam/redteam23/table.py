"""All attacked fits in this folder's logs (rt21/rt23 lines): count,
exceptions, slowest time ratio, and the worst silent rows per attack.

    python3 research/redteam/redteam23/table.py
"""
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []
for path in sorted(glob.glob(os.path.join(HERE, "*.log"))):
    name = os.path.basename(path)
    m = re.search(r"_s(\d)\.log$", name)
    seed = int(m.group(1)) if m else None
    clean_cpu = None
    for line in open(path):
        if line.startswith("clean"):
            clean_cpu = json.loads(line[6:]).get("cpu")
            k = json.loads(line[6:])
            if seed is None or name == "replay.log":   # replay.log: seeds 1, 1, 0, 2, 3 in order
                pass
        if not line.startswith("row"):
            continue
        i = line.index("} {")
        a = json.loads(line[line.index("{"):i + 1])
        b = json.loads(line[i + 2:])
        attack = line.split()[1]
        tr = b.get("tratio") or (round(b["cpu"] / clean_cpu, 2) if clean_cpu and "cpu" in b else None)
        rows.append(dict(log=name, seed=seed, attack=attack, draw=int(line.split()[3]), w=b.get("w"),
                         warned=b["warned"], exc=b.get("exception"), t=tr, st=max(b.get("st", [0])),
                         params={k: v for k, v in a.items() if k not in ("direction", "vdirs")}))
print(len(rows), "attacked fits;", sum(r["exc"] is not None for r in rows), "exceptions;",
      "slowest", max(r["t"] or 0 for r in rows), "x clean")
for att in sorted({r["attack"] for r in rows}):
    sil = sorted([r for r in rows if r["attack"] == att and not r["warned"] and r["w"] is not None],
                 key=lambda r: -r["w"])
    print(f"== {att}: {sum(r['attack'] == att for r in rows)} fits, silent {len(sil)}")
    for r in sil[:6]:
        print(f"  W {r['w']:.4f} st {r['st']:.3f} t {r['t']} draw {r['draw']} {r['log']} {r['params']}")
