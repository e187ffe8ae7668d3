"""Compare a re-run study CSV with the committed one, row by row.

Rows are matched on ``trial_id`` (same grid and seed give the same id).
For every numeric result column (``param.*``, ``seed`` and the timing
columns -- ``wall_time``, ``time_*``, ``*_ms`` -- aside) it prints how many
rows differ, the largest absolute difference and the row it is in, and
columns whose missing-value pattern changed.

Usage: python3 research/rerun17/compare.py OLD.csv NEW.csv [--tol 1e-9]
"""
import argparse
import csv

import numpy as np

_SKIP = {"experiment", "trial_id", "replicate", "seed", "status", "error",
         "wall_time", "version"}


def _is_timing(col):
    return col.startswith("time_") or col.endswith("_ms") or col == "wall_time"


def _read(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["trial_id"]: r for r in rows}, list(rows[0]) if rows else []


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def compare(old_path, new_path, tol=1e-9):
    old, old_cols = _read(old_path)
    new, new_cols = _read(new_path)
    print(f"old {old_path}: {len(old)} rows; new {new_path}: {len(new)} rows")
    only_old = set(old) - set(new)
    only_new = set(new) - set(old)
    if only_old or only_new:
        print(f"  trial ids only in old: {len(only_old)}, only in new: {len(only_new)}")
    common = [t for t in old if t in new]
    n_bad = (sum(old[t]["status"] != "ok" for t in common),
             sum(new[t]["status"] != "ok" for t in common))
    print(f"  matched rows: {len(common)}; status not ok (old/new): {n_bad[0]}/{n_bad[1]}")
    if set(old_cols) != set(new_cols):
        print(f"  columns only in old: {sorted(set(old_cols) - set(new_cols))}; "
              f"only in new: {sorted(set(new_cols) - set(old_cols))}")
    params = [c for c in old_cols if c.startswith("param.") and c != "param.methods"]
    cols = [c for c in old_cols if c in new_cols and c not in _SKIP
            and not c.startswith("param.") and not _is_timing(c)]
    worst = 0.0
    moved = set()
    for c in cols:
        a = np.array([_num(old[t][c]) for t in common])
        b = np.array([_num(new[t][c]) for t in common])
        if np.isnan(a).all() and np.isnan(b).all():
            continue
        nan_changed = np.isnan(a) != np.isnan(b)
        both = ~np.isnan(a) & ~np.isnan(b)
        with np.errstate(invalid="ignore"):
            diff = np.where(both & (a != b), np.abs(a - b), 0.0)   # inf == inf: 0
        n_diff = int((diff > tol).sum())
        if n_diff == 0 and not nan_changed.any():
            continue
        i = int(np.argmax(diff))
        moved.update(j for j in np.flatnonzero((diff > tol) | nan_changed))
        where = ", ".join(f"{p[6:]}={old[common[i]][p]}" for p in params)
        print(f"  {c}: {n_diff}/{int(both.sum())} rows differ; max |diff| "
              f"{diff[i]:.4g} ({a[i]:.4g} -> {b[i]:.4g}; {where}); "
              f"mean old {np.nanmean(a):.4g} new {np.nanmean(b):.4g}"
              + (f"; NaN pattern changed in {int(nan_changed.sum())} rows"
                 if nan_changed.any() else ""))
        worst = max(worst, float(diff[i]))
    cells = {}
    for j in sorted(moved):
        key = ", ".join(f"{p[6:]}={old[common[j]][p]}" for p in params)
        cells[key] = cells.get(key, 0) + 1
    if cells:
        print(f"  rows that moved: {len(moved)}/{len(common)}, in {len(cells)} grid cells:")
        for key, n in list(cells.items())[:12]:
            print(f"    {n} row(s) at {key}")
        if len(cells) > 12:
            print(f"    ... and {len(cells) - 12} more cells")
    print(f"  largest |diff| over result columns: {worst:.4g}"
          + ("  (nothing moved)" if worst <= tol else ""))
    return worst


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--tol", type=float, default=1e-9)
    args = parser.parse_args()
    compare(args.old, args.new, args.tol)
