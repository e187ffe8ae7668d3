"""Capture what the regression stage's ŝ² cross-check is given, on clean and
attacked fits of the default problem, so that other rules for the heavy
centre and the light–heavy combination can be evaluated on the same fits
(the final ŵ does not depend on the cross-check, so a rule applied to the
captured inputs gives exactly the ŝ² that rule would return).

Per fit and component (relative to s² in the stage's screened units, the
screen's response scale divided out): the heavy tasks' noise ratios at the
final ŵ (RSS_i / median χ²_{t_i}, t_i = 128 degrees of freedom) and at each
task's own fit (t_i − d = 96), their assignment, the light estimate over the
classified tasks with its standard error, and the posterior-weighted light
estimate (``noise_refit="always"``) with its standard error.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/s2_capture.py OUT.npz \
        [sizes] [alpha] [draws] [problem seeds...]

``S2_PROBLEM`` (JSON) overrides entries of the problem (e.g. '{"n_heavy": 100}').
Problem seed ``row`` is the adaptive study's worst ŝ² row (its seed); an
integer s draws the problem from ``default_rng(s)`` with the same recipe.
"""
import csv, json, os, sys, warnings
import numpy as np
from experiments.adaptive import make_problem, PROBLEM
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.preprocess import Screen
from robust_mlr.threat import ThreatModel
from robust_mlr._dist import chi2
from robust_mlr.stages.regression import _pooled
from robust_mlr.stages.regression.noise_check import posterior_noise, light_noise_se

out_path = sys.argv[1]
sizes = sys.argv[2] if len(sys.argv) > 2 else "fixed"
al = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
draws = int(sys.argv[4]) if len(sys.argv) > 4 else 2
seeds = sys.argv[5:] or ["row"]
row = [r for r in csv.DictReader(open('docs/results/adaptive.csv')) if r['param.learner'] == 'robust'
       and r['param.target'] == 's2' and r['param.sizes'] == sizes and float(r['param.alpha']) == al][0]
strat = {p: tuple(v) for p, v in json.loads(row['attack_params']).items()}

captured = {}
_orig = _pooled.cross_check_noise
_orig_se = _pooled.light_noise_se


def se_wrap(light, labels, s2, t_cap=None):
    captured["light"], captured["labels"] = light, np.asarray(labels)
    return _orig_se(light, labels, s2, t_cap)


def cc_wrap(heavy, labels, W, s2, z=3.0, se_light=None, **kw):
    res = _orig(heavy, labels, W, s2, z, se_light, **kw)
    captured["pull"] = kw.get("pull", 0.6744897501960817)
    resid = heavy.task_sums((heavy.y[:, None] - heavy.X @ W) ** 2)
    t = heavy.sizes
    d = heavy.dim
    # each task's own least-squares residual sum (t > d)
    off = heavy.offsets
    own = np.empty(heavy.n_tasks)
    for i in range(heavy.n_tasks):                      # research script: a loop is fine
        X, y = heavy.X[off[i]:off[i + 1]], heavy.y[off[i]:off[i + 1]]
        b = np.linalg.lstsq(X, y, rcond=None)[0]
        own[i] = np.sum((y - X @ b) ** 2)
    light, lab = captured["light"], captured["labels"]
    post = posterior_noise(light, lab, W)
    captured.update(ratio=resid / chi2.median(t)[:, None], own=own / chi2.median(t - d),
                    assign=np.argmin(resid, axis=1), s2_light=np.asarray(s2, float),
                    se_light=np.asarray(se_light, float), s2_post=post,
                    se_post=light_noise_se(light, lab, post), out=res[0].copy())
    return res


_pooled.cross_check_noise = cc_wrap
_pooled.light_noise_se = se_wrap

records = []
for ps in seeds:
    rng = np.random.default_rng(int(row['seed']) if ps == "row" else int(ps))
    point = dict(PROBLEM, sizes=sizes, **json.loads(os.environ.get("S2_PROBLEM", "{}")))
    theta, pools = make_problem(point, rng)
    k = int(point["k"])
    seed = int(rng.integers(2 ** 31))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(k, al, rng=seed).fit(pools)
    settings = attack_settings(clean, al)

    def keep(tag, m, fitted):
        c = dict(captured)
        # the screen's response scale of the pools fitted (an attack moves it)
        sy = Screen().apply(fitted, ThreatModel(al))[1]["scales"][1]
        s2_scr = theta.s ** 2 / sy ** 2
        # components of the fit to those of θ (closest ŵ)
        match = np.argmin(((m.W_[:, :, None] - theta.W[:, None, :]) ** 2).sum(0), axis=1)
        rec = dict(problem=ps, fit=tag, match=match, s2_final=m.s2_ / theta.s[match] ** 2,
                   unit=float(sy ** 2), t_heavy=int(np.median(pools.heavy.sizes)), d=pools.dim, truth=np.asarray(s2_scr)[match] * np.ones(k))
        for key in ("ratio", "own", "assign", "s2_light", "se_light", "s2_post", "se_post", "out",
                    "pull"):
            rec[key] = c[key]
        records.append(rec)
        print(ps, tag, "final", np.round(rec["s2_final"] - 1, 4),
              "out/truth", np.round(c["out"] / rec["truth"] - 1, 4),
              "light", np.round(c["s2_light"] / rec["truth"] - 1, 4),
              "post", np.round(c["s2_post"] / rec["truth"] - 1, 4), flush=True)

    keep("clean", clean, pools)
    for draw in range(draws):
        bad = corrupt_pools(pools, strategy_attack(strat), al, theta=theta, settings=settings,
                            rng=np.random.default_rng([seed, draw]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = MetaLearner.robust(k, al, rng=seed).fit(bad)
        keep(f"attack{draw}", m, bad)
np.save(out_path, np.array(records, dtype=object), allow_pickle=True)
