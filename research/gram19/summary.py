"""Worst silent / warned W per seed and code (before = main, after = the row
cap) from logs/{before,after}_*.jsonl, and the per-row pull of the attacked
component.

    python3 research/gram19/summary.py
"""
import glob
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
for tag in ("before", "after"):
    for f in sorted(glob.glob(f"{here}/logs/{tag}_*.jsonl")):
        clean, rows = None, []
        for line in open(f):
            r = json.loads(line)
            if r["phase"] == "clean":
                clean = r["w_err"]
            else:
                rows.append(r)
        sil = [r for r in rows if not r["warned"]]
        ws = max((r["w_err"] for r in sil), default=float("nan"))
        print(f"{tag:6s} {os.path.basename(f):22s} seed {rows[0]['seed']} fits {len(rows)} "
              f"clean {clean:.4f} worst silent {ws:.4f} ({ws / clean:.2f}x) warned "
              f"{sum(r['warned'] for r in rows)} | W per row "
              f"{[round(r['w_err'], 4) for r in rows]} pulls on "
              f"{[int(sum(r['pull'])) for r in rows]} min ratio "
              f"{[min(r['mse_ratio']) for r in rows]}")
