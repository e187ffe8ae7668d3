"""Where one strategy's tasks go: screened, flagged, filtered (light 2).

    python3 research/redteam/redteam20/diag.py --problem default --strategy JSON"""
import argparse
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import problem, settings_of  # noqa: E402
from run import corrupt  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="default")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--strategy", required=True)
    a = ap.parse_args()
    theta, pools = problem(a.problem, a.seed)
    sett = settings_of(a.problem, a.seed, a.alpha, theta, pools)
    bad = corrupt(theta, pools, sett, a.alpha, json.loads(a.strategy))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, a.alpha, rng=a.seed).fit(bad)
    dg = m.diagnostics_
    mask = bad.masks.get("light2")
    for p in ("light1", "heavy", "light2"):
        sc = dg["screen"][p]
        mk = bad.masks.get(p)
        print(p, "screened", sc["n_removed"], "of them adversary",
              None if mk is None or not mk.any() else int((~sc["kept"] & mk).sum()), "/",
              None if mk is None else int(mk.sum()))
    if mask is not None and mask.any():
        kept = dg["screen"]["light2"]["kept"]
        madv = mask[kept]
        fl = dg["classification"]["flagged"]
        print("classification flagged", int(fl.sum()), "adversary", int((fl & madv).sum()))
        fr = dg["regression"]["flagged"]
        print("regression flagged", int(fr.sum()), "adversary", int((fr & madv).sum()))
    for c in dg["regression"].get("components", []):
        print({k: v for k, v in c.items() if not hasattr(v, "shape")})
    print("clip", {k: v for k, v in dg["regression"]["example_clip"].items()})
    print("warnings", [str(w.message)[:150] for w in ws][:5])


if __name__ == "__main__":
    main()
