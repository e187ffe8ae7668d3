"""Twenty-fourth red team driver: replay / run strategy rows on the default
problem (build_problem("default", sizes, seed)), one jsonl line per fit.

    PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24 OMP_NUM_THREADS=1 \\
        python3 research/redteam24/rt24.py --sizes hetero --seed 0 --tag T \\
        --rows ROWS.json --out research/redteam24/logs/T.jsonl

ROWS.json: list of {"strategy": {pool: [family, params]}, "key": [..]} (key: the
corruption rng; default [seed, 24, i]). Each line: strategy, key, w/s2/p err,
warned, time ratio, per component final/heavy/light error, pull, mse_ratio, T.
"""
import argparse
import json
import time
import warnings

import numpy as np

import flip  # noqa: F401  (registers flip_match)
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from robust_mlr.metrics import parameter_errors

from run import build_problem


def per_comp(W, theta):
    return [round(float(np.linalg.norm(W[:, [c]] - theta.W, axis=0).min() / theta.s[0]), 4)
            for c in range(W.shape[1])]


def fails(obj, path="", out=None):
    """Paths of every False 'passed'-like flag (and top_eig_over_edge > 1) in a diagnostics dict."""
    out = [] if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (bool, np.bool_)) and not v and ("pass" in str(k) or k == "agree"):
                out.append(f"{path}.{k}")
            elif isinstance(v, np.ndarray) and v.dtype == bool and v.any() and k in ("collapsed", "failed"):
                out.append(f"{path}.{k}={np.flatnonzero(v).tolist()}")
            elif isinstance(v, (dict, list, tuple)):
                fails(v, f"{path}.{k}", out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            if isinstance(v, (dict, list, tuple)):
                fails(v, f"{path}[{i}]", out)
    return out


def fit(theta, alpha, seed, pools):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, alpha, rng=seed).fit(pools)
        except Exception as exc:  # noqa: BLE001
            return {"exception": f"{type(exc).__name__}: {str(exc)[:100]}"}, time.perf_counter() - t0
    dt = time.perf_counter() - t0
    warned = [str(w.message)[:600] for w in ws if issubclass(w.category, CorruptionWarning)]
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    rec = {"w_err": float(e["w_err"]), "s2_err": float(e["s2_err"]), "p_err": float(e["p_err"]),
           "warned": bool(warned), "warnings": warned, "exception": ""}
    an = m.diagnostics_["regression"].get("anchor", {})
    g = m.diagnostics_["regression"]
    rec["fails"] = fails(g, "regression")
    rec["refit_agrees"] = bool(g.get("refit_agrees", True))
    rec["clipped"] = (g.get("example_clip") or {}).get("clipped")
    rec["evidence"] = m.diagnostics_.get("evidence")
    if "W_heavy" in an:
        rec.update(final=per_comp(m.W_, theta), heavy=per_comp(an["W_heavy"], theta),
                   light=per_comp(an["W_light"], theta), pull=an["pull"].tolist(),
                   mse_ratio=np.round(an["mse_ratio"], 3).tolist(),
                   T=np.round(an["statistic"], 1).tolist(), failed=an["failed"].tolist())
    else:
        rec["anchor"] = str(an)[:200]
    return rec, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="hetero")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--tag", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    theta, pools = build_problem("default", a.sizes, a.seed)
    crec, tc = fit(theta, a.alpha, a.seed, pools)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = MetaLearner.robust(theta.k, a.alpha, rng=a.seed).fit(pools)
    settings = attack_settings(clean, a.alpha)
    rows = json.load(open(a.rows))
    with open(a.out, "a") as fh:
        line = dict(tag=a.tag, sizes=a.sizes, seed=a.seed, alpha=a.alpha, phase="clean",
                    time=tc, **crec)
        fh.write(json.dumps(line) + "\n")
        print(f"clean w {crec['w_err']:.4f} pull {crec.get('pull')} ratio {crec.get('mse_ratio')}",
              flush=True)
        for i, r in enumerate(rows):
            key = r.get("key", [a.seed, 24, i])
            strat = {p: tuple(v) for p, v in r["strategy"].items()}
            try:
                bad = corrupt_pools(pools, strategy_attack(strat), a.alpha, theta=theta,
                                    settings=settings, rng=np.random.default_rng(key))
            except Exception as exc:  # noqa: BLE001
                print(f"{i} ATTACK FAILED {type(exc).__name__}: {exc}", flush=True)
                continue
            rec, dt = fit(theta, a.alpha, a.seed, bad)
            line = dict(tag=a.tag, sizes=a.sizes, seed=a.seed, alpha=a.alpha, phase="attack",
                        index=i, key=key, strategy=r["strategy"], note=r.get("note", ""),
                        time=dt, time_ratio=dt / tc, clean_w=crec.get("w_err"), **rec)
            fh.write(json.dumps(line) + "\n")
            fh.flush()
            if rec.get("exception"):
                print(f"{i} RAISED {rec['exception']}", flush=True)
                continue
            print(f"{i} {r.get('note','')}: w {rec['w_err']:.4f} s2 {rec['s2_err']:.3f} "
                  f"p {rec['p_err']:.4f} warned {int(rec['warned'])} x{dt / tc:.2f} | "
                  f"pull {rec.get('pull')} ratio {rec.get('mse_ratio')} final {rec.get('final')} "
                  f"heavy {rec.get('heavy')} light {rec.get('light')} T {rec.get('T')} fails {rec.get('fails')} agree {rec.get('refit_agrees')} clip {rec.get('clipped')}", flush=True)


if __name__ == "__main__":
    main()
