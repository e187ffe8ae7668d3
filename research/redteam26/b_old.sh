#!/bin/sh
# target (B) on main 338e457 (before the calibrated trim): run from a detached worktree of it
#   git -C /work/main worktree add -q --detach /work/wt-redteam26-old 338e457
#   cd /work/wt-redteam26-old && sh /work/wt-redteam26/research/redteam26/b_old.sh NEW|OLD
# (OLD: robust_mlr from this worktree; NEW: from the redteam26 worktree; same rows, same seed)
W=/work/wt-redteam26
if [ "$1" = OLD ]; then PP=/work/wt-redteam26-old; else PP=$W; fi
export PYTHONPATH=$PP:$W/research/redteam26 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
for law in polynomial fourier gaussian; do for alpha in 0.05 0.1; do
  python3 $W/research/redteam26/b26.py --law $law --alpha $alpha --seed 1 --grid '[{"frac":1.0,"rho":1.0,"direction":"perp"},{"frac":0.5,"rho":1.3,"direction":"perp"},{"frac":1.0,"rho":1.0,"direction":"inW"},{"frac":0.5,"rho":1.3,"direction":"inW"},{"frac":0.7,"rho":1.0,"direction":"perp"}]' \
      --out $W/research/redteam26/logs/cmp_$1.jsonl
done; done
