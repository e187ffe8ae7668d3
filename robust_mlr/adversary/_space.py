"""The red team's search space (private): per pool, the attack families that
can act there and the ranges of their parameters.

A parameter spec is ``("float", lo, hi)``, ``("logfloat", lo, hi)``,
``("int", lo, hi)``, ``("cat", choices)`` or ``("component",)`` (an int in
[0, k)). Ranges cover each attack's useful regime (weaker does nothing,
stronger gets trimmed) with a margin on both sides.
"""

from __future__ import annotations

from ._whitebox import PICKS
from .attacks import CATALOGUE  # noqa: F401 - the warm start replays it
from . import whitebox_attacks  # noqa: F401 - registers the families below
from . import anchor_attacks, covariate_attacks, edge, midpoint, moment_attacks  # noqa: F401 - likewise
from . import gate_attacks, gate_pairing, median_attacks, park_attacks, pooling_attacks  # noqa: F401 - likewise
from . import clip_attacks, dilute_attacks, hide_attacks, shaped_attacks  # noqa: F401 - likewise

_EXTREME = {"exponent": ("float", 150.0, 300.0), "channel": ("cat", ("x", "y", "both")),
            "n_extreme": ("int", 1, 3)}
_SHIFT = {"component": ("component",), "shift": ("logfloat", 0.2, 8.0),
          "direction": ("cat", ("orthogonal", "in_span", "toward")),
          "noise": ("float", 0.3, 2.0), "pick": ("cat", PICKS)}
_MIMIC = {"component": ("component",), "pick": ("cat", PICKS)}
_PUSH = {"component": ("component",), "fill": ("float", 0.3, 1.0),
         "direction": ("cat", ("up", "down"))}
_SWAP = {"component": ("component",), "level": ("float", 0.55, 0.99),
         "direction": ("cat", ("up", "down"))}
_EDGE = {"component": ("component",), "level": ("logfloat", 0.5, 4.0),
         "direction": ("cat", ("orthogonal", "toward")), "noise": ("float", 0.0, 1.0),
         "x_level": ("float", 0.0, 1.0)}
_MID = {"estimate": ("cat", ("w", "s2", "p")), "component": ("component",),
        "frac": ("float", 0.6, 1.0)}
_COPIES = {"kind": ("cat", ("clean", "identical", "constant")), "groups": ("int", 1, 6)}
_TILT = {"frac": ("float", 0.1, 0.8), "norm": ("float", 0.9, 1.3), "shift": ("float", 0.0, 2.0)}
_GATE = {"heavy_family": ("cat", ("anchor_leak", "variance_neutral", "anchor_select")),
         "light": ("cat", ("clean", "away", "ahead"))}
_INFLATE = {"component": ("component",), "fill": ("float", 0.3, 1.5), "pick": ("cat", PICKS)}
# what the clip-lever families share: the target, the share of tasks with every
# lever row, the balanced decoy along v, the other rows' noise, the lever and
# decoy rows' scale ⊥ u, v, and the shift direction u
_LEVER_ROWS = {"component": ("component",), "share": ("float", 0.2, 1.0),
               "decoy": ("float", 0.0, 4.0), "decoy_level": ("float", 0.3, 1.0),
               "noise": ("float", 0.0, 1.0), "g_scale": ("float", 0.1, 1.0),
               "direction": ("cat", ("fixed", "tilde")), "angle": ("float", 0.0, 90.0)}
# sign-balanced decoy rows along u itself (the task filter's test diluted)
_U_DECOYS = {"u_decoys": ("int", 0, 3), "u_lever": ("float", 1.5, 10.0),
             "u_shift": ("float", 0.0, 6.0)}

SPACE = {
    "light1": {
        "covariate_tilt": _TILT,
        "covariate_spike": {"level": ("float", 0.2, 1.5), "y_level": ("logfloat", 0.05, 1.0),
                            "n_directions": ("int", 1, 4), "pick": ("cat", PICKS)},
        "subspace_spike": {"strength": ("logfloat", 0.5, 30.0)},
        "multi_direction": {"n_directions": ("int", 1, 4), "strength": ("logfloat", 0.5, 30.0)},
        "threshold_aware": {"strength": ("logfloat", 0.5, 30.0)},
        "variance_hiding": {"strength": ("logfloat", 0.3, 5.0)},
        "random_labels": {},
        "heavy_tailed": {"on": ("cat", ("x", "y"))},
        "extreme_values": _EXTREME,
        "signal_theft": {"component": ("component",), "other": ("component",),
                         "level": ("float", 0.2, 1.5), "y_level": ("logfloat", 0.05, 1.0),
                         "n_directions": ("int", 1, 4)},
        "candidate_overflow": {"n_directions": ("int", 1, 12), "x_frac": ("float", 0.05, 1.0),
                               "y_frac": ("float", 0.3, 1.0)},
        "edge_spike": {"level": ("float", 0.5, 1.2), "y_level": ("float", 0.3, 1.0)},
        "direction_swap": {"component": ("component",), "scale": ("logfloat", 0.5, 3.0)},
        "copies": _COPIES,
        "midpoint": _MID,
    },
    "heavy": {
        "covariate_tilt": _TILT,
        "fake_cluster": {},
        "cluster_bridging": {},
        "centre_shift": {"shift": ("logfloat", 0.2, 5.0), "in_span": ("cat", (False, True))},
        "sign_flip": {},
        "component_shift": _SHIFT,
        "component_mimic": _MIMIC,
        "variance_inflation": _INFLATE,
        "random_labels": {},
        "heavy_tailed": {"on": ("cat", ("x", "y"))},
        "extreme_values": _EXTREME,
        "median_push": _PUSH,
        "quantile_swap": _SWAP,
        "centre_drag": {"component": ("component",), "shift": ("float", 0.0, 3.0),
                        "noise": ("float", 0.5, 2.0),
                        "direction": ("cat", ("others", "orthogonal"))},
        "edge_placement": _EDGE,
        "noise_edge": {"component": ("component",), "ratio": ("logfloat", 0.2, 6.0)},
        "midpoint": _MID,
        "trim_spike": {"level": ("float", 0.5, 1.1), "component": ("component",),
                       "direction": ("cat", ("random", "anti", "between"))},
        "copies": _COPIES,
        "anchor_starve": {"component": ("component",), "kind": ("cat", ("others", "degenerate")),
                          "ratio": ("logfloat", 0.5, 4.0)},
        "anchor_edge": {"component": ("component",), "level": ("float", 0.7, 1.4),
                        "rss": ("float", 0.5, 2.5), "pick": ("cat", ("own", "others")),
                        "direction": ("cat", ("orthogonal", "toward"))},
        # the pooling attacks: "seeded" is AnchorSelect (along the heavy
        # error) on the component with the fewest heavy tasks, the pairing
        # light-2 "anchor_match" assumes
        "seeded": {},
        "anchor_select": {"level": ("float", 0.7, 1.3), "rss": ("float", 0.5, 2.5),
                          "direction": ("cat", ("orthogonal", "toward", "error"))},
        "anchor_spread": {"n_directions": ("int", 1, 4), "level": ("float", 0.7, 1.3),
                          "rss": ("float", 0.5, 2.5)},
        "anchor_leak": {"direction": ("cat", ("error", "orthogonal")),
                        "decoys": ("int", 0, 4), "decoy_level": ("float", 0.6, 1.05),
                        "select": ("cat", (False, True)), "level": ("float", 0.7, 1.2),
                        "gate": ("cat", ("quiet", "any")), "light": ("cat", ("clean", "away", "ahead")),
                        "rss": ("float", 0.5, 2.5)},
        "variance_neutral": {"direction": ("cat", ("error", "orthogonal")),
                             "spread": ("float", 0.6, 1.4), "level": ("float", 0.7, 1.2),
                             "gate": ("cat", ("quiet", "any")),
                             "light": ("cat", ("clean", "away", "ahead")), "rss": ("float", 0.5, 2.5)},
        # paired with light-2 "gate_match" of the same heavy_family and light
        "gate_seeded": _GATE,
    },
    "light2": {
        "covariate_tilt": _TILT,
        "component_shift": _SHIFT,
        "variance_inflation": _INFLATE,
        "component_mimic": _MIMIC,
        "centre_shift": {"shift": ("logfloat", 0.2, 5.0), "in_span": ("cat", (False, True))},
        "gradient_aligned": {"strength": ("logfloat", 0.5, 10.0)},
        "leverage": {"scale": ("logfloat", 1.0, 50.0)},
        "sign_flip": {},
        "random_labels": {},
        "heavy_tailed": {"on": ("cat", ("x", "y"))},
        "extreme_values": _EXTREME,
        "median_push": _PUSH,
        "quantile_swap": _SWAP,
        "sure_mimic": {"component": ("component",), "source": ("component",),
                       "quantile": ("float", 0.05, 0.6)},
        "edge_placement": _EDGE,
        "midpoint": _MID,
        "copies": _COPIES,
        # the light-median step's direction steered off the shift (no heavy anchor)
        "median_decoy": {"component": ("component",), "shift": ("logfloat", 0.3, 2.0),
                         "decoys": ("float", 0.03, 0.3), "decoy_level": ("float", 0.3, 1.0),
                         "noise": ("float", 0.0, 1.0)},
        # the same, shares parked in other components and inflating the filter's reference
        "median_park": {"component": ("component",), "shift": ("logfloat", 0.3, 2.0),
                        "decoys": ("float", 0.03, 0.3), "decoy_level": ("float", 0.3, 1.0),
                        "noise": ("float", 0.0, 1.0), "park": ("float", 0.0, 0.7),
                        "inflate": ("float", 0.0, 0.25), "inflate_noise": ("float", 0.5, 2.0)},
        # the shift carried by one high-leverage example per task (a moment-whitened filter)
        "lever_shift": {"component": ("component",), "shift": ("float", 3.0, 7.5),
                        "lever": ("float", 2.0, 9.0), "decoy": ("float", 0.0, 4.0),
                        "decoy_level": ("float", 0.3, 1.0), "noise": ("float", 0.0, 0.5),
                        "far": ("float", 0.0, 10.0), "far_share": ("float", 0.0, 0.3),
                        "decoy_share": ("float", 0.0, 0.5), "decoy_pure": ("float", 2.0, 7.0),
                        "g_scale": ("float", 0.2, 1.0)},
        # leverage at the screen's room, residuals at the clip once the fit has moved
        # (a Huber-clipped refit after the task filter)
        "clip_lever": {"component": ("component",), "shift": ("float", 2.0, 9.0),
                       "lever": ("float", 4.0, 15.0), "rows": ("int", 1, 3),
                       "share": ("float", 0.2, 1.0),
                       "decoy": ("float", 0.0, 6.0), "decoy_level": ("float", 0.3, 1.0),
                       "noise": ("float", 0.0, 1.0), "g_scale": ("float", 0.1, 1.0),
                       "direction": ("cat", ("fixed", "tilde")), "angle": ("float", 0.0, 90.0)},
        # the clip lever's rows at the Mallows weights' reach (4 RMS), with decoys along u
        "diluted_lever": dict(_LEVER_ROWS, **_U_DECOYS, shift=("float", 1.5, 6.0),
                              lever=("float", 2.0, 8.0), rows=("int", 1, 12)),
        # the same, a share of the tasks raising the other components' moment along u
        # (the reference a spike direction is read against) at the screen's room
        "hidden_lever": dict(_LEVER_ROWS, **_U_DECOYS, shift=("float", 2.0, 10.0),
                             lever=("float", 2.0, 15.0), rows=("int", 1, 4),
                             hide=("float", 0.0, 0.4), hide_lever=("float", 5.0, 16.0),
                             hide_rows=("int", 1, 16), hide_from=("cat", ("others", "target"))),
        # lever rows' |x·u| in the clean law's shape on [floor, cap], the residual
        # growing with it (a density-ratio weight along u); no fixed leverage
        "shaped_lever": dict(_LEVER_ROWS, **_U_DECOYS, shift=("float", 0.5, 4.0),
                             rows=("int", 1, 16), floor=("float", 0.0, 1.5),
                             cap=("float", 2.5, 4.5), slope=("float", 0.0, 1.5)),
        "anchor_match": {"mode": ("cat", ("matched", "aligned", "split", "along")),
                         "level": ("logfloat", 0.3, 3.0), "select": ("cat", (False, True)),
                         "cap": ("float", 0.3, 1.0)},
        "gate_match": dict(_GATE, mode=("cat", ("matched", "aligned", "split", "along")),
                           level=("logfloat", 0.3, 3.0), select=("cat", (False, True)),
                           cap=("float", 0.3, 1.0), amp=("logfloat", 0.7, 4.0),
                           inflate=("float", 0.0, 0.5),
                           ambiguity=("logfloat", 0.3, 3.0)),
    },
}



def suggest(trial, name, spec, k):
    """Draw one parameter from an Optuna trial."""
    kind = spec[0]
    if kind == "float":
        return trial.suggest_float(name, spec[1], spec[2])
    if kind == "logfloat":
        return trial.suggest_float(name, spec[1], spec[2], log=True)
    if kind == "int":
        return trial.suggest_int(name, spec[1], spec[2])
    if kind == "component":
        return trial.suggest_int(name, 0, k - 1)
    return trial.suggest_categorical(name, list(spec[1]))
