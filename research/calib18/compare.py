"""Pair old/new rows of an eval_fit/lever_attack log: subspace error,
removed and warning before/after; bit-identical rows are counted."""
import re, sys
from collections import defaultdict
rows = defaultdict(dict)
for line in open(sys.argv[1]):
    if not line.startswith(("old ", "new ")):
        continue
    tag, rest = line.split(" ", 1)
    key = re.sub(r"\s+sub .*", "", rest.strip()) if "lever" not in sys.argv[1] else \
        re.sub(r" screen.*", "", rest.strip())
    rows[key][tag] = rest.strip()
same = 0
worse = []
for key, r in rows.items():
    if "old" not in r or "new" not in r:
        continue
    f = lambda s: (re.search(r"sub (\d+)/(\d+)", s).groups(), re.search(r"warn=(\d)", s).group(1),
                   float(re.search(r"err=([\d.]+)", s).group(1)))
    (ro, lo), wo, eo = f(r["old"])
    (rn, ln), wn, en = f(r["new"])
    if ro == rn and wo == wn and eo == en:
        same += 1
        continue
    print(f"{key:<55} old sub {ro}/{lo} warn {wo} err {eo:.4f} | new sub {rn}/{ln} warn {wn} err {en:.4f}"
          f"  Δerr {en - eo:+.4f}")
print(f"{same} of {len(rows)} rows identical (removed, warning, error)")
