# the worst rows on problem seeds 0 and 2 (components 0 and 6), one probe log per seed and α
export PYTHONPATH=$PWD:research/redteam/redteam7 OMP_NUM_THREADS=1
S=research/moments_robust/redteam10
for seed in 0 2; do
  python3 $S/probe10.py --seed $seed --alpha 0.05 --family clip_lever \
      --base '{"rows": 1, "lever": 8, "decoy": 1.8, "shift": 6.35}' --grid 'component=6,0' \
      --draws 1 > $S/p_s${seed}_best.log 2>&1
  python3 $S/probe10.py --seed $seed --alpha 0.01 --family clip_lever \
      --base '{"rows": 1, "lever": 14.0, "decoy": 4.0, "shift": 3.5}' --grid 'component=6,0' \
      --draws 1 > $S/p_s${seed}_a0.01_best.log 2>&1
done
