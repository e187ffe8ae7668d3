"""The hand-built attack grid of the sixth red team: strategies {pool: (family, params)}
per family group, dealt round-robin so a short run still covers every group."""

from __future__ import annotations

import runpy
from pathlib import Path


FAMILIES = ("anchor", "auto", "edge", "midpoint", "moments", "copies")
_FIFTH = runpy.run_path(str(Path(__file__).resolve().parents[1] / "redteam5" / "grid.py"),
                        run_name="redteam5_grid")
# the fifth red team's families, unchanged
POOLS, label, _components = _FIFTH["POOLS"], _FIFTH["label"], _FIFTH["_components"]
_edge, _midpoint, _moments, _copies = (_FIFTH[f] for f in ("_edge", "_midpoint", "_moments",
                                                          "_copies"))


def _anchor(theta, comps, fewest=0):
    """The heavy anchor: starve the component with the fewest heavy tasks of its
    anchor (or place heavy tasks on the whitened filter's edge), and push the
    same component's light-2 estimate along the same direction."""
    out = []
    push = [("edge_placement", dict(level=0.95)),
            ("edge_placement", dict(level=1.1)),
            ("edge_placement", dict(level=0.95, noise=1.5)),
            ("midpoint", dict(estimate="w", frac=0.95)),
            ("midpoint", dict(estimate="s2", frac=0.95)),
            ("median_push", dict(fill=1.0, direction="up"))]
    c = fewest
    for kind, ratio in (("others", 1.4), ("degenerate", 1.4), ("degenerate", 3.0)):
        for fam, prm in push:
            out.append({"heavy": ("anchor_starve", dict(component=c, kind=kind, ratio=ratio)),
                        "light2": (fam, dict(prm, component=c))})
    for comp in sorted({fewest, (fewest + 1) % theta.k}):
        for level, rss, pick, direction in ((0.97, 1.3, "own", "orthogonal"),
                                            (0.9, 1.3, "others", "orthogonal"),
                                            (0.97, 2.0, "own", "toward"),
                                            (1.2, 1.3, "own", "orthogonal")):
            h = ("anchor_edge", dict(component=comp, level=level, rss=rss, pick=pick,
                                     direction=direction))
            e = ("edge_placement", dict(component=comp, level=0.95, direction=direction))
            out.append({"heavy": h, "light2": e})
        out.append({"heavy": ("anchor_edge", dict(component=comp, level=0.97)),
                    "light2": ("edge_placement", dict(component=comp, level=0.95)),
                    "light1": ("edge_spike", dict(level=0.9, y_level=0.9))})
    return out


def _auto(theta, comps):
    """covariates="auto": tilt the covariate law of every pool (flips the
    isotropy decision on the default problem), alone and with leverage."""
    out = []
    for frac, norm, shift in ((0.3, 1.05, 0.0), (0.5, 1.1, 0.0), (0.5, 1.1, 1.0),
                              (0.3, 1.05, 2.0)):
        t = ("covariate_tilt", dict(frac=frac, norm=norm, shift=shift))
        out.append({"light1": t, "heavy": t, "light2": t})
    t = ("covariate_tilt", dict(frac=0.5, norm=1.1))
    out.append({"light1": t, "heavy": ("anchor_starve", dict(component=0)),
                "light2": ("edge_placement", dict(component=0, level=0.95))})
    # degenerate copies flip the decision; extreme covariates then meet the
    # unclipped second moment of the whitening branch
    for exponent in (173.0, 236.0):
        out.append({"light1": ("extreme_values", dict(exponent=exponent, channel="x",
                                                      n_extreme=3)),
                    "light2": ("copies", dict(kind="identical", groups=1))})
    return out


_MAKERS = {"anchor": _anchor, "auto": _auto, "edge": _edge, "midpoint": _midpoint, "moments": _moments, "copies": _copies}


def family_grid(families, theta, problem, n, rng, fewest=0):
    """Up to ``n`` strategies, dealt round-robin over ``families`` (each
    family's list shuffled by ``rng``); every strategy names all three pools."""
    comps = _components(theta)
    lists = []
    for fam in families:
        lst = (_anchor(theta, comps, fewest) if fam == "anchor"
               else _MAKERS[fam](theta, comps))
        lst = [lst[i] for i in rng.permutation(len(lst))]
        if fam == "anchor":                 # the new family: two shares of the grid
            lists.append(lst[::2])
            lst = lst[1::2]
        lists.append(lst)
    return _FIFTH["deal"](lists, n)
