"""Trace the draws at one fit (new code) on the two biased_fit.py cases
where the new filter removed ~40 more clean tasks than the old one:
after each draw, corrupted tasks still kept, clean tasks removed, the
test's ratio at the fixed fit, and the ratio the clean tasks alone would
give at that fit (Gaussian, bimodal sizes 2/128)."""
import numpy as np

import robust_mlr.stages.regression.robust as R
from biased_fit import case  # noqa: E402  (runs nothing on import: guarded below)


def trace(seed, delta, bad_size):
    theta, ds, bad = case(seed, delta, bad_size)
    isbad = np.zeros(ds.n_tasks, bool)
    isbad[bad] = True
    inner = R.draws_at_fit

    def logged(g, kept, X, r, wt, moment, offsets, drop, rng, room, remove, test):
        def t2(C, n_k, d, M):
            v, ratio = test(C, n_k, d, M)
            ck = kept & ~isbad              # the clean kept tasks alone, same fit, same moment
            gc = g[ck] - g[ck].mean(axis=0)
            clean_ratio = test(gc.T @ gc / ck.sum(), ck.sum(), d, M)[1]
            print(f"   draw: bad kept={int((kept & isbad).sum()):3d} clean removed={int((~kept & ~isbad).sum()):3d} "
                  f"ratio={ratio:.3f} clean-only ratio={clean_ratio:.3f}")
            return v, ratio
        print(f"  fixed fit: first drop {drop.size} tasks ({int(isbad[drop].sum())} corrupted)")
        return inner(g, kept, X, r, wt, moment, offsets, drop, rng, room, remove, t2)

    R.draws_at_fit = logged
    try:
        w, s2, kept, info = R.filter_regression(ds, 0.05, rng=seed)
    finally:
        R.draws_at_fit = inner
    print(f"seed={seed} delta={delta} bad_size={bad_size}: it={info['iterations']} "
          f"clean removed={int((~kept & ~isbad).sum())} bad removed={int((~kept & isbad).sum())} "
          f"err={np.linalg.norm(w - theta.W[:, 0]) / theta.s[0]:.4f}")


if __name__ == "__main__":
    for delta in (2.0, 4.0):
        trace(1, delta, 128)
