"""Summarise rt21/rt23 output: parameters, W, warned, target error, level diagnostics, time ratio."""
import json
import sys

for l in sys.stdin:
    if l.startswith("row"):
        i = l.index("} {")
        a = json.loads(l[l.index("{"):i + 1])
        b = json.loads(l[i + 2:])
        keep = {k: v for k, v in a.items() if k not in ("direction", "vdirs", "component", "rows", "npairs", "d_lever")}
        print(f"W {b.get('w')} warned {b['warned']} exc {b.get('exception','')!r} rm {b.get('removed')} "
              f"st {max(b.get('st',[0])):.3f} ct {max(b.get('ct',[0])):.3f} uMu/edge {b.get('uMu_edge')} "
              f"med/lvl {b.get('med_edge')} ninfl {b.get('n_infl')} u_infl {b.get('u_infl')} "
              f"rho {b.get('rho')} ncls {b.get('ncls')} flag {b.get('flag')} t {b.get('tratio')} | {keep}")
    elif l.startswith("clean"):
        b = json.loads(l[6:])
        print("clean W", b["w"], "cpu", b["cpu"], "rho", b.get("rho"))
    else:
        print(l.rstrip()[:300])
