"""Clean fits for false CorruptionWarnings from the regression stage
(the clipped gradient test, spike directions, refit agreement).

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/law_reference/clean15/probe.py \\
        CONFIG[:seed[:alpha]] ... [--out LOG.jsonl]

Each fit prints one line and appends a JSON record: CorruptionWarning
messages, the stage's flags, max clipped_test, moved_se, spikes, and the
filter's own top_eig_over_edge per component.
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np

from robust_mlr import CorruptionWarning, MetaLearner, make_params, make_pools

sys.path.insert(0, "experiments/..")


def het(lo, hi):
    return lambda rng, n: rng.integers(lo, hi + 1, n)


def default(seed, d=32, k=4, sizes=(20_000, 2, 400, 128, 20_000, 8), pkw=None, **kw):
    theta = make_params(d, k, rng=seed, **(pkw or {}))
    return theta, make_pools(theta, *sizes, rng=seed + 100, **kw), {}


def bimodal(lo, hi):
    return lambda rng, n: np.where(rng.random(n) < 0.5, lo, hi)


def sine(seed, light2=(8192, 4)):
    from experiments.sine_wave import sine_params
    theta = sine_params(8, 16, 0.5)
    pools = make_pools(theta, 8192, 8, 128, 16, *light2, x_dist="polynomial", rng=seed)
    return theta, pools, {"covariates": "estimate"}


CONFIGS = {
    "base": lambda s: default(s),
    "het2_64": lambda s: default(s, sizes=(20_000, 2, 400, 128, 10_000, het(2, 64))),
    "het2_16": lambda s: default(s, sizes=(20_000, 2, 400, 128, 20_000, het(2, 16))),
    "het_l1": lambda s: default(s, sizes=(20_000, het(2, 8), 400, 128, 20_000, 8)),
    "t2": lambda s: default(s, sizes=(20_000, 2, 400, 128, 40_000, 2)),
    "t4": lambda s: default(s, sizes=(20_000, 2, 400, 128, 30_000, 4)),
    "small_pool": lambda s: default(s, sizes=(3_000, 2, 200, 128, 3_000, 8)),
    "small_pool_t4": lambda s: default(s, sizes=(4_000, 2, 200, 64, 4_000, 4)),
    "d4k2": lambda s: default(s, d=4, k=2, sizes=(5_000, 2, 100, 32, 5_000, 8)),
    "d3k2_het": lambda s: default(s, d=3, k=2, sizes=(5_000, 2, 100, 32, 3_000, het(2, 64))),
    "d4k2_bimodal": lambda s: default(s, d=4, k=2, sizes=(5_000, 2, 100, 32, 3_000,
                                                         bimodal(2, 64))),
    "d4k3_het": lambda s: default(s, d=4, k=3, sizes=(5_000, 2, 100, 32, 3_000, het(2, 64))),
    "d4k2_het_student": lambda s: default(s, d=4, k=2, sizes=(5_000, 2, 100, 32, 3_000,
                                                             het(2, 64)), x_dist="student"),
    "d8k2": lambda s: default(s, d=8, k=2, sizes=(5_000, 2, 100, 64, 5_000, 8)),
    "d8k2_t2": lambda s: default(s, d=8, k=2, sizes=(5_000, 2, 100, 64, 8_000, 2)),
    "d8k2_het": lambda s: default(s, d=8, k=2, sizes=(5_000, 2, 100, 64, 5_000, het(2, 64))),
    "k6": lambda s: default(s, k=6, sizes=(20_000, 2, 600, 128, 20_000, 8)),
    "k8": lambda s: default(s, k=8, sizes=(20_000, 2, 800, 128, 20_000, 8)),
    "p5": lambda s: default(s, pkw={"p": np.array([0.05, 0.30, 0.30, 0.35])}),
    "p5_k6": lambda s: default(s, k=6, sizes=(20_000, 2, 600, 128, 20_000, 8),
                               pkw={"p": np.array([0.05, 0.19, 0.19, 0.19, 0.19, 0.19])}),
    "s_uneq": lambda s: default(s, pkw={"s": np.array([0.3, 0.7, 1.2, 2.0])}),
    "s_rand": lambda s: default(s, pkw={"s": "random", "p": "random"}),
    "student": lambda s: default(s, x_dist="student"),
    "student_het": lambda s: default(s, sizes=(20_000, 2, 400, 128, 10_000, het(2, 64)),
                                     x_dist="student"),
    "student_t4": lambda s: default(s, sizes=(20_000, 2, 400, 128, 30_000, 4), x_dist="student"),
    "tnoise": lambda s: default(s, noise="student"),
    "tnoise_het": lambda s: default(s, sizes=(20_000, 2, 400, 128, 10_000, het(2, 64)),
                                    noise="student"),
    "sine": sine,
    "sine_het": lambda s: sine(s, light2=(8192, het(2, 16))),
    "sine_het64": lambda s: sine(s, light2=(4096, het(2, 64))),
    "sine_t8": lambda s: sine(s, light2=(8192, 8)),
    "sine_t2": lambda s: sine(s, light2=(16384, 2)),
    "bimodal": lambda s: default(s, sizes=(20_000, 2, 400, 128, 10_000, bimodal(2, 64))),
    "d4k2_t2": lambda s: default(s, d=4, k=2, sizes=(5_000, 2, 100, 32, 5_000, 2)),
    "d4k2_het": lambda s: default(s, d=4, k=2, sizes=(5_000, 2, 100, 32, 3_000, het(2, 64))),
    "d4k2_small": lambda s: default(s, d=4, k=2, sizes=(1_000, 2, 50, 32, 1_000, 4)),
    "d6k3_het": lambda s: default(s, d=6, k=3, sizes=(5_000, 2, 100, 32, 3_000, het(2, 64))),
    "k8_t4": lambda s: default(s, k=8, sizes=(20_000, 2, 800, 128, 30_000, 4)),
    "student_p5": lambda s: default(s, pkw={"p": np.array([0.05, 0.30, 0.30, 0.35])},
                                    x_dist="student"),
    "poly_het": lambda s: default(s, sizes=(20_000, 2, 400, 128, 10_000, het(2, 64)),
                                  x_dist="polynomial")[:2] + ({"covariates": "estimate"},),
    "corr_student": lambda s: default(s, x_dist="correlated_student")[:2]
    + ({"covariates": "estimate"},),
    "smallheavy64_mr": lambda s: default(s, d=64, k=8, sizes=(60_000, 2, 20_000, 4, 20_000, 16))[:2]
    + ({"clustering": "moments_robust"},),
    "smallheavy_mr": lambda s: default(s, sizes=(30_000, 2, 8_000, 4, 10_000, 16)) [:2]
    + ({"clustering": "moments_robust"},),
}


NO_CLIPPED = False


def close(seed, delta, t, d=16, k=4, n2=20_000, pair=2, est=0, nh=400, th=128, hett=0):
    """The default design with ``pair`` - 1 components moved to within
    ``delta`` noise levels of component 0 (orthogonal offsets)."""
    th0 = make_params(d, k, rng=seed)
    rng = np.random.default_rng([seed, 5])
    W = th0.W.copy()
    for j in range(1, pair):
        u = rng.standard_normal(d)
        u -= W[:, 0] * (W[:, 0] @ u) / (W[:, 0] @ W[:, 0])
        W[:, j] = W[:, 0] + delta * th0.s[0] * u / np.linalg.norm(u)
    theta = make_params(d, k, W=W, s=th0.s, p=th0.p, normalize=False)
    return theta, make_pools(theta, 20_000, 2, nh, th, n2, het(2, hett) if hett else t,
                             rng=seed + 100), \
        ({"covariates": "estimate"} if est else {})


def config(name, seed):
    """CONFIGS[name], or ``close<delta>_t<t>[_d<d>][_k<k>][_pair<m>][_n2<n>][_est1]
    [_nh<heavy tasks>][_th<heavy size>][_hett<max>]`` (est1: ``covariates="estimate"``;
    hett: light-2 sizes drawn from 2..max)."""
    if name in CONFIGS:
        return CONFIGS[name](seed)
    parts = name.split("_")
    opts = {"t": 8}
    for part in parts[1:]:
        key = "n2" if part.startswith("n2") else part.rstrip("0123456789.")
        opts[key] = float(part[len(key):]) if key == "delta" else int(part[len(key):])
    return close(seed, float(parts[0][5:]), **opts)


def run(name, seed, alpha):
    theta, pools, kw = config(name, seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, alpha, rng=seed, **kw).fit(pools)
    dt = time.perf_counter() - t0
    reg = m.diagnostics_["regression"]
    ec = reg.get("example_clip") or {}
    comps = reg.get("components") or []
    msgs = sorted({str(w.message)[:300] for w in caught
                   if issubclass(w.category, CorruptionWarning)})
    other = sorted({f"{w.category.__name__}: {str(w.message)[:120]}" for w in caught
                    if not issubclass(w.category, CorruptionWarning)})
    reasons = []
    if reg.get("clipped_test_passed") is False:
        reasons.append("clipped_test")
    if reg.get("refit_agrees") is False:
        reasons.append("refit_agrees")
    if not all(c.get("passed", True) for c in comps):
        reasons.append("filter")
    if (reg.get("anchor") or {}).get("passed") is False:
        reasons.append("anchor%s" % np.flatnonzero(reg["anchor"]["failed"]).tolist())
    if (reg.get("anchor") or {}).get("fabricable"):
        reasons.append("fabricable%s" % list(reg["anchor"]["fabricable"]))
    if "unsupported_components" in reg:
        reasons.append("unsupported%s" % reg["unsupported_components"])
    if reg.get("removed", 0) > reg.get("limit", np.inf):
        reasons.append("removed")
    bad = [k for k, v in m.diagnostics_.items()
           if isinstance(v, dict) and v.get("passed") is False and k != "regression"]
    reasons += bad
    reasons += ["classification" for msg in msgs if "classification removed" in msg]
    rec = {"config": name, "seed": seed, "alpha": alpha, "time": round(dt, 1),
           "warned": bool(msgs), "reasons": reasons, "msgs": msgs, "other_warnings": other,
           "clipped_test": ec.get("clipped_test"), "max_clipped": max(ec.get("clipped_test") or [0]),
           "clipped_test_passed": reg.get("clipped_test_passed"),
           "refit_agrees": reg.get("refit_agrees"), "reg_passed": reg.get("passed"),
           "moved_se": ec.get("moved_se"), "spikes": ec.get("spikes"),
           "top_eig": [round(float(c.get("top_eig_over_edge", np.nan)), 4) for c in comps],
           "removed": reg.get("removed"), "filter_passed": [c.get("passed") for c in comps],
           "evidence": m.diagnostics_.get("evidence"),
           "unidentified": {a: np.asarray(b).tolist() for a, b in
                            (reg.get("unidentified") or {}).items()},
           "identifiability_warning": any(w.category.__name__ == "IdentifiabilityWarning"
                                          for w in caught),
           "no_clipped": NO_CLIPPED,
           "stages_passed": {k: v.get("passed") for k, v in m.diagnostics_.items()
                             if isinstance(v, dict) and "passed" in v}}
    print(f"{name:<14}{'[no clipped] ' if NO_CLIPPED else ''}{seed:>2} a{alpha:<5}{dt:6.1f}s warned {int(rec['warned'])} "
          f"clip {rec['max_clipped']:.3f} {rec['clipped_test']} moved {rec['moved_se']} "
          f"spikes {rec['spikes']} top_eig {rec['top_eig']} {reasons or ''}", flush=True)
    for msg in msgs:
        print("     ", msg[:200], flush=True)
    if rec["identifiability_warning"]:
        print("      IdentifiabilityWarning", rec["unidentified"], flush=True)
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out")
    ap.add_argument("--no-clipped", action="store_true",
                    help="counterfactual: the clipped test reads 0 (never fails), all else as is")
    a = ap.parse_args()
    if a.no_clipped:
        global NO_CLIPPED
        from robust_mlr.stages.regression import _clipped_test
        _clipped_test.ClippedScores.ratios = lambda self, d: np.zeros(self.k)
        NO_CLIPPED = True
    for spec in a.runs:
        parts = spec.split(":")
        name, seed = parts[0], int(parts[1]) if len(parts) > 1 else 0
        alpha = float(parts[2]) if len(parts) > 2 else 0.01
        rec = run(name, seed, alpha)
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
