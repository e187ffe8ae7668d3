"""Join the new/off/old fits of a round and tabulate per family.

    python3 research/redteam25/compare.py research/redteam25/round1 [more stems]
"""
import sys, json, collections
rows = collections.OrderedDict()
for stem in sys.argv[1:]:
    for tag in ("new", "old"):
        try:
            fh = open(f"{stem}_{tag}.jsonl")
        except FileNotFoundError:
            continue
        for l in fh:
            r = json.loads(l)
            rows.setdefault(r["line"], {})[r["var"]] = r


def fam(line):
    f = line.split()
    kv = dict(x.split("=") for x in f[5:])
    name = f[4] + (":" + kv["attack"] if "attack" in kv else "")
    if float(kv.get("f", 0)) > 0 and f[4] != "fakelever":
        name += "+lever"
    return f"{f[0]} {f[1]} a={f[2]} {name}"


print(f"{'config':<72} {'sub old/off/new':>22} {'W old/off/new':>22} {'rem old/new':>12} warn o/n  cs")
groups = collections.OrderedDict()
for line, v in rows.items():
    if not all(t in v and "sub" in v[t] for t in ("new", "off", "old")):
        print(line, "INCOMPLETE", {t: v.get(t) for t in v})
        continue
    o, f_, n = v["old"], v["off"], v["new"]
    print(f"{line:<72} {o['sub']:.3f}/{f_['sub']:.3f}/{n['sub']:.3f}   {o['w']:.3f}/{f_['w']:.3f}/{n['w']:.3f}"
          f"  {o['removed']:>5}/{n['removed']:<5} {o['warned']}/{n['warned']}  {n.get('cov_scale_max')}")
    g = groups.setdefault(fam(line), [])
    g.append((o, f_, n))
print()
print(f"{'family':<48} fits  worst sub old/off/new   worst W old/off/new   new-worse(sub>+.05) silent/warned(new)  max cs")
tot = 0
for name, g in groups.items():
    ws = [max(x[i]["sub"] for x in g) for i in range(3)]
    ww = [max(x[i]["w"] for x in g) for i in range(3)]
    worse = sum(1 for o, f_, n in g if n["sub"] > f_["sub"] + 0.05)
    sil = sum(1 for o, f_, n in g if not n["warned"])
    cs = max((x[2].get("cov_scale_max") or 0) for x in g)
    tot += 3 * len(g)
    print(f"{name:<48} {len(g):>3}  {ws[0]:.3f}/{ws[1]:.3f}/{ws[2]:.3f}      {ww[0]:.3f}/{ww[1]:.3f}/{ww[2]:.3f}"
          f"        {worse:>2}              {sil}/{len(g) - sil}          {cs:.2f}")
print("fits total (old + off + new):", tot)
