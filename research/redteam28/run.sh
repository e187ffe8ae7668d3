#!/bin/sh
# usage: sh research/redteam28/run.sh SEED FAMILY [SIZES] [HEAVY-JSON] [TAG]  (from the worktree root)
export PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26:research/redteam27:research/redteam28
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
python3 research/redteam28/rt28.py --seed $1 --family $2 --sizes ${3:-hetero} --heavy "${4:-null}" \
    --out research/redteam28/logs/fits.jsonl > research/redteam28/logs/$2_s$1_${3:-hetero}$5.log 2>&1
