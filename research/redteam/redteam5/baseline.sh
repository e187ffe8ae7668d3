#!/bin/sh
# The baseline of the fifth red team (one process at a time, one BLAS thread).
set -e
export PYTHONPATH=$PWD:research/redteam/redteam5 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
OUT=research/redteam/redteam5/results
LOGS=research/redteam/redteam5/logs
mkdir -p $OUT $LOGS
run() { tag=$1; shift; nice -n 5 python3 research/redteam/redteam5/run.py --out $OUT "$@" > $LOGS/$tag.log 2>&1; }
# run fixed_a0.05 --alpha 0.05 --sizes fixed --fits 50  (superseded, below)
run fixed_a0.02 --alpha 0.02 --sizes fixed --fits 50
run hetero_a0.05 --alpha 0.05 --sizes hetero --fits 24
run hetero_a0.02 --alpha 0.02 --sizes hetero --fits 24
# α = 0.05, fixed sizes, again after the warm start was made exact (its first run replayed
# the grid's best attacks with the unspecified parameters sampled)
run fixed_a0.05 --alpha 0.05 --sizes fixed --fits 60
# The small-heavy problem (t_H = 4): the robust moment estimator, then the default (trimmed EM)
run smallheavy_moments_a0.05 --problem smallheavy --clustering moments_robust --alpha 0.05 --fits 12 --families moments,edge,midpoint,copies
run smallheavy_em_a0.05 --problem smallheavy --alpha 0.05 --fits 12 --families moments,copies,edge,midpoint
