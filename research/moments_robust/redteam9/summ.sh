# one line per fit of a sweep log: w, warned, filter, kept, r̃², pass-0 classified / adversary's, before / after the median step, pass-1 classified, time ratio, evidence
grep "full" $1 | python3 -c "
import sys,json
for l in sys.stdin:
    r=json.loads(l.split('full',1)[1])
    if 'exception' in r: print(r); continue
    print(r['w'],r['warned'],r['filter'],r.get('n_cls_final'),r.get('r2_tilde'), (r.get('pass0') or {}).get('n_cls'), (r.get('pass0') or {}).get('adv_in'), r['pass0']['before'], r['pass0']['after'], (r.get('pass1') or {}).get('n_cls'), r.get('ratio'), r.get('evidence'))
"
grep "^search" $1 | cut -c1-170
