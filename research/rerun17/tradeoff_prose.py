"""Numbers quoted in the prose of the tH_nH_tradeoff sections, from a CSV.

Prints the unpruned k = 8, t_H = 4 curves (median and range over seeds of
each method's centre error per n_H), the ratios of required n_H quoted on
the clustering and moments pages, and the study's total fit and trial time.
Usage: python3 research/rerun17/tradeoff_prose.py CSV
"""
import json
import sys

import numpy as np

from experiments._tradeoff_stats import METHODS, required_n
from robust_mlr.engine.storage import read_results

rows = [r for r in read_results(sys.argv[1]) if r.get("status") == "ok"]


def med(m, k, t):
    c = required_n(rows, m, k, t)
    return np.nan if c is None else c["n"]


curve = [r for r in rows if r.get("mode") == "curve" and r["k"] == 8 and r["t_H"] == 4]
print(f"k = 8, t_H = 4 curves ({len(curve)} seeds): median [min, max] error per n_H")
for m in METHODS:
    per_n = {}
    for r in curve:
        text = r.get(f"curve_{m}")
        if isinstance(text, str) and text:
            for n, (err, _) in json.loads(text).items():
                per_n.setdefault(int(n), []).append(np.inf if err is None else err)
    cells = [f"{n}: {np.median(v):.3g} [{min(v):.3g}, {max(v):.3g}]"
             for n, v in sorted(per_n.items())]
    print(f"  {m}: " + "; ".join(cells))
em, orc = {}, {}
for r in curve:
    a = json.loads(r["curve_em"])
    b = json.loads(r["curve_oracle"])
    for n in a:
        if n in b and a[n][0] is not None and b[n][0] is not None:
            em[(r["seed"], n)], orc[(r["seed"], n)] = a[n][0], b[n][0]
below = sum(em[key] < orc[key] for key in em)
print(f"  EM below the oracle on the same pool in {below} of {len(em)} (seed, n_H) pairs")
for k, ts in ((8, (3, 4, 6, 8, 12, 16, 32)), (4, (3, 4, 6)), (16, (4, 6, 32))):
    for m in ("moments", "kmeans", "moments_em", "em_robust_a02", "oracle"):
        ratios = [f"t_H={t}: {med(m, k, t) / med('em', k, t):.2f}" for t in ts]
        print(f"k = {k}: {m} / em: " + ", ".join(ratios))
fit = sum(sum(float(r.get(f"time_{m}") or 0) for m in METHODS
              if np.isfinite(float(r.get(f"time_{m}") or 0))) for r in rows)
print(f"fit CPU-minutes {fit / 60:.1f}; trial wall minutes "
      f"{sum(float(r['wall_time']) for r in rows) / 60:.1f}")
