#!/bin/sh
# redteam23: the rows-4 family on seeds 0, 2, 3 (component = the largest clean error, as rt21)
D=research/redteam/redteam23
. $D/env.sh
for sc in "0 6" "2 4" "3 5"; do
  set -- $sc; s=$1; c=$2
  VD="\"vdirs\":\"research/redteam/redteam21/vdirs_s${s}_c${c}.npy\""
  R=""
  for p in "2.2 1.8 1.0 1" "2.2 1.8 1.0 2" "2.2 1.8 1.0 3" "2.3 1.7 1.3 1" "2.3 1.7 1.3 2" "2.3 1.7 1.3 3"; do
    set -- $p
    R="$R --row {\"component\":$c,\"rows\":4,\"lever\":$1,\"resid\":$2,\"npairs\":6,\"d_lever\":10,\"d_resid\":$3,\"ndecoy\":16,$VD,\"draw\":$4}"
  done
  python3 $D/rt23.py --seed $s $R > $D/seeds_s$s.log 2>&1
done
