"""Shared helpers of the twentieth red team (time): problems, one timed fit
with the diagnostics that say which extra passes ran, alternating timing.

Run from the worktree root with
``PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``.
"""
import json
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/redteam18")
from common import PROBLEMS, problem  # noqa: E402,F401  (redteam18's problems)
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import Poolwise, attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.exceptions import CorruptionWarning  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402

_SETTINGS = {}


def settings_of(name, seed, alpha, theta, pools):
    key = (name, seed, alpha)
    if key not in _SETTINGS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        _SETTINGS[key] = attack_settings(m, alpha)
    return _SETTINGS[key]


def poolwise(theta, pools, sett, alpha, strategy, draw=0):
    """Corrupt with a {pool: (family, params)} strategy of built-in families."""
    att = Poolwise(**{p: (v[0], dict(v[1])) for p, v in strategy.items()})
    return corrupt_pools(pools, att, alpha, theta=theta, settings=sett,
                         rng=np.random.default_rng(draw))


def summary(m):
    """What the fit did: whitening, BM work, filters' rounds, extra passes."""
    dg = m.diagnostics_
    cov = getattr(m, "covariance_", None)
    out = {"whitened": cov is not None}
    if cov is not None:                 # the problems' covariates are isotropic: Σ = I
        ev = np.linalg.eigvalsh(cov.Sigma)
        out["sigma"] = {"err": float(np.linalg.norm(cov.Sigma - np.eye(ev.size), 2)),
                        "eig_min": float(ev[0]), "eig_max": float(ev[-1]),
                        "kept": int(np.sum(cov.info.get("kept", []))) if "kept" in cov.info
                        else None}
    cl = dg.get("clustering", {}) or {}
    sol = cl.get("solver", {}) or {}
    out["bm"] = {k: sol.get(k) for k in ("status", "outer_iterations", "inner_iterations",
                                         "escapes", "time")}
    out["bm"]["cl_time"] = cl.get("time")
    sub = dg.get("subspace", {}) or {}
    out["sub"] = {k: sub.get(k) for k in ("iterations", "restarts", "run_iterations", "time")}
    reg = dg.get("regression", {}) or {}
    clip = reg.get("example_clip") or {}
    out["reg"] = {"clip_iter": clip.get("iterations"), "time": reg.get("time"),
                  "comp_iter": [c.get("iterations") for c in reg.get("components", [])],
                  "refit_agrees": reg.get("refit_agrees"),
                  "reliable": (reg.get("heavy_assignment") or {}).get("reliable"),
                  "misclass": (reg.get("heavy_assignment") or {}).get("expected_misassigned"),
                  "anchor_passed": (reg.get("anchor") or {}).get("passed")}
    rc = (dg.get("classification") or {}).get("reclassified")
    out["recheck"] = None if rc is None else {
        "excess": [str(c) for c in (rc.get("components") or [])],
        "moved": [int(c) for c in (rc.get("moved") or [])],
        "removed": rc.get("removed")}
    out["evidence"] = [str(e)[:80] for e in dg.get("evidence", [])][:3]
    return out


def fit(theta, pools, alpha, seed):
    """One fit: errors, warnings, process CPU and wall time, summary."""
    c0, t0 = time.process_time(), time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            return {"raised": f"{type(exc).__name__}: {str(exc)[:160]}",
                    "cpu": time.process_time() - c0, "wall": time.perf_counter() - t0}
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    warned = [str(w.message)[:200] for w in ws if issubclass(w.category, CorruptionWarning)]
    other = sorted({w.category.__name__ for w in ws
                    if not issubclass(w.category, CorruptionWarning)})
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    return {"w": float(e["w_err"]), "s2": float(e["s2_err"]), "p": float(e["p_err"]),
            "warned": bool(warned), "warnings": warned[:2], "other_warnings": other,
            "cpu": cpu, "wall": wall, **summary(m)}


def alternate(theta, clean, bad, alpha, seed, reps=3):
    """Alternating clean / attacked fits: CPU and wall times of each."""
    tc, ta = {"cpu": [], "wall": []}, {"cpu": [], "wall": []}
    for _ in range(reps):
        for pools, acc in ((clean, tc), (bad, ta)):
            r = fit(theta, pools, alpha, seed)
            acc["cpu"].append(round(r["cpu"], 3))
            acc["wall"].append(round(r["wall"], 3))
    out = {"clean": tc, "attacked": ta}
    for m in ("cpu", "wall"):
        out[f"ratio_min_{m}"] = round(min(ta[m]) / min(tc[m]), 3)
        out[f"ratio_med_{m}"] = round(float(np.median(ta[m]) / np.median(tc[m])), 3)
    return out


def log(path, row):
    with open(path, "a") as f:
        f.write(json.dumps(row, default=lambda o: o.tolist() if hasattr(o, "tolist")
                           else str(o)) + "\n")
