"""Before/after table of the replays in research/anchor4 (w error per draw,
whether a CorruptionWarning was raised, and the strategy).

    python3 research/anchor4/summarize.py > research/anchor4/summary.txt
"""
import glob
import json
import os


def records(path):
    out, cur = [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("clean "):
            r = json.loads(line[6:])
            out.append(["clean", [r["w"]], [r["warned"]]])
        elif line.startswith("  draw"):
            r = json.loads(line.split(": ", 1)[1])
            cur[1].append(r["w"])
            cur[2].append(r["warned"])
        elif line.startswith("{"):
            cur = [line, [], []]
            out.append(cur)
    return out


here = os.path.dirname(os.path.abspath(__file__))
for before in sorted(glob.glob(os.path.join(here, "probe*_before_*.txt"))):
    after = before.replace("_before_", "_after_")
    if not os.path.exists(after):
        continue
    print("==", os.path.basename(before).replace("_before", ""))
    for (name, wb, sb), (_, wa, sa) in zip(records(before), records(after)):
        fmt = "/".join
        print(f"  {fmt(f'{x:.3f}' for x in wb)} -> {fmt(f'{x:.3f}' for x in wa)}"
              f"  warned {sum(sb)}->{sum(sa)}  {name}")
