"""research/speed19/compare_fits.py's cases (the default problem robust at
alpha 0.05 with fit seeds 0 and 2, at 0.1, under four built-in attacks,
pools seeds 3 and 7, the ICML fit) plus the pull trim's cases: light-2
sizes 2-64 clean, under the anchor-leak strategy of tests/test_pull_gain.py
and under tests/test_pull_bias_direction.py's rows along b̂, and the
default problem again with the model-bias draws replayed from stream
states (KEEP_DRAWS_ROWS = 0). Every numeric output saved or compared bit
for bit.

Run from a worktree: PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 \
    /work/wt-scale20/research/scale20/compare_fits.py save|check FILE
"""
import os
import pickle
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "speed19"), os.path.join(os.getcwd(), "tests"),
                os.getcwd()]
import compare_fits as base  # noqa: E402
from experiments.adaptive import PROBLEM, make_problem  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import attack_settings, corrupt_pools  # noqa: E402
from robust_mlr.adversary.redteam import strategy_attack  # noqa: E402
from robust_mlr.stages.regression import _misclass  # noqa: E402


def _fit(pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, 0.05, rng=0).fit(pools)


class _Replay:
    """A learner factory whose fit replays the model-bias draws."""

    def fit(self, pools):
        keep = _misclass.KEEP_DRAWS_ROWS
        _misclass.KEEP_DRAWS_ROWS = 0
        try:
            return MetaLearner.robust(4, 0.05, rng=0).fit(pools)
        finally:
            _misclass.KEEP_DRAWS_ROWS = keep


def cases():
    yield from base_cases()
    theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([0, 11]))
    yield "hetero_clean", lambda: MetaLearner.robust(4, 0.05, rng=0), pools
    clean = _fit(pools)
    import test_pull_gain as tg
    bad = corrupt_pools(pools, strategy_attack({p: tuple(v) for p, v in tg.STRATEGY.items()}),
                        0.05, theta=theta, settings=attack_settings(clean, 0.05),
                        rng=np.random.default_rng([0, 17, 50]))
    yield "hetero_anchor_leak", lambda: MetaLearner.robust(4, 0.05, rng=0), bad
    import test_pull_bias_direction as tb
    anchor = clean.diagnostics_["regression"]["anchor"]
    c = int(np.argmin(np.linalg.norm(anchor["W_heavy"] - theta.W[:, [tb.COMPONENT]], axis=0)))
    bad = corrupt_pools(pools, tb._BiasRows(theta, anchor["predicted_bias"][:, c]), 0.05,
                        theta=theta, settings=attack_settings(clean, 0.05),
                        rng=np.random.default_rng(19))
    yield "hetero_bias_rows", lambda: MetaLearner.robust(4, 0.05, rng=0), bad
    yield "default_replayed_draws", _Replay, base.pools_of(1)[1]


base_cases, base.cases = base.cases, cases

if __name__ == "__main__":
    sys.argv[0] = base.__file__
    exec(compile(open(base.__file__).read().split('if __name__ == "__main__":')[1]
                 .replace("\n    ", "\n"), base.__file__, "exec"), vars(base))
