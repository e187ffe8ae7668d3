"""Does any change to the adversary's tasks leave the readings' share alone?

The share is drawn from the learner's seed and a blake2b digest of the first
round's per-task residual sums and per-component sums (``reading_sample``).
On the default-size problem with ``READ_CAP`` lowered (so the share is drawn
there too, 0.4 of each component; monkeypatched, research only) this script
applies edits to an attacked light-2 pool and records, for each, the draw's
seed (``read_entropy``), whether it equals the unedited one, and the share of
the adversary's tasks read:

* ``negate``: every adversary row (x, y) -> (-x, -y): the first round's
  residuals change sign exactly, so every sum is bit for bit the same (the
  one exact symmetry of the statistics; the readings cannot tell either);
* ``ulp``: one y of one adversary task moved by one ulp;
* ``swap``: two adversary tasks of the target component exchanged;
* ``rows``: the rows of one adversary task permuted;
* ``adaptive``: the pushing tasks moved to the positions the previous draw
  left unread (the white-box adversary's fixed-point iteration), 3 rounds;
* ``grind``: 12 one-ulp edits of one decoy row each (a free knob); the
  least-read of them is what grinding buys.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam19/invariance.py
"""
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/redteam18")
import robust_mlr.stages.regression._clipped_test as _ct  # noqa: E402
from common import problem, settings_of  # noqa: E402
import unread  # noqa: E402
from robust_mlr import MetaLearner, MetaDataset  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools  # noqa: E402
from robust_mlr.exceptions import CorruptionWarning  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402

_ct.READ_CAP = 2000
SEED, ALPHA = 0, 0.05


def run(theta, pools, adv):
    unread.spy(True)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        m = MetaLearner.robust(theta.k, ALPHA, rng=SEED).fit(pools)
    rec = unread.RECORD[:]
    unread.spy(False)
    clip = m.diagnostics_["regression"]["example_clip"]
    mask = rec[0][1]
    return {"entropy": clip["read_entropy"], "mask": mask,
            "adv_read": None if mask is None else round(float(mask[adv].mean()), 4),
            "w": round(float(parameter_errors(m.W_, m.s2_, m.p_, theta)["w_err"]), 4),
            "score": [round(v, 3) for v in clip["score_test"]],
            "warned": any(issubclass(w.category, CorruptionWarning) for w in ws)}


def edited(pools, X, y):
    l2 = pools.light2
    return pools.replace(light2=MetaDataset(X, y, l2.offsets, l2.components))


def main():
    theta, pools = problem("default", SEED)
    sett = settings_of(theta, pools, ALPHA, SEED)
    spec = {"shift": 0.9, "R": 2.0, "z_d": 6.0, "component": 0}
    att = unread.FAMILIES["diluted_shift"](avoid=False, **spec)
    bad = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, settings=sett,
                        rng=np.random.default_rng([SEED, 1, 19]))
    adv = np.flatnonzero(bad.masks["light2"])
    l2 = bad.light2
    off = l2.offsets
    base = run(theta, bad, adv)
    out = []

    def log(name, r):
        row = {"edit": name, "same_entropy": r["entropy"] == base["entropy"],
               "mask_agree": (None if r["mask"] is None or base["mask"] is None
                              else round(float((r["mask"] == base["mask"]).mean()), 4)),
               **{k: v for k, v in r.items() if k != "mask"}}
        out.append(row)
        print(json.dumps(row), flush=True)

    log("none", base)
    X, y = l2.X.copy(), l2.y.copy()
    rows = np.concatenate([np.arange(off[i], off[i + 1]) for i in adv])
    X[rows] *= -1.0
    y[rows] *= -1.0
    log("negate", run(theta, edited(bad, X, y), adv))

    X, y = l2.X.copy(), l2.y.copy()
    j = off[adv[0]]
    y[j] = np.nextafter(y[j], np.inf)
    log("ulp", run(theta, edited(bad, X, y), adv))

    X, y = l2.X.copy(), l2.y.copy()
    a, b = adv[0], adv[1]
    ra, rb = np.arange(off[a], off[a + 1]), np.arange(off[b], off[b + 1])
    X[ra], X[rb], y[ra], y[rb] = X[rb], X[ra], y[rb], y[ra]
    log("swap", run(theta, edited(bad, X, y), adv))

    X, y = l2.X.copy(), l2.y.copy()
    ra = np.arange(off[adv[0]], off[adv[0] + 1])
    X[ra], y[ra] = X[ra[::-1]], y[ra[::-1]]
    log("rows", run(theta, edited(bad, X, y), adv))

    # adaptive: the pushing tasks where the last draw did not read
    mask = base["mask"]
    for it in range(3):
        draw = np.where(mask, 0.0, 1.0) + 0.01 * np.random.default_rng(it).random(mask.size)
        att = unread.FAMILIES["diluted_shift"](draw=draw, avoid=True, **spec)
        b2 = corrupt_pools(pools, Poolwise(light2=att), ALPHA, theta=theta, settings=sett,
                           rng=np.random.default_rng([SEED, 1, 19]))
        adv2 = np.flatnonzero(b2.masks["light2"])
        r = run(theta, b2, adv2)
        r["placed_unread_by_last"] = round(float((~mask[adv2]).mean()), 4)
        log(f"adaptive{it}", r)
        mask = r["mask"]

    # grinding: a one-ulp edit of one decoy row (no effect on the attack)
    for g in range(12):
        X, y = l2.X.copy(), l2.y.copy()
        j = off[adv[g]] + 7
        y[j] = np.nextafter(y[j], np.inf)
        log(f"grind{g}", run(theta, edited(bad, X, y), adv))
    with open(__file__.rsplit("/", 1)[0] + "/logs/invariance.jsonl", "w") as f:
        for row in out:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
