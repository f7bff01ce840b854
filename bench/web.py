#!/usr/bin/env python3
"""bench/web.py - what the web application costs the node, each figure beside a baseline
measured in the same run on the same daemon. Not a test: `make check` never runs it.

    python3 bench/web.py --bin build/src/cli/simpul [--reports 5000] [--n 30]

Starts `simpul run` over the demo data set (scripts/demo_data.py --reports N) on a random
loopback port, then measures, sequentially, median and p95 latency of:
  - sign-in with user name + password (argon2id)  vs  GET /api/v1/whoami with a Bearer token
  - GET /api/v1/whoami with the session cookie    vs  the same with a Bearer token
  - POST /api/v1/normalize of one phone number     vs  POST /api/v1/check of the same number
  - GET /api/v1/stats/reports (every report through the policy gate)  vs  GET /api/v1/alerts?limit=100
and the size of the built assets. Prints a table; writes nothing but a temporary directory.
"""
import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(port, method, path, body=None, headers=None, n=30):
    out = []
    status = None
    for _ in range(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        t = time.perf_counter()
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        r.read()
        out.append((time.perf_counter() - t) * 1000)
        status = r.status
        c.close()
    out.sort()
    return status, statistics.median(out), out[min(len(out) - 1, int(len(out) * 0.95))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(TOP, "build/src/cli/simpul"))
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--n", type=int, default=30, help="requests per figure")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="simpul-bench-web-")
    proc = None
    try:
        seed = os.path.join(work, "seed")
        subprocess.run([sys.executable, os.path.join(TOP, "scripts/demo_data.py"), "--out", seed,
                        "--reports", str(a.reports), "--quiet"], check=True)
        db = os.path.join(work, "node.db")
        t0 = time.perf_counter()
        proc = subprocess.Popen([os.path.abspath(a.bin), "run", "--db", db, "--seed", seed, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        port = None
        for line in proc.stdout:
            m = re.search(rb"Simpul demo node: http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            raise SystemExit("the demo node did not start")
        seeded = time.perf_counter() - t0
        sec = json.load(open(db + ".tokens.json"))
        tok = sec["MY-NSRC/analyst"]
        bearer = {"Authorization": "Bearer " + tok}
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/api/v1/session", body=json.dumps({"username": "my-nsrc.analyst",
                  "password": sec["user my-nsrc.analyst"]}), headers={"Content-Type": "application/json", "X-CSRF-Token": "b"})
        r = c.getresponse()
        r.read()
        cookie = {"Cookie": re.match(r"([^;]*)", r.getheader("Set-Cookie")).group(1)}
        c.close()
        rows = []

        def pair(name, fig, base):
            rows.append((name, fig, base))

        n = a.n
        pair("sign-in, password (argon2id)",
             timed(port, "POST", "/api/v1/session", {"username": "my-nsrc.analyst", "password": sec["user my-nsrc.analyst"]},
                   {"X-CSRF-Token": "b"}, n=max(5, n // 3)),
             ("GET /api/v1/whoami, Bearer",) + timed(port, "GET", "/api/v1/whoami", headers=bearer, n=n))
        pair("GET /api/v1/whoami, session cookie", timed(port, "GET", "/api/v1/whoami", headers=cookie, n=n),
             ("GET /api/v1/whoami, Bearer",) + timed(port, "GET", "/api/v1/whoami", headers=bearer, n=n))
        sel = {"selectors": [{"type": "phone", "value": "012-345 6789"}]}
        pair("POST /api/v1/normalize, 1 phone", timed(port, "POST", "/api/v1/normalize", sel, bearer, n=n),
             ("POST /api/v1/check, same phone",) + timed(port, "POST", "/api/v1/check", sel, bearer, n=n))
        pair("GET /api/v1/stats/reports", timed(port, "GET", "/api/v1/stats/reports", headers=bearer, n=max(5, n // 3)),
             ("GET /api/v1/alerts?limit=100",) + timed(port, "GET", "/api/v1/alerts?limit=100", headers=bearer, n=n))
        print("# bench/web.py: %d reports (seeded in %.1f s), %d requests per figure, sequential, loopback, %s"
              % (a.reports, seeded, n, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
        print("| figure | status | median ms | p95 ms | baseline (same run) | status | median ms | p95 ms |")
        print("|---|---|---|---|---|---|---|---|")
        for name, f, b in rows:
            print("| %s | %d | %.2f | %.2f | %s | %d | %.2f | %.2f |" % (name, f[0], f[1], f[2], b[0], b[1], b[2], b[3]))
        out = os.path.join(os.path.dirname(os.path.abspath(a.bin)), "..", "server")
        print()
        print("| asset | bytes | gzip bytes |")
        print("|---|---|---|")
        for f in ("index.html", "app.js", "app.css", "charts.js"):
            p = os.path.join(out, f)
            if os.path.exists(p):
                data = open(p, "rb").read()
                print("| %s | %d | %d |" % (f, len(data), len(gzip.compress(data, 9))))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
