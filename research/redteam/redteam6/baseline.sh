#!/bin/sh
# The sixth red team's measurement (one process at a time, one BLAS thread).
set -e
export PYTHONPATH=$PWD:research/redteam/redteam6 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
OUT=research/redteam/redteam6/results
LOGS=research/redteam/redteam6/logs
mkdir -p $OUT $LOGS
run() { tag=$1; shift; nice -n 5 python3 research/redteam/redteam6/run.py --out $OUT "$@" > $LOGS/$tag.log 2>&1; }
# α = 0.05, fixed sizes (its grid predates the covariate_tilt family: the supplementary run adds it)
run fixed_a0.05 --alpha 0.05 --sizes fixed --fits 150 --families anchor,edge,midpoint,moments,copies
run fixed_a0.02 --alpha 0.02 --sizes fixed --fits 150
run hetero_a0.05 --alpha 0.05 --sizes hetero --fits 150
run fixed_a0.05_auto --alpha 0.05 --sizes fixed --fits 10 --families auto
