"""redteam28 driver: attacked fits of MetaLearner.robust(4, 0.05) on the
default problem (sizes "hetero" = 2-64 truncated Pareto, or "fixed"), public
API only: the white-box input is the clean fit's anchor["predicted_bias"] and
ŵ_L − ŵ_H (as redteam27's replay_nospy.py), the numbers recorded are the
attacked fit's anchor diagnostics (mse_ratio, mse_ratio_trimmed, pull).
Every fit is one JSONL line.

    export PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/redteam28
    export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    python3 research/redteam28/rt28.py --seed 2 --family multi --out research/redteam28/logs/fits.jsonl
"""
import argparse
import copy
import json
import time
import warnings

import numpy as np

import dirgram
import flip  # noqa: F401
import rt28attack  # noqa: F401
import splitgram  # noqa: F401
from robust_mlr import MetaLearner
from robust_mlr.adversary import attack_settings, corrupt_pools
from robust_mlr.adversary.redteam import strategy_attack
from robust_mlr.exceptions import CorruptionWarning
from run import build_problem

BASE = json.load(open("research/redteam27/rows_x.json"))[0]["strategy"]
HEAVY_ARG = ["null"]
WARNS = []
HEAVY = ["gate_seeded", {"heavy_family": "anchor_leak", "light": "away"}]


def fit(theta, pools, seed):
    t0 = time.perf_counter()
    exc = ""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            m = MetaLearner.robust(theta.k, 0.05, rng=seed).fit(pools)
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            m, exc = None, f"{type(e).__name__}: {str(e)[:200]}"
    t = time.perf_counter() - t0
    warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
    WARNS[:] = sorted({str(w.message)[:90] for w in ws if issubclass(w.category, CorruptionWarning)})
    if m is None:
        return None, float("nan"), warned, t, exc
    W = max(np.min(np.linalg.norm(m.W_ - theta.W[:, [a]], axis=0)) / theta.s[a] for a in range(theta.k))
    return m, float(W), warned, t, exc


def split_row(heavy=HEAVY, l1=True, **kw):
    s = copy.deepcopy(BASE)
    lk = s["light2"][1]
    lk.update(kw)
    lk["heavy"] = heavy
    s["light2"] = ["rt28_split", lk]
    s["heavy"] = heavy
    if not l1:
        s["light1"] = ["none", {}]
    return s


def heavy_row(heavy, l1=True, light2=None):
    s = {"light1": BASE["light1"] if l1 else ["none", {}], "heavy": heavy,
         "light2": light2 or ["none", {}]}
    return s


def family_rows(name, seed):
    """(note, strategy, key) per fit of a family."""
    rows = []
    if name == "multi":            # decoys over >= 4 directions, writers along u1 (r = 1)
        for i, (nd, dec, dmix, cov, ds, pick) in enumerate([
                (4, 0.8, 0.975, 0.83, 2, "even"), (4, 0.8, 0.99, 0.83, 2, "small"),
                (4, 0.75, 0.99, 0.83, 2, "small"), (5, 0.83, 0.99, 0.83, 2, "small"),
                (4, 0.8, 0.995, 0.86, 3, "small"), (6, 0.86, 0.99, 0.83, 2, "small"),
                (4, 0.7, 0.99, 0.80, 1, "small"), (4, 0.8, 0.99, 0.9, 2, "large"),
                (4, 0.65, 0.99, 0.83, 2, "small"), (8, 0.9, 0.99, 0.83, 2, "small")]):
            rows.append((f"nd{nd} dec{dec} dmix{dmix} cov{cov} ds{ds} {pick}",
                         split_row(ndecoy=nd, decoy=dec, decoy_mix=dmix, cover=cov, dseed=ds,
                                   decoy_pick=pick), [seed, 28, i]))
    if name == "push":             # heavier response push / cap / level on the multi decoy
        for i, (push, cap, lev, mix) in enumerate([
                (3.5, 1.4, 0.65, 0.97), (5.0, 1.4, 0.65, 0.97), (2.5, 2.0, 0.65, 0.97),
                (2.5, 1.4, 0.9, 0.97), (5.0, 2.0, 0.9, 0.97), (2.5, 1.4, 0.65, 0.999),
                (2.5, 1.4, 0.65, 0.9), (8.0, 1.0, 0.65, 0.97)]):
            rows.append((f"push{push} cap{cap} level{lev} mix{mix} nd4 dec0.8 small",
                         split_row(push=push, cap=cap, level=lev, mix=mix, ndecoy=4, decoy=0.8,
                                   decoy_mix=0.99, decoy_pick="small"), [seed, 28, 100 + i]))
    if name == "heavy":            # the heavy attack alone (light-2 clean), tuned
        cfgs = [("gate away", HEAVY, True), ("gate away no-l1", HEAVY, False),
                ("gate clean", ["gate_seeded", {"heavy_family": "anchor_leak", "light": "clean"}], True),
                ("gate vn away", ["gate_seeded", {"heavy_family": "variance_neutral", "light": "away"}], True),
                ("gate select", ["gate_seeded", {"heavy_family": "anchor_select", "light": "away"}], True)]
        for sd in (1, 2, 3):
            cfgs.append((f"gate away seed{sd}", ["gate_seeded", {"heavy_family": "anchor_leak",
                                                                 "light": "away", "seed": sd}], True))
        for kw in ({"light": "ahead"}, {"level": 1.05}, {"level": 1.1}, {"level": 1.2},
                   {"rss": 1.0}, {"rss": 1.6}, {"decoy_level": 0.99}, {"decoy_level": 0.8},
                   {"decoys": 0}, {"gate": "any"}, {"scan_max": 12.0}, {"direction": "orthogonal"}):
            f = {"component": "fewest", "light": "away"}
            f.update(kw)
            cfgs.append((f"leak {kw}", ["seeded", {"family": ["anchor_leak", f], "seed": 0}], True))
        for i, (note, h, l1) in enumerate(cfgs):
            rows.append((note, heavy_row(h, l1), [seed, 28, 200 + i]))
    if name in ("heavy2", "heavy2n"):   # the heavy attack: anchor_leak seeds x gate / decoy level
        i = 0                           # heavy2n: the light-1 pool left clean too (heavy pool only)
        for sd in range(8):
            for kw in ({"gate": "any"}, {"gate": "any", "decoy_level": 0.8}, {"decoy_level": 0.8}):
                f = {"component": "fewest", "light": "away"}
                f.update(kw)
                rows.append((f"leak seed{sd} {kw}", heavy_row(["seeded", {"family": ["anchor_leak", f],
                                                                          "seed": sd}], name == "heavy2"),
                             [seed, 28, 400 + i]))
                i += 1
    if name == "hcomp":            # heavy pool only: anchor_leak on every component, gate any / quiet, 3 generator seeds
        i = 0
        for comp in (0, 1, 2, 3, "smallest", "largest"):
            for gate in ("any", "quiet"):
                for sd in (0, 2, 5):
                    f = {"component": comp, "light": "away", "gate": gate}
                    rows.append((f"leak comp {comp} gate {gate} seed{sd}",
                                 heavy_row(["seeded", {"family": ["anchor_leak", f], "seed": sd}], False),
                                 [seed, 28, 1100 + i]))
                    i += 1
    if name == "combo":            # best heavy (read from --heavy) + light-2 multi decoy / light-1
        h = json.loads(HEAVY_ARG[0])
        for i, (note, kw) in enumerate([
                ("multi nd4 dec0.8 small", dict(ndecoy=4, decoy=0.8, decoy_mix=0.99, decoy_pick="small")),
                ("multi nd4 dec0.8 even", dict(ndecoy=4, decoy=0.8, decoy_mix=0.975)),
                ("multi nd5 dec0.83 small", dict(ndecoy=5, decoy=0.83, decoy_mix=0.99, decoy_pick="small")),
                ("split nd1 (redteam27 x#0)", dict(ndecoy=1)),
                ("multi nd4 push4", dict(ndecoy=4, decoy=0.8, decoy_mix=0.99, decoy_pick="small", push=4.0)),
                ("multi nd4 cap2 level0.9", dict(ndecoy=4, decoy=0.8, decoy_mix=0.99, decoy_pick="small",
                                                 cap=2.0, level=0.9))]):
            rows.append((note, split_row(heavy=h, **kw), [seed, 28, 500 + i]))
        rows.append(("heavy only", heavy_row(h), [seed, 28, 520]))
        rows.append(("heavy only, no l1", heavy_row(h, l1=False), [seed, 28, 521]))
    if name == "big":              # writers + 4-6 decoys on the LARGEST tasks (2x the capped energy of select)
        for i, (pick, frac, nd, dec, dmix, cov, dpick) in enumerate([
                ("own", 0.9, 4, 0.8, 0.99, 0.83, "even"), ("own", 0.9, 4, 0.8, 0.99, 0.86, "even"),
                ("own", 0.9, 4, 0.78, 0.995, 0.83, "even"), ("own", 0.9, 4, 0.8, 0.99, 0.83, "small"),
                ("largest", 0.9, 4, 0.8, 0.99, 0.83, "even"), ("select_big", 0.9, 4, 0.8, 0.99, 0.83, "even"),
                ("select", 0.3, 4, 0.8, 0.99, 0.83, "even"), ("select", 0.0, 4, 0.8, 0.99, 0.83, "even"),
                ("own", 0.9, 4, 0.75, 0.99, 0.9, "even"), ("own", 0.9, 5, 0.83, 0.99, 0.83, "even"),
                ("own", 0.9, 4, 0.8, 0.99, 0.95, "even"), ("others", 0.9, 4, 0.8, 0.99, 0.83, "even")]):
            rows.append((f"pick {pick} frac{frac} nd{nd} dec{dec} dmix{dmix} cov{cov} {dpick}",
                         split_row(pick=pick, frac=frac, ndecoy=nd, decoy=dec, decoy_mix=dmix, cover=cov,
                                   decoy_pick=dpick), [seed, 28, 600 + i]))
    if name == "big2":             # largest tasks, writers' share under each decoy's (u 5th)
        for i, (pick, frac, nd, dec, dmix, cov) in enumerate([
                ("largest", 0.9, 4, 0.84, 0.99, 0.83), ("largest", 0.9, 4, 0.86, 0.99, 0.83),
                ("largest", 0.9, 4, 0.88, 0.99, 0.83), ("others", 0.9, 4, 0.84, 0.99, 0.83),
                ("others", 0.9, 4, 0.86, 0.99, 0.83), ("largest", 0.9, 4, 0.86, 0.995, 0.86),
                ("largest", 0.9, 4, 0.86, 0.99, 0.78), ("largest", 0.9, 5, 0.88, 0.99, 0.83),
                ("others", 0.9, 4, 0.86, 0.975, 0.83), ("largest", 0.9, 4, 0.84, 0.99, 0.9)]):
            rows.append((f"pick {pick} nd{nd} dec{dec} dmix{dmix} cov{cov}",
                         split_row(pick=pick, frac=frac, ndecoy=nd, decoy=dec, decoy_mix=dmix, cover=cov),
                         [seed, 28, 800 + i]))
    if name == "below":            # writers along u only, each task's energy along u near a clean task's
        for i, (mix, cov, pick) in enumerate([(0.03, 1.0, "select"), (0.06, 1.0, "select"), (0.1, 1.0, "select"),
                                              (0.2, 1.0, "select"), (0.06, 0.83, "select"),
                                              (0.03, 1.0, "largest"), (0.06, 1.0, "largest"), (0.1, 1.0, "largest")]):
            rows.append((f"no decoy mix{mix} cov{cov} pick {pick}",
                         split_row(ndecoy=1, decoy=0.0, mix=mix, cover=cov, pick=pick), [seed, 28, 900 + i]))
    if name == "l1":               # light-1 attack variants with the split (redteam27 x#0) + multi decoy
        for i, (l1, kw) in enumerate([
                (["variance_hiding", {"strength": 0.6}], dict(ndecoy=1)),
                (["variance_hiding", {"strength": 0.1}], dict(ndecoy=1)),
                (["variance_hiding", {"strength": 0.6}], dict(ndecoy=4, decoy=0.8, decoy_mix=0.99, decoy_pick="small")),
                (["none", {}], dict(ndecoy=4, decoy=0.8, decoy_mix=0.99, decoy_pick="small"))]):
            st = split_row(**kw)
            st["light1"] = l1
            rows.append((f"l1 {l1} {kw}", st, [seed, 28, 950 + i]))
    if name == "big3":             # own / select_big largest tasks, honest decoys, softer responses
        for i, (pick, dec, push, cap, honest) in enumerate([
                ("own", 0.82, 2.5, 1.4, True), ("own", 0.82, 1.5, 0.8, True), ("own", 0.78, 1.5, 0.8, True),
                ("select_big", 0.82, 2.5, 1.4, True), ("select_big", 0.78, 2.5, 1.4, False),
                ("select_big", 0.75, 2.5, 1.4, True), ("own", 0.75, 1.0, 0.6, True),
                ("select_big", 0.82, 1.5, 0.8, True)]):
            rows.append((f"pick {pick} nd4 dec{dec} push{push} cap{cap} honest{honest}",
                         split_row(pick=pick, ndecoy=4, decoy=dec, decoy_mix=0.99, push=push, cap=cap,
                                   honest=honest), [seed, 28, 1000 + i]))
    if name == "hkeys":            # the heavy attack alone (--heavy) on 12 draws of the corruption rng
        h = json.loads(HEAVY_ARG[0])
        for i in range(12):
            rows.append((f"heavy only key{i}", heavy_row(h), [seed, 28, 700 + i]))
    if name == "keys":             # the base multi-decoy on more draws (keys, dseeds)
        for i in range(12):
            rows.append((f"nd4 dec0.8 dmix0.99 cov0.83 ds{i % 6} small key{i}",
                         split_row(ndecoy=4, decoy=0.8, decoy_mix=0.99, cover=0.83, dseed=i % 6,
                                   decoy_pick="small"), [seed, 28, 300 + i]))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--sizes", default="hetero")
    ap.add_argument("--family", default="multi")
    ap.add_argument("--rows", default="", help="a JSON file of [note, strategy, key] instead")
    ap.add_argument("--only", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--heavy", default="null", help="JSON heavy spec for the combo family")
    a = ap.parse_args()
    HEAVY_ARG[0] = a.heavy
    theta, pools = build_problem("default", a.sizes, a.seed)
    m, W0, w0, t0, e0 = fit(theta, pools, a.seed)
    an = m.diagnostics_["regression"]["anchor"]
    order = [int(np.argmin(np.linalg.norm(m.W_ - theta.W[:, [c]], axis=0))) for c in range(theta.k)]
    B, gap = np.asarray(an["predicted_bias"]), an["W_light"] - an["W_heavy"]
    dirgram.WHITEBOX.update(bias=B[:, order], gap=gap[:, order])
    print(f"seed {a.seed} {a.sizes} clean W {W0:.5f} warned {w0} time {t0:.2f} pull "
          f"{np.round(an['pull'], 2)} ratio {np.round(an['mse_ratio'], 3)} trimmed "
          f"{np.round(an['mse_ratio_trimmed'], 3)}", flush=True)
    rows = json.load(open(a.rows)) if a.rows else family_rows(a.family, a.seed)
    only = {int(x) for x in a.only.split(",")} if a.only else None
    with open(a.out, "a") as f:
        for i, (note, strat, key) in enumerate(rows):
            if only is not None and i not in only:
                continue
            st = {p: tuple(v) for p, v in strat.items()}
            rec = dict(seed=a.seed, sizes=a.sizes, family=a.family, index=i, note=note, key=key,
                       strategy=strat, clean_W=W0, clean_time=t0)
            try:
                bad = corrupt_pools(pools, strategy_attack(st), 0.05, theta=theta,
                                    settings=attack_settings(m, 0.05), rng=np.random.default_rng(key))
            except Exception as e:  # noqa: BLE001
                rec.update(exception=f"attack {type(e).__name__}: {str(e)[:200]}")
                print(f"#{i} {note}: ATTACK EXCEPTION {rec['exception']}", flush=True)
                f.write(json.dumps(rec) + "\n")
                continue
            m2, W, warned, t, exc = fit(theta, bad, a.seed)
            rec.update(W=W, ratio_to_clean=W / W0, warned=warned, time=t, time_ratio=t / t0,
                       exception=exc, warnings=list(WARNS))
            if m2 is not None:
                an2 = m2.diagnostics_["regression"]["anchor"]
                rec.update(pull=np.asarray(an2["pull"]).tolist(),
                           mse_ratio=np.asarray(an2["mse_ratio"]).tolist(),
                           mse_ratio_trimmed=np.asarray(an2["mse_ratio_trimmed"]).tolist())
            f.write(json.dumps(rec) + "\n")
            f.flush()
            print(f"#{i} {note}: W {W:.5f} ({W / W0:.4f}x) warned {warned} t {t:.2f} ({t / t0:.2f}x) "
                  f"pull {np.round(rec.get('pull', []), 2)} ratio {np.round(rec.get('mse_ratio', []), 3)} "
                  f"trimmed {np.round(rec.get('mse_ratio_trimmed', []), 3)} {exc}", flush=True)


if __name__ == "__main__":
    main()
