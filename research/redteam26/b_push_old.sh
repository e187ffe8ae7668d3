#!/bin/sh
# b_push.sh's rows on main 338e457 (run from its detached worktree /work/wt-redteam26-old)
W=/work/wt-redteam26
export PYTHONPATH=/work/wt-redteam26-old:$W/research/redteam26 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
G='[{"frac":0.6,"rho":1.6,"direction":"perp"},{"frac":0.7,"rho":1.75,"direction":"perp"},{"frac":0.8,"rho":2.2,"direction":"perp"},{"frac":0.9,"rho":3.0,"direction":"perp"},{"frac":0.8,"rho":2.2,"direction":"inW"},{"frac":0.7,"rho":1.75,"direction":"inW"}]'
for law in gaussian polynomial; do for alpha in 0.05 0.1; do
  python3 $W/research/redteam26/b26.py --law $law --alpha $alpha --seed 1 --grid "$G" \
      --out $W/research/redteam26/logs/cmp_push_OLD.jsonl
done; done
