#!/bin/bash
# Re-run the stale studies one at a time (one worker, one BLAS thread) and
# note each one's wall time.  Usage: research/rerun17/run_all.sh NAME...
cd "$(dirname "$0")/../.."
export PYTHONPATH=$PWD OMP_NUM_THREADS=1
for name in "$@"; do
    start=$(date +%s)
    python3 -m robust_mlr experiment run "$name" --workers 1 \
        --out /tmp/rerun17/"$name" --no-progress \
        > /tmp/rerun17/"$name".out 2>&1
    rc=$?
    echo "$name rc=$rc wall_s=$(( $(date +%s) - start )) end=$(date -u +%H:%M:%S)" \
        >> research/rerun17/wall_times.log
done
