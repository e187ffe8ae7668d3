"""Twenty-sixth red team driver (the light pool's pull under the row cap).
redteam24's rt24.py plus white-box spies: per fit, τ (capped_grams), the
predicted ratio's variance / bias parts per component, and the clean fit's
predicted bias b and ŵ_L − ŵ_H handed to ``dir_gram`` (dirgram.WHITEBOX).

    export PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/redteam26/rt26.py \\
        --sizes hetero --seed 0 --rows ROWS.json --out research/redteam26/logs/T.jsonl

ROWS.json: [{"strategy": {pool: [family, params]}, "key": [...], "note": ...}];
key default [seed, 26, i].
"""
import argparse
import json
import time
import warnings

import numpy as np

import dirgram  # noqa: F401  (registers dir_gram)
import splitgram  # noqa: F401  (registers split_gram)
import flip  # noqa: F401
import robust_mlr.stages.regression._pooled as P
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from rt24 import fails, per_comp
from run import build_problem

SPY = {}
_ratio, _capped, _pool = P._predicted_mse_ratio, P.capped_grams, P.pool_estimates


def ratio_spy(cov_l, cov_h, prec_l, prec, b):
    A = np.linalg.solve(prec, prec_l)
    R = np.eye(A.shape[0]) - A
    th = np.trace(cov_h)
    SPY.setdefault("parts", []).append(
        (round(float((np.trace(R @ cov_h @ R.T) + np.trace(A @ cov_l @ A.T)) / th), 3),
         round(float(np.sum((A @ b) ** 2) / th), 3)))
    return _ratio(cov_l, cov_h, prec_l, prec, b)


def capped_spy(*a, **kw):
    g, tau = _capped(*a, **kw)
    SPY["tau"] = tau
    D = splitgram.DIRS
    if D:
        SPY["dirgram"] = [(round(float(D["d0"] @ x @ D["d0"])), [round(float(u @ x @ u)) for u in D["U"].T],
                           round(float(np.trace(x) / x.shape[0]))) for x in g]
    SPY["ratio_gram_tr"] = [round(float(np.trace(x)), 0) for x in g]
    return g, tau


def pool_spy(W_light, light_gram, *a, **kw):
    pb = a[7] if len(a) > 7 else kw.get("predicted_bias")

    def wrapped(comps):
        B = pb(comps)
        SPY["B"] = B
        return B
    if pb is not None:
        if len(a) > 7:
            a = a[:7] + (wrapped,) + a[8:]
        else:
            kw["predicted_bias"] = wrapped
    SPY["W_light"] = W_light
    SPY["light_gram_tr"] = [round(float(np.trace(x)), 0) for x in light_gram]
    return _pool(W_light, light_gram, *a, **kw)


P._predicted_mse_ratio, P.capped_grams, P.pool_estimates = ratio_spy, capped_spy, pool_spy
_cr = P._capped_ratio


def cr_spy(*a):
    v = _cr(*a)
    SPY.setdefault("cr", []).append(round(float(v), 3))
    return v


import robust_mlr.stages.regression._pull_trim as PT
_tt = PT.top_tasks


def tt_spy(data, labels, comp, u, n_top, tau, *a, **kw):
    out = _tt(data, labels, comp, u, n_top, tau, *a, **kw)
    idx = out[3]
    off = data.offsets
    mine = np.flatnonzero(np.asarray(labels) == comp)

    def grp(i):
        y = data._block(off[i], off[i] + 2)[1]
        return splitgram.TAGS.get((round(float(np.float32(y[0])), 3), round(float(np.float32(y[1])), 3)), None)

    def is_adv(i):
        return grp(i) is not None
    gs = [grp(i) for i in idx]
    adv = {g: gs.count(g) for g in set(gs) if g is not None}
    if "nadv" not in SPY:
        SPY["nadv"] = (sum(is_adv(i) for i in mine), sum(is_adv(i) for i in range(labels.size)), len(splitgram.TAGS))
    D = splitgram.DIRS
    ov = (np.round((D["U"].T @ u) ** 2, 3).tolist(), round(float(D["d0"] @ u) ** 2, 3)) if D else None
    SPY.setdefault("tt", []).append((int(n_top), int(idx.size), ov, int(mine.size)))
    return out


PT.top_tasks = tt_spy
P._capped_ratio = cr_spy  # every capped ratio read: untrimmed per comp, then (b̂ trim, top-dir trim)


def fit(theta, alpha, seed, pools):
    SPY.clear()
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        except Exception as exc:  # noqa: BLE001
            return {"exception": f"{type(exc).__name__}: {str(exc)[:100]}"}, time.perf_counter() - t0, None
    dt = time.perf_counter() - t0
    warned = [str(w.message)[:600] for w in ws if issubclass(w.category, CorruptionWarning)]
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    rec = {"w_err": float(e["w_err"]), "s2_err": float(e["s2_err"]), "p_err": float(e["p_err"]),
           "warned": bool(warned), "warnings": warned, "exception": ""}
    g = m.diagnostics_["regression"]
    an = g.get("anchor", {})
    rec["fails"] = fails(g, "regression")
    rec["tau"] = SPY.get("tau")
    rec["parts"] = SPY.get("parts")
    rec["trG_cap"] = SPY.get("ratio_gram_tr")
    rec["trG"] = SPY.get("light_gram_tr")
    if "W_heavy" in an:
        rec.update(final=per_comp(m.W_, theta), heavy=per_comp(an["W_heavy"], theta),
                   light=per_comp(an["W_light"], theta), pull=an["pull"].tolist(),
                   mse_ratio=np.round(an["mse_ratio"], 3).tolist(),
                   mse_ratio_trimmed=np.round(an.get("mse_ratio_trimmed", np.full(theta.k, np.nan)),
                                              3).tolist(),
                   T=np.round(an["statistic"], 1).tolist(), failed=an["failed"].tolist())
    else:
        rec["anchor"] = str(an)[:200]
    return rec, dt, m


def whitebox(m, theta):
    """The clean fit's b and ŵ_L − ŵ_H in θ's component order."""
    an = m.diagnostics_["regression"]["anchor"]
    B, gap = SPY["B"], an["W_light"] - an["W_heavy"]
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0))) for a in range(theta.k)]
    dirgram.WHITEBOX.update(bias=B[:, order], gap=gap[:, order])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="hetero")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--only", type=int, nargs="*")
    ap.add_argument("--tag", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    crec, tc, clean = fit(theta, a.alpha, a.seed, pools)
    whitebox(clean, theta)
    settings = attack_settings(clean, a.alpha)
    rows = json.load(open(a.rows))
    with open(a.out, "a") as fh:
        fh.write(json.dumps(dict(tag=a.tag, sizes=a.sizes, seed=a.seed, alpha=a.alpha,
                                 phase="clean", time=tc, **crec)) + "\n")
        print(f"clean w {crec['w_err']:.4f} pull {crec.get('pull')} ratio {crec.get('mse_ratio')} "
              f"parts {crec.get('parts')} tau {crec.get('tau')}", flush=True)
        for i, r in enumerate(rows):
            if a.only and i not in a.only:
                continue
            key = r.get("key", [a.seed, 26, i])
            strat = {p: tuple(v) for p, v in r["strategy"].items()}
            try:
                bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                                    settings=settings, rng=np.random.default_rng(key))
            except Exception as exc:  # noqa: BLE001
                print(f"{i} ATTACK FAILED {type(exc).__name__}: {exc}", flush=True)
                continue
            rec, dt, _ = fit(theta, a.alpha, a.seed, bad)
            line = dict(tag=a.tag, sizes=a.sizes, seed=a.seed, alpha=a.alpha, phase="attack",
                        index=i, key=key, strategy=r["strategy"], note=r.get("note", ""),
                        time=dt, time_ratio=dt / tc, clean_w=crec.get("w_err"), **rec)
            fh.write(json.dumps(line) + "\n")
            fh.flush()
            if rec.get("exception"):
                print(f"{i} RAISED {rec['exception']}", flush=True)
                continue
            print(f"{i} {r.get('note', '')}: w {rec['w_err']:.4f} ({rec['w_err'] / crec['w_err']:.2f}x) "
                  f"s2 {rec['s2_err']:.3f} warned {int(rec['warned'])} x{dt / tc:.2f} | pull "
                  f"{rec.get('pull')} ratio {rec.get('mse_ratio')} trim {rec.get('mse_ratio_trimmed')} parts {rec.get('parts')} tau "
                  f"{rec.get('tau'):.2f} final {rec.get('final')} heavy {rec.get('heavy')} "
                  f"light {rec.get('light')} T {rec.get('T')} fails {rec.get('fails')} cr {SPY.get('cr')} tt(n_top,removed,adv,comp) {SPY.get('tt')} adv_in_comp {SPY.get('nadv')} dirgram(d0,U,tr/d) {SPY.get('dirgram')}", flush=True)


if __name__ == "__main__":
    main()
