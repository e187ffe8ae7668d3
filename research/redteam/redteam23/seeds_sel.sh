#!/bin/sh
# redteam23: select_lever on seeds 0, 2, 3 (component = the largest clean error, as rt21)
D=research/redteam/redteam23
. $D/env.sh
for sc in "0 6" "2 4" "3 5"; do
  set -- $sc; s=$1; c=$2
  VD="\"vdirs\":\"research/redteam/redteam21/vdirs_s${s}_c${c}.npy\""
  R=""
  for p in "2.5 1" "2.5 2" "2.5 3" "2.7 1" "2.7 2" "2.7 3"; do
    set -- $p
    R="$R --row {\"attack\":\"select_lever\",\"component\":$c,\"rows\":4,\"lever\":$1,\"resid\":1.8,\"npairs\":6,\"d_lever\":10,\"d_resid\":1.0,\"ndecoy\":16,$VD,\"draw\":$2}"
  done
  R="$R --row {\"attack\":\"select_lever\",\"component\":$c,\"rows\":0,\"npairs\":0,\"ndecoy\":0,\"rest\":1.0,\"draw\":1}"
  python3 $D/rt23.py --seed $s $R > $D/sel_s$s.log 2>&1
done
