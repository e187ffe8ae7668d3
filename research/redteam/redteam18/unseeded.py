"""The unread placement against a learner whose generator is not seeded
(``rng=None``: OS entropy): the adversary predicts the draw of the seeded
learner it expects, the learner draws another. One logged scale row.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/unseeded.py LOG.jsonl N
"""
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import problem, settings_of  # noqa: E402
import unread  # noqa: E402
from robust_mlr import MetaLearner  # noqa: E402
from robust_mlr.adversary import Poolwise, corrupt_pools  # noqa: E402
from robust_mlr.exceptions import CorruptionWarning  # noqa: E402
from robust_mlr.metrics import parameter_errors  # noqa: E402


def main():
    r = [json.loads(line) for line in open(sys.argv[1]) if line.strip()][int(sys.argv[2])]
    theta, pools = problem(r["problem"], r["seed"])
    sett = settings_of(theta, pools, r["alpha"], r["seed"])
    spec = dict(r["strategy"])
    fam = spec.pop("family")
    draw = unread.predicted_draw(theta, pools, r["alpha"], r["seed"])
    heavy = None
    if r.get("heavy"):
        hname, hp = json.loads(r["heavy"])
        heavy = (hname, dict(hp, component=spec["component"]))
    att = unread.FAMILIES[fam](draw=draw, avoid=True, **spec)
    bad = corrupt_pools(pools, Poolwise(light2=att, heavy=heavy), r["alpha"], theta=theta,
                        settings=sett, rng=np.random.default_rng(r["draw"]))
    mask = bad.masks["light2"]
    for rng in (r["seed"], None):
        unread.spy(True)
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter("always")
            m = MetaLearner.robust(theta.k, r["alpha"], rng=rng).fit(bad)
        read = [round(float(s[mask].mean()), 3) for _, s, _ in unread.RECORD if s is not None]
        unread.spy(False)
        warned = any(issubclass(w.category, CorruptionWarning) for w in ws)
        e = parameter_errors(m.W_, m.s2_, m.p_, theta)
        print(f"learner rng={rng}: w {float(e['w_err']):.3f} warned {warned} "
              f"adversary read {read}", flush=True)


if __name__ == "__main__":
    main()
