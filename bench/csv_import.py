#!/usr/bin/env python3
"""bench/csv_import.py - CSV bulk import throughput, with its baselines measured in the same run.

    python3 bench/csv_import.py [--bin build/src/cli/simpul] [--rows 100000] [--fast]

Generates a bank batch of ROWS rows (case id, date, type, amount, account, bank, phone on
half the rows, note) with unique accounts, then times, each into a fresh database:

  1. `simpul import --format csv --dry-run`  (read, map, validate, normalise every row; no writes)
  2. `simpul import --format csv`            (the check pass, then the import through the core's
                                              pipeline: match detection, audit, row digests)
  3. `simpul import --format reports-jsonl`  of the same rows as report JSON (the core pipeline
                                              alone: the baseline for 2)
  4. raw SQLite inserts of the same rows from Python's sqlite3 (a report row with its body,
     one posting per selector, the row digest; one transaction per 1,000 rows; WAL; same
     synchronous setting): what SQLite alone costs, no parsing, normalising, matching or audit.

Timings are wall clock, end to end, process start included. Not a test: make check never runs it.

Then where the CPU goes on the CSV side, on the same file, in the same run:

  5. bench/csv_bench.c (built here against build/src/lib/libsimpulcore.a, CPU time of one
     process): the reader alone; the reader + the mapping to report JSON + the row digest (what
     the import's source does per row); that + report_parse (validation and normalisation: the
     core's per-row work, done once more by the check pass);
  6. baselines for the reader: Python's csv module over the same file (csv.reader, every cell),
     and `xsv count` / `mlr --icsv --ojson cat` when they are installed (not required).
"""
import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

MAP = {
    "report": {
        "reference": {"column": "case_id"},
        "reported_at": {"column": "date", "format": "DD/MM/YYYY"},
        "scam_type": {"column": "type", "map": {"Investment": "investment", "Job": "job"}},
        "narrative": {"column": "note"},
        "loss": {"amount": {"column": "amount"}, "currency": "MYR"},
    },
    "selectors": [
        {"type": "bank_account", "value": {"column": "account"}, "bank": {"column": "bank"},
         "country": "MY", "role": "mule_account", "required": True},
        {"type": "phone", "value": {"column": "phone"}, "role": "scammer_contact"},
    ],
    "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"]},
}


def gen(rows, csv_path, jsonl_path):
    banks = ["MBBEMYKL", "CIBBMYKL", "PBBEMYKL", "RHBBMYKL", "HLBBMYKL"]
    with open(csv_path, "w") as c, open(jsonl_path, "w") as j:
        c.write("case_id,date,type,amount,account,bank,phone,note\n")
        for i in range(rows):
            acct = "%012d" % (100000000000 + i * 7919)
            bank = banks[i % len(banks)]
            phone = "01%d-%07d" % (2 + i % 8, i % 10000000) if i % 2 == 0 else ""
            day = 1 + i % 28
            typ = "Investment" if i % 3 else "Job"
            amt = "%d.%02d" % (100 + i % 50000, i % 100)
            note = "Transfer reported by branch %d" % (i % 300)
            c.write("CASE-%d,%02d/02/2025,%s,%s,%s,%s,%s,%s\n" % (i, day, typ, amt, acct, bank, phone, note))
            rep = {"reference": "CASE-%d" % i, "reported_at": "2025-02-%02d" % day,
                   "scam_type": typ.lower(), "narrative": note,
                   "loss": {"amount": int(amt.replace(".", "")), "currency": "MYR"},
                   "selectors": [{"type": "bank_account", "value": acct, "bank": bank, "country": "MY",
                                  "role": "mule_account"}],
                   "markings": MAP["markings"]}
            if phone:
                rep["selectors"].append({"type": "phone", "value": phone, "role": "scammer_contact"})
            j.write(json.dumps(rep, separators=(",", ":")) + "\n")


def fresh_db(bin_, d, name):
    db = os.path.join(d, name)
    subprocess.run([bin_, "init", "--db", db, "--json"], check=True, capture_output=True)
    subprocess.run([bin_, "agency", "add", "--db", db, "--id", "MY-BANK1", "--country", "MY",
                    "--kind", "bank", "--name", "bench"], check=True, capture_output=True)
    return db


def timed(args):
    env = dict(os.environ, SIMPUL_NO_PROGRESS="1")
    t = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    secs = time.monotonic() - t
    if p.returncode != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(args[:3]), p.stderr[-500:]))
    return secs, p.stdout


def raw_sqlite(csv_path, db, fast):
    db = sqlite3.connect(db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=%s" % ("NORMAL" if fast else "FULL"))
    db.execute("PRAGMA cache_size=-131072")
    db.executescript("""
CREATE TABLE reports (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, agency_id TEXT NOT NULL,
  reference TEXT NOT NULL, created INTEGER NOT NULL, tlp TEXT NOT NULL, audience TEXT NOT NULL,
  body TEXT NOT NULL);
CREATE TABLE postings (key TEXT NOT NULL, report_rid INTEGER NOT NULL, agency_id TEXT NOT NULL,
  role TEXT NOT NULL, PRIMARY KEY (key, report_rid)) WITHOUT ROWID;
CREATE INDEX postings_report ON postings(report_rid);
CREATE TABLE import_rows (agency_id TEXT NOT NULL, digest BLOB NOT NULL, report_id TEXT NOT NULL,
  created INTEGER NOT NULL, PRIMARY KEY (agency_id, digest)) WITHOUT ROWID;
""")
    t = time.monotonic()
    n = 0
    with open(csv_path) as f:
        next(f)
        db.execute("BEGIN")
        for line in f:
            cells = line.rstrip("\n").split(",")
            rid = "R%025d" % n
            body = json.dumps({"reference": cells[0], "narrative": cells[7]})
            cur = db.execute("INSERT INTO reports(id, agency_id, reference, created, tlp, audience, body)"
                             " VALUES (?, 'MY-BANK1', ?, 0, 'AMBER', '[\"MEMBERS\"]', ?)", (rid, cells[0], body))
            r = cur.lastrowid
            db.execute("INSERT INTO postings VALUES (?, ?, 'MY-BANK1', 'mule_account')",
                       ("bank_account:MY:%s:%s" % (cells[5], cells[4]), r))
            if cells[6]:
                db.execute("INSERT OR IGNORE INTO postings VALUES (?, ?, 'MY-BANK1', 'scammer_contact')",
                           ("phone:" + cells[6], r))
            db.execute("INSERT INTO import_rows VALUES ('MY-BANK1', ?, ?, 0)",
                       (hashlib.blake2b(line.encode(), digest_size=32).digest(), rid))
            n += 1
            if n % 1000 == 0:
                db.execute("COMMIT")
                db.execute("BEGIN")
        db.execute("COMMIT")
    secs = time.monotonic() - t
    db.close()
    return secs, n


def csv_stages(csv_path, map_path):
    """bench/csv_bench.c: [(stage, rows/s, MB/s)] (CPU time), or [] if it cannot be built."""
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    lib = os.path.join(top, "build", "src", "lib", "libsimpulcore.a")
    exe = os.path.join(tempfile.mkdtemp(prefix="spl-csvb-"), "csv_bench")
    libs = subprocess.run(["pkg-config", "--libs", "jansson", "sqlite3", "libsodium", "libpsl", "libidn2",
                           "icu-uc", "icu-i18n", "libcurl", "libxml-2.0"], capture_output=True, text=True)
    p = subprocess.run(["cc", "-O2", "-std=c17", "-D_GNU_SOURCE", "-I" + os.path.join(top, "src", "lib"),
                        os.path.join(here, "csv_bench.c"), lib] + libs.stdout.split() +
                       ["-lphonenumber", "-lstdc++", "-lpthread", "-o", exe], capture_output=True, text=True)
    if p.returncode != 0:
        print("bench: csv_bench.c did not build (run `ninja -C build` first): %s" % p.stderr[-300:])
        return []
    p = subprocess.run([exe, map_path, csv_path], capture_output=True, text=True)
    out = []
    for line in p.stdout.splitlines():
        stage, rows, secs, rps, mbs = line.split()
        out.append((stage, float(rps), float(mbs)))
    shutil.rmtree(os.path.dirname(exe), ignore_errors=True)
    return out


def reader_baselines(csv_path, rows):
    """[(what, rows/s, MB/s)]: Python's csv module (CPU time), xsv / mlr if installed (wall)."""
    import csv
    size = os.path.getsize(csv_path)
    out = []
    t = time.process_time()
    n = 0
    with open(csv_path, newline="") as f:
        for _ in csv.reader(f):
            n += 1
    s = time.process_time() - t
    out.append(("Python csv.reader (every cell)", (n - 1) / s, size / s / 1e6))
    for name, args in (("xsv count", ["xsv", "count"]), ("mlr --icsv --ojson cat", ["mlr", "--icsv", "--ojson", "cat"])):
        if shutil.which(args[0]) is None:
            out.append((name + " (not installed)", None, None))
            continue
        t = time.monotonic()
        subprocess.run(args + [csv_path], check=True, stdout=subprocess.DEVNULL)
        s = time.monotonic() - t
        out.append((name + " (wall clock)", rows / s, size / s / 1e6))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get("SIMPUL_BIN", "build/src/cli/simpul"))
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--fast", action="store_true", help="synchronous=NORMAL for the imports and the baseline")
    a = ap.parse_args()
    bin_ = os.path.abspath(a.bin)
    d = tempfile.mkdtemp(prefix="spl-bench-csv-")
    try:
        csv_path, jsonl_path, map_path = (os.path.join(d, x) for x in ("b.csv", "b.jsonl", "map.json"))
        with open(map_path, "w") as f:
            json.dump(MAP, f)
        gen(a.rows, csv_path, jsonl_path)
        fast = ["--fast"] if a.fast else []
        res = []

        db = fresh_db(bin_, d, "dry.db")
        s, _ = timed([bin_, "import", "--db", db, "--agency", "MY-BANK1", "--format", "csv", "--mapping",
                      map_path, "--dry-run", csv_path])
        res.append(("csv --dry-run (read, map, validate, normalise)", s))

        db = fresh_db(bin_, d, "csv.db")
        s, out = timed([bin_, "import", "--db", db, "--agency", "MY-BANK1", "--format", "csv", "--mapping",
                        map_path, "--json"] + fast + [csv_path])
        j = json.loads(out)
        if j["imported"] != a.rows:
            sys.exit("bench: csv import imported %s of %d rows" % (j["imported"], a.rows))
        res.append(("csv import (check pass + import)", s))

        s, out = timed([bin_, "import", "--db", db, "--agency", "MY-BANK1", "--format", "csv", "--mapping",
                        map_path, "--json"] + fast + [csv_path])
        if json.loads(out)["imported"] != 0:
            sys.exit("bench: the re-import wrote rows")
        res.append(("csv re-import of the same file (nothing written)", s))

        db = fresh_db(bin_, d, "jsonl.db")
        s, _ = timed([bin_, "import", "--db", db, "--agency", "MY-BANK1", "--format", "reports-jsonl",
                      "--json"] + fast + [jsonl_path])
        res.append(("baseline: reports-jsonl import of the same rows", s))

        s, n = raw_sqlite(csv_path, os.path.join(d, "raw.db"), a.fast)
        res.append(("baseline: raw SQLite inserts from Python", s))

        print("CSV import, %d rows, %s, binary %s" % (a.rows, "synchronous=NORMAL" if a.fast
                                                       else "synchronous=FULL", bin_))
        print("| what | seconds | rows/s |")
        print("|---|---:|---:|")
        for what, s in res:
            print("| %s | %.2f | %.0f |" % (what, s, a.rows / s))
        print()
        print("The CSV side alone, same file (CPU time of one process):")
        print("| stage | rows/s | MB/s |")
        print("|---|---:|---:|")
        for stage, rps, mbs in csv_stages(csv_path, map_path):
            print("| simpul: %s | %.0f | %.1f |" % (stage, rps, mbs))
        for what, rps, mbs in reader_baselines(csv_path, a.rows):
            if rps is None:
                print("| baseline: %s | - | - |" % what)
            else:
                print("| baseline: %s | %.0f | %.1f |" % (what, rps, mbs))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
