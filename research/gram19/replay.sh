#!/bin/sh
# Replays redteam24's flip_gram rows (same rows and corruption keys) on the code
# in $1 (a worktree), writing research/gram19/logs/$2_*.jsonl in this worktree.
#   sh research/gram19/replay.sh /work/wt-gram19 after
W=$1; T=$2; R=$(cd "$(dirname "$0")/../.." && pwd); L=$R/research/gram19/logs; RT=$R/research/redteam24
cd "$W" || exit 1
export PYTHONPATH=$W:$W/research/redteam/redteam8:$RT OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
python3 $RT/rt24.py --seed 0 --rows $RT/rows/best.json --tag $T --out $L/${T}_s0.jsonl
python3 $RT/rt24.py --seed 1 --rows $RT/rows/seeds.json --tag $T --out $L/${T}_s1.jsonl
python3 $RT/rt24.py --seed 2 --rows $RT/rows/best_s2.json --tag $T --out $L/${T}_s2best.jsonl
python3 $RT/rt24.py --seed 2 --rows $RT/rows/seeds.json --tag $T --out $L/${T}_s2.jsonl
python3 $RT/rt24.py --seed 2 --rows $RT/rows/s2_27.json --tag $T --out $L/${T}_s2_27.jsonl
