"""CPU time of the robust fit and of its clipped refit with and without the
regression stage's gradient readings (their directions emptied), alternated,
at N tasks per light pool (d 32, k 4; light1 t 2, light2 t 8, heavy 400 × 128).

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python3 research/law_reference/reading_cost.py [N] [ROUNDS]
"""
import sys
import time

import numpy as np

import robust_mlr.stages.regression.robust as rb
from robust_mlr import MetaLearner, make_params, make_pools


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    theta = make_params(32, 4, rng=0)
    pools = make_pools(theta, n, 2, 400, 128, n, 8, rng=100)
    with_readings = rb.candidate_directions
    none = [np.zeros((32, 0))] * 4
    for _ in range(rounds):
        for mode in ("readings", "none"):
            rb.candidate_directions = (with_readings if mode == "readings"
                                       else (lambda *a, **k: (none, none)))
            t0 = time.process_time()
            m = MetaLearner.robust(4, 0.05, rng=0).fit(pools)
            ec = m.diagnostics_["regression"]["example_clip"]
            print(f"{mode:<9} fit {time.process_time() - t0:.2f} s CPU, refit "
                  f"{ec['cpu_seconds']:.2f} s ({ec['iterations']} passes)", flush=True)


if __name__ == "__main__":
    main()
