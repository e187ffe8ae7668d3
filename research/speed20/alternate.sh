#!/bin/sh
# Old (a detached worktree of main at the branch point) and new (this branch)
# alternated, one process at a time, each with its own PYTHONPATH.
# Usage: sh research/speed20/alternate.sh OLD_DIR NEW_DIR ROUNDS
OLD=$1; NEW=$2; ROUNDS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
i=1
while [ $i -le "$ROUNDS" ]; do
  for side in old new; do
    if [ $side = old ]; then DIR=$OLD; else DIR=$NEW; fi
    echo "== round $i $side ($(cd "$DIR" && git rev-parse --short HEAD)), load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$DIR" && PYTHONPATH=$DIR python3 "$HERE/time_fits.py" --repeat 7 --label "$side")
    (cd "$DIR" && PYTHONPATH=$DIR python3 benchmarks/bench_robust_scale.py --skip-scale --skip-memory --repeat 3)
  done
  i=$((i + 1))
done
