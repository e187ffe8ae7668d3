"""One compact row per fit of a batch15 log: draw, W, ŝ² error, warned,
clipped test (max over components), moved_se, time ratio, filter's top
eigenvalue over edge (max), tasks removed, spikes, the attack's parameters."""
import json
import re
import sys

for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith("#") or "EXCEPTION" in line:
            print(line.strip()[:220])
            continue
        g = lambda pat: re.search(pat, line).group(1)
        fe = json.loads(g(r"filt_eig (\[.*?\])"))
        rem = g(r"removed (\S+)")
        js = json.loads(line[line.index("{\"light2"):])
        parts = []
        for pool, (fam, prm) in js.items():
            prm = {k: v for k, v in prm.items() if k not in ("g_scale", "direction", "component")}
            parts.append(f"{pool}:{fam} " + json.dumps(prm, separators=(",", ":")))
        print(g(r"seed (\d+)"), g(r"draw (\d+)"), "W", g(r" W (\S+)"), "s2", g(r" s2 (\S+)"),
              "WARN" if g(r"warned (\S+)") == "True" else "silent", "ct", g(r"ctest (\S+)"),
              "mv", g(r"moved_se (\S+)"), g(r"time \S+ (x\S+)"), "filt", max(fe), "rm", rem,
              "sp", g(r"spikes (\[.*?\])").replace(" ", ""), " | ".join(parts))
