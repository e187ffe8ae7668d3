"""One logged row's defences, read off the fit: the light-2 filter's own
test per component, the clipped and score readings, the refit's agreement,
the heavy anchor's light-heavy statistic and threshold, the classification.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python3 research/redteam/redteam18/diagnose.py LOG.jsonl N
"""
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import LAST, attacked, fit, problem, settings_of  # noqa: E402
import edge_lever  # noqa: E402,F401


def show(m):
    reg = m.diagnostics_["regression"]
    comps = [round(c.get("top_eig_over_edge", 0), 3) for c in reg["components"]]
    ec = reg.get("example_clip") or {}
    an = reg.get("anchor", {})
    print(f"  filter test/edge {comps}, removed {reg.get('removed')}")
    print(f"  clipped {ec.get('clipped_test')} score {ec.get('score_test')} "
          f"moved_se {ec.get('moved_se')} spikes {ec.get('spikes')}")
    print(f"  anchor statistic {np.round(an.get('statistic', []), 1).tolist()} threshold "
          f"{round(float(an.get('threshold', np.nan)), 1)} failed {an.get('failed')} "
          f"light_weight {np.round(an.get('light_weight', []), 3).tolist()}")
    for h in an.get("heavy", []):
        print(f"    heavy: tasks {h.get('tasks')} removed {h.get('removed')} "
              f"top/level {round(h.get('top_eig_over_level', 0), 3)} "
              f"direction/level {round(h.get('direction_over_level', 0), 3)} passed {h.get('passed')}")
    cls = m.diagnostics_.get("classification", {})
    print(f"  classification removed {cls.get('removed')} excess {cls.get('excess')} "
          f"reclassified {cls.get('reclassified')}")


def main():
    log, n = sys.argv[1], int(sys.argv[2])
    r = [json.loads(line) for line in open(log) if line.strip()][n]
    theta, pools = problem(r["problem"], r["seed"])
    c = fit(theta, pools, r["alpha"], r["seed"])
    print(f"clean w {c['w']:.3f}")
    show(LAST["model"])
    sett = settings_of(theta, pools, r["alpha"], r["seed"])
    res = fit(theta, attacked(theta, pools, sett, r["strategy"], r["alpha"], r["draw"]),
              r["alpha"], r["seed"])
    print(f"attacked w {res['w']:.3f} s2 {res['s2']:.3f} p {res['p']:.3f} warned {res['warned']}")
    show(LAST["model"])


if __name__ == "__main__":
    main()
