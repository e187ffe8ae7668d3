"""Fit time under attack: the robust learner on clean and on attacked pools.

Run: ``python3 benchmarks/bench_attack_time.py [--n N] [--repeat R] [--alpha A]``.

The default problem (d = 32, k = 4, light 1 20 000 × 2, heavy 400 × 128)
with ``--n`` light-2 tasks of 8 (20 000: the default problem; 320 000: the
size at which a ladder of leverage cost 13.4× before the task filter drew
at a fixed fit). Clean and attacked fits alternate, ``--repeat`` of each,
on one BLAS thread; printed are each attack's process CPU times, the ratio
of the minima and of the medians, W's error and whether the fit warned.
Target: every ratio ≤ 3.

Attacks (α of each pool they name):

* ``ladder`` (light 2): :class:`~robust_mlr.adversary.Ladder`, 16
  directions × 2 rungs (the twentieth red team's silent row);
* ``covariate_tilt`` (all pools): tasks that tip ``covariates="auto"``
  into whitening every pool;
* both at once.
"""

import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from robust_mlr import MetaLearner, make_params, make_pools
from robust_mlr.adversary import (CovariateTilt, Ladder, Poolwise, attack_settings,
                                  corrupt_pools)
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

ATTACKS = {
    "ladder": lambda: Poolwise(light2=Ladder()),
    "covariate_tilt": lambda: Poolwise(light1=CovariateTilt(), heavy=CovariateTilt(),
                                       light2=CovariateTilt()),
    "ladder + covariate_tilt": lambda: Poolwise(light1=CovariateTilt(), heavy=CovariateTilt(),
                                                light2=Ladder()),
}


def fit(pools, alpha, seed):
    """CPU seconds, the model and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.process_time()
        model = MetaLearner.robust(4, alpha, rng=seed).fit(pools)
        cpu = time.process_time() - t0
    return cpu, model, any(issubclass(w.category, CorruptionWarning) for w in caught)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=20_000, help="light-2 tasks")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    theta = make_params(32, 4, rng=args.seed)
    pools = make_pools(theta, 20_000, 2, 400, 128, int(args.n), 8, rng=args.seed + 1)
    print(f"d=32 k=4 light1 20000x2 heavy 400x128 light2 {int(args.n)}x8, alpha={args.alpha}, "
          f"{args.repeat} clean and attacked fits alternating, CPU seconds, 1 BLAS thread")
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, clean, _ = fit(pools, args.alpha, args.seed)
        settings = attack_settings(clean, args.alpha)
        for name, make in ATTACKS.items():
            bad = corrupt_pools(pools, make(), args.alpha, theta=theta, settings=settings,
                                rng=args.seed)
            times = {"clean": [], "attacked": []}
            for _ in range(args.repeat):
                times["clean"].append(fit(pools, args.alpha, args.seed)[0])
                cpu, model, warned = fit(bad, args.alpha, args.seed)
                times["attacked"].append(cpu)
            c, a = (np.array(times[k]) for k in ("clean", "attacked"))
            err = parameter_errors(model.W_, model.s2_, model.p_, theta)["w_err"]
            print(f"  {name:<24s} clean {c.min():.2f}-{c.max():.2f} s  attacked "
                  f"{a.min():.2f}-{a.max():.2f} s  ratio {a.min() / c.min():.2f} (minima) "
                  f"{np.median(a) / np.median(c):.2f} (medians)  W {err:.3f}  "
                  f"{'warned' if warned else 'silent'}")


if __name__ == "__main__":
    main()
