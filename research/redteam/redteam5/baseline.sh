#!/bin/sh
# The baseline of the fifth red team (one process at a time, one BLAS thread).
set -e
export PYTHONPATH=$PWD:research/redteam/redteam5 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
OUT=research/redteam/redteam5/results
LOGS=research/redteam/redteam5/logs
mkdir -p $OUT $LOGS
run() { tag=$1; shift; nice -n 5 python3 research/redteam/redteam5/run.py --out $OUT "$@" > $LOGS/$tag.log 2>&1; }
run fixed_a0.05 --alpha 0.05 --sizes fixed --fits 50
run fixed_a0.02 --alpha 0.02 --sizes fixed --fits 50
run hetero_a0.05 --alpha 0.05 --sizes hetero --fits 24
