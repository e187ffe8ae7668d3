#!/bin/bash
# All clean probes of this folder, one fit at a time (from the repository
# root): OUT.jsonl gets one record per fit, OUT.log the printed lines.
export PYTHONPATH=$PWD OMP_NUM_THREADS=1
P=research/law_reference/clean15
out=${1:-$P/probe}; : > $out.jsonl; : > $out.log
runs=""
for c in base het2_64 het2_16 het_l1 bimodal t2 t4 small_pool small_pool_t4 d4k2 d4k2_t2 \
         d4k2_het d4k2_small d8k2 d8k2_t2 d8k2_het d6k3_het k6 k8 k8_t4 p5 p5_k6 s_uneq s_rand \
         student student_het student_t4 student_p5 tnoise tnoise_het poly_het corr_student \
         smallheavy_mr sine_het sine_het64 sine_t8 sine_t2; do
    for a in 0.01 0.05; do runs="$runs $c:0:$a"; done
done
for s in 0 1 2 3 4 5 6 7; do runs="$runs sine:$s:0.01 sine:$s:0.05"; done
for s in 1 2 3 4; do runs="$runs d4k2_het:$s d4k3_het:$s d4k2_het_student:$s"; done
for c in close0.4_t8_k6_pair6_nh128_th16 close0.6_t8_k6_pair6_nh128_th16 \
         close0.4_t16_k6_pair6_nh128_th16 close0.6_t16_k6_pair6_nh128_th16 \
         close0.4_t8_k6_pair6_nh128_th16_hett16 close0.4_t8_k6_pair6_nh128_th16_hett32 \
         close0.4_t8_k8_pair8_nh128_th16 close0.3_t8 close0.3_t8_pair3; do
    runs="$runs $c:0:0.01"
done
python3 $P/probe.py $runs --out $out.jsonl >> $out.log 2>&1
