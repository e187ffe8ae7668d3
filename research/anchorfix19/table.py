"""Markdown table of the sweep logs: one row per (law, family, pool, α), one
column per fit, entries W err/s with * when a CorruptionWarning was raised,
RAISED for an exception.

    python3 research/anchorfix19/table.py > research/anchorfix19/sweep_table.md
"""
import collections

rows = collections.OrderedDict()
cols = []
for path in [f"research/anchorfix19/{stem}_{law}{tail}.log" for law in ("polynomial", "gaussian")
             for stem, tail in (("sweep", ""), ("sweep_icml_alpha", "_fixed"), ("sweep_all", ""),
                                ("sweep_all_icml_alpha", ""))]:
    for line in open(path):
        f = line.split()
        if len(f) < 8 or f[1] != "a":
            continue
        law, alpha, kind, pool, fit = f[0], f[2], f[3], f[4], f[5]
        if fit not in cols:
            cols.append(fit)
        warned = line.split("warned")[1].split()[0] == "1"
        val = f"{float(f[8]):.3f}" if f[6] == "ok" else "RAISED " + f[7].rstrip(":")
        rows.setdefault((law, kind, pool, alpha), {})[fit] = val + ("*" if warned else "")
print("| law | family | pool | α | " + " | ".join(cols) + " |")
print("|" + " --- |" * (4 + len(cols)))
for key, v in rows.items():
    print("| " + " | ".join(key) + " | " + " | ".join(v.get(c, "") for c in cols) + " |")
