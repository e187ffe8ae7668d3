#!/bin/sh
R=research/redteam28
export PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/redteam28
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
python3 $R/replay28.py 2 combo 1 2 hkeys 6 2 heavy 17 2 combo 7 > $R/logs/replay_worst.log 2>&1
sh $R/run.sh 0 heavy
sh $R/run.sh 1 heavy
python3 $R/rt28.py --seed 0 --family combo --heavy '["seeded", {"family": ["anchor_leak", {"component": "fewest", "light": "away", "gate": "any", "decoy_level": 0.8}], "seed": 3}]' \
   --only 5 --out $R/logs/fits.jsonl > $R/logs/retime_combo_s0_5.log 2>&1
python3 $R/timing28.py 2 keys 8 0 combo 5 2 keys 7 > $R/logs/timing.log 2>&1
