"""Several strategies on the small-heavy problem (problem seed $SEED, default 1),
the defended learner only, one clean fit per process (white-box settings and
the time baseline). Like redteam14/batch.py, with the clipped test's reading
logged.

    PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 \\
        python3 research/moments_robust/redteam17/batch17.py ALPHA DRAW LOG 'JSON' ...

Draw: corruption generator [SEED, DRAW] (= replay.py's 'search:DRAW:JSON').
One line per fit appended to LOG.
"""
import json
import os
import sys
import time
import warnings

import numpy as np

from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hidden  # noqa: F401,E402  (registers hidden_lever)
import wide  # noqa: F401,E402  (registers wide_lever)


def main():
    alpha, draw, log = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    seed = int(os.environ.get("SEED", 1))
    theta, pools = build_problem("smallheavy", "fixed", seed)
    mk = lambda: MetaLearner.robust(8, alpha, rng=seed, clustering="moments_robust")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = mk().fit(pools)
    t_clean = time.perf_counter() - t0
    e0 = parameter_errors(clean.W_, clean.s2_, clean.p_, theta)
    ec0 = clean.diagnostics_["regression"].get("example_clip") or {}
    with open(log, "a") as f:
        f.write(f"# clean seed {seed} a {alpha} w {float(e0['w_err']):.3f} s2 {float(e0['s2_err']):.3f} "
                f"time {t_clean:.1f} ctest {ec0.get('clipped_test')} stest {ec0.get('score_test')}\n")
    settings = attack_settings(clean, alpha)
    # the clean fit's error of the attacked component (6), ⊥ span(W), saved
    # for the strategies' "direction" (white box: the learner run on clean data)
    from scipy.optimize import linear_sum_assignment
    cost = np.linalg.norm(clean.W_[:, :, None] - theta.W[:, None, :], axis=0)
    r_, c_ = linear_sum_assignment(cost)
    Wm = clean.W_[:, r_[np.argsort(c_)]]
    Q = np.linalg.qr(theta.W)[0]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(log, "a") as f:
        f.write("# clean per-component ||w_hat - w||/s: " + str(np.round(
            np.linalg.norm(Wm - theta.W, axis=0) / np.sqrt(theta.s2 if hasattr(theta, "s2") else theta.s ** 2), 3).tolist()) + "\n")
    for c in range(theta.k):
        e = Wm[:, c] - theta.W[:, c]
        e -= Q @ (Q.T @ e)
        np.save(os.path.join(here, f"clean_err_s{seed}_a{alpha:g}_c{c}.npy"), e / np.linalg.norm(e))
    for js in sys.argv[4:]:
        strat = {p: tuple(v) for p, v in json.loads(js).items()}
        try:
            bad = corrupt_pools(pools, strategy_attack(strat), alpha, theta=theta,
                                settings=settings, rng=np.random.default_rng([seed, draw]))
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                m = mk().fit(bad)
            dt = time.perf_counter() - t0
        except Exception as exc:              # an exception is a finding: log it
            line = f"seed {seed} a {alpha} draw {draw} EXCEPTION {type(exc).__name__}: {exc} {js}"
            print(line, flush=True)
            with open(log, "a") as f:
                f.write(line + "\n")
            continue
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        warned = sorted({str(w.message)[:300] for w in ws if issubclass(w.category, CorruptionWarning)})
        others = sorted({f"{w.category.__name__}: {str(w.message)[:60]}" for w in ws
                         if not issubclass(w.category, CorruptionWarning)})
        reg = m.diagnostics_["regression"]
        ec = reg.get("example_clip") or {}
        ct = ec.get("clipped_test") or [0]
        comps = reg.get("components", [])
        lab = m.light_labels_
        line = (f"seed {seed} a {alpha} draw {draw} W {float(e['w_err']):.3f} s2 {float(e['s2_err']):.3f} "
                f"warned {bool(warned)} ctest {max(ct):.3f} stest {max(ec.get('score_test') or [0]):.3f} ct_ok {reg.get('clipped_test_passed')} "
                f"moved_se {max(ec.get('moved_se') or [0]):.2f} agree {reg.get('refit_agrees')} "
                f"time {dt:.1f} x{dt / t_clean:.2f} "
                f"filt_eig {[round(float(c.get('top_eig_over_edge', 0)), 3) for c in comps]} "
                f"removed {reg.get('removed')} spikes {ec.get('spikes')} excess {ec.get('excess')} "
                f"ctall {ct} stall {ec.get('score_test')} n {np.bincount(lab[lab >= 0], minlength=theta.k).tolist()} "
                f"recheck {'reclassified' in m.diagnostics_['classification']} "
                f"first_ct {reg.get('first_pass_clipped_test')} first_st {reg.get('first_pass_score_test')} "
                f"first_moved {reg.get('first_pass_moved_se')} "
                f"msgs {warned} other {others} {js}")
        print(line, flush=True)
        with open(log, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
