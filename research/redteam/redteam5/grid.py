"""The hand-built attack grid of the fifth red team: strategies {pool: (family, params)}
per family group, dealt round-robin so a short run still covers every group."""

from __future__ import annotations

import numpy as np

FAMILIES = ("edge", "midpoint", "moments", "copies")
POOLS = ("light1", "heavy", "light2")


def label(strategy):
    """Short name of a strategy: pool:family for every attacked pool."""
    return " + ".join(f"{p}:{f}" for p, (f, _) in strategy.items() if f != "none") or "clean"


def _components(theta):
    """Components attacked: the smallest and largest share (one if all equal) and 0."""
    p = np.asarray(theta.p)
    return sorted({int(np.argmin(p)), int(np.argmax(p)), 0})[:2]


def _edge(theta, comps):
    out = []
    for c in comps:
        for level in (0.95, 0.8, 1.1):
            for direction in ("orthogonal", "toward"):
                for x_level in (0.0, 0.6):
                    out.append({"light2": ("edge_placement", dict(
                        component=c, level=level, direction=direction, x_level=x_level))})
        for level in (2.0, 3.5):            # past the edge: the filter must remove
            out.append({"light2": ("edge_placement", dict(component=c, level=level))})
        e = ("edge_placement", dict(component=c, level=0.95))
        out.append({"heavy": e, "light2": e})
        out.append({"light1": ("edge_spike", dict(level=0.9, y_level=0.9)), "heavy": e,
                    "light2": e})
        for ratio, push in ((4.0, "up"), (0.3, "down"), (8.0, "up")):
            out.append({"heavy": ("noise_edge", dict(component=c, ratio=ratio)),
                        "light2": ("median_push", dict(component=c, fill=1.0, direction=push))})
        out.append({"heavy": ("noise_edge", dict(component=c, ratio=4.0)),
                    "light2": ("edge_placement", dict(component=c, level=0.95, noise=1.6))})
    for level in (0.7, 0.95, 1.1):
        out.append({"light1": ("edge_spike", dict(level=level, y_level=0.9))})
    return out


def _midpoint(theta, comps):
    out = []
    for c in comps:
        for est in ("w", "s2", "p"):
            m = ("midpoint", dict(estimate=est, component=c, frac=0.95))
            out += [{"light2": m}, {"heavy": m}, {"light1": m, "heavy": m, "light2": m}]
    return out


def _moments(theta, comps):
    out = []
    for c in comps:
        for level in (0.9, 1.0):
            for direction in ("random", "anti", "between"):
                out.append({"heavy": ("trim_spike", dict(level=level, direction=direction,
                                                         component=c))})
        for scale in (1.0, 2.0):
            out.append({"light1": ("direction_swap", dict(component=c, scale=scale))})
        out.append({"light1": ("direction_swap", dict(component=c, scale=1.0)),
                    "heavy": ("trim_spike", dict(level=0.9, direction="anti", component=c))})
    return out


def _copies(theta, comps):
    out = []
    for kind in ("clean", "identical", "constant"):
        for groups in (1, 3):
            for pool in ("light2", "heavy", "light1"):
                out.append({pool: ("copies", dict(kind=kind, groups=groups))})
    return out


_MAKERS = {"edge": _edge, "midpoint": _midpoint, "moments": _moments, "copies": _copies}


def family_grid(families, theta, problem, n, rng):
    """Up to ``n`` strategies, dealt round-robin over ``families`` (each
    family's list shuffled by ``rng``); every strategy names all three pools."""
    comps = _components(theta)
    lists = []
    for fam in families:
        lst = _MAKERS[fam](theta, comps)
        lists.append([lst[i] for i in rng.permutation(len(lst))])
    return deal(lists, n)


def deal(lists, n):
    """Up to ``n`` strategies dealt round-robin from ``lists`` (emptied as
    they go), every pool filled in ("none" where a strategy leaves it)."""
    out = []
    while len(out) < n and any(lists):
        for lst in lists:
            if lst and len(out) < n:
                out.append(lst.pop(0))
    return [{p: s.get(p, ("none", {})) for p in POOLS} for s in out]
