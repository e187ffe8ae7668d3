"""Summary table and figures of the ``tH_nH_tradeoff`` study (private)."""

from __future__ import annotations

import json

import numpy as np

from ._tradeoff_stats import LEVEL, METHODS, required_n, slope_interval

_STYLE = {"em": ("C3", "o"), "em_robust": ("C1", "v"), "em_robust_a02": ("C5", "^"),
          "moments": ("C0", "s"), "moments_em": ("C9", "D"), "kmeans": ("C2", "x"),
          "peng_wei": ("C4", "d"), "oracle": ("k", ".")}


def _fmt(c):
    if c is None:
        return "·"
    if not np.isfinite(c["n"]):
        return "—"
    if c["below"]:
        return f"≤{c['n']:.0f}"
    hi = "∞" if not np.isfinite(c["hi"]) else f"{c['hi']:.0f}"
    return f"{c['n']:.0f} [{c['lo']:.0f}, {hi}]"


def summary(rows):
    """Median n_H* [90 % bootstrap interval] per (method, k, t_H), slopes."""
    lines = [f"median over seeds of the n_H reaching max centre error <= {LEVEL} "
             "[90 % bootstrap interval]; — : not reached; · : not run; ≤n : the first size"]
    for k in sorted({r["k"] for r in rows}):
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        lines.append(f"k = {k}: " + " | ".join(f"t_H={t}" for t in ts))
        for m in METHODS:
            cells = [_fmt(required_n(rows, m, k, t)) for t in ts]
            if all(c == "·" for c in cells):
                continue
            lines.append(f"  {m:14s} " + " | ".join(cells))
        for m in METHODS:
            s = slope_interval(rows, m, k)
            if s is not None:
                lines.append(f"  slope {m}: {s[0]:.2f} [{s[1]:.2f}, {s[2]:.2f}] over t_H = "
                             f"{s[3]}")
    return "\n".join(lines)


def _curves(rows, method, k, t):
    """{n_H: [errors over seeds]} of the unpruned rows at (k, t_H)."""
    out = {}
    for r in rows:
        if r["status"] != "ok" or r["k"] != k or r["t_H"] != t or r.get("mode") != "curve":
            continue
        text = r.get(f"curve_{method}")
        if not isinstance(text, str) or not text:
            continue
        for n, (err, _) in json.loads(text).items():
            out.setdefault(int(n), []).append(np.inf if err is None else err)
    return dict(sorted(out.items()))


def plot(rows, out):
    """Required n_H against t_H per k (median, 90 % bootstrap interval;
    hollow markers above the grid: not reached), and, where the unpruned
    cell ran, centre error against n_H."""
    from robust_mlr.engine.plotting import figure, save_figure

    name = rows[0]["experiment"]
    ks = sorted({r["k"] for r in rows})
    fig, axes = figure(len(ks), width=4.4)
    top = 1.6e5                      # above the largest n_H run
    for ax, k in zip(np.atleast_1d(axes), ks):
        ts = sorted({r["t_H"] for r in rows if r["k"] == k})
        for j, m in enumerate(METHODS):
            color, marker = _STYLE[m]
            cells = {t: required_n(rows, m, k, t) for t in ts}
            ok = {t: c for t, c in cells.items() if c is not None and np.isfinite(c["n"])}
            shift = 1.0 + 0.03 * (j - len(METHODS) / 2)     # spread overlapping bars
            if ok:
                x = np.array(list(ok)) * shift
                y = np.array([c["n"] for c in ok.values()])
                lo = y - np.array([c["lo"] for c in ok.values()])
                hi = np.array([min(c["hi"], top) for c in ok.values()]) - y
                ax.errorbar(x, y, yerr=[lo, hi], color=color, marker=marker, ms=4, lw=1,
                            capsize=2, ls="--" if m == "oracle" else "-", label=m)
            never = [t for t, c in cells.items() if c is not None and not np.isfinite(c["n"])]
            if never:
                ax.plot(np.array(never) * shift, [top * 1.15 ** j] * len(never), ls="none",
                        marker=marker, mfc="none", color=color, ms=4,
                        label=None if ok else f"{m} (not reached)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ts)
        ax.set_xticklabels([str(t) for t in ts], fontsize=7)
        ax.minorticks_off()
        ax.set_xlabel("t_H")
        ax.set_ylabel(f"n_H for max centre error ≤ {LEVEL}")
        ax.set_title(f"k = {k}, d = 64 (hollow: not reached)", fontsize=8)
        ax.legend(fontsize=5.5)
    paths = save_figure(fig, out, name, dpi=110)
    cells = sorted({(r["k"], r["t_H"]) for r in rows if r.get("mode") == "curve"})
    for k, t in cells:
        fig, ax = figure(1, width=5.0)
        ax = np.atleast_1d(ax)[0]
        for m in METHODS:
            cur = _curves(rows, m, k, t)
            if not cur:
                continue
            color, marker = _STYLE[m]
            ns = np.array(list(cur))
            errs = [np.minimum(np.array(v), 10.0) for v in cur.values()]   # inf drawn at 10
            mid = np.array([np.median(v) for v in errs])
            lo = mid - np.array([v.min() for v in errs])
            hi = np.array([v.max() for v in errs]) - mid
            ax.errorbar(ns, mid, yerr=[lo, hi], color=color, marker=marker, ms=4, lw=1,
                        capsize=2, ls="--" if m == "oracle" else "-", label=m)
        ax.axhline(LEVEL, color="0.6", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n_H")
        ax.set_ylabel("max centre error (median, min–max over seeds)")
        ax.set_title(f"k = {k}, d = 64, t_H = {t} (a failed fit is drawn at 10)", fontsize=8)
        ax.legend(fontsize=6)
        paths += save_figure(fig, out, f"{name}_k{k}_t{t}", dpi=110)
    return paths
