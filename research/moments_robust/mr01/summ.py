"""Print one line per fit of mr01.py logs: W, warned, the added shift along u per stage."""
import json
import sys

for f in sys.argv[1:]:
    for line in open(f):
        if line.startswith("MR01"):
            continue
        tag, js = line.split(' {"w"', 1)
        r = json.loads('{"w"' + js)
        sp = r.get("split", {})
        print(f"{f:30s} {tag:70s} W {r['w']:.4f} warned {r['warned']!s:5s} "
              f"score {max(r['score_test']):.3f} clipped {max(r['clipped_test']):.3f} "
              + " ".join(f"{k}:{v['added_u']:.4f}" for k, v in sp.items())
              + (f" u_read {r['u_read']} of {r['n_read']}" if "u_read" in r else ""))
