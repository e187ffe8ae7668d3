#!/bin/sh
# the last runs: seed-1 frac rows, equal sizes (seeds 0, 1, 2), timing
export PYTHONPATH=$PWD:research/redteam/redteam8:research/redteam24:research/redteam26 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
python3 research/redteam26/rt26.py --seed 1 --rows research/redteam26/rows_s1_frac.json --tag s1frac --out research/redteam26/logs/draws_s1.jsonl > research/redteam26/logs/s1frac.log 2>&1
for s in 0 1 2; do
python3 research/redteam26/rt26.py --sizes fixed --seed $s --rows research/redteam26/rows_equal.json --tag equal --out research/redteam26/logs/equal_s$s.jsonl > research/redteam26/logs/equal_s$s.log 2>&1
done
python3 research/redteam26/timing.py > research/redteam26/logs/timing.log 2>&1
