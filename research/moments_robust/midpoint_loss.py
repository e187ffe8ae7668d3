"""The p̂ two-world midpoint attack on every pool of the small-heavy problem
(d 64, k 8, light1 60000 x 2, heavy 20000 x 4, light2 20000 x 16) against
``MetaLearner.robust(8, alpha, clustering="moments_robust")``.

    python3 research/moments_robust/midpoint_loss.py ALPHA SEED [SEED ...]

Per draw: the errors of the final estimates (max‖ŵ − w‖/s, max|ŝ² − s²|/s²,
max|p̂ − p|), whether a CorruptionWarning was raised, and per true component
‖ŵ_a − w_a‖/s_a of each stage's estimate: the moment estimate (before the
light-2 refinement), the clustering stage's W̃ and the final W. A component
whose moment-estimate error is small but whose W̃ error is large was lost by
the light-2 refinement; one whose W̃ error is already large, by the heavy
clustering (for robust EM: ``distrusted_tasks``, tasks of a component set
aside as fabricated, and ``light_support``, printed when present).
COMPONENT=a moves component a (default 0); CLUSTERING=default attacks the
robust learner's own clustering instead; ATTACK=clean fits the clean pools.
Output of both: midpoint_loss.log.
"""
import os
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import Poolwise, corrupt_pools
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

COMPONENT = int(os.environ.get("COMPONENT", "0"))
#: ATTACK=clean fits the clean pools instead (the same draws).
ATTACK = os.environ.get("ATTACK", "midpoint")
#: The clustering attacked (CLUSTERING=default: the robust learner's own).
CLUSTERING = os.environ.get("CLUSTERING", "moments_robust")


def problem(seed):
    """The red-team driver's small-heavy problem of seed ``seed``."""
    rng = np.random.default_rng([seed, 11])
    theta = make_params(64, 8, rng=rng)
    return theta, make_pools(theta, 60_000, 2, 20_000, 4, 20_000, 16, rng=rng)


def per_component(W, theta):
    """‖ŵ_a − w_a‖/s_a for every true a (components matched)."""
    perm = parameter_errors(W, np.ones(theta.k), np.full(theta.k, 1 / theta.k), theta)["perm"]
    return np.linalg.norm(W[:, perm] - theta.W, axis=0) / theta.s


def main():
    alpha, seeds = float(sys.argv[1]), [int(s) for s in sys.argv[2:]] or [0]
    mid = ("midpoint", {"estimate": "p", "component": COMPONENT, "frac": 0.95})
    for seed in seeds:
        theta, pools = problem(seed)
        attack = Poolwise(light1=mid, heavy=mid, light2=mid)
        bad = pools if ATTACK == "clean" else corrupt_pools(
            pools, attack, alpha, theta=theta, settings={"alpha": alpha},
            rng=np.random.default_rng([seed, 5]))
        moved = {q: int(bad.masks[q].sum()) if bad.masks else 0
                 for q in ("light1", "heavy", "light2")}
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            opts = {} if CLUSTERING == "default" else {"clustering": CLUSTERING}
            m = MetaLearner.robust(8, alpha, rng=seed, **opts).fit(bad)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        warned = [str(w.message)[:110] for w in ws if issubclass(w.category, CorruptionWarning)]
        info = m.diagnostics_["clustering"]
        line = (f"a{alpha} s{seed} W {e['w_err']:.3f} s2 {e['s2_err']:.3f} "
                f"p {e['p_err']:.3f} warned {int(bool(warned))} "
                f"t {time.perf_counter() - t0:.1f}s replaced {moved}")
        print(line, flush=True)
        final = per_component(m.W_, theta)
        tilde = per_component(m.W_tilde_, theta)
        print(f"   final W per comp  {np.round(final, 2)}")
        print(f"   W~ per comp       {np.round(tilde, 2)}")
        if "distrusted_tasks" in info:
            print(f"   distrusted tasks {info['distrusted_tasks']}  light support "
                  f"{info.get('light_support')}")
        if "moments" in info:
            moments = per_component(info["moments"]["centres"], theta)
            print(f"   moments per comp  {np.round(moments, 2)}")
            print(f"   light-2 EM start {info['light_refinement']['init']}")
        print(f"   p_hat {np.round(m.p_, 3)}  p_tilde {np.round(m.p_tilde_, 3)}")
        for w in warned:
            print(f"   warning: {w}")


if __name__ == "__main__":
    main()
