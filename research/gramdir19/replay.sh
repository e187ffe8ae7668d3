#!/bin/sh
# Replays redteam26's worst dir_gram rows (seeds 0, 1, 2: the draws files in
# full, the best g2 / combo2 rows, the equal-size rows) and redteam24's
# flip_gram rows (same rows and corruption keys) on the code in $1 (a
# worktree), writing research/gramdir19/logs/$2_*.jsonl in this worktree.
#   sh research/gramdir19/replay.sh /work/wt-gramdir19 after
W=$1; T=$2; R=$(cd "$(dirname "$0")/../.." && pwd); D=$R/research/gramdir19; L=$D/logs
RT=$R/research/redteam24
cd "$W" || exit 1
export PYTHONPATH=$W:$R/research/redteam/redteam8:$RT:$D OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
rm -f $L/${T}_*.jsonl
python3 $D/rt26.py --seed 2 --rows $D/rows_combo2.json --only 8 9 15 --tag $T --out $L/${T}_rt26_s2.jsonl
python3 $D/rt26.py --seed 2 --rows $D/rows_draws_s2.json --tag $T --out $L/${T}_rt26_s2.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_g2.json --only 11 --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_combo2.json --only 0 9 --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_draws_s0.json --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 1 --rows $D/rows_draws_s1.json --tag $T --out $L/${T}_rt26_s1.jsonl
python3 $RT/rt24.py --seed 0 --rows $RT/rows/best.json --tag $T --out $L/${T}_rt24_s0.jsonl
python3 $RT/rt24.py --seed 1 --rows $RT/rows/seeds.json --tag $T --out $L/${T}_rt24_s1.jsonl
python3 $RT/rt24.py --seed 2 --rows $RT/rows/best_s2.json --tag $T --out $L/${T}_rt24_s2best.jsonl
python3 $RT/rt24.py --seed 2 --rows $RT/rows/seeds.json --tag $T --out $L/${T}_rt24_s2.jsonl
for s in 0 1 2; do
  python3 $D/rt26.py --sizes fixed --seed $s --rows $D/rows_equal.json --tag $T --out $L/${T}_rt26_eq$s.jsonl
done
