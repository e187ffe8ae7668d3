#!/bin/bash
# usage: compare.sh VARIANT OUTFILE
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1 VARIANT=$1
R=research/moments_robust
P="python3 research/density_weights/replay_variant.py --no-clean --alpha 0.05 --top 3"
out=$2; : > $out
D='{"light2": ["diluted_lever", {"rows": 8, "shift": 3.2, "u_shift": 3.0, "u_decoys": 1, "u_lever": 4, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 4}]}'
$P --seed 1 --top 0 --strategy "search:1:$D" --strategy "search:2:$D" >> $out
for f in $R/redteam6/smallheavy_moments_robust_fixed_a0.05_s1_n60.csv $R/redteam7/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv \
         $R/redteam8/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv $R/redteam9/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv \
         $R/redteam9/warm2/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv $R/redteam10/warm/warm_smallheavy_moments_robust_fixed_a0.05_s1_n20.csv; do
  echo "== $f" >> $out; $P --seed 1 $f >> $out; done
for f in $R/redteam/smallheavy_moments_robust_fixed_a0.05_s0_n60.csv $R/redteam5/smallheavy_moments_robust_fixed_a0.05_s0_n60.csv; do
  echo "== $f" >> $out; $P --seed 0 $f >> $out; done
f=$R/redteam7/smallheavy_moments_robust_fixed_a0.05_s2_n60.csv; echo "== $f" >> $out; $P --seed 2 $f >> $out
