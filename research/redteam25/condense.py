"""The README table: per (shape, law, α) and attack class, the fits (old +
off + new), worst subspace error and W error old → new, silent/warned (new),
configs where new is worse / better than off by > 0.05 in sin θ.

    python3 research/redteam25/condense.py research/redteam25/round{1,2,3,4,5}
"""
import sys, json, collections
rows = collections.OrderedDict()
for stem in sys.argv[1:]:
    for tag in ("new", "old"):
        for l in open(f"{stem}_{tag}.jsonl"):
            r = json.loads(l)
            rows.setdefault(r["line"], {})[r["var"]] = r


def cls(line):
    f = line.split()
    kv = dict(x.split("=") for x in f[5:])
    if f[4] == "none":
        return "clean (no attack)"
    if float(kv.get("f", 0)) >= 1:
        return "levers only (all αn)"
    if f[4] in ("fake", "fakelever"):
        return "fake comp. ± levers"
    return "library spikes" + (" + levers" if float(kv.get("f", 0)) > 0 else "")


g = collections.OrderedDict()
for line, v in rows.items():
    f = line.split()
    g.setdefault((f[0], f[1], f[2], cls(line)), []).append(v)
print("| shape law α | class | fits | worst sin θ old → new | worst W/s old → new | silent/warned (new) | new worse/better (>0.05) | max cov. scale |")
print("|---|---|---|---|---|---|---|---|")
tot = 0
for (sh, law, a, c), xs in sorted(g.items()):
    tot += 3 * len(xs)
    so = max(x["old"]["sub"] for x in xs); sn = max(x["new"]["sub"] for x in xs)
    wo = max(x["old"]["w"] for x in xs); wn = max(x["new"]["w"] for x in xs)
    wa = sum(x["new"]["warned"] for x in xs)
    worse = sum(x["new"]["sub"] > x["off"]["sub"] + 0.05 for x in xs)
    better = sum(x["new"]["sub"] < x["off"]["sub"] - 0.05 for x in xs)
    cs = max(x["new"].get("cov_scale_max") or 0 for x in xs)
    fmt = lambda a, b: f"{a:.3f} → {b:.3f}" if a < 100 else f"{a:.0f} → {b:.0f}"
    print(f"| {sh} {law} {a} | {c} | {3 * len(xs)} | {fmt(so, sn)} | {fmt(wo, wn)} | "
          f"{len(xs) - wa}/{wa} | {worse}/{better} | {cs:.2f} |")
print(f"\n{tot} fits over {tot // 3} pools")
