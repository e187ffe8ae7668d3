"""One line per attacked fit of rt21.py logs: parameters, W, warned, added shift along u,
read directions (count, share of u), CPU seconds.  python3 summ.py LOG..."""
import json
import sys

KEYS = ("rows", "lever", "resid", "npairs", "d_lever", "d_resid", "ndecoy", "lever_tasks",
        "component", "noise", "rest")
for path in sys.argv[1:]:
    for line in open(path):
        if not line.startswith("row "):
            continue
        i = line.index("} {")
        head = line[:line.index("{")].split()
        p = json.loads(line[line.index("{"):i + 1])
        r = json.loads(line[i + 2:])
        par = " ".join(f"{k}={p[k]}" for k in KEYS if k in p)
        extra = {k: v for k, v in p.items() if k not in KEYS and k != "direction"}
        dr = "white" if p.get("direction", "").endswith(".npy") else p.get("direction", "fixed")
        print(f"{head[1]} d{head[3]} {dr} {par} {extra or ''} | W {r.get('w')} "
              f"warned {r['warned']} tgt {r.get('tgt')} add_u {r.get('add_u')} "
              f"read {r.get('n_read')}/{r.get('u_read')} cpu {r.get('cpu')} "
              f"{r.get('exception', '')} {r.get('msgs') or ''}")
