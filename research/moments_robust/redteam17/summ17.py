"""One compact row per fit of batch17 logs: seed, alpha, draw, W, ŝ² error,
warned, clipped_test and score_test (max over components), moved_se,
filter's top eigenvalue over edge (max), tasks removed, time ratio, params.

    python3 research/moments_robust/redteam17/summ17.py LOG [LOG ...] [--silent]
"""
import json
import re
import sys

rows = []
for path in [a for a in sys.argv[1:] if not a.startswith("--")]:
    for line in open(path):
        if line.startswith("#") or "EXCEPTION" in line:
            continue
        g = lambda pat: re.search(pat, line).group(1)
        js = json.loads(line[line.index("{\"light2"):])
        prm = {k: v for k, v in js["light2"][1].items() if k != "direction"}
        d = js["light2"][1].get("direction", "fixed")
        prm["dir"] = "clean_err" if d.endswith(".npy") else d
        if js["light2"][0] != "hidden_lever":
            prm = {"attack": js["light2"][0], **prm}
        rows.append((float(g(r" W (\S+)")), g(r"seed (\d+)"), g(r" a (\S+)"), g(r"draw (\d+)"),
                     g(r" s2 (\S+)"), g(r"warned (\S+)") == "True", g(r"ctest (\S+)"),
                     g(r"stest (\S+)"), g(r"moved_se (\S+)"),
                     max(json.loads(g(r"filt_eig (\[.*?\])"))), g(r"removed (\S+)"),
                     g(r"time \S+ (x\S+)"), json.dumps(prm, separators=(",", ":"))))
rows.sort(key=lambda r: -r[0])
for r in rows:
    if "--silent" in sys.argv and r[5]:
        continue
    print(f"| {r[1]} | {r[2]} | {r[3]} | {r[0]:.3f} | {r[4]} | {'**yes**' if r[5] else 'no'} | "
          f"{r[6]} | {r[7]} | {r[8]} | {r[9]:.3f} | {r[10]} | {r[11]} | `{r[12]}` |")
