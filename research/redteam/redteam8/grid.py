"""The hand-built attack grid of the eighth red team: the seventh red team's
grid with a ``gates`` group (heavy tasks placed by the defender's own anchor:
orthogonal leakage, variance-neutral selection; paired light-2 placements;
light-1 spikes and a second component on top), dealt round-robin with
three shares so a short run still covers every group."""

from __future__ import annotations

import runpy
from pathlib import Path


FAMILIES = ("gates", "pooling", "anchor", "auto", "edge", "midpoint", "moments", "copies")
_SEVENTH = runpy.run_path(str(Path(__file__).resolve().parents[1] / "redteam7" / "grid.py"),
                          run_name="redteam7_grid")
POOLS, label, _components = _SEVENTH["POOLS"], _SEVENTH["label"], _SEVENTH["_components"]
_SIXTH, _FIFTH = _SEVENTH["_SIXTH"], _SEVENTH["_FIFTH"]
_SPIKE = ("edge_spike", dict(level=0.9, y_level=0.9))


def _pair(c, family, light, mode, **prm):
    """A seeded scanned heavy family and the light-2 placement paired with it."""
    key = dict(heavy_family=family, light=light, component=c)
    return {"heavy": ("gate_seeded", dict(key)),
            "light2": ("gate_match", dict(key, mode=mode, **prm))}


def _gates(theta, comps, fewest=0):
    """Scanned heavy attacks on the component with the fewest heavy tasks,
    alone, with the light pool placed along the heavy error (aligned), across
    it (split) or matched, with light-1 spikes, with a share of light 2
    inflating the pooling test's allowance, and with their own parameters
    moved (no decoys, no selection, any gate, larger ŝ²)."""
    c = fewest
    out = []
    for fam in ("anchor_leak", "variance_neutral"):
        out += [_pair(c, fam, "clean", "aligned", level=0.95, select=True),
                _pair(c, fam, "clean", "aligned", level=0.6, select=True),
                _pair(c, fam, "away", "split", level=0.95, select=True),
                _pair(c, fam, "clean", "matched", select=True),
                _pair(c, fam, "away", "along", level=0.95),
                {"heavy": (fam, dict(component=c))},
                _pair(c, fam, "clean", "aligned", level=0.95, select=True, cap=1.0),
                dict(_pair(c, fam, "clean", "aligned", level=0.95, select=True), light1=_SPIKE)]
    seeded = lambda **prm: ("seeded", dict(family=["anchor_leak", dict(component=c, **prm)],  # noqa: E731
                                           seed=0))
    for prm in (dict(decoys=0), dict(select=False), dict(gate="any"), dict(rss=2.2),
                dict(decoy_level=0.8), dict(direction="orthogonal"), dict(level=0.9)):
        h = seeded(**prm)
        out.append({"heavy": h, "light2": ("anchor_match", dict(component=c, heavy=list(h),
                                                               mode="aligned", level=0.95,
                                                               select=True))})
    # a share of the light-2 budget on tasks that inflate the misclassification
    # allowance (the pooling test's β): heavy alone with inflation, and aligned
    out += [_pair(c, "anchor_leak", "clean", "aligned", inflate=1.0, ambiguity=1.0),
            _pair(c, "anchor_leak", "clean", "aligned", level=1.5, select=True, inflate=0.3),
            _pair(c, "variance_neutral", "away", "split", level=0.95, select=True, inflate=0.2)]
    h = seeded(rss=2.2)
    out.append({"heavy": h, "light2": ("anchor_match", dict(component=c, heavy=list(h),
                                                           mode="aligned", level=0.95,
                                                           select=True, cap=1.0))})
    vn = ("seeded", dict(family=["variance_neutral", dict(component=c, spread=1.25)], seed=0))
    out.append({"heavy": vn, "light2": ("anchor_match", dict(component=c, heavy=list(vn),
                                                             mode="aligned", level=0.95,
                                                             select=True))})
    return out


def family_grid(families, theta, problem, n, rng, fewest=0):
    """Up to ``n`` strategies, dealt round-robin over ``families`` (each
    family's list shuffled by ``rng``); every strategy names all three pools.
    The gates group is dealt three shares."""
    comps = _components(theta)
    lists = []
    for fam in families:
        if fam == "gates":
            lst = _gates(theta, comps, fewest)
        elif fam == "pooling":
            lst = _SEVENTH["_pooling"](theta, comps, fewest)
        elif fam == "anchor":
            lst = _SIXTH["_anchor"](theta, comps, fewest)
        else:
            lst = _SIXTH["_MAKERS"][fam](theta, comps)
        lst = [lst[i] for i in rng.permutation(len(lst))]
        if fam == "gates":                   # the new group: three shares of the grid
            lists += [lst[0::3], lst[1::3]]
            lst = lst[2::3]
        lists.append(lst)
    return _FIFTH["deal"](lists, n)
