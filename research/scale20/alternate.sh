#!/bin/sh
# Old (main at 163ab74, detached worktree) and new (this branch) alternated:
# the scale benchmark at 10^6 tasks per light pool, one BLAS thread.
# Run from /work/wt-scale20: sh research/scale20/alternate.sh ROUNDS LOGDIR
ROUNDS=${1:-2}; LOG=${2:-research/scale20/logs}
mkdir -p "$LOG"
for r in $(seq 1 "$ROUNDS"); do
  for side in old new; do
    if [ $side = old ]; then dir=/work/wt-scale20-old; else dir=/work/wt-scale20; fi
    ( cd $dir && echo "== $side round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" &&
      PYTHONPATH=$dir OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      python3 benchmarks/bench_robust_scale.py --n 1000000 --skip-default --repeat 1 ) \
      > "$LOG/bench_1e6_${side}_r$r.log" 2>&1
  done
done
