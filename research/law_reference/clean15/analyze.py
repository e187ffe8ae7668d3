"""Summarise probe JSONL logs: one row per fit, and the fits where the
clipped test fails on a component whose filter passed.

    python3 research/law_reference/clean15/analyze.py LOG.jsonl ... [--summary]

(--summary: one row per configuration family and α).
"""
import json
import sys

import numpy as np


def main():
    rows = []
    for path in sys.argv[1:]:
        if not path.startswith("--"):
            rows += [json.loads(line) for line in open(path)]
    if "--summary" in sys.argv:
        return summary(rows)
    print("| config | seed | α | warned | max clipped | max filter ratio | max moved_se | spikes "
          "| failing (stage) | components: clipped > 1 with filter ≤ 1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        top = [x if x == x else 0.0 for x in r["top_eig"]]
        ct = r["clipped_test"] or [0.0] * len(top)
        only = [c for c, (a, b) in enumerate(zip(ct, top)) if a > 1 and b <= 1]
        warn = "CW" if r["warned"] else ""
        if r.get("identifiability_warning"):
            warn += ("+" if warn else "") + "IW"
        print(f"| {r['config']}{' (no clipped)' if r.get('no_clipped') else ''} | {r['seed']} "
              f"| {r['alpha']} | {warn or '-'} | {r['max_clipped']:.3f} | {max(top):.3f} "
              f"| {max(r['moved_se'] or [0]):.2f} | {sum(r['spikes'] or [])} "
              f"| {', '.join(r['reasons']) or '-'} | "
              f"{', '.join(f'{c}: {ct[c]:.3f} vs {top[c]:.3f}' for c in only) or '-'} |")
    n = len(rows)
    print(f"\n{n} fits; CorruptionWarning in {sum(r['warned'] for r in rows)}; clipped test "
          f"failed in {sum(r['clipped_test_passed'] is False for r in rows)}; clipped > 0.95 in "
          f"{sum(r['max_clipped'] > 0.95 for r in rows)}")



def family(name):
    """A config's family for the summary: close-cluster configs by their
    first two fields, the rest by name."""
    return name.replace("_k6_pair6_nh128_th16", "")


def sources(r):
    """Where a fit's CorruptionWarning comes from, from its evidence."""
    out = []
    for e in r.get("evidence") or []:
        if "its own test" in e:
            out.append("regression test: " + ("+".join(x for x in r["reasons"] if x != "removed")
                                              or "?"))
        else:
            out.append(e.split(" removed")[0] + " removed > limit")
    return out


def summary(rows):
    fams = {}
    for r in rows:
        fams.setdefault((family(r["config"]), r["alpha"]), []).append(r)
    print("| configuration | α | fits | max clipped_test | max filter ratio | max moved_se "
          "| spikes (max per fit) | CorruptionWarning (source) | clipped test failed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (f, a), rs in fams.items():
        top = max(max([x if x == x else 0 for x in r["top_eig"]] or [0]) for r in rs)
        src = {}
        for r in rs:
            if r["warned"]:
                for s in sources(r):
                    src[s] = src.get(s, 0) + 1
        iw = sum(bool(r.get("identifiability_warning")) for r in rs)
        print(f"| {f} | {a} | {len(rs)} | {max(r['max_clipped'] for r in rs):.3f} | {top:.3f} "
              f"| {max(max(r['moved_se'] or [0]) for r in rs):.2f} "
              f"| {max(sum(r['spikes'] or []) for r in rs)} "
              f"| {sum(r['warned'] for r in rs)}"
              f"{' (' + '; '.join(f'{k} ×{v}' for k, v in src.items()) + ')' if src else ''}"
              f"{f', IdentifiabilityWarning ×{iw}' if iw else ''} "
              f"| {sum(r['clipped_test_passed'] is False for r in rs)} |")


if __name__ == "__main__":
    main()
