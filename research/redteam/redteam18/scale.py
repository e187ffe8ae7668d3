"""(B) at scale: one lever family on light 2, placed in the tasks the
readings leave unread (``--avoid``) or where the family puts them, on a
pool above the readings' cap and (``--problem large_below``) one below it.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/scale.py \
        --problem large_above --seed 0 --alpha 0.05 --avoid 1 --out LOG.jsonl 'JSON' ...

JSON: {"family": NAME, ...params} with NAME in unread.FAMILIES. Printed and
logged: W, ŝ², p̂ errors, warned, time over the clean fit, the readings and
the share of the adversary's tasks the readings read (spied on the fit).
"""
import argparse
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import LAST, along, fit, problem, settings_of  # noqa: E402
import unread  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strategies", nargs="+")
    ap.add_argument("--problem", default="large_above")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--avoid", type=int, nargs="+", default=[1])
    ap.add_argument("--draws", type=int, nargs="+", default=[1])
    ap.add_argument("--attack-alpha", type=float, default=None,
                    help="the adversary's share (default: the learner's alpha)")
    ap.add_argument("--heavy", default=None,
                    help='a heavy-pool attack as ["name", {params}] (with --aim its '
                         'component is the aimed one)')
    ap.add_argument("--aim", choices=["none", "heavy", "clean"], default="none",
                    help="u (and the component) from the clean fit: the heavy anchor's error "
                         "(heavy) or the returned W's (clean) of the component where it is "
                         "largest, ⊥ span W")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = open(a.out, "a")
    theta, pools = problem(a.problem, a.seed)
    unread.spy(True)
    clean = fit(theta, pools, a.alpha, a.seed)
    draw = np.minimum(unread.RECORD[0][0], unread.RECORD[0][2]) if unread.RECORD else None
    sampled = unread.RECORD[0][1] is not None if unread.RECORD else False
    unread.spy(False)
    clean2 = fit(theta, pools, a.alpha, a.seed)
    tc = min(clean["time"], clean2["time"])
    print(f"{a.problem} seed {a.seed} alpha {a.alpha}: clean w {clean['w']:.3f} "
          f"s2 {clean['s2']:.3f} ({tc:.1f}s) sampled {sampled} reg {json.dumps(clean['reg'])}",
          flush=True)
    out.write(json.dumps(dict(problem=a.problem, seed=a.seed, alpha=a.alpha, phase="clean",
                              sampled=sampled, **clean)) + "\n")
    out.flush()
    sett = settings_of(theta, pools, a.alpha, a.seed)
    aim = None
    if a.aim != "none":
        from search import aim_of
        m = LAST["model"]
        W = (np.asarray(m.diagnostics_["regression"]["anchor"]["W_heavy"]) if a.aim == "heavy"
             else m.W_)
        aim = aim_of(theta, W)
        print(f"aim: component {aim[0]} along the {a.aim} error", flush=True)
    for js in a.strategies:
        spec = json.loads(js)
        fam = spec.pop("family")
        if aim is not None and fam in ("diluted_shift", "edge_lever"):
            spec.update(component=aim[0], u_vec=aim[1])
        for avoid in a.avoid:
            for d in a.draws:
                att = unread.FAMILIES[fam](draw=draw, avoid=bool(avoid), **spec)
                heavy = None
                if a.heavy:
                    hname, hp = json.loads(a.heavy)
                    if aim is not None:
                        hp = dict(hp, component=aim[0])
                    heavy = (hname, hp)
                bad = corrupt_pools(pools, Poolwise(light2=att, heavy=heavy), a.attack_alpha or a.alpha, theta=theta,
                                    settings=sett, rng=np.random.default_rng([a.seed, d, 18]))
                mask = bad.masks["light2"]
                unread.spy(True)
                res = fit(theta, bad, a.alpha, a.seed)
                rec = unread.RECORD[:]
                unread.spy(False)
                # (None where the screen dropped tasks: the mask no longer lines up)
                read_share = [None if s is None or s.size != mask.size
                              else round(float(s[mask].mean()), 4) for _, s, _ in rec]
                res["time_ratio"] = res["time"] / tc
                if "raised" not in res:
                    from robust_mlr.adversary._craft import fixed_direction
                    u = spec.get("u_vec") or fixed_direction(theta.W)
                    res["along_u"] = along(LAST["model"].W_, theta, u)
                    res["plan"] = getattr(att, "last_plan", None)
                row = dict(problem=a.problem, seed=a.seed, alpha=a.alpha, phase="attack",
                           draw=[a.seed, d, 18], avoid=bool(avoid), attack_alpha=a.attack_alpha,
                           strategy={"family": fam, **spec}, clean_w=clean["w"], aim=a.aim,
                           heavy=a.heavy,
                           adversary_read=read_share, **res)
                out.write(json.dumps(row) + "\n")
                out.flush()
                if "raised" in res:
                    print(f"  RAISED {res['raised']}", flush=True)
                    continue
                g = res["reg"]
                print(f"  {fam} avoid {avoid} draw {d}: w {res['w']:.3f} s2 {res['s2']:.3f} "
                      f"p {res['p']:.3f} warned {int(res['warned'])} x{res['time_ratio']:.2f} "
                      f"read {read_share} ct {g['clipped_test']} st {g['score_test']} "
                      f"se {g['moved_se']} u {res['along_u']} plan {res['plan']} sp {g['spikes']} removed {g['removed']} "
                      f"{res['warnings'][:1]} {json.dumps({k: v for k, v in spec.items() if k != 'u_vec'})}",
                      flush=True)


if __name__ == "__main__":
    main()
