"""Twenty-sixth red team, target (B): the whitening's trimmed Σ̂
(robust_mlr/_covariance_trim.py) under norm-preserving directional attacks.

``white_tilt`` (a public-API Attack on every pool): each chosen task's rows
are rewritten in whitened coordinates z = Σ^{-1/2}x as
z' = ±√(f·ρ·‖z‖²)·u + √((1−f)·ρ·‖z‖²)·r̂ (r̂ ⊥ u random), x' = Σ^{1/2}z',
y = x'ᵀw_c + s_c·ε (the task's own component): each row keeps ρ × its own
clean whitened squared norm, so with ρ ≈ 1 the scores' law is the clean one
(nothing for a total-norm trim to see) while a share f of the energy sits on
one direction u. u: "perp" (⊥ span W, the package's fixed_direction, in
whitened coordinates), "inW" (along whitened w_0 − w_1), "w0" (whitened w_0).

Per fit: Σ̂'s eigenvalue ratios against Σ (estimate_second_moment at the
learner's α, the trimmed count), the learner's (covariates default "auto"
or --covariates) max ‖ŵ−w‖/s, CorruptionWarning, screen and stage removals,
whether it whitened, time ratio to the clean fit.

    PYTHONPATH=$PWD:research/redteam26 OMP_NUM_THREADS=1 python3 research/redteam26/b26.py \\
        --law polynomial --alpha 0.1 --seed 1 --out research/redteam26/logs/b_X.jsonl
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, "benchmarks")
from bench_covariate_laws import FULL, QUICK, law_problem  # noqa: E402
from robust_mlr import CorruptionWarning, MetaLearner  # noqa: E402
from robust_mlr.adversary import Attack, Poolwise, corrupt_pools, register  # noqa: E402
from robust_mlr.adversary._craft import fixed_direction  # noqa: E402
from robust_mlr.covariates import estimate_second_moment  # noqa: E402
from robust_mlr.generator import covariate_moment  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402

LAW = {}


@register
class WhiteTilt(Attack):
    name, stage, targets = "white_tilt", "preprocessing", ("light1", "heavy", "light2")

    def __init__(self, frac=0.5, rho=1.0, direction="perp", sign="random"):
        self.frac, self.rho, self.direction, self.sign = float(frac), float(rho), direction, sign

    def craft(self, data, idx, ctx, rng):
        theta = ctx.need_theta(self.name)
        Sh, Si = LAW["half"], LAW["ihalf"]
        Wz = Sh @ theta.W                    # whitened parameters (x'w = z'(Σ^{1/2}w))
        if self.direction == "perp":
            u = fixed_direction(Wz)
        elif self.direction == "inW":
            u = Wz[:, 0] - Wz[:, 1]
        else:
            u = Wz[:, 0]
        u = u / np.linalg.norm(u)
        rows = np.concatenate([np.arange(data.offsets[i], data.offsets[i + 1]) for i in idx])
        Z = data.X[rows] @ Si.T
        n2 = self.rho * np.einsum("ij,ij->i", Z, Z)
        R = Z - np.outer(Z @ u, u)
        R /= np.maximum(np.linalg.norm(R, axis=1, keepdims=True), 1e-300)
        sg = rng.choice([-1.0, 1.0], size=rows.size) if self.sign == "random" else np.sign(Z @ u + 1e-300)
        Zn = (sg * np.sqrt(self.frac * n2))[:, None] * u + np.sqrt((1 - self.frac) * n2)[:, None] * R
        X = Zn @ Sh.T
        comps = data.components[idx]
        comps = np.where(comps < 0, rng.choice(theta.k, size=idx.size, p=theta.p), comps)
        comp = np.repeat(comps, data.sizes[idx])
        s = np.asarray(theta.s, float)[comp]
        y = np.einsum("ij,ji->i", X, theta.W[:, comp]) + s * rng.standard_normal(rows.size)
        return X, y


def removals(m):
    d = m.diagnostics_
    out = [f"{d['screen'][p]['n_removed']}/{d['screen'][p]['limit']}"
           for p in ("light1", "heavy", "light2")]
    out += [f"{d[s]['removed']}/{d[s]['limit']}"
            for s in ("subspace", "clustering", "classification", "regression")]
    return out


def over_limit(m):
    d = m.diagnostics_
    bad = [p for p in ("light1", "heavy", "light2") if d["screen"][p]["n_removed"] > d["screen"][p]["limit"]]
    bad += [s for s in ("subspace", "clustering", "classification", "regression")
            if d[s]["removed"] > d[s]["limit"]]
    return bad


def run_fit(theta, P, k, alpha, seed, cov):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(k, alpha, rng=seed, covariates=cov).fit(P)
        except Exception as exc:  # noqa: BLE001
            return {"exception": f"{type(exc).__name__}: {str(exc)[:160]}"}, time.perf_counter() - t0
    dt = time.perf_counter() - t0
    warned = [str(w.message)[:300] for w in ws if issubclass(w.category, CorruptionWarning)]
    e = parameter_errors(m.W_, m.s2_, m.p_, theta)
    return {"w_err": float(e["w_err"]), "s2_err": float(e["s2_err"]), "p_err": float(e["p_err"]),
            "warned": bool(warned), "warnings": warned, "exception": "",
            "whitened": getattr(m, "covariance_", None) is not None,
            "removals": removals(m), "over_limit": over_limit(m)}, dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--law", default="gaussian")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--covariates", default="auto")
    ap.add_argument("--grid", default="main")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    shape = QUICK if a.quick else FULL
    d, k = shape["d"], shape["k"]
    S = covariate_moment(a.law, d)
    vals, Q = np.linalg.eigh(S)
    LAW["half"] = (Q * np.sqrt(vals)) @ Q.T
    LAW["ihalf"] = (Q / np.sqrt(vals)) @ Q.T
    theta, pools, _ = law_problem(a.law, d, k, shape["sizes"], a.seed)
    if a.grid == "main":
        rows = [dict(frac=f, rho=r, direction=u) for u in ("perp", "inW")
                for f, r in ((1.0, 1.0), (0.7, 1.0), (0.5, 1.3), (0.9, 1.3))]
    else:
        rows = json.loads(a.grid)
    crec, tc = run_fit(theta, pools, k, a.alpha, a.seed, a.covariates)
    Sg, kept = estimate_second_moment(pools, a.alpha)
    ev = np.linalg.eigvalsh(LAW["ihalf"] @ Sg @ LAW["ihalf"])
    head = dict(law=a.law, alpha=a.alpha, seed=a.seed, d=d, covariates=a.covariates)
    with open(a.out, "a") as fh:
        fh.write(json.dumps(dict(head, phase="clean", time=tc, eig=[ev.min(), ev.max()],
                                 trimmed=int((~kept).sum()), **crec)) + "\n")
        print(f"{a.law} a{a.alpha} s{a.seed} clean: w {crec.get('w_err', float('nan')):.4f} "
              f"warned {int(crec.get('warned', 0))} eig {ev.min():.3f}..{ev.max():.3f} "
              f"trim {int((~kept).sum())} whitened {crec.get('whitened')} rem {crec.get('removals')} "
              f"{crec.get('exception')}", flush=True)
        for i, p in enumerate(rows):
            atk = ("white_tilt", p)
            P = corrupt_pools(pools, Poolwise(light1=atk, heavy=atk, light2=atk), a.alpha,
                              theta=theta, rng=np.random.default_rng([a.seed, 26, i]))
            Sh, kept = estimate_second_moment(P, a.alpha)
            ev = np.linalg.eigvalsh(LAW["ihalf"] @ Sh @ LAW["ihalf"])
            rec, dt = run_fit(theta, P, k, a.alpha, a.seed, a.covariates)
            fh.write(json.dumps(dict(head, phase="attack", index=i, params=p, time=dt,
                                     time_ratio=dt / tc, eig=[ev.min(), ev.max()],
                                     trimmed=int((~kept).sum()), clean_w=crec.get("w_err"),
                                     **rec)) + "\n")
            fh.flush()
            print(f"  {i} {p}: w {rec.get('w_err', float('nan')):.4f} s2 {rec.get('s2_err', float('nan')):.3f} "
                  f"warned {int(rec.get('warned', 0))} eig {ev.min():.3f}..{ev.max():.3f} "
                  f"trim {int((~kept).sum())} whitened {rec.get('whitened')} x{dt / tc:.2f} "
                  f"rem {rec.get('removals')} over {rec.get('over_limit')} {rec.get('exception')}",
                  flush=True)


if __name__ == "__main__":
    main()
