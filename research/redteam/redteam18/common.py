"""Shared helpers of the eighteenth red team: problems, one fit, its readings."""
import json
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import Poolwise, attack_settings, corrupt_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

# name -> (d, k, light1 n, t1, heavy n, t_h, light2 n, t2)
PROBLEMS = {
    "small": (20, 4, 8000, 2, 120, 64, 1500, 8),
    "small3k": (20, 4, 8000, 2, 120, 64, 3000, 8),
    "default": (32, 4, 20000, 2, 400, 128, 20000, 8),
    "large_below": (32, 4, 20000, 2, 400, 128, 120000, 8),
    "large_above": (32, 4, 20000, 2, 400, 128, 320000, 8),
}


def problem(name, seed):
    d, k, n1, t1, nh, th, n2, t2 = PROBLEMS[name]
    theta = make_params(d, k, rng=seed)
    pools = make_pools(theta, n1, t1, nh, th, n2, t2, rng=seed + 1)
    return theta, pools


LAST = {}


def along(W, theta, u):
    """Per true component, (ŵ − w)·u / s for its nearest fitted column."""
    u = np.asarray(u, float) / np.linalg.norm(u)
    out = []
    for a in range(theta.k):
        j = int(np.argmin(np.linalg.norm(W - theta.W[:, [a]], axis=0)))
        out.append(round(float((W[:, j] - theta.W[:, a]) @ u / theta.s[a]), 4))
    return out


def fit(theta, pools, alpha, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            return {"raised": f"{type(exc).__name__}: {str(exc)[:120]}",
                    "time": time.perf_counter() - t0}
    tm = time.perf_counter() - t0
    warned = [str(w.message)[:160] for w in ws if issubclass(w.category, CorruptionWarning)]
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    out = {"w": float(e["w_err"]), "s2": float(e["s2_err"]), "p": float(e["p_err"]),
           "warned": bool(warned), "warnings": warned[:3], "time": tm}
    out["reg"] = regression_info(m)
    LAST["model"] = m
    return out


def regression_info(m):
    """The light-2 regression's readings (``diagnostics_["regression"]``)."""
    reg = m.diagnostics_.get("regression", {})
    clip = reg.get("example_clip") or {}
    out = {k: clip.get(k) for k in ("clipped_test", "score_test", "read", "spikes",
                                     "moved_se", "iterations")}
    out["unread"] = {str(c): v for c, v in (clip.get("unread") or {}).items()}
    out.update({k: reg.get(k) for k in ("refit_agrees", "clipped_test_passed", "passed",
                                         "removed")})
    return out


def attacked(theta, pools, clean_model_fit, strategy, alpha, rng):
    att = Poolwise(**{p: (v[0], v[1]) for p, v in strategy.items()})
    return corrupt_pools(pools, att, alpha, theta=theta, settings=clean_model_fit,
                         rng=np.random.default_rng(rng))


def settings_of(theta, pools, alpha, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
    return attack_settings(m, alpha)
