"""redteam26 dir_gram rows replayed by gramdir19 (logs/after2_rt26_*.jsonl, the
code main carries before this branch) against this branch (logs/after_rt26_*.jsonl):
per file, fits matched by corruption key; worst silent W / clean, pulls, and the
fits whose W, pull or trimmed ratio changed.

    python3 research/trim20/compare26.py
"""
import json
import os

import numpy as np

H = os.path.dirname(os.path.abspath(__file__))
G = os.path.join(H, "..", "gramdir19", "logs")


def load(path):
    rows = [json.loads(x) for x in open(path)] if os.path.exists(path) else []
    return {(tuple(r["key"]), json.dumps(r["strategy"], sort_keys=True)): r for r in rows if r.get("phase") == "attack" and not r.get("exception")}


for name in ("s0", "s1", "s2", "eq0", "eq1", "eq2"):
    old, new = load(f"{G}/after2_rt26_{name}.jsonl"), load(f"{H}/logs/after_rt26_{name}.jsonl")
    keys = [k for k in new if k in old]
    worst = {t: max([r["w_err"] / r["clean_w"] for r in d.values() if not r["warned"]] or [np.nan])
             for t, d in (("old", {k: old[k] for k in keys}), ("new", {k: new[k] for k in keys}))}
    pulls = {t: sum(sum(r["pull"]) > 0 for r in (d[k] for k in keys)) for t, d in (("old", old), ("new", new))}
    changed = [k for k in keys if abs(old[k]["w_err"] - new[k]["w_err"]) > 1e-9
               or old[k]["pull"] != new[k]["pull"] or old[k]["warned"] != new[k]["warned"]]
    print(f"{name}: {len(keys)} fits matched; worst silent x clean old {worst['old']:.4f} new "
          f"{worst['new']:.4f}; fits with a pull old {pulls['old']} new {pulls['new']}; changed {len(changed)}")
    for k in changed:
        o, n = old[k], new[k]
        print(f"   {list(k[0])}: W {o['w_err']:.5f} -> {n['w_err']:.5f} warned {o['warned']}->{n['warned']} "
              f"pull {o['pull']}->{n['pull']} trim {o['mse_ratio_trimmed']}->{n['mse_ratio_trimmed']}")
