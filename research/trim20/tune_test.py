"""Tried (and failed) to build a short public-API test of the decoy: honest
responses, u1 = sqrt(c) b^ + sqrt(1 - c) q and a decoy d0 (redteam27's
split_gram without its heavy attack and response push). Logs: tune_test*.log
(seed 0 component 2, seed 2 the lowest-ratio component); the ratio never went
under 1/2 with the b^ trim fooled, so the test is a unit test of the trim's
task choice plus a slow replay of the red team's row.
Originally: tunes the synthetic decoy construction:
for each (cover, mix, decoy share, decoy mix) the attacked fit's ratio and
trimmed ratio of the target component with the second trim along the top 1
eigenvector (the code before, by setting TOP_DIRECTIONS = 1) and the top 4.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/trim20/tune_test.py
"""
import itertools

import numpy as np

import warnings

import robust_mlr.stages.regression._pooled as P
from experiments.adaptive import PROBLEM, make_problem
from robust_mlr import MetaLearner
from robust_mlr.adversary import Attack, attack_settings, corrupt_pools

ALPHA, SEED = 0.05, 2


class _Decoy(Attack):
    """The component's own light tasks, drawn at random: a share ``decoy`` of
    them (evenly spread over sizes) with rows of share ``dmix`` along ±d0,
    the rest with share ``mix`` along ±u1 (u1, d0 above; the remaining
    energy isotropic), at 0.97 × the screen's upper ‖x‖²/d limit, responses
    of the component's true model."""

    name, stage, targets = "decoy_rows", "regression", ("light2",)

    def __init__(self, theta, comp, b, cover, mix, decoy, dmix, seed=2, largest=False):
        g = np.random.default_rng(seed).standard_normal((b.size, 2))
        Q = np.linalg.qr(np.column_stack([b, g]))[0]
        self.u1 = np.sqrt(cover) * Q[:, 0] + np.sqrt(1 - cover) * Q[:, 1]
        self.d0, self.theta, self.comp = Q[:, 2], theta, comp
        self.mix, self.decoy, self.dmix, self.largest = mix, decoy, dmix, largest

    def choose(self, data, n_bad, ctx, rng):
        if self.largest:
            key = -data.sizes.astype(float) - 1e6 * (data.components == self.comp)
            return np.sort(np.argsort(key, kind="stable")[:n_bad])
        return np.sort(rng.choice(np.flatnonzero(data.components == self.comp), n_bad,
                                  replace=False))

    def craft(self, data, idx, ctx, rng):
        th = ctx.settings["thresholds"]["screen"]
        x_hi = float(th["light2"]["x_sq_over_d"][1]) * th.get("sigma_x", 1.0) ** 2
        sizes, d = data.sizes[idx], data.dim
        nd = int(round(self.decoy * idx.size))
        dec = np.zeros(idx.size, bool)
        dec[np.floor(np.arange(nd) * idx.size / max(nd, 1)).astype(int)] = True
        dec_rows = np.repeat(dec, sizes)
        n = int(sizes.sum())
        U = np.where(dec_rows[:, None], self.d0, self.u1)
        mix = np.where(dec_rows, self.dmix, self.mix)[:, None]
        g = rng.standard_normal((n, d))
        perp = g - np.sum(g * U, axis=1, keepdims=True) * U
        perp /= np.linalg.norm(perp, axis=1, keepdims=True)
        X = np.sqrt(mix) * np.sign(rng.standard_normal(n))[:, None] * U + np.sqrt(1 - mix) * perp
        X *= np.sqrt(0.97 * x_hi * d) / np.linalg.norm(X, axis=1, keepdims=True)
        s = float(self.theta.s[self.comp])
        return X, X @ self.theta.W[:, self.comp] + s * rng.standard_normal(n)


def _fit(pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, ALPHA, rng=SEED).fit(pools)


def _fit(pools):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetaLearner.robust(4, ALPHA, rng=SEED).fit(pools)



theta, pools = make_problem(dict(PROBLEM, sizes="hetero"), np.random.default_rng([SEED, 11]))
clean = _fit(pools)
an = clean.diagnostics_["regression"]["anchor"]
c = int(np.argmin(an["mse_ratio"]))                  # the fitted component nearest the pull
comp = int(np.argmin(np.linalg.norm(theta.W - an["W_heavy"][:, [c]], axis=0)))
print("component", c, "true", comp, "clean ratio", np.round(an["mse_ratio"], 3), flush=True)
b = an["predicted_bias"][:, c]
GRID = [dict(cover=cv, mix=mx, decoy=dc, dmix=dm, largest=lg)
        for lg in (False, True) for cv in (0.8, 0.83, 0.87) for mx in (0.75, 0.9)
        for dc in (0.5,) for dm in (0.95,)]
for kw in GRID:
    bad = corrupt_pools(pools, _Decoy(theta, comp, b, **kw), ALPHA, theta=theta,
                        settings=attack_settings(clean, ALPHA), rng=np.random.default_rng(19))
    out = []
    for r in (1, 4):
        P.top_directions.__defaults__ = (r,)     # r 1: the rule before
        a = _fit(bad).diagnostics_["regression"]["anchor"]
        out.append(f"r{r}: ratio {a['mse_ratio'][c]:.3f} trim {a['mse_ratio_trimmed'][c]:.3f} "
                   f"pull {a['pull'][c]:.0f}")
        if not a["mse_ratio_trimmed"][c] <= 0.75:     # the old rule already holds: skip r 4
            break
    print(kw, " | ".join(out), flush=True)
