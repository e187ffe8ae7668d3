#!/bin/sh
# (B) with the heavy anchor moved too: anchor_leak on the heavy pool (the
# aimed component, along its predicted anchor error) + the diluted shift on
# light 2 along the learner's heavy error, unread (avoid 1) or not (avoid 0);
# above the readings' cap and below it. From the worktree root.
export PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
S=research/redteam/redteam18/scale.py
L=research/redteam/redteam18/logs
H='["anchor_leak", {"direction": "error"}]'
D0='{"family": "diluted_shift", "shift": 0.0, "R": 0.0, "decoys": 0}'
D09='{"family": "diluted_shift", "shift": 0.9, "R": 2.0, "z_d": 6}'
D105='{"family": "diluted_shift", "shift": 1.05, "R": 2.0, "z_d": 6}'
D115='{"family": "diluted_shift", "shift": 1.15, "R": 2.0, "z_d": 6}'
python3 $S --problem large_above --seed 0 --alpha 0.05 --avoid 1 --aim heavy --heavy "$H" --out $L/scale_heavy.jsonl "$D105" "$D115" "$D0" >> $L/scale_heavy.txt 2>&1
python3 $S --problem large_above --seed 0 --alpha 0.05 --avoid 0 --aim heavy --heavy "$H" --out $L/scale_heavy.jsonl "$D09" >> $L/scale_heavy.txt 2>&1
for seed in 1 2; do
  python3 $S --problem large_above --seed $seed --alpha 0.05 --avoid 1 0 --aim heavy --heavy "$H" --out $L/scale_heavy.jsonl "$D09" >> $L/scale_heavy.txt 2>&1
  python3 $S --problem large_above --seed $seed --alpha 0.05 --avoid 1 --aim heavy --heavy "$H" --out $L/scale_heavy.jsonl "$D105" >> $L/scale_heavy.txt 2>&1
done
for seed in 0 1 2; do
  python3 $S --problem large_below --seed $seed --alpha 0.05 --avoid 1 --aim heavy --heavy "$H" --out $L/scale_heavy_below.jsonl "$D09" >> $L/scale_heavy_below.txt 2>&1
done
