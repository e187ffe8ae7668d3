#!/bin/sh
# MR01=kind:kappa research/moments_robust/mr01/run_variant.sh TAG: seed 2 rows + clean seeds 0, 1
cd "$(dirname "$0")/../../.."
export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17 OMP_NUM_THREADS=1
out=research/moments_robust/mr01/$1
python3 research/moments_robust/mr01/mr01.py --seed 2 > $out.seed2.log 2>&1
for s in 0 1; do python3 research/moments_robust/mr01/mr01.py --seed $s --clean-only > $out.seed$s.log 2>&1; done
