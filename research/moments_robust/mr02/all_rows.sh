#!/bin/sh
# before (main) and after (this branch) on every seed's rows; logs here.
D=research/moments_robust/mr02
for s in 1 0 2 3; do
  CODE=/work/main sh $D/rows.sh $s > $D/before_s$s.log 2>&1
  CODE=$PWD sh $D/rows.sh $s > $D/final_s$s.log 2>&1
done
