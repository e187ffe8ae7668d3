"""What a white-box adversary reads off a fitted robust learner (private)."""

from __future__ import annotations

import numpy as np

from ..exceptions import ValidationError


def read_thresholds(model):
    """Every threshold a white-box adversary reads off a fitted robust learner.

    Parameters
    ----------
    model : MetaLearner
        A fitted learner (``diagnostics_`` set by ``fit``).

    Returns
    -------
    dict
        ``screen``: ``sigma_x`` and, per pool, ``x_sq_over_d`` (low, high)
        and ``abs_y``; ``subspace``: trimming ``limit``, ``bulk_ratio``,
        ``clip``; ``regression``: ``top_eig_over_edge`` per component,
        ``budget``; ``noise``: the heavy ŝ² interval ``centre`` and
        ``half_width`` and the light estimate ``s2_light`` per component;
        ``flag_level``; ``far``: tasks the clustering set aside and its limit;
        ``clustering``: its estimate ``W_tilde`` (d, k), at which the light
        tasks are classified. Keys whose stage did not run are absent.

    Raises
    ------
    ValidationError
        If ``model`` has not been fitted.
    """
    diag = getattr(model, "diagnostics_", None)
    if diag is None:
        raise ValidationError("read_thresholds needs a fitted learner (no diagnostics_)")
    out = {}
    sc = diag.get("screen")
    if sc:
        out["screen"] = {"sigma_x": float(sc.get("sigma_x", 1.0))}
        for pool in ("light1", "heavy", "light2"):
            th = (sc.get(pool) or {}).get("thresholds")
            if th:
                out["screen"][pool] = {"x_sq_over_d": tuple(map(float, th["x_sq_over_d"])),
                                       "abs_y": float(th["abs_y"])}
    sub = diag.get("subspace") or {}
    if sub:
        out["subspace"] = {k: sub.get(k) for k in ("limit", "bulk_ratio", "clip")}
    reg = diag.get("regression") or {}
    if reg.get("components"):
        out["regression"] = {"top_eig_over_edge": [float(c.get("top_eig_over_edge", np.nan))
                                                   for c in reg["components"]],
                             "budget": reg.get("budget")}
    nc = reg.get("noise_check") or {}
    if "heavy_centre" in nc:
        out["noise"] = {"centre": np.asarray(nc["heavy_centre"], float),
                        "half_width": np.asarray(nc["heavy_half_width"], float),
                        "s2_light": np.asarray(nc.get("s2_light", np.nan), float)}
    stages = model.resolved_stages() if hasattr(model, "resolved_stages") else {}
    level = getattr(stages.get("classification"), "flag_level", None)
    if level is not None:
        out["flag_level"] = float(level)
    cl = diag.get("clustering") or {}
    if "removed" in cl:
        out["far"] = {"removed": int(cl["removed"]), "limit": cl.get("limit")}
    if getattr(model, "W_tilde_", None) is not None:
        out["clustering"] = {"W_tilde": np.array(model.W_tilde_, dtype=float)}
    return out
