#!/bin/sh
# target (B): larger untrimmed tilts — (f, ρ) pairs whose score under the inflated Σ̂
# stays near the bulk (q ≈ ρ(f/λ + 1 − f), λ ≈ 1 + α(fρd − 1))
export PYTHONPATH=$PWD:research/redteam26 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
G='[{"frac":0.6,"rho":1.6,"direction":"perp"},{"frac":0.7,"rho":1.75,"direction":"perp"},{"frac":0.8,"rho":2.2,"direction":"perp"},{"frac":0.9,"rho":3.0,"direction":"perp"},{"frac":0.8,"rho":2.2,"direction":"inW"},{"frac":0.7,"rho":1.75,"direction":"inW"}]'
for law in gaussian polynomial student; do for alpha in 0.05 0.1; do
  python3 research/redteam26/b26.py --law $law --alpha $alpha --seed 1 --grid "$G" \
      --out research/redteam26/logs/b_push.jsonl
done; done
