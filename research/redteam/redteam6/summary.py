"""Worst fit per target of the sixth red team's CSVs, as a Markdown table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

KEYS = {"W": "w_err", "s2": "s2_err", "p": "p_err"}


def _short(row):
    strat = json.loads(row["strategy"] or "{}")
    parts = []
    for pool, (fam, params) in strat.items():
        if fam == "none":
            continue
        prm = ",".join(f"{k}={round(v, 3) if isinstance(v, float) else v}"
                       for k, v in params.items())
        parts.append(f"{pool}:{fam}({prm})")
    return " + ".join(parts)


def summarise(directory, only=None):
    """Markdown table: per configuration and target, the clean value, the
    worst attacked value with its phase, attack and whether it warned; fits,
    exceptions and the largest time ratio of the configuration."""
    files = [directory / only] if only else sorted(Path(directory).glob("*.csv"))
    lines = ["| problem | sizes | α | seed | target | clean | worst | fits | phase | warned "
             "| attack |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for f in files:
        rows = list(csv.DictReader(open(f)))
        clean = [r for r in rows if r["phase"] == "clean"][0]
        att = [r for r in rows if r["phase"] != "clean"]
        cfg = f"{clean['problem']}" + ("" if clean["clustering"] == "default"
                                       else f" ({clean['clustering']})")
        for target, key in KEYS.items():
            vals = np.array([float(r[key]) if r[key] not in ("", "nan") else np.nan
                             for r in att])
            counted = [r for r in att if r["phase"] == "grid" or r["target"] == target]
            if not np.isfinite(vals).any():
                continue
            w = att[int(np.nanargmax(vals))]
            lines.append(f"| {cfg} | {clean['sizes']} | {clean['alpha']} | {clean['seed']} | "
                         f"{target} | {float(clean[key]):.3f} | **{float(w[key]):.3f}** | "
                         f"{len(counted)} | {w['phase']}{':' + w['target'] if w['target'] else ''}"
                         f" | {'yes' if w['warned'] == '1' else 'no'} | {_short(w)} |")
        raised = [r for r in att if r["exception"]]
        ratio = max(att, key=lambda r: float(r["time_ratio"]))
        again = [float(r["time"]) for r in rows if r["phase"] == "clean"][1:]
        notes.append(f"* {f.name}: {len(att)} attacked fits, clean fit {float(clean['time']):.2f} s"
                     + (f" ({again[0]:.2f} s at the end)" if again else "") + ","
                     f" mean fit {np.mean([float(r['time']) for r in att]):.2f} s; "
                     f"{len(raised)} raised"
                     + (f" ({'; '.join(sorted({r['exception'][:70] for r in raised})[:3])})"
                        if raised else "")
                     + f"; largest time ratio {float(ratio['time_ratio']):.1f} ({_short(ratio)})")
    return "\n".join(lines + [""] + notes)
