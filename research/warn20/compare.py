"""Before/after clean rates from the dump.py files: per configuration and
light-1 size, warned fits, of which with W error < 0.5 (a clustering that
worked); and the before floors' ratio (light/heavy) over unanchored
components. Usage: compare.py"""
import json
from collections import defaultdict
def load(path):
    return [json.loads(l) for l in open(path)]
b, a = load("research/warn20/clean_before.jsonl"), load("research/warn20/clean_after.jsonl")
tab = defaultdict(lambda: [0, 0, 0, 0])
for tag, rows in ((0, b), (2, a)):
    for r in rows:
        key = (r["d"], r["k"], r["nH"], r["n1"])
        tab[key][tag] += r["warned"]
        tab[key][tag + 1] += r["warned"] and r["w_err"] < 0.5
print("d k nH n1: warned before (of them W err < 0.5) -> after (of them W err < 0.5), of 20")
for key in sorted(tab):
    v = tab[key]
    print(*key, f": {v[0]} ({v[1]}) -> {v[2]} ({v[3]})")
ratios = [h["light_floor"] / h["heavy_floor"] for r in b for h in r["heavy"]
          if not h.get("anchored", True) and "light_floor" in h and h["heavy_floor"] < float("inf")]
print(f"before: unanchored components {len(ratios)}, light/heavy floor ratio "
      f"{min(ratios):.2f}-{max(ratios):.2f} (the old rule failed every one above 2)")
print("fits with W err < 0.5 warned, all configurations:",
      sum(r["warned"] and r["w_err"] < 0.5 for r in b), "->",
      sum(r["warned"] and r["w_err"] < 0.5 for r in a), "of", len(a))
