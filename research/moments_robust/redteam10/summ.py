"""One line per fit of a probe10 log: W, warned, ŝ²-error, the clipped
refit's passes (before -> after, ŝ/s, tasks classified / adversary's kept),
the median steps, the recheck and the time ratio; then the strategy.

    python3 research/moments_robust/redteam10/summ.py LOG [LOG ...]
"""
import json
import sys

for path in sys.argv[1:]:
    strat = None
    for line in open(path):
        if line.startswith("search:"):
            strat = line.strip()
            continue
        if not (line.startswith("    full") or line.startswith("clean")):
            continue
        r = json.loads(line.split("full", 1)[1] if "full" in line[:9] else line[6:])
        if "exception" in r:
            print("EXC", r["exception"], strat)
            continue
        clips = " ".join(f"c{i}:{r[f'clip{i}']['before']}->{r[f'clip{i}']['after']}"
                         f"(s{r[f'clip{i}']['s_hat']},{r[f'clip{i}']['n_cls']}/"
                         f"{r[f'clip{i}']['adv_kept']})" for i in range(3) if f"clip{i}" in r)
        meds = " ".join(f"m{i}:{r[f'med{i}']['before']}->{r[f'med{i}']['after']}"
                        for i in range(3) if f"med{i}" in r)
        print(f"W {r['w']:.3f} warn {int(r['warned'])} s2 {r['s2']:.3f} f{r['filter']['top']}/{r['filter']['removed']} {clips} {meds} "
              f"rc {r.get('recheck')} x{r.get('ratio')} | {(strat or 'clean')[9:]}")
        strat = None
