"""Table of every logged fit (research/redteam24/logs/*.jsonl): per family,
fits, worst W silent / warned, the clean W of that problem, worst/clean."""
import glob
import json
from collections import defaultdict


def family(r):
    if r.get("phase", "").startswith("search"):
        return f"built-in search ({r['sizes']}, s{r['seed']})"
    st = r.get("strategy") or {}
    l2 = st.get("light2", ["none", {}])
    if l2[0] == "flip_gram":
        pick = l2[1].get("pick")
        if pick.startswith("select"):
            return f"flip_gram {pick} ({r['sizes']}, s{r['seed']})"
        return f"flip_gram {pick} ({r['sizes']}, s{r['seed']})"
    return f"{l2[0]} + heavy {st.get('heavy', ['none'])[0]} ({r['sizes']}, s{r['seed']})"


rows, clean = defaultdict(list), {}
for path in sorted(glob.glob("research/redteam24/logs/*.jsonl")):
    if "pulloff" in path:
        continue
    for line in open(path):
        r = json.loads(line)
        if r.get("phase") == "clean":
            clean[(r["sizes"], r["seed"])] = r["w_err"]
            continue
        if r.get("w_err") is None:
            continue
        rows[family(r)].append(r)
print("| family | fits | worst W silent | worst W warned | clean | worst silent / clean |")
print("| --- | --- | --- | --- | --- | --- |")
for fam, rs in sorted(rows.items()):
    c = clean.get((rs[0]["sizes"], rs[0]["seed"]), float("nan"))
    sil = max((r["w_err"] for r in rs if not r["warned"]), default=float("nan"))
    war = max((r["w_err"] for r in rs if r["warned"]), default=float("nan"))
    print(f"| {fam} | {len(rs)} | {sil:.4f} | {war:.4f} | {c:.4f} | {sil / c:.2f} |")
print("fits:", sum(len(v) for v in rows.values()))
# equal sizes (pulloff.py): clean with the rule as is / forced off, and attacked rows
print()
print("| equal sizes (pulloff.jsonl) | seed | PULL_GAIN | W | warned | pull | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
n_att = 0
for line in open("research/redteam24/logs/pulloff.jsonl"):
    r = json.loads(line)
    n_att += r["what"] != "clean"
    print(f"| {r['what'][:90]} | {r['seed']} | {r['gain']} | {r['w_err']:.4f} | {int(r['warned'])} | "
          f"{r['pull']} | {r['mse_ratio']} |")
print("attacked equal-size fits:", n_att)
