"""One line per attacked fit of this folder's scale logs (file:row, seed,
shift, heavy, draw, W, warned, adversary's read share, worst score reading,
time ratio).

    python3 research/redteam/redteam19/summarise.py
"""
import glob
import json

for f in sorted(glob.glob(__file__.rsplit("/", 1)[0] + "/logs/*.jsonl")):
    if f.endswith("invariance.jsonl"):
        continue
    for i, line in enumerate(open(f)):
        r = json.loads(line)
        if r.get("phase") != "attack" or "w" not in r:
            continue
        g = r["reg"]
        print(f"{f.rsplit('/', 1)[1]}:{i} seed {r['seed']} shift {r['strategy'].get('shift')} "
              f"heavy {'-' if not r.get('heavy') else json.loads(r['heavy'])[1]} draw {r['draw'][1]} "
              f"clean {r['clean_w']:.3f} w {r['w']:.3f} warned {int(r['warned'])} "
              f"read {r['adversary_read']} score {max(g['score_test']):.3f} "
              f"clip {max(g['clipped_test']):.3f} se {max(g['moved_se']):.2f} x{r['time_ratio']:.2f}")
