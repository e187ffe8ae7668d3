"""Worst silent max||w^-w||/s per replay file, before / after (logs/{before,after}_*.jsonl),
with the pulls taken and the attacked fits' ratios.

    python3 research/gramdir19/summary.py [TAG ...]   (default: before after)
"""
import glob
import json
import os
import sys

import numpy as np

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs")


def load(path):
    return [json.loads(x) for x in open(path)] if os.path.exists(path) else []


TAGS = sys.argv[1:] or ["before", "after"]
names = sorted({os.path.basename(p).split("_", 1)[1] for p in glob.glob(f"{D}/{TAGS[-1]}_*.jsonl")})
for name in names:
    out = []
    for tag in TAGS:
        rows = [r for r in load(f"{D}/{tag}_{name}") if r.get("phase") == "attack"
                and not r.get("exception")]
        if not rows:
            out.append(f"{tag}: -")
            continue
        silent = [r for r in rows if not r["warned"]]
        pulls = sum(1 for r in rows if r.get("pull") and max(r["pull"]) > 0)
        clean = rows[0]["clean_w"]
        w = max((r["w_err"] for r in silent), default=float("nan"))
        tr = [x for r in rows for x in (r.get("mse_ratio_trimmed") or []) if x == x]
        rat = [min(r["mse_ratio"]) for r in rows if r.get("mse_ratio")]
        out.append(f"{tag}: {len(rows)} fits, {len(rows) - len(silent)} warned, pull taken in "
                   f"{pulls}; worst silent W {w:.4f} ({w / clean:.2f}x clean {clean:.4f}); "
                   f"min ratio {min(rat) if rat else float('nan'):.3f}"
                   + (f"; trimmed ratios asked {min(tr):.3f}-{max(tr):.3f}" if tr else ""))
    print(f"{name}\n  " + "\n  ".join(out))
