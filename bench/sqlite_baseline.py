#!/usr/bin/env python3
"""bench/sqlite_baseline.py - the import baseline: raw SQLite inserting the same rows.

For every report line of DATA/reports/<agency>.jsonl: parse the JSON (as the product does),
insert one reports row (id, agency, reference, markings, the body) and its three postings
(canonical keys from DATA/keys/<agency>.tsv, primary key (key, report), as in the product's
selector index), with prepared statements, one transaction per 1,000 reports, WAL and
synchronous=FULL and a 128 MiB page cache (as the product). No normalisation, no match lookups, no audit: what SQLite alone costs.
Prints: reports seconds reports_per_s
usage: sqlite_baseline.py DATA DB
"""
import json
import os
import sqlite3
import sys
import time

data, dbpath = sys.argv[1], sys.argv[2]
for suffix in ("", "-wal", "-shm"):
    try:
        os.unlink(dbpath + suffix)
    except FileNotFoundError:
        pass
db = sqlite3.connect(dbpath, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("PRAGMA cache_size=-131072")  # 128 MiB, as the product's connections
db.executescript("""
CREATE TABLE reports (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, agency_id TEXT NOT NULL,
  reference TEXT NOT NULL, created INTEGER NOT NULL, tlp TEXT NOT NULL, disclosure TEXT NOT NULL,
  audience TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX reports_agency ON reports(agency_id, created);
CREATE TABLE postings (key TEXT NOT NULL, report_rid INTEGER NOT NULL, agency_id TEXT NOT NULL,
  role TEXT NOT NULL, PRIMARY KEY (key, report_rid)) WITHOUT ROWID;
CREATE INDEX postings_report ON postings(report_rid);
""")
agencies = [l.split("\t")[0] for l in open(os.path.join(data, "agencies.tsv")).read().splitlines()]
ins_r = ("INSERT INTO reports(id, agency_id, reference, created, tlp, disclosure, audience, body)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
ins_p = "INSERT OR IGNORE INTO postings(key, report_rid, agency_id, role) VALUES (?, ?, ?, ?)"
n = 0
t0 = time.perf_counter()
for a in agencies:
    rp = os.path.join(data, "reports", a + ".jsonl")
    kp = os.path.join(data, "keys", a + ".tsv")
    if not os.path.exists(rp):
        continue
    with open(rp) as rf, open(kp) as kf:
        db.execute("BEGIN")
        inbatch = 0
        for line, kl in zip(rf, kf):
            r = json.loads(line)
            keys = kl.rstrip("\n").split("\t")[1:]
            m = r["markings"]
            n += 1
            cur = db.execute(ins_r, ("%s-%012d" % (a, n), a, r["reference"], int(time.time()), m["tlp"],
                                     m["disclosure"], json.dumps(m["releasable_to"]), line))
            rid = cur.lastrowid
            for k, s in zip(keys, r["selectors"]):
                db.execute(ins_p, (k, rid, a, s["role"]))
            inbatch += 1
            if inbatch == 1000:
                db.execute("COMMIT")
                db.execute("BEGIN")
                inbatch = 0
        db.execute("COMMIT")
dt = time.perf_counter() - t0
db.close()
print("%d %.3f %.0f" % (n, dt, n / dt))
