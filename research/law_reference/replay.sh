#!/bin/bash
# The moment red teams' rows that stayed silent on the density-weights code
# (hidden_lever, shaped_lever, biased_lever), replayed on the code whose
# spike directions are also read against the covariate law, with clean
# fits for comparison (from the repository root; OUT: the log).
export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam14 OMP_NUM_THREADS=1
R="python3 research/moments_robust/replay.py"
B="python3 research/moments_robust/redteam14/replay14.py --no-clean"
out=${1:-research/law_reference/replay.log}; : > $out
H05='{"light2": ["hidden_lever", {"rows": 1, "direction": "tilde", "component": 6, "decoy": 1.8, "hide_lever": 14, "lever": 10, "hide_from": "target", "shift": 9.0, "hide": 0.16}]}'
H05b='{"light2": ["hidden_lever", {"rows": 1, "direction": "tilde", "component": 6, "decoy": 1.8, "hide_lever": 14, "lever": 10, "hide_from": "target", "shift": 8.8, "hide": 0.17}]}'
H01='{"light2": ["hidden_lever", {"rows": 1, "component": 6, "lever": 14.0, "direction": "tilde", "hide_lever": 14, "decoy": 4.0, "shift": 5.0, "hide_from": "target", "hide": 0.22}]}'
S05='{"light2": ["shaped_lever", {"rows": 14, "floor": 0.9, "shift": 1.35, "slope": 0.5, "u_decoys": 1, "u_lever": 8, "u_shift": 1.5, "g_scale": 1.0, "direction": "tilde", "component": 6}]}'
S01='{"light2": ["shaped_lever", {"rows": 10, "floor": 1.4, "shift": 1.6, "slope": 0.1, "u_decoys": 2, "u_lever": 8, "u_shift": 1.2, "g_scale": 1.0, "direction": "tilde", "component": 6}]}'
S01b='{"light2": ["shaped_lever", {"rows": 6, "floor": 1.5, "shift": 1.6, "slope": 0.1, "u_decoys": 1, "u_lever": 4, "u_shift": 3.0, "g_scale": 1.0, "direction": "tilde", "component": 6}]}'
B1='{"light2": ["biased_lever", {"rows": 15, "floor": 0, "shift": 1.25, "slope": 0.55, "u_decoys": 1, "u_lever": 8, "u_shift": 2.0, "u_bias": 3.4, "g_scale": 1.0, "direction": "tilde", "component": 6}]}'
B2='{"light2": ["biased_lever", {"rows": 15, "floor": 0.5, "shift": 1.1, "slope": 0.75, "u_decoys": 1, "u_lever": 8, "u_shift": 4.2, "u_bias": 5.4, "g_scale": 1.0, "direction": "tilde", "component": 6}]}'
echo "== hidden_lever a0.05" >> $out
$R --no-clean --seed 0 --alpha 0.05 --strategy "search:2:$H05" --strategy "search:1:$H05" >> $out
$R --no-clean --seed 1 --alpha 0.05 --strategy "search:1:$H05b" --strategy "search:2:$H05b" >> $out
echo "== hidden_lever a0.01" >> $out
$R --no-clean --seed 0 --alpha 0.01 --strategy "search:1:$H01" --strategy "search:2:$H01" >> $out
$R --no-clean --seed 1 --alpha 0.01 --strategy "search:2:$H01" >> $out
echo "== shaped_lever a0.05" >> $out
$R --no-clean --seed 1 --alpha 0.05 --strategy "search:2:$S05" --strategy "search:3:$S05" >> $out
echo "== shaped_lever a0.01" >> $out
$R --no-clean --seed 1 --alpha 0.01 --strategy "search:2:$S01" --strategy "search:1:$S01" --strategy "search:2:$S01b" >> $out
echo "== biased_lever a0.05" >> $out
$B --seed 1 --alpha 0.05 --strategy "search:2:$B1" --strategy "search:1:$B1" --strategy "search:2:$B2" >> $out
Q="python3 research/moments_robust/redteam15/replay15.py --no-clean"
Q05='{"light2": ["screened_lever", {"rows": 8, "floor": 0.7, "shift": 1.25, "slope": 0.55, "u_decoys": 7, "n_neg": 5, "u_bias": 5.0, "neg_gap": 0.5, "u_shift": 1.1, "g_scale": 1.0, "direction": "tilde", "component": 6, "s_decoys": 0, "pair_within": true, "neg_lever": 4.5, "u_lever": 8}]}'
Q01='{"light2": ["screened_lever", {"rows": 10, "floor": 1.6, "shift": 1.7, "slope": 0.1, "u_decoys": 6, "n_neg": 4, "u_bias": 1.0, "neg_gap": 0.5, "u_shift": 1.2, "g_scale": 1.0, "direction": "tilde", "component": 6, "s_decoys": 0, "pair_within": true, "neg_lever": 4.5, "u_lever": 8}]}'
Q01b='{"light2": ["screened_lever", {"rows": 6, "floor": 1.5, "shift": 1.6, "slope": 0.1, "u_decoys": 1, "u_lever": 4, "u_shift": 3.0, "g_scale": 1.0, "direction": "tilde", "component": 6, "s_decoys": 2, "s_g": 0.2, "s_lever": 13, "s_shift": 2.0}]}'
echo "== screened_lever a0.05 (fifteenth red team)" >> $out
$Q --seed 1 --alpha 0.05 --strategy "search:2:$Q05" --strategy "search:1:$Q05" --strategy "search:3:$Q05" >> $out
$Q --seed 2 --alpha 0.05 --strategy "search:1:$Q05" >> $out
echo "== screened_lever a0.01 (fifteenth red team)" >> $out
$Q --seed 1 --alpha 0.01 --strategy "search:2:$Q01" --strategy "search:1:$Q01" --strategy "search:3:$Q01" --strategy "search:2:$Q01b" >> $out
$Q --seed 2 --alpha 0.01 --strategy "search:1:$Q01" >> $out
H="python3 research/moments_robust/redteam16/replay16.py --no-clean"
D=research/moments_robust/redteam16
echo "== hidden_lever (sixteenth red team) a0.01" >> $out
$H --seed 2 --alpha 0.01 --strategy "search:2:{\"light2\": [\"hidden_lever\", {\"rows\": 2, \"lever\": 5.8, \"resid\": 2.6, \"others\": 20, \"direction\": \"$D/clean_err_s2_a0.01_c6.npy\"}]}" >> $out
$H --seed 1 --alpha 0.01 --strategy "search:1:{\"light2\": [\"hidden_lever\", {\"rows\": 2, \"lever\": 5.8, \"resid\": 2.6, \"others\": 20, \"direction\": \"$D/clean_err_s1_a0.01_c6.npy\"}]}" --strategy "search:2:{\"light2\": [\"hidden_lever\", {\"rows\": 2, \"lever\": 5.8, \"resid\": 2.6, \"others\": 20, \"direction\": \"$D/clean_err_s1_a0.01_c6.npy\"}]}" >> $out
echo "== hidden_lever (sixteenth red team) a0.05" >> $out
$H --seed 1 --alpha 0.05 --strategy "search:3:{\"light2\": [\"hidden_lever\", {\"rows\": 2, \"lever\": 3.05, \"resid\": 2.35, \"noise\": 1.45, \"direction\": \"$D/clean_err_s1_a0.05_c6.npy\"}]}" >> $out
echo "== clean (the clean fit printed by replay.py, seeds 0 1 2)" >> $out
for s in 0 1 2; do $R --seed $s --alpha 0.01 --strategy "search:1:$H01" | grep -v "^search" | head -1 >> $out; done
