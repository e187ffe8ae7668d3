"""Summarise a dump.py JSONL: per unanchored component, light-only and
anchored worst cases (after) and which fits warned and why.
Usage: summarise.py FILE.jsonl"""
import json, sys
import numpy as np
rows = [json.loads(l) for l in open(sys.argv[1])]
ratios = []
for r in rows:
    for c, h in enumerate(r["heavy"]):
        if not h.get("anchored", True) and "light_worst" in h:
            ratios.append(h["light_worst"] / h["anchored_worst"])
    if r["warned"]:
        un = [(c, h) for c, h in enumerate(r["heavy"]) if h.get("passed") is False
              and not h.get("anchored", True)]
        why = "unanchored" if un else "other: " + "; ".join(r["evidence"])[:150]
        print(f"warned d={r['d']} k={r['k']} n1={r['n1']} seed={r['seed']} w_err={r['w_err']:.3f}"
              f" p_hat={np.round(r['p_hat'], 3).tolist()} {why}",
              *[f"c{c}: m={h['tasks']}/{h['needed']} light {h.get('light_worst', 0):.3f}"
                f" anchored {h.get('anchored_worst', 0):.3f}" for c, h in un])
if ratios:
    q = np.quantile(ratios, [0, 0.5, 0.9, 1])
    print(f"unanchored components: {len(ratios)}; light/anchored worst-case ratio "
          f"min/median/90%/max {q.round(3).tolist()}; over 1: {int(np.sum(np.array(ratios) > 1))}")
