"""Summarise rt21 / probe output lines: parameters, W, warned, u_cols, n_read."""
import json
import sys

for l in sys.stdin:
    if l.startswith("row"):
        i = l.index("} {")
        a = json.loads(l[l.index("{"):i + 1])
        b = json.loads(l[i + 2:])
        keep = {k: v for k, v in a.items() if k not in ("direction", "vdirs")}
        print("W", b["w"], "warned", b["warned"], "removed", b.get("removed"), keep,
              "u_cols", b.get("u_cols", [])[:3], "n_read", b.get("n_read"))
    elif l.startswith("clean"):
        print("clean W", json.loads(l[6:])["w"])
    else:
        print(l.rstrip()[:300])
