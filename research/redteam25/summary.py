"""Table over all rounds: per (shape, law, α, family) the fits, worst and mean
subspace error and W error (old / new; 'off' = new code with the covariate
scale switched off, equal to old on the subspace in every fit), how many
configs the new code made worse / better by > 0.05 in sin θ, silent
(no CorruptionWarning from the new code) among the worse, largest covariate scale.

    python3 research/redteam25/summary.py research/redteam25/round1 ... [--worst N]
"""
import sys, json, collections
import numpy as np
args = [a for a in sys.argv[1:] if not a.startswith("--")]
nworst = int(sys.argv[sys.argv.index("--worst") + 1]) if "--worst" in sys.argv else 15
args = [a for a in args if not a.isdigit()]
rows = collections.OrderedDict()
for stem in args:
    for tag in ("new", "old"):
        for l in open(f"{stem}_{tag}.jsonl"):
            r = json.loads(l)
            rows.setdefault(r["line"], {})[r["var"]] = r


def fam(line):
    f = line.split()
    kv = dict(x.split("=") for x in f[5:])
    name = f[4] + (":" + kv["attack"] if "attack" in kv else "")
    if f[4] == "fake" and "v" in kv:
        name += ":" + kv["v"]
    fr = float(kv.get("f", 0))
    if fr >= 1:
        name = "lever-only"
    elif fr > 0 and f[4] != "fakelever":
        name += "+lever"
    return (f[0], f[1], f[2], name)


groups = collections.OrderedDict()
nfits = 0
for line, v in rows.items():
    if not all(t in v and "sub" in v[t] for t in ("new", "off", "old")):
        print("INCOMPLETE/ERROR", line)
        continue
    nfits += 3
    groups.setdefault(fam(line), []).append((line, v["old"], v["off"], v["new"]))
hdr = (f"{'shape law α family':<44} {'cfg':>3} {'fits':>4}  {'sub worst o/n':>13}  {'sub mean o/n':>13}"
       f"  {'W worst o/n':>13}  worse better  silent-worse  warn o/n  max cs")
print(hdr)
for key, g in sorted(groups.items()):
    so = np.array([x[1]["sub"] for x in g]); sn = np.array([x[3]["sub"] for x in g])
    wo = np.array([x[1]["w"] for x in g]); wn = np.array([x[3]["w"] for x in g])
    worse = [x for x in g if x[3]["sub"] > x[2]["sub"] + 0.05]
    better = sum(1 for x in g if x[3]["sub"] < x[2]["sub"] - 0.05)
    sil = sum(1 for x in worse if not x[3]["warned"])
    wa_o = sum(x[1]["warned"] for x in g); wa_n = sum(x[3]["warned"] for x in g)
    cs = max((x[3].get("cov_scale_max") or 0) for x in g)
    print(f"{' '.join(key):<44} {len(g):>3} {3 * len(g):>4}  {so.max():.3f}/{sn.max():.3f}  "
          f"{so.mean():.3f}/{sn.mean():.3f}  {wo.max():.3f}/{wn.max():.3f}  {len(worse):>5} {better:>6}"
          f"  {sil:>12}  {wa_o:>3}/{wa_n:<3}  {cs:.2f}")
print(f"\nfits: {nfits} (old + off + new) over {nfits // 3} corrupted or clean pools")
allr = [(x[3]["sub"] - x[2]["sub"], x) for g in groups.values() for x in g]
allr.sort(key=lambda t: -t[0])
print(f"\nworst {nworst} rows by new − off subspace error (sub old/off/new, W old/off/new, removed old/new, warned old/new, cs):")
for dlt, (line, o, f_, n) in allr[:nworst]:
    print(f"  {line:<58} {o['sub']:.3f}/{f_['sub']:.3f}/{n['sub']:.3f}  {o['w']:.3f}/{f_['w']:.3f}/{n['w']:.3f}"
          f"  {o['removed']}/{n['removed']}  {o['warned']}/{n['warned']}  {n.get('cov_scale_max')}")
allw = sorted(((x[3]["w"] - x[1]["w"], x) for g in groups.values() for x in g), key=lambda t: -t[0])
print(f"\nworst {nworst} rows by new − old W error:")
for dlt, (line, o, f_, n) in allw[:nworst]:
    print(f"  {line:<58} {o['sub']:.3f}/{f_['sub']:.3f}/{n['sub']:.3f}  {o['w']:.3f}/{f_['w']:.3f}/{n['w']:.3f}"
          f"  {o['removed']}/{n['removed']}  {o['warned']}/{n['warned']}  {n.get('cov_scale_max')}")

# per law and α: clean ('none') against attacked, old and new
print("\nper law and α (all families pooled): sub mean clean o/n | sub mean attacked o/n | sub worst attacked o/n"
      " | W worst attacked o/n | attacked configs, silent (new) | attacked configs new worse/better by > 0.05")
byla = collections.OrderedDict()
for key, g in groups.items():
    byla.setdefault(key[:3], []).extend((key[3], x) for x in g)
for key, g in sorted(byla.items()):
    cl = [x for f, x in g if f == "none"]
    at = [x for f, x in g if f != "none"]
    if not at:
        continue
    m = lambda xs, t, q: np.mean([x[t][q] for x in xs]) if xs else float("nan")
    mx = lambda xs, t, q: np.max([x[t][q] for x in xs])
    sil = sum(1 for x in at if not x[3]["warned"])
    worse = sum(1 for x in at if x[3]["sub"] > x[2]["sub"] + 0.05)
    better = sum(1 for x in at if x[3]["sub"] < x[2]["sub"] - 0.05)
    print(f"  {' '.join(key):<24} {m(cl, 1, 'sub'):.3f}/{m(cl, 3, 'sub'):.3f} ({len(cl)}) | "
          f"{m(at, 1, 'sub'):.3f}/{m(at, 3, 'sub'):.3f} | {mx(at, 1, 'sub'):.3f}/{mx(at, 3, 'sub'):.3f} | "
          f"{mx(at, 1, 'w'):.3f}/{mx(at, 3, 'w'):.3f} | {len(at)}, {sil} | {worse}/{better}")
