#!/bin/sh
# Replays the redteam27 rows listed in logs/rows_list.txt on the code in $1 (a worktree),
# writing logs/rt27_$2.log.   sh research/trim20/replay27.sh /work/wt-trim20 after
W=$1; T=$2; R=$(cd "$(dirname "$0")/../.." && pwd)
cd "$R" || exit 1
PYTHONPATH=$W:$R/research/redteam/redteam8:$R/research/redteam24:$R/research/redteam26:$R/research/redteam27 \
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 research/trim20/replay_rows.py $(cat research/trim20/logs/rows_list.txt) > research/trim20/logs/rt27_$T.log 2>&1
