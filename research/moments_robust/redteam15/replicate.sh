#!/bin/bash
# The best rows of each alpha on other draws (corruption generator [SEED, DRAW])
# and on problem seed 2 (from the repository root; OUT: the log).
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
D=research/moments_robust/redteam15
out=${1:-$D/replicate.log}
C='"g_scale": 1.0, "direction": "tilde", "component": 6, "s_decoys": 0, "pair_within": true, "neg_lever": 4.5, "u_lever": 8'
P1="{\"light2\": [\"screened_lever\", {$C, \"floor\": 0.7, \"shift\": 1.25, \"slope\": 0.55, \"rows\": 8, \"u_decoys\": 7, \"n_neg\": 5, \"u_bias\": 5.0, \"neg_gap\": 0.5, \"u_shift\": 1.1}]}"
P2="{\"light2\": [\"screened_lever\", {$C, \"floor\": 0.7, \"shift\": 1.25, \"slope\": 0.55, \"rows\": 8, \"u_decoys\": 7, \"n_neg\": 5, \"u_bias\": 5.0, \"neg_gap\": 0.5, \"u_shift\": 1.4}]}"
P3="{\"light2\": [\"screened_lever\", {$C, \"floor\": 0.5, \"shift\": 1.25, \"slope\": 0.55, \"rows\": 9, \"u_decoys\": 6, \"n_neg\": 4, \"u_bias\": 5.0, \"neg_gap\": 0.7, \"u_shift\": 1.1}]}"
Q1="{\"light2\": [\"screened_lever\", {$C, \"floor\": 1.6, \"shift\": 1.7, \"slope\": 0.1, \"rows\": 10, \"u_decoys\": 6, \"n_neg\": 4, \"u_bias\": 1.0, \"neg_gap\": 0.5, \"u_shift\": 1.2}]}"
Q2="{\"light2\": [\"screened_lever\", {$C, \"floor\": 1.4, \"shift\": 1.8, \"slope\": 0.1, \"rows\": 10, \"u_decoys\": 6, \"n_neg\": 4, \"u_bias\": 1.0, \"neg_gap\": 0.5, \"u_shift\": 1.2}]}"
for dr in 1 3; do
  python3 $D/batch15.py 0.05 $dr $out "$P1" "$P2" "$P3"
  python3 $D/batch15.py 0.01 $dr $out "$Q1" "$Q2"
done
SEED=2 python3 $D/batch15.py 0.05 1 $out "$P1" "$P2" "$P3"
SEED=2 python3 $D/batch15.py 0.01 1 $out "$Q1" "$Q2"
