#!/bin/sh
# Replays redteam26's dir_gram rows as gramdir19/replay.sh does (rt26 part only:
# seeds 0, 1, 2 draws files in full, best g2 / combo2 rows, equal-size rows)
# on the code in $1 (a worktree), writing research/trim20/logs/$2_rt26_*.jsonl.
#   sh research/trim20/replay26.sh /work/wt-trim20 after
W=$1; T=$2; R=$(cd "$(dirname "$0")/../.." && pwd); D=$R/research/gramdir19; L=$R/research/trim20/logs
cd "$W" || exit 1
export PYTHONPATH=$W:$R/research/redteam/redteam8:$R/research/redteam24:$D OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
rm -f $L/${T}_rt26_*.jsonl
python3 $D/rt26.py --seed 2 --rows $D/rows_combo2.json --only 8 9 15 --tag $T --out $L/${T}_rt26_s2.jsonl
python3 $D/rt26.py --seed 2 --rows $D/rows_draws_s2.json --tag $T --out $L/${T}_rt26_s2.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_g2.json --only 11 --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_combo2.json --only 0 9 --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 0 --rows $D/rows_draws_s0.json --tag $T --out $L/${T}_rt26_s0.jsonl
python3 $D/rt26.py --seed 1 --rows $D/rows_draws_s1.json --tag $T --out $L/${T}_rt26_s1.jsonl
for s in 0 1 2; do
  python3 $D/rt26.py --sizes fixed --seed $s --rows $D/rows_equal.json --tag $T --out $L/${T}_rt26_eq$s.jsonl
done
