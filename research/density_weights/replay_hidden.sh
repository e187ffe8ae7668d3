#!/bin/sh
# The twelfth moment red team's hidden_lever rows (written against the
# mass-read reach with the light-median step) replayed on the code with
# density weights and no light-median step (from the repository root).
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
R="python3 research/moments_robust/replay.py --no-clean"
H05='{"light2": ["hidden_lever", {"rows": 1, "direction": "tilde", "component": 6, "decoy": 1.8, "hide_lever": 14, "lever": 10, "hide_from": "target", "shift": 9.0, "hide": 0.16}]}'
H05b='{"light2": ["hidden_lever", {"rows": 1, "direction": "tilde", "component": 6, "decoy": 1.8, "hide_lever": 14, "lever": 10, "hide_from": "target", "shift": 8.8, "hide": 0.17}]}'
H01='{"light2": ["hidden_lever", {"rows": 1, "component": 6, "lever": 14.0, "direction": "tilde", "hide_lever": 14, "decoy": 4.0, "shift": 5.0, "hide_from": "target", "hide": 0.22}]}'
$R --seed 0 --alpha 0.05 --strategy "search:2:$H05" --strategy "search:1:$H05"
$R --seed 1 --alpha 0.05 --strategy "search:1:$H05b" --strategy "search:2:$H05b"
$R --seed 2 --alpha 0.05 --strategy "search:1:$H05b"
$R --seed 0 --alpha 0.01 --strategy "search:1:$H01" --strategy "search:2:$H01"
$R --seed 1 --alpha 0.01 --strategy "search:2:$H01"
