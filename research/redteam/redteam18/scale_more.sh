#!/bin/sh
# (B) extras: the heavy attack alone; few-task extreme levers (0.2 % of the
# pool) unread or read; the diluted shift at alpha 0.02. From the worktree root.
export PYTHONPATH=$PWD OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
S=research/redteam/redteam18/scale.py
L=research/redteam/redteam18/logs
H='["anchor_leak", {"direction": "error"}]'
D0='{"family": "diluted_shift", "shift": 0.0, "R": 0.0, "decoys": 0}'
D09='{"family": "diluted_shift", "shift": 0.9, "R": 2.0, "z_d": 6}'
D13='{"family": "diluted_shift", "shift": 1.3, "R": 2.0, "z_d": 6}'
F1='{"family": "edge_lever", "rows": 8, "lever": 8, "spike": 100, "inflate": 100, "resid": 3.0, "noise": 0.0}'
F2='{"family": "edge_lever", "rows": 1, "lever": 10, "spike": 100, "inflate": 100, "resid": 3.0}'
python3 $S --problem large_above --seed 0 --alpha 0.05 --avoid 1 --aim heavy --heavy "$H" --out $L/scale_heavy.jsonl "$D0" >> $L/scale_heavy.txt 2>&1
python3 $S --problem large_above --seed 0 --alpha 0.05 --attack-alpha 0.002 --avoid 1 0 --aim heavy --out $L/scale_few.jsonl "$F1" "$F2" >> $L/scale_few.txt 2>&1
python3 $S --problem large_below --seed 0 --alpha 0.05 --attack-alpha 0.002 --avoid 1 --aim heavy --out $L/scale_few.jsonl "$F1" "$F2" >> $L/scale_few.txt 2>&1
python3 $S --problem large_above --seed 0 --alpha 0.02 --avoid 1 0 --aim heavy --heavy "$H" --out $L/scale_a02.jsonl "$D09" "$D13" >> $L/scale_a02.txt 2>&1
python3 $S --problem large_below --seed 0 --alpha 0.02 --avoid 1 --aim heavy --heavy "$H" --out $L/scale_a02.jsonl "$D09" "$D13" >> $L/scale_a02.txt 2>&1
# alpha 0.02, light 2 alone (no heavy attack), seeds 0-2, above the cap (unread and not) and below
D09='{"family": "diluted_shift", "shift": 0.9, "R": 2.0, "z_d": 6}'
D13='{"family": "diluted_shift", "shift": 1.3, "R": 2.0, "z_d": 6}'
for seed in 0 1 2; do
  python3 $S --problem large_above --seed $seed --alpha 0.02 --avoid 1 0 --aim heavy --out $L/scale_a02_light.jsonl "$D09" "$D13" >> $L/scale_a02_light.txt 2>&1
  python3 $S --problem large_below --seed $seed --alpha 0.02 --avoid 1 --aim heavy --out $L/scale_a02_light.jsonl "$D09" "$D13" >> $L/scale_a02_light.txt 2>&1
done
