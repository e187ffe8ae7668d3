"""Summary of logs/fits.jsonl: per (seed, sizes) the worst silent W/clean, the
count of silent fits > 3x, exceptions, fits > 3x clean time; per family too.

    python3 research/redteam28/summary.py [research/redteam28/logs/fits.jsonl]
"""
import json
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "research/redteam28/logs/fits.jsonl"
recs = [json.loads(line) for line in open(path)]
by = defaultdict(list)
for r in recs:
    by[(r["sizes"], r["seed"])].append(r)
print(f"{len(recs)} fits")
for (sz, sd), rs in sorted(by.items()):
    ok = [r for r in rs if not r.get("exception")]
    sil = [r for r in ok if not r["warned"]]
    worst = max(sil, key=lambda r: r["ratio_to_clean"]) if sil else None
    over = [r for r in sil if r["ratio_to_clean"] > 3.0]
    slow = [r for r in ok if r.get("time_ratio", 0) > 3.0]
    exc = [r for r in rs if r.get("exception")]
    pulls = [r for r in ok if any(p > 0 for p in r.get("pull", []))]
    print(f"{sz} seed {sd}: {len(rs)} fits, {len(sil)} silent, clean W {rs[0]['clean_W']:.5f}; "
          f"worst silent {worst['ratio_to_clean']:.4f}x ({worst['family']} #{worst['index']} "
          f"{worst['note']}); silent > 3x: {len(over)}; exceptions {len(exc)}; > 3x clean time "
          f"{len(slow)}; fits with a pull {len(pulls)}")
    fam = defaultdict(list)
    for r in ok:
        fam[r["family"]].append(r)
    for f, fr in sorted(fam.items()):
        s = [r for r in fr if not r["warned"]]
        b = max(s, key=lambda r: r["ratio_to_clean"]) if s else None
        mr = [min(r["mse_ratio"]) for r in fr if r.get("mse_ratio")]
        print(f"   {f:8s} {len(fr):3d} fits, {len(s):3d} silent, best silent "
              f"{(b['ratio_to_clean'] if b else float('nan')):.4f}x, >3x silent "
              f"{sum(r['ratio_to_clean'] > 3 for r in s)}, min untrimmed ratio {min(mr):.3f}, "
              f"pull>0 {sum(any(p > 0 for p in r['pull']) for r in fr)}")
    for r in slow + exc:
        print("   SLOW/EXC", r["family"], r["index"], r.get("time_ratio"), r.get("exception"))
het = [r for r in recs if r["sizes"] == "hetero" and not r.get("exception")]
tr = [(t, r["seed"], r["family"], r["index"]) for r in het for t in r.get("mse_ratio_trimmed", [])
      if t == t]
mr = min((min(r["mse_ratio"]), r["seed"], r["family"], r["index"]) for r in het)
print(f"sizes 2-64: {len(het)} attacked fits (seeds {sorted({r['seed'] for r in het})}), pull > 0 in "
      f"{sum(any(p > 0 for p in r['pull']) for r in het)}; lowest untrimmed ratio {mr}; "
      f"trimmed ratios read ({len(tr)}): {sorted(round(t[0], 3) for t in tr)} (min at {min(tr)[1:]})")
sil3 = sorted((r["ratio_to_clean"], r["seed"], r["family"], r["index"], r["note"]) for r in het
              if not r["warned"] and r["ratio_to_clean"] > 3)
print(f"silent > 3x ({len(sil3)}):")
for s in sil3:
    print("   ", round(s[0], 4), s[1:])
