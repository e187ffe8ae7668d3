"""Print the docs' tables of a study from one of its CSVs.

Run on the committed CSV it should reproduce the page; on the re-run it
gives the new cells.  Usage: python3 research/rerun17/tables.py NAME CSV
"""
import csv
import sys
from collections import defaultdict

import numpy as np


def _rows(path):
    with open(path, newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["status"] == "ok"]


def _f(v):
    try:
        return float(v)
    except ValueError:
        return np.nan


def _group(rows, keys):
    out = defaultdict(list)
    for r in rows:
        out[tuple(r[f"param.{k}"] for k in keys)].append(r)
    return out


def _mean(sel, col):
    return np.nanmean([_f(r[col]) for r in sel])


def robust_pca_bad_example(rows):
    print("| d | α | oracle | PCA | filter | within 0.01 | filter fail | HRPCA |")
    for (d, a), sel in _group(rows, ("d", "alpha")).items():
        print(f"| {d} | {a} | {_mean(sel, 'oracle'):.3f} | {_mean(sel, 'pca'):.3f} | "
              f"{_mean(sel, 'filter'):.3f} | {100 * _mean(sel, 'filter_ok'):.1f} % | "
              f"{100 * _mean(sel, 'filter_fail'):.1f} % | {_mean(sel, 'hrpca'):.3f} |  n={len(sel)}")


def clustering_comparison(rows):
    methods = ("single", "average", "kmeans", "peng_wei", "peng_wei_robust", "sos_m4")
    for (k, t, att, a), sel in _group(rows, ("k", "t_H", "attack", "alpha")).items():
        cells = " | ".join(f"{_mean(sel, 'acc_' + m):.3f}" for m in methods)
        rec = " ".join(f"{_mean(sel, 'recall_' + m):.2f}" for m in methods)
        tm = " ".join(f"{np.median([_f(r['time_' + m]) for r in sel]):.3g}" for m in methods)
        print(f"| {k} | {t} | {att} {a} | {cells} |  recall {rec}; time(median) {tm}")


def clustering_attacks_400(rows):
    for (att,), sel in _group(rows, ("attack",)).items():
        print(att, {m: round(_mean(sel, "acc_" + m), 3) for m in
                    ("single", "average", "kmeans", "peng_wei_robust")},
              "recall", round(_mean(sel, "recall_peng_wei_robust"), 2))


def kss_merge(rows):
    methods = ("peng_wei", "peng_wei_robust", "kss_no_moment", "kss_m4")
    for (reg,), sel in _group(rows, ("regime",)).items():
        cells = []
        for m in methods:
            v = np.array([_f(r["acc_" + m]) for r in sel])
            v = v[np.isfinite(v)]
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1) / np.sqrt(len(v)):.3f} "
                         f"(min {v.min():.3f})")
        diff = np.array([_f(r["acc_kss_m4"]) - _f(r["acc_kss_no_moment"]) for r in sel])
        better, worse = int((diff > 1e-12).sum()), int((diff < -1e-12).sum())
        t = np.array([_f(r["time_kss_m4"]) for r in sel])
        fails = sum(int(np.isnan(_f(r["acc_" + m]))) for r in sel for m in methods)
        print(f"| {reg} | {len(sel)} | " + " | ".join(cells)
              + f" | {int(sum(_f(r['moment_changed']) for r in sel))} ({better} / {worse}) | "
              f"{np.median(t):.0f} s, {t.max():.0f} s |")
        print(f"   paired m4 - no_moment: {diff.mean():+.3f} ± "
              f"{diff.std(ddof=1) / np.sqrt(len(diff)):.3f}; solver failures {fails}")
    print("trial time total", sum(_f(r["wall_time"]) for r in rows))


def icml_fig2(rows):
    taus = (1, 2, 4, 8, 16, 32, 64)
    for kind in ("map", "bayes"):
        print(f"test {kind}: " + " | ".join(f"{_mean(rows, f'test_{kind}_{t}'):.3f}"
                                             for t in taus))
    print("cluster_acc mean", round(_mean(rows, "cluster_acc"), 3))
    for r in rows:
        print(f"  acc {_f(r['cluster_acc']):.3f} w_err {_f(r['w_err']):.2f} "
              f"test_bayes_64 {_f(r['test_bayes_64']):.3f}")


def icml_fig3(rows):
    for (k,), sel in _group(rows, ("k",)).items():
        by_t = defaultdict(list)
        for r in sel:
            by_t[int(r["param.t_H"])].append(_f(r["success"]))
        line = " ".join(f"{t}:{np.mean(v):.1f}" for t, v in sorted(by_t.items()))
        print(f"k={k} n_H={sel[0]['n_H']} {line}")


if __name__ == "__main__":
    globals()[sys.argv[1]](_rows(sys.argv[2]))
