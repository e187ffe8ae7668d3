"""The pull's trim must not be decoyed away from the direction the
adversary's information is on (Kong, Somani, Kakade, Oh 2020: the heavy
pool anchors the light pool's estimate; docs/robust_pipeline.md, the
pooling).

⌊αn⌋ light tasks of one component write rows whose energy lies along u1,
where the ratio's bias shrinks (and b̂ turns away from u1, so the trim along
b̂ ranks clean tasks first). About half of them write along a third
direction d0 instead, more strongly, so that d0 — not u1 — is the capped
Gram's top eigenvector: a trim along the top eigenvector alone removes the
decoy and leaves u1's writers in. Ranking the tasks by their largest
contribution along any of the Gram's top four eigenvectors removes both
groups. The second test replays a red team's full attack of this shape
(sizes 2–64, seed 2), where the pull came back at 3.02× the clean error.
"""

import os
import sys
import warnings

import numpy as np
import pytest

from robust_mlr.data import MetaDataset
from robust_mlr.stages.regression import _pull_trim
from robust_mlr.stages.regression._pull_trim import capped_grams, top_tasks

ALPHA = 0.05


def _decoy_pool(seed=0, d=16, n=400, size=8, alpha=ALPHA):
    """n clean light tasks of ``size`` N(0, I) rows (one component) whose
    last ⌊αn⌋ are the adversary's: 11 write 99 % of every row's energy along
    ±d0, the others 97 % along ±u1 (u1 ⊥ d0), rows at 0.9 × the clean mean
    ‖x‖² (under any cap)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n * size, d))
    n_bad = int(np.floor(alpha * n))
    u1, d0 = np.eye(d)[0], np.eye(d)[1]
    for j, t in enumerate(range(n - n_bad, n)):
        u, mix = (d0, 0.99) if j < 11 else (u1, 0.97)
        g = rng.standard_normal((size, d))
        perp = g - np.outer(g @ u, u)
        perp /= np.linalg.norm(perp, axis=1, keepdims=True)
        rows = np.sqrt(mix) * np.sign(rng.standard_normal(size))[:, None] * u \
            + np.sqrt(1 - mix) * perp
        X[t * size:(t + 1) * size] = rows * np.sqrt(0.9 * d)
    data = MetaDataset(X, X @ rng.standard_normal(d), np.arange(n + 1) * size)
    return data, np.zeros(n, int), np.arange(n - n_bad, n), n_bad, u1, d0


def test_a_decoy_on_the_top_direction_does_not_shield_the_writers():
    """The decoy holds the capped Gram's top eigenvector; the tasks writing
    along u1 (second) are left out with it, not left in."""
    data, labels, bad, n_top, u1, d0 = _decoy_pool()
    gram, tau = capped_grams(data, labels, 1, ALPHA)
    v = np.linalg.eigh(gram[0])[1]
    assert abs(v[:, -1] @ d0) > 0.95 and abs(v[:, -2] @ u1) > 0.95   # the decoy on top
    idx = top_tasks(data, labels, 0, _pull_trim.top_directions(gram[0]), n_top, tau)[3]
    assert set(idx.tolist()) == set(bad.tolist())
    # the top eigenvector alone: the decoy and clean tasks out, u1's writers in
    one = top_tasks(data, labels, 0, v[:, -1], n_top, tau)[3]
    assert len(set(one.tolist()) & set(bad[11:].tolist())) == 0


_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "research")
_PATHS = [os.path.join(_ROOT, p) for p in ("redteam/redteam8", "redteam24", "redteam26",
                                            "redteam27")]


def test_split_gram_decoy_does_not_bring_the_pull_back():
    """The red team's silent row (split_gram, sizes 2–64, seed 2): the pull
    came back on the attacked component (trimmed ratio 0.741 ≤ 0.75,
    max‖ŵ − w‖/s 3.02× clean); with the top four directions it stays off."""
    if not all(os.path.isdir(p) for p in _PATHS):
        pytest.skip("the red team's scripts are not in this checkout")
    sys.path[:0] = _PATHS
    try:
        import json

        import dirgram
        import flip  # noqa: F401
        import splitgram  # noqa: F401
        from run import build_problem
    finally:
        del sys.path[:len(_PATHS)]
    from robust_mlr import MetaLearner
    from robust_mlr.adversary import attack_settings, corrupt_pools
    from robust_mlr.adversary.redteam import strategy_attack

    def fit(pools):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MetaLearner.robust(theta.k, ALPHA, rng=2).fit(pools)

    theta, pools = build_problem("default", "hetero", 2)
    clean = fit(pools)
    an = clean.diagnostics_["regression"]["anchor"]
    order = [int(np.argmin(np.linalg.norm(clean.W_ - theta.W[:, [a]], axis=0)))
             for a in range(theta.k)]
    dirgram.WHITEBOX.update(bias=np.asarray(an["predicted_bias"])[:, order],
                            gap=(an["W_light"] - an["W_heavy"])[:, order])
    row = json.load(open(os.path.join(_ROOT, "redteam27", "rows_x.json")))[0]
    bad = corrupt_pools(pools, strategy_attack({p: tuple(v) for p, v in row["strategy"].items()}),
                        ALPHA, theta=theta, settings=attack_settings(clean, ALPHA),
                        rng=np.random.default_rng(row["key"]))
    a = fit(bad).diagnostics_["regression"]["anchor"]
    c = int(np.nanargmin(a["mse_ratio"]))
    assert a["mse_ratio"][c] < 0.5                     # the rows still work on the ratio ...
    assert a["mse_ratio_trimmed"][c] > 1.5 and np.all(a["pull"] == 0.0)   # ... not on the pull
