#!/bin/sh
# As alternate.sh at 2·10^5 tasks per light pool (three rounds).
LOG=${1:-research/scale20/logs}
for r in 1 2 3; do
  for side in old new; do
    if [ $side = old ]; then dir=/work/wt-scale20-old; else dir=/work/wt-scale20; fi
    ( cd $dir && echo "== $side round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" &&
      PYTHONPATH=$dir OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
      python3 benchmarks/bench_robust_scale.py --n 200000 --skip-default --repeat 1 ) \
      > "$LOG/bench_2e5_${side}_r$r.log" 2>&1
  done
done
