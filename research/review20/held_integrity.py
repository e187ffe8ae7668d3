"""The held scaled blocks of light 2 (_scaled.held) are shared by every read
during the classification and regression: check that no reader wrote into
them. Wraps _scaled.held: snapshot of every held block on entry, compared on
exit with the snapshot and with the block scaled afresh (held switched off).
Default problem (equal and 2-64 sizes, seed 0), clean and under two attacks
that reach the regression (edge_placement on light 2, anchor_starve + edge)."""
import contextlib, warnings
import numpy as np
import robust_mlr._scaled as S
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import corrupt_pools

orig = S.held
report = []


@contextlib.contextmanager
def checked(data, limit=S.HOLD_BYTES):
    with orig(data, limit) as d:
        kept = getattr(data, "_held", None)
        snap = None if kept is None else {lo: (hi, X.copy(), y.copy()) for lo, (hi, (X, y)) in kept.items()}
        yield d
        if snap is not None:
            changed = sum(not (np.array_equal(kept[lo][1][0], X) and np.array_equal(kept[lo][1][1], y))
                          for lo, (hi, X, y) in snap.items())
            data._held = None
            fresh = sum(not (np.array_equal(data._block(lo, hi)[0], X)
                             and np.array_equal(data._block(lo, hi)[1], y))
                        for lo, (hi, X, y) in snap.items())
            data._held = kept
            report.append((len(snap), changed, fresh))


S.held = checked
for sizes in ("fixed", "hetero"):
    for plan in ("clean", "edge", "starve+edge"):
        theta, pools = make_problem(dict(PROBLEM, sizes=sizes), np.random.default_rng([0, 11]))
        if plan != "clean":
            if plan == "starve+edge":
                pools = corrupt_pools(pools, "anchor_starve", 0.05, theta=theta, targets=("heavy",), rng=4)
            pools = corrupt_pools(pools, "edge_placement", 0.05, theta=theta, targets=("light2",), rng=5)
        report.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MetaLearner.robust(theta.k, 0.05, rng=0).fit(pools)
        print(f"{sizes} {plan}: held contexts {len(report)}; (blocks, changed vs entry, differ from fresh) {report}",
              flush=True)
