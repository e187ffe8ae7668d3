"""Random search over the light-2 lever families on one problem.

Each line of the output (JSONL) is one fit: problem, seed, alpha, the
strategy (Poolwise JSON), its corruption draw, W/s2/p errors, warned,
raised, time over the clean fit and the light-2 readings.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/search.py \
        --problem small --seeds 0 1 2 --alphas 0.05 0.02 --fits 60 --out LOG.jsonl
"""
import argparse
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import LAST, attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401  (registers edge_lever)


def sample(r):
    """One light-2 strategy (family, params) drawn at random."""
    fam = r.choice(["lever_shift", "clip_lever", "diluted_lever", "hidden_lever",
                    "shaped_lever", "edge_lever"])
    comp = str(r.choice(["smallest", "largest", "0", "1", "2", "3"]))
    comp = int(comp) if comp.isdigit() else comp
    if fam == "lever_shift":
        p = dict(component=comp, shift=float(r.uniform(1, 8)), lever=float(r.uniform(2, 14)),
                 decoy=float(r.choice([0.0, r.uniform(0.5, 4)])),
                 decoy_level=float(r.uniform(0.3, 1)), noise=float(r.choice([0.0, 1.0])),
                 g_scale=float(r.uniform(0.2, 1)))
    elif fam == "clip_lever":
        p = dict(component=comp, shift=float(r.uniform(1, 6)), lever=float(r.uniform(2, 14)),
                 rows=int(r.integers(1, 5)), share=float(r.uniform(0.2, 1)),
                 decoy=float(r.choice([0.0, r.uniform(0.5, 4)])),
                 noise=float(r.choice([0.0, 1.0])), g_scale=float(r.uniform(0.2, 1)),
                 direction=str(r.choice(["fixed", "tilde"])))
    elif fam in ("diluted_lever", "hidden_lever"):
        p = dict(component=comp, u_decoys=int(r.integers(0, 3)),
                 u_lever=float(r.uniform(2, 10)), u_shift=float(r.uniform(0, 4)),
                 shift=float(r.uniform(1, 6)), lever=float(r.uniform(2, 10)),
                 rows=int(r.integers(1, 4)), share=float(r.uniform(0.3, 1)),
                 noise=float(r.choice([0.0, 1.0])), g_scale=float(r.uniform(0.2, 1)))
        if fam == "hidden_lever":
            p.update(hide=float(r.uniform(0.05, 0.6)), hide_lever=float(r.uniform(3, 13)),
                     hide_rows=int(r.integers(1, 9)))
    elif fam == "shaped_lever":
        lo = float(r.uniform(0, 2.5))
        p = dict(component=comp, floor=lo, cap=float(r.uniform(lo + 0.5, 4.5)),
                 slope=float(r.uniform(0, 1.5)), u_decoys=int(r.integers(0, 3)),
                 u_lever=float(r.uniform(2, 8)), u_shift=float(r.uniform(0, 4)),
                 shift=float(r.uniform(0.5, 3)), rows=int(r.integers(1, 8)),
                 share=float(r.uniform(0.3, 1)), noise=float(r.choice([0.0, 1.0])),
                 g_scale=float(r.uniform(0.2, 1)))
    else:
        p = dict(component=comp, spike=float(r.uniform(0.5, 1.2)),
                 inflate=float(r.uniform(0.5, 1.5)), rows=int(r.integers(1, 9)),
                 resid=float(r.uniform(0.5, 3.0)), lever=float(r.uniform(1.0, 14.0)),
                 balance=float(r.choice([0.0, r.uniform(0, 0.3)])),
                 noise=float(r.choice([0.0, 0.5, 1.0])),
                 hide=float(r.choice([0.0, r.uniform(0.05, 0.4)])),
                 hide_lever=float(r.uniform(3, 13)), hide_rows=int(r.integers(1, 9)))
    return fam, p


def sample_heavy(r, comp):
    """A heavy-pool strategy on component ``comp`` drawn at random."""
    fam = str(r.choice(["anchor_leak", "variance_neutral"]))
    p = dict(component=comp, direction="error", level=float(r.uniform(0.5, 1.2)),
             gate=str(r.choice(["quiet", "any"])), light=str(r.choice(["clean", "away", "ahead"])),
             rss=float(r.uniform(0.8, 2.5)))
    if fam == "anchor_leak":
        p.update(select=bool(r.random() < 0.7), decoy_level=float(r.uniform(0.3, 1.0)))
    else:
        p.update(spread=float(r.uniform(0.5, 1.5)))
    return [fam, p]


def aim_of(theta, W):
    """(a, u): the true component whose nearest fitted column is farthest
    from it (in units of s), and that error ⊥ span W, as a list."""
    best = None
    for a in range(theta.k):
        j = int(np.argmin(np.linalg.norm(W - theta.W[:, [a]], axis=0)))
        e = W[:, j] - theta.W[:, a]
        if best is None or np.linalg.norm(e) / theta.s[a] > best[0]:
            best = (np.linalg.norm(e) / theta.s[a], a, e)
    Q = np.linalg.qr(theta.W)[0]
    e = best[2] - Q @ (Q.T @ best[2])
    return best[1], [round(float(x), 6) for x in e / np.linalg.norm(e)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="small")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.05, 0.02])
    ap.add_argument("--fits", type=int, default=60)
    ap.add_argument("--families", nargs="*", default=None)
    ap.add_argument("--strategy", default=None, help="one Poolwise JSON instead of a search")
    ap.add_argument("--aim", action="store_true",
                    help="edge_lever / diluted_shift on the component with the largest clean "
                         "error, along that error (⊥ span W)")
    ap.add_argument("--with-heavy", action="store_true",
                    help="add a heavy-pool attack (anchor_leak / variance_neutral, random "
                         "parameters) on the light-2 strategy's component")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = open(a.out, "a")
    for seed in a.seeds:
        theta, pools = problem(a.problem, seed)
        for alpha in a.alphas:
            clean = fit(theta, pools, alpha, seed)
            clean2 = fit(theta, pools, alpha, seed)          # a second timing (LAST: its model)
            tclean = min(clean["time"], clean2["time"])
            rec = dict(problem=a.problem, seed=seed, alpha=alpha, phase="clean", **clean)
            out.write(json.dumps(rec) + "\n")
            out.flush()
            print(f"seed {seed} alpha {alpha} clean w {clean['w']:.3f} t {tclean:.2f}s",
                  flush=True)
            sett = settings_of(theta, pools, alpha, seed)
            aim = aim_of(theta, LAST["model"].W_) if a.aim else None
            r = np.random.default_rng([seed, int(alpha * 1000), 18])
            todo = ([json.loads(a.strategy)] if a.strategy else [None] * a.fits)
            for i, strat in enumerate(todo):
                if strat is None:
                    while True:
                        fam, p = sample(r)
                        if not a.families or fam in a.families:
                            break
                    if aim is not None and fam in ("edge_lever", "diluted_shift"):
                        p.update(component=aim[0], u_vec=aim[1])
                    strat = {"light2": [fam, p]}
                    if a.with_heavy:
                        strat["heavy"] = sample_heavy(r, p["component"])
                draw = [seed, i, 18]
                t0 = time.perf_counter()
                try:
                    bad = attacked(theta, pools, sett, strat, alpha, draw)
                except Exception as exc:  # noqa: BLE001
                    print(f"  craft failed {strat}: {exc}", flush=True)
                    continue
                res = fit(theta, bad, alpha, seed)
                res["time_ratio"] = res["time"] / tclean
                rec = dict(problem=a.problem, seed=seed, alpha=alpha, phase="attack", number=i,
                           draw=draw, strategy=strat, clean_w=clean["w"], **res)
                out.write(json.dumps(rec) + "\n")
                out.flush()
                if "raised" in res:
                    print(f"  {i} RAISED {res['raised']} {strat}", flush=True)
                else:
                    fam = strat.get("light2", ["?"])[0]
                    print(f"  {i} {fam:14s} w {res['w']:.3f} warned {int(res['warned'])} "
                          f"x{res['time_ratio']:.1f} ct {max(res['reg']['clipped_test'] or [0]):.2f} "
                          f"st {max(res['reg']['score_test'] or [0]):.2f} "
                          f"se {max(res['reg']['moved_se'] or [0]):.1f} sp {res['reg']['spikes']}",
                          flush=True)


if __name__ == "__main__":
    main()
