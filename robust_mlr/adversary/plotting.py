"""Pictures of what each attack does: per-task statistics projected to 2-D."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..generator import make_params, make_pools
from ._base import ATTACKS, corrupt_pools
from .attacks import CATALOGUE

__all__ = ["plot_attack_gallery"]


def plot_attack_gallery(out, attacks=None, alpha=0.05, seed=0):
    """One panel per attack: the per-task means of y·x of the attacked pool,
    projected on the two leading directions of the corrupted pool's split-
    product moment (or of span(W) when those are the spike), clean tasks
    coloured by component and corrupted tasks in black.

    Returns the path of ``attack_gallery_statistics.png`` in ``out``.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    attacks = sorted(CATALOGUE) if attacks is None else list(attacks)
    rng = np.random.default_rng(seed)
    theta = make_params(12, 3, rng=rng)
    pools = make_pools(theta, 3000, 8, 300, 32, 3000, 8, rng=rng)
    cols = 4
    rows = int(np.ceil(len(attacks) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 3.1 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), attacks):
        bad = corrupt_pools(pools, name, alpha, theta=theta, rng=rng)
        pool = ATTACKS[name].targets[0]
        data, mask = bad[pool], bad.masks[pool]
        B = data.task_sums(data.X * data.y[:, None]) / data.sizes[:, None]
        # axes: the top principal direction of span(W) and the direction of the
        # corrupted tasks' mean offset orthogonal to it (or span(W)'s second)
        Q = np.linalg.svd(theta.W, full_matrices=False)[0]
        a1 = Q[:, 0]
        off = B[mask].mean(0) - B[~mask].mean(0) if mask.any() else Q[:, 1]
        off = off - a1 * (a1 @ off)
        a2 = off / np.linalg.norm(off) if np.linalg.norm(off) > 1e-9 else Q[:, 1]
        P = B @ np.column_stack([a1, a2])
        comp = data.components
        ax.scatter(P[~mask, 0], P[~mask, 1], c=comp[~mask], cmap="tab10", s=3, alpha=0.4,
                   vmin=0, vmax=9)
        ax.scatter(P[mask, 0], P[mask, 1], c="k", s=6, marker="x", label="corrupted")
        lim = np.quantile(np.abs(P), 0.995, axis=0) * 1.3
        ax.set_xlim(-lim[0], lim[0])
        ax.set_ylim(-lim[1], lim[1])
        ax.set_title(f"{name} → {pool}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("offset direction of the\ncorrupted tasks (⊥ first axis)", fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("top direction of span(W)", fontsize=8)
    for ax in axes.ravel()[len(attacks):]:
        ax.axis("off")
    cmap = matplotlib.colormaps["tab10"]
    handles = [Line2D([], [], ls="", marker="o", ms=5, color=cmap(a), alpha=0.7,
                      label=f"clean, component {a + 1}") for a in range(theta.k)]
    handles.append(Line2D([], [], ls="", marker="x", ms=6, color="k",
                          label=f"corrupted (α = {alpha})"))
    fig.suptitle("per-task mean of y·x projected on two directions (each panel: the pool "
                 "the attack targets)", fontsize=10)
    fig.tight_layout(rect=(0, 0.045, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=9,
               frameon=False)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "attack_gallery_statistics.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
