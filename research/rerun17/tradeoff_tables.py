"""The tH_nH_tradeoff tables of docs/clustering.md, as markdown, from a CSV.

Same statistics as the study's summary (experiments._tradeoff_stats), in
the page's format (three significant digits, thin thousands separators).
Usage: python3 research/rerun17/tradeoff_tables.py CSV
"""
import sys

import numpy as np

from experiments._tradeoff_stats import METHODS, required_n, slope_interval
from robust_mlr.engine.storage import read_results


def _n(x):
    x = float(f"{x:.3g}")
    return f"{x:,.0f}".replace(",", " ")


def _cell(c):
    if c is None:
        return "·"
    if not np.isfinite(c["n"]):
        return "—"
    if c["below"]:
        return f"≤ {c['n']:.0f}"
    hi = "∞" if not np.isfinite(c["hi"]) else _n(c["hi"])
    return f"{_n(c['n'])} [{_n(c['lo'])}, {hi}]"


def tables(rows):
    out = []
    for k in (8, 4, 16):
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        if not ts:
            continue
        out.append(f"| k = {k} | " + " | ".join(f"t_H = {t}" for t in ts) + " | slope [90 %] |")
        out.append("| --- " * (len(ts) + 2) + "|")
        for m in METHODS:
            cells = [_cell(required_n(rows, m, k, t)) for t in ts]
            s = slope_interval(rows, m, k)
            slope = ("–" if s is None else
                     f"{s[0]:.2f} [{s[1]:.2f}, {s[2]:.2f}] (t_H = {s[3][0]}…{s[3][-1]})")
            out.append(f"| {m} | " + " | ".join(cells) + f" | {slope} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    rows = [r for r in read_results(sys.argv[1]) if r.get("status") == "ok"]
    print(tables(rows))
