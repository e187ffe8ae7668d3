"""Print the rows of several logs (same runs, same order) that differ
once the timing field is dropped: python3 compare_logs.py a.txt b.txt ..."""
import re
import sys

logs = [open(p).read().splitlines() for p in sys.argv[1:]]
names = [p.rsplit("_", 1)[-1].removesuffix(".txt") for p in sys.argv[1:]]
same = 0
for rows in zip(*logs):
    bare = [re.sub(r" t=[0-9.]+s", "", r) for r in rows]
    if len(set(bare)) > 1:
        for n, r in zip(names, bare):
            print(f"{n:4s} {r}")
        print()
    else:
        same += 1
print(f"{same} of {len(logs[0])} rows identical in all logs (timing aside)")
