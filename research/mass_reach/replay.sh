#!/bin/sh
# The moment estimator's lever rows (small-heavy problem, seed 1) replayed on
# the code whose Mallows reach follows the spike's mass (from the repository
# root; one BLAS thread): the seventh moment red team's diluted_lever rows,
# the sixth's clip_lever rows and the fifth's lever_shift rows, on the draws
# they were scored on. One line per fit (replay.py's record: W, ŝ² error,
# warned, per-component errors, spike directions and their reach).
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
R="python3 research/moments_robust/replay.py --seed 1"
D='{"light2": ["diluted_lever", {"rows": 8, "shift": 3.2, "u_shift": 3.0, "u_decoys": 1, "u_lever": 4, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 4}]}'
D4='{"light2": ["diluted_lever", {"rows": 4, "shift": 3.5, "u_shift": 3.0, "u_decoys": 1, "u_lever": 4, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 4}]}'
D01='{"light2": ["diluted_lever", {"rows": 4, "shift": 3.5, "u_shift": 3.0, "u_decoys": 1, "u_lever": 4, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 4}]}'
C05='{"light2": ["clip_lever", {"rows": 1, "decoy": 1.8, "direction": "tilde", "component": 6, "lever": 8, "shift": 7.75}]}'
C01='{"light2": ["clip_lever", {"component": 6, "lever": 14.0, "decoy": 4.0, "direction": "tilde", "rows": 2, "share": 0.6, "shift": 5.0}]}'
L05='{"light2": ["lever_shift", {"component": 6, "lever": 5.0, "decoy_level": 1.0, "decoy": 1.8, "g_scale": 0.25, "shift": 6.35}]}'
L01='{"light2": ["lever_shift", {"component": 6, "decoy": 0.0, "shift": 6.4, "decoy_pure": 6.4, "g_scale": 0.25, "decoy_level": 1.0, "lever": 11.0, "decoy_share": 0.55}]}'
$R --alpha 0.05 --strategy "search:1:$D" --strategy "search:2:$D" --strategy "search:3:$D" \
   --strategy "search:1:$D4" --strategy "search:1:$C05" --strategy "search:2:$C05" \
   --strategy "search:3:$C05" --strategy "search:1:$L05" > research/mass_reach/replay_a0.05.log
$R --alpha 0.01 --strategy "search:1:$D01" --strategy "search:1:$C01" --strategy "search:2:$C01" \
   --strategy "search:1:$L01" > research/mass_reach/replay_a0.01.log
# the default problem's worst rows of the eighth red team (the anchor's gates)
PYTHONPATH=$PWD:research/redteam/redteam8 python3 research/example_clip/replay_rows.py \
    research/redteam/redteam8/final_main/a05_fixed/default_default_fixed_a0.05_s0_n150.csv \
    research/redteam/redteam8/final_main/a02_fixed/default_default_fixed_a0.02_s0_n150.csv \
    research/redteam/redteam8/final_main/a05_hetero_W/default_default_hetero_a0.05_s0_n150.csv \
    > research/mass_reach/replay_default.log
