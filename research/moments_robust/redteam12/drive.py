"""Several strategies on the small-heavy problem, one clean fit first: one
log line per fit (W, ŝ² error, warned, time and its ratio to the clean fit,
the refit's spikes and reaches, the classified counts, strategy).

    cd <repository root>
    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam12/drive.py --seed 1 --alpha 0.05 \\
        --draw 1 --log LOG 'JSON' ['JSON' ...]

A strategy's corruption draw is ``[seed, draw]`` (``search:draw`` of
``research/moments_robust/replay.py``).
"""
import argparse
import json
import time
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem
from replay import matched


def fit(pools, theta, alpha, seed):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, clustering="moments_robust").fit(pools)
    dt = time.perf_counter() - t0
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    msgs = sorted({str(w.message)[:70] for w in ws if issubclass(w.category, CorruptionWarning)})
    other = sorted({w.category.__name__ for w in ws if not issubclass(w.category, CorruptionWarning)})
    reg = m.diagnostics_["regression"]
    clip = reg.get("example_clip") or {}
    rec = {"w": round(float(e["w_err"]), 3), "s2": round(float(e["s2_err"]), 3),
           "warned": bool(msgs), "time": round(dt, 1), "msgs": msgs, "other": other,
           "spikes": clip.get("spikes"), "reach": clip.get("reach"),
           "iters": clip.get("iterations"), "removed": reg.get("removed"),
           "n_cls": np.bincount(m.light_labels_[m.light_labels_ >= 0], minlength=theta.k).tolist()}
    cost = np.linalg.norm(m.W_[:, :, None] - theta.W[:, None, :], axis=0)
    est, true = linear_sum_assignment(cost)
    to_true = dict(zip(est.tolist(), true.tolist()))
    if clip.get("spikes") is not None:
        rec["spikes_true"] = [0] * theta.k
        for e_, n_ in enumerate(clip["spikes"]):
            rec["spikes_true"][to_true[e_]] = n_
    rec["per"] = np.round(matched(m.W_, theta), 2).tolist()
    if getattr(m, "W_tilde_", None) is not None:
        rec["tilde"] = np.round(matched(m.W_tilde_, theta), 2).tolist()
    comps = pools["light2"].components
    lab = m.light_labels_
    rec["n_true_cls"] = [int(((comps == c) & (lab >= 0)).sum()) for c in range(theta.k)]
    mask = getattr(pools, "masks", {}).get("light2")
    if mask is not None:
        rec["bad_cls"] = int((mask & (lab >= 0)).sum())
    return m, rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategies", nargs="*")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draw", type=int, default=1)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    theta, pools = build_problem("smallheavy", "fixed", a.seed)
    clean, rec = fit(pools, theta, a.alpha, a.seed)
    t_clean = rec["time"]
    with open(a.log, "a") as f:
        line = f"seed {a.seed} a {a.alpha} CLEAN W {rec['w']} s2 {rec['s2']} warned {rec['warned']} time {t_clean} {json.dumps(rec)}"
        print(line, flush=True)
        f.write(line + "\n")
    settings = attack_settings(clean, a.alpha)
    for js in a.strategies:
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        t0 = time.perf_counter()
        try:
            bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                                settings=settings, rng=np.random.default_rng([a.seed, a.draw]))
            m, rec = fit(bad, theta, a.alpha, a.seed)
            line = (f"seed {a.seed} draw {a.draw} a {a.alpha} W {rec['w']} s2 {rec['s2']} "
                    f"warned {rec['warned']} time {rec['time']} ({rec['time'] / t_clean:.1f}x) "
                    f"{json.dumps({k: v for k, v in rec.items() if k not in ('w', 's2', 'warned', 'time')})} "
                    f"STRATEGY {js}")
        except Exception as exc:  # noqa: BLE001 - an exception is a finding
            line = (f"seed {a.seed} draw {a.draw} a {a.alpha} EXCEPTION {type(exc).__name__}: "
                    f"{str(exc)[:200]} after {time.perf_counter() - t0:.1f}s STRATEGY {js}")
        print(line, flush=True)
        with open(a.log, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
