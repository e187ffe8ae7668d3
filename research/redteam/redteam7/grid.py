"""The hand-built attack grid of the seventh red team: the sixth red team's
grid with a ``pooling`` group (the light–heavy pooling of the final ŵ),
dealt round-robin so a short run still covers every group."""

from __future__ import annotations

import runpy
from pathlib import Path


FAMILIES = ("pooling", "anchor", "auto", "edge", "midpoint", "moments", "copies")
_SIXTH = runpy.run_path(str(Path(__file__).resolve().parents[1] / "redteam6" / "grid.py"),
                        run_name="redteam6_grid")
POOLS, label, _components = _SIXTH["POOLS"], _SIXTH["label"], _SIXTH["_components"]
_FIFTH = _SIXTH["_FIFTH"]
_SPIKE = ("edge_spike", dict(level=0.9, y_level=0.9))


def heavy_edge(comp, family="anchor_edge", seed=0, **prm):
    """A seeded heavy anchor attack (the light-2 ``anchor_match`` rebuilds it)."""
    base = dict(component=comp, level=0.97, rss=1.3)
    return ("seeded", dict(family=[family, dict(base, **prm)], seed=seed))


def _pooling(theta, comps, fewest=0):
    """Light-2 estimates placed against the predicted heavy estimate (aligned,
    split, along u, matched; T at a fraction of q; with and without the
    selection of the light tasks replaced), with the heavy anchor attacked
    along one direction (at random or selected tasks, ⊥ span W or along the
    heavy error) or several, with and without light-1 edge spikes."""
    c = fewest
    edge = heavy_edge(c)
    select = heavy_edge(c, "anchor_select")
    error = heavy_edge(c, "anchor_select", level=1.03, direction="error")
    error_rss = heavy_edge(c, "anchor_select", rss=2.0, direction="error")
    out = []

    def match(heavy, **prm):
        return {"heavy": heavy,
                "light2": ("anchor_match", dict(dict(component=c, heavy=list(heavy)), **prm))}

    for heavy in (edge, select, error, error_rss):
        out += [match(heavy, mode="aligned", level=0.95, select=True),
                match(heavy, mode="aligned", level=0.47),
                match(heavy, mode="split", level=0.95),
                match(heavy, mode="matched"),
                match(heavy, mode="matched", select=True)]
    for r in (2, 4):
        spread = heavy_edge(c, "anchor_spread", n_directions=r)
        out += [match(spread, mode="matched"), match(spread, mode="aligned", level=0.95)]
    out.append(dict(match(error, mode="aligned", level=0.95, select=True), light1=_SPIKE))
    for heavy in (error, select):
        out.append({"heavy": heavy,
                    "light2": ("edge_placement", dict(component=c, level=0.95))})
    out.append({"heavy": edge, "light1": _SPIKE,
                "light2": ("edge_placement", dict(component=c, level=0.95))})
    return out


_MAKERS = {"pooling": _pooling}


def family_grid(families, theta, problem, n, rng, fewest=0):
    """Up to ``n`` strategies, dealt round-robin over ``families`` (each
    family's list shuffled by ``rng``); every strategy names all three pools.
    The pooling group is dealt three shares."""
    comps = _components(theta)
    lists = []
    for fam in families:
        if fam == "pooling":
            lst = _pooling(theta, comps, fewest)
        elif fam == "anchor":
            lst = _SIXTH["_anchor"](theta, comps, fewest)
        else:
            lst = _SIXTH["_MAKERS"][fam](theta, comps)
        lst = [lst[i] for i in rng.permutation(len(lst))]
        if fam == "pooling":                 # the new group: three shares of the grid
            lists += [lst[0::3], lst[1::3]]
            lst = lst[2::3]
        lists.append(lst)
    return _FIFTH["deal"](lists, n)
