#!/usr/bin/env python3
"""Count TAP results (ok / not ok) across a meson testlog.json; prints 'P F'."""
import json
import re
import sys

p = f = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    print(0, 1)
    sys.exit(0)
for line in lines:
    t = json.loads(line)
    out = t.get('stdout') or ''
    tp = len(re.findall(r'^ok \d+', out, re.M))
    tf = len(re.findall(r'^not ok \d+', out, re.M))
    if tp == 0 and tf == 0:
        # a binary that printed no TAP: count the binary itself
        if t.get('result') == 'OK':
            tp = 1
        else:
            tf = 1
    elif t.get('result') not in ('OK', 'EXPECTEDFAIL') and tf == 0:
        tf = 1
    p += tp
    f += tf
print(p, f)
