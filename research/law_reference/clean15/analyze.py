"""Summarise probe JSONL logs: one row per fit, and the fits where the
clipped test fails on a component whose filter passed.

    python3 research/law_reference/clean15/analyze.py LOG.jsonl ...
"""
import json
import sys

import numpy as np


def main():
    rows = []
    for path in sys.argv[1:]:
        rows += [json.loads(line) for line in open(path)]
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


if __name__ == "__main__":
    main()
