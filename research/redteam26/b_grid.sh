#!/bin/sh
# target (B) main grid: 8 white_tilt rows per law × α × seed (FULL shape, covariates "auto")
export PYTHONPATH=$PWD:research/redteam26 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
SEEDS=${SEEDS:-1}
for seed in $SEEDS; do
for law in gaussian polynomial fourier student; do
for alpha in 0.05 0.1; do
  python3 research/redteam26/b26.py --law $law --alpha $alpha --seed $seed \
      --out research/redteam26/logs/b_main.jsonl
done; done; done
