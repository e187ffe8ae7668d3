import json, sys
def load(f):
    out=[]; cur=None; grp=''
    for l in open(f):
        l=l.rstrip()
        if l.startswith('=='): grp=l.split('/')[-2] if '/' in l else l; continue
        if l.strip().startswith('{'):
            r=json.loads(l); out.append((grp, cur, r))
        else: cur=l
    return out
files=sys.argv[1:]
runs=[load(f) for f in files]
for rows in zip(*runs):
    g, cur, _ = rows[0]
    cells=' | '.join(f"{r.get('w','EXC')}{'w' if r.get('warned') else 's'} {r.get('s2','')}" for _,_,r in rows)
    print(f"{g[:9]:9} {cur.split('{')[0][:28]:28} {cells}   {cur[cur.find('light2'):][:60] if 'light2' in cur else ''}")
