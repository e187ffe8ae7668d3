"""Plot helpers turning results rows into figures (matplotlib, Agg)."""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

__all__ = ["figure", "figure_suffix", "line_plot", "save_figure"]

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
    """
    rows = [r for r in rows if r.get("status") == "ok"
            and all(r.get(k) == v for k, v in (where or {}).items())]
    hues = sorted({r.get(hue) for r in rows}, key=str) if hue else [None]
    label = kw.pop("label", None)
    for h in hues:
        sel = [r for r in rows if hue is None or r.get(hue) == h]
        xs = sorted({r[x] for r in sel})
        mu, se = [], []
        for xv in xs:
            v = np.array([r[y] for r in sel if r[x] == xv and r.get(y) is not None], float)
            mu.append(v.mean() if v.size else np.nan)
            se.append(v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0)
        ax.errorbar(xs, mu, yerr=se, marker="o", ms=4, capsize=2,
                    label=label if hue is None else label_fmt.format(h), **kw)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if (hue or label) and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return ax


def save_figure(fig, out, name, dpi=110):
    """Lay out, write ``out/name.png`` (creating ``out``), close; returns ``[path]``.

    The file is replaced atomically (a killed run leaves the old figure or
    the new one). Inside :func:`figure_suffix` the name gets the suffix.
    """
    import matplotlib.pyplot as plt
    from ._files import atomic_write, check_writable_dir
    try:
        fig.tight_layout()
        out = check_writable_dir(out, "figure folder")
        path = out / f"{name}{_SUFFIX.get()}.png"
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return [path]
