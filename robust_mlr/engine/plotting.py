"""Plot helpers turning results rows into figures (matplotlib, Agg)."""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

__all__ = ["figure", "figure_suffix", "legend", "line_plot", "log_ticks", "save_figure"]

_SUFFIX = contextvars.ContextVar("figure_suffix", default="")


@contextlib.contextmanager
def figure_suffix(suffix):
    """Within the block, :func:`save_figure` writes ``name + suffix + ".png"``
    (``"-quick"`` for a ``--quick`` run, so it never replaces the full
    study's figure)."""
    token = _SUFFIX.set(str(suffix))
    try:
        yield
    finally:
        _SUFFIX.reset(token)


def _sort_key(value):
    """Numbers in numeric order (4 < 8 < 16), then anything else as text."""
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def _leading_digit(value):
    return int(f"{abs(value):.1e}"[0]) if value else 0


def log_ticks(ax, values, axis="x", max_ticks=7):
    """Label a log-scaled axis at (at most ``max_ticks`` of) the data's own
    ``values`` as plain numbers, with no minor-tick labels, so no two labels
    overlap on a range shorter than a decade or two.

    With ``values=None`` the ticks stay where matplotlib puts them and the
    labels become plain numbers (``0.05``, not ``5 × 10⁻²``) at 1, 2, 3 and 5
    times a power of ten (1 and 3 over more than 1.5 decades, powers of ten
    only over more than 2.5), so they never crowd."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, ScalarFormatter
    target = ax.xaxis if axis == "x" else ax.yaxis
    if values is None:
        def plain(v, _pos):
            lo, hi = sorted(abs(x) for x in target.get_view_interval())
            decades = np.log10(hi / lo) if lo > 0 else np.inf
            digits = (1, 2, 3, 5) if decades <= 1.5 else (1, 3) if decades <= 2.5 else (1,)
            return f"{v:g}" if _leading_digit(v) in digits else ""
        target.set_major_formatter(FuncFormatter(plain))
        target.set_minor_formatter(FuncFormatter(plain))
        return ax
    values = np.unique(np.asarray([v for v in values if v is not None and v > 0], float))
    if values.size == 0:
        return ax
    if values.size > max_ticks:                       # thin evenly in log space
        idx = np.unique(np.round(np.linspace(0, values.size - 1, max_ticks)).astype(int))
        values = values[idx]
    fmt = ScalarFormatter()
    fmt.set_scientific(False)
    target.set_major_locator(FixedLocator(values))
    target.set_major_formatter(fmt)
    target.set_minor_formatter(NullFormatter())
    return ax


def figure(ncols=1, width=5.0, height=3.8, nrows=1):
    """A figure of ``nrows`` × ``ncols`` axes (each ``width`` × ``height``
    inches) on the non-interactive backend; one row returns a 1-D array."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False)
    return fig, axes[0] if nrows == 1 else axes


def line_plot(ax, rows, x, y, hue=None, where=None, label_fmt="{}", logx=False, logy=False,
              **kw):
    """Mean ± standard error of metric ``y`` against parameter ``x``, one line per ``hue``.

    ``where`` filters rows (a dict of parameter values). Failed trials are skipped.
    Numeric hues are ordered by value (k = 4, 8, 16, not 16, 32, 4); ``**kw`` go
    to ``Axes.errorbar`` (``marker`` defaults to ``"o"``); a log x axis is
    labelled at the data's x values (:func:`log_ticks`).
    """
    rows = [r for r in rows if r.get("status") == "ok"
            and all(r.get(k) == v for k, v in (where or {}).items())]
    hues = sorted({r.get(hue) for r in rows}, key=_sort_key) if hue else [None]
    label = kw.pop("label", None)
    kw.setdefault("marker", "o")
    kw.setdefault("ms", 4)
    all_x = set()
    for h in hues:
        sel = [r for r in rows if hue is None or r.get(hue) == h]
        xs = sorted({r[x] for r in sel})
        all_x.update(xs)
        mu, se = [], []
        for xv in xs:
            v = np.array([r[y] for r in sel if r[x] == xv and r.get(y) is not None], float)
            mu.append(v.mean() if v.size else np.nan)
            se.append(v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0)
        ax.errorbar(xs, mu, yerr=se, capsize=2,
                    label=label if hue is None else label_fmt.format(h), **kw)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if logx:
        ax.set_xscale("log")
        log_ticks(ax, all_x)
    if logy:
        ax.set_yscale("log")
    if hue or label:
        legend(ax, fontsize=8)
    return ax


def legend(ax, **kw):
    """``ax.legend(**kw)`` when ``ax`` has a labelled artist; else nothing
    (matplotlib would warn "No artists with labels found", e.g. on the
    panel of a one-point sweep that has nothing to draw). Returns the
    legend or None."""
    if not ax.get_legend_handles_labels()[0]:
        return None
    return ax.legend(**kw)


def save_figure(fig, out, name, dpi=110):
    """Lay out, write ``out/name.png`` (creating ``out``), close; returns ``[path]``.

    The saved area is cropped to the drawn content, so a legend placed outside
    the axes (``fig.legend(..., bbox_to_anchor=...)``) is kept whole. The file
    is replaced atomically (a killed run leaves the old figure or the new
    one). Inside :func:`figure_suffix` the name gets the suffix.
    """
    import matplotlib.pyplot as plt
    from ._files import atomic_write, check_writable_dir
    try:
        fig.tight_layout()
        out = check_writable_dir(out, "figure folder")
        path = out / f"{name}{_SUFFIX.get()}.png"
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    finally:
        plt.close(fig)
    return [path]
