#!/bin/sh
# Every attacked fit of research/heavy19 on the code in $1 (a worktree),
# written to research/heavy19/logs/$2_*.jsonl / .log (sizes 2-64 unless fixed):
#   the seed-2 heavy-only row (redteam24 s2_27, its key) and its seed-0/1
#   counterparts (s2_27_other, keys [seed, 24, 0]); the same strategy with
#   the heavy scan assuming a clean light estimate, seeds 0-2; the heavy-pool
#   families alone (heavy_rows.json), seed 0 fixed and hetero, seeds 1-2 hetero.
#   sh research/heavy19/replay.sh /work/wt-heavy19 after
W=$1; T=$2; R=$(cd "$(dirname "$0")/../.." && pwd); L=$R/research/heavy19/logs; RT=$R/research/redteam24
cd "$W" || exit 1
export PYTHONPATH=$W:$R/research/redteam/redteam8:$RT OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
for s in 0 1; do
  python3 $RT/rt24.py --seed $s --rows $RT/rows/s2_27_other.json --tag $T --out $L/${T}_s$s.jsonl > $L/${T}_s$s.log 2>&1
done
python3 $RT/rt24.py --seed 2 --rows $RT/rows/s2_27.json --tag $T --out $L/${T}_s2.jsonl > $L/${T}_s2.log 2>&1
for s in 0 1 2; do
  python3 $RT/rt24.py --seed $s --rows $R/research/heavy19/s27_lightclean.json --tag $T --out $L/${T}_lc_s$s.jsonl > $L/${T}_lc_s$s.log 2>&1
done
for z in fixed hetero; do
  python3 $RT/rt24.py --sizes $z --seed 0 --rows $R/research/heavy19/heavy_rows.json --tag $T --out $L/${T}_fam_$z.jsonl > $L/${T}_fam_$z.log 2>&1
done
for s in 1 2; do
  python3 $RT/rt24.py --sizes hetero --seed $s --rows $R/research/heavy19/heavy_rows.json --tag $T --out $L/${T}_fam_hetero_s$s.jsonl > $L/${T}_fam_hetero_s$s.log 2>&1
done
