#!/bin/sh
# Seeds 1 and 2: the sample-agnostic light push (shift 0.35) with anchor_leak
# over the adversary's draws 2-5 (on seed 0 the heavy part paid off on draw 1
# only): the adversary keeps the draw that moves the fit most silently.
# SEEDS="0 2" DRAWS="6 7 8 9" for the second batch (heavy_draws2.txt).
R=research/redteam/redteam18
L=research/redteam/redteam19/logs
for s in ${SEEDS:-1 2}; do
  python3 $R/scale.py --problem large_above --seed $s --alpha 0.05 --avoid 0 --aim heavy \
      --heavy '["anchor_leak", {"direction": "error"}]' --draws ${DRAWS:-2 3 4 5} \
      --out $L/heavy_draws_s$s.jsonl '{"family": "diluted_shift", "shift": 0.35, "R": 2.0, "z_d": 6}'
done
