#!/bin/sh
# The sixth moment red team's worst rows and the fifth's: no refit, the clip
# alone, the clip with Mallows weights (from the repository root; one BLAS thread).
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
P="python3 research/example_clip/clip_on_off.py"
C05='{"light2": ["clip_lever", {"rows": 1, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 8, "shift": 7.75}]}'
C01='{"light2": ["clip_lever", {"component": 6, "lever": 14.0, "decoy": 4.0, "direction": "tilde", "rows": 2, "share": 0.6, "shift": 5.0}]}'
L05='{"light2": ["lever_shift", {"component": 6, "lever": 5.0, "decoy_level": 1.0, "decoy": 1.8, "g_scale": 0.25, "shift": 6.35}]}'
L01='{"light2": ["lever_shift", {"component": 6, "decoy": 0.0, "shift": 6.4, "decoy_pure": 6.4, "g_scale": 0.25, "decoy_level": 1.0, "lever": 11.0, "decoy_share": 0.55}]}'
for d in 1 2 3; do echo "clip_lever a0.05 draw $d"; $P 0.05 $d "$C05"; done
for d in 1 2; do echo "clip_lever a0.01 draw $d"; $P 0.01 $d "$C01"; done
echo "lever_shift a0.05 draw 1"; $P 0.05 1 "$L05"
echo "lever_shift a0.01 draw 1"; $P 0.01 1 "$L01"
# the sixth team's rows with the leverage lowered under the Mallows weights' reach
for L in 7.5 5.0 4.0; do echo "clip_lever a0.01 draw 2 lever $L"
  $P 0.01 2 "{\"light2\": [\"clip_lever\", {\"component\": 6, \"lever\": $L, \"decoy\": 4.0, \"direction\": \"tilde\", \"rows\": 2, \"share\": 0.6, \"shift\": 5.0}]}"; done
for L in 5.5 4.0; do echo "clip_lever a0.05 draw 1 lever $L"
  $P 0.05 1 "{\"light2\": [\"clip_lever\", {\"rows\": 1, \"decoy\": 1.8, \"direction\": \"tilde\", \"component\": 6, \"lever\": $L, \"shift\": 7.75}]}"; done
