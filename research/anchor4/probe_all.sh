#!/bin/sh
# Before/after replays for the heavy median and the capped pooling along the
# median's move: S1 at α = 0.05, the five worst distinct strategies of each
# final table of the seventh red team (top5_a*.txt), and the strategies of
# research/anchor3/probe_all.sh (three corruption draws each).
#     sh research/anchor4/probe_all.sh TAG [PACKAGE_ROOT]
# Output: research/anchor4/probe_TAG_*.txt
TAG=${1:-after}
ROOT=${2:-$PWD}
export PYTHONPATH=$ROOT:$PWD/research/redteam/redteam7 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
P="python3 research/redteam/redteam7/probe.py --draws 0,1,2"
O=research/anchor4
$P --alpha 0.05 "$(cat research/redteam/redteam7/final/S1.json)" > $O/probe_${TAG}_S1_a0.05.txt 2>&1
for a in 0.05 0.02; do
  set --
  while IFS= read -r s; do set -- "$@" "$s"; done < $O/top5_a$a.txt
  $P --alpha $a "$@" > $O/probe_${TAG}_top5_a$a.txt 2>&1
done
# research/anchor3/probe_all.sh's strategies, its output redirected here
sed -e "s#research/anchor3/probe_#$O/probe_anchor3_#g" -e '/^export/d' research/anchor3/probe_all.sh > $O/.anchor3_$TAG.sh
sh $O/.anchor3_$TAG.sh $TAG
rm -f $O/.anchor3_$TAG.sh
