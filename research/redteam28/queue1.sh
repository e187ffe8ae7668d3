#!/bin/sh
# second batch (run from the worktree root, one process at a time)
R=research/redteam28
H2='["seeded", {"family": ["anchor_leak", {"component": "fewest", "light": "away", "gate": "any"}], "seed": 0}]'
H0='["seeded", {"family": ["anchor_leak", {"component": "fewest", "light": "away", "gate": "any", "decoy_level": 0.8}], "seed": 3}]'
H1='["seeded", {"family": ["anchor_leak", {"component": "fewest", "light": "away", "decoy_level": 0.8}], "seed": 2}]'
sh $R/run.sh 2 big2
sh $R/run.sh 2 combo hetero "$H2"
sh $R/run.sh 0 combo hetero "$H0"
sh $R/run.sh 1 combo hetero "$H1"
for s in 0 1 2; do for rk in bias top; do
  PYTHONPATH=$PWD:research/redteam27:$R OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    python3 $R/eq28.py --seed $s --rank $rk > $R/logs/eq_${rk}_s$s.log 2>&1
done; done
