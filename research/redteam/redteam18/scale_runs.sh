#!/bin/sh
# (B) at scale: the diluted shift aimed along the heavy anchor's error, in the
# tasks the readings leave unread (avoid 1) or where the family puts them
# (avoid 0), above the readings' cap (320 000 light-2 tasks) and below it
# (120 000). From the worktree root; one fit at a time.
export PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
S=research/redteam/redteam18/scale.py
L=research/redteam/redteam18/logs
D05='{"family": "diluted_shift", "shift": 0.5, "R": 2.0, "z_d": 6}'
D09='{"family": "diluted_shift", "shift": 0.9, "R": 2.0, "z_d": 6}'
python3 $S --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy --out $L/scale_aim.jsonl "$D05" >> $L/scale_aim.txt 2>&1
for seed in 1 2; do
  python3 $S --problem large_above --seed $seed --alpha 0.05 --avoid 1 0 --aim heavy --out $L/scale_aim.jsonl "$D05" "$D09" >> $L/scale_aim.txt 2>&1
  python3 $S --problem large_below --seed $seed --alpha 0.05 --avoid 1 --aim heavy --out $L/scale_below.jsonl "$D05" "$D09" >> $L/scale_below.txt 2>&1
done
