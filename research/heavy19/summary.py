"""Before/after table of research/heavy19/logs/{before,after}_*.jsonl:
max||ŵ−w||/s, W/clean, warned, per attacked fit."""
import glob
import json
import os

L = "research/heavy19/logs"
rows = {}
for tag in ("before", "after"):
    for f in sorted(glob.glob(f"{L}/{tag}_*.jsonl")):
        part = os.path.basename(f)[len(tag) + 1:-6]
        for line in open(f):
            r = json.loads(line)
            if r.get("phase") != "attack":
                continue
            key = (part, r["sizes"], r["seed"], r.get("note", ""))
            rows.setdefault(key, {})[tag] = r
worst = {"before": 0.0, "after": 0.0}
print(f"{'run':8s} {'sizes':6s} seed {'row':58s} {'before':>16s} {'after':>16s}")
for key, v in rows.items():
    cells = []
    for tag in ("before", "after"):
        r = v.get(tag)
        if r is None or r.get("exception"):
            cells.append(f"{'-' if r is None else 'raised':>16s}")
            continue
        ratio = r["w_err"] / r["clean_w"]
        if not r["warned"]:
            worst[tag] = max(worst[tag], ratio)
        cells.append(f"{r['w_err']:.4f} {ratio:4.2f}x{' W' if r['warned'] else '  '}")
    print(f"{key[0]:8s} {key[1]:6s} {key[2]:4d} {key[3][:58]:58s} {cells[0]} {cells[1]}")
print(f"worst silent W/clean: before {worst['before']:.2f}x, after {worst['after']:.2f}x "
      f"(W = warned)")
