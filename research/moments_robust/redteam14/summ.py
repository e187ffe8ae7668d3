"""One compact row per fit of a batch log: W, ŝ² error, warned, moved_se,
refit agreement, filters failed, tasks removed, the attack's parameters."""
import json
import re
import sys

for line in open(sys.argv[1]):
    m = re.search(r"W (\S+) s2 (\S+) warned (\S+).*moved_se (\S+).*reg_removed (\S+) "
                  r"(?:agree (\S+) (?:recheck (\S+) )?filt (\S+) )?(\{.*)", line)
    if not m:
        continue
    W, s2, warned, moved, removed, agree, recheck, filt, js = m.groups()
    d = json.loads(js); fam, prm = d["light2"]; fam += "+heavy" if "heavy" in d else ""
    prm = {k: v for k, v in prm.items() if k not in ("g_scale", "direction", "component")}
    print(W, s2, warned, moved, removed, agree, recheck, filt, fam, prm)
