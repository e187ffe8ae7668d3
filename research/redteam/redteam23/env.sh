export PYTHONPATH=$PWD:research/redteam/redteam7:research/moments_robust/redteam17:research/redteam/redteam21:research/redteam/redteam23 OMP_NUM_THREADS=1
