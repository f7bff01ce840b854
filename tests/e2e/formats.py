#!/usr/bin/env python3
"""End-to-end tests of the exchange formats (issue 5): CSV bulk import, STIX 2.1, TAXII 2.1, MISP.

    python3 tests/e2e/formats.py --bin build/src/cli/simpul [-k SUBSTRING] [-v]

Reuses the helpers of run.py (a real SQLite file, the real `simpul` binary,
a real daemon on a random port). Python standard library only. Ends with
`N passed, N failed`.
"""
import argparse
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as e2e  # noqa: E402

from run import Fail, check, eq, cli, cli_json, short  # noqa: E402,F401

TESTS = []
DATA = os.environ.get("SIMPUL_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "..", "shared", "data")


def test(fn):
    TESTS.append(fn)
    return fn


_node = [None]


def node():
    """One node with a daemon, shared by the tests (each uses its own values)."""
    if _node[0] is None:
        n = e2e.Node("formats")
        n.start()
        _node[0] = n
    return _node[0]


def tmpfile(name, text, mode="w"):
    d = tempfile.mkdtemp(prefix="spl-fmt-")
    p = os.path.join(d, name)
    with open(p, mode) as f:
        f.write(text)
    return p


def db_count(db, sql, *args):
    e2e.audit_settled(db)   # read audits reach the table just after the answer
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return c.execute(sql, args).fetchone()[0]
    finally:
        c.close()


BANK_MAP = {
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
HDR = "case_id,date,type,amount,account,bank,phone,note\n"

_uniq = [int(time.time() * 1000) % 10**6]


def uniq():
    _uniq[0] += 1
    return _uniq[0]


def batch(rows, prefix=None):
    """A bank batch of `rows` rows with account numbers no other test uses."""
    base = uniq() * 100000
    lines = [HDR]
    for i in range(rows):
        lines.append("C%d-%d,01/02/2025,Job,%d.50,%010d,MBBEMYKL,,\n" % (base, i, i, base + i))
    return "".join(lines), ["bank_account:MY:MBBEMYKL:%010d" % (base + i) for i in range(rows)]


def check_until(n, who, key, secs=5):
    """A check by `who`; another process's import shows within 0.2 s."""
    deadline = time.monotonic() + secs
    while True:
        r = n.check1(who, key)
        if r.get("hit") or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def csv_import(n, agency, path, *extra, ok=True):
    mp = tmpfile("map.json", json.dumps(BANK_MAP))
    return cli("import", "--db", n.db, "--agency", agency, "--format", "csv", "--mapping", mp,
               *extra, path, ok=ok)


# ---- CSV ---------------------------------------------------------------------

@test
def csv_import_then_reimport_changes_nothing():
    n = node()
    text, keys = batch(1200)
    path = tmpfile("b.csv", text)
    before = db_count(n.db, "SELECT count(*) FROM reports")
    j = json.loads(csv_import(n, "MY-BANK1", path, "--json").stdout)
    eq((j["rows"], j["imported"], j["duplicates"]), (1200, 1200, 0), "first import")
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before + 1200, "reports after the first import")
    postings = db_count(n.db, "SELECT count(*) FROM postings")
    j = json.loads(csv_import(n, "MY-BANK1", path, "--dry-run", "--json").stdout)
    eq((j["rows"], j["valid"], j["already_imported"]), (1200, 1200, 1200), "dry run after the import")
    j = json.loads(csv_import(n, "MY-BANK1", path, "--json").stdout)
    eq((j["rows"], j["imported"], j["duplicates"]), (1200, 0, 1200), "second import")
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before + 1200, "reports after the second import")
    eq(db_count(n.db, "SELECT count(*) FROM postings"), postings, "postings after the second import")
    # The imported rows are live: a member ASC's check hits the account.
    r = check_until(n, "MY-NSRC", keys[7])
    check(r["hit"] is True, "check of an imported account: %s" % short(r))


@test
def csv_import_of_a_partly_imported_file_writes_the_rest():
    """The source drops rows imported before (batches of 256 looked up at once, a mixed batch
    row by row): a file whose first 700 rows were imported writes exactly the other 500."""
    n = node()
    text, keys = batch(1200)
    lines = text.splitlines(True)
    part = tmpfile("part.csv", "".join(lines[:701]))
    full = tmpfile("full.csv", text)
    j = json.loads(csv_import(n, "MY-BANK2", part, "--json").stdout)
    eq((j["rows"], j["imported"]), (700, 700), "first part")
    before = db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'MY-BANK2'")
    j = json.loads(csv_import(n, "MY-BANK2", full, "--json").stdout)
    eq((j["rows"], j["imported"], j["duplicates"]), (1200, 500, 700), "the whole file")
    eq(db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'MY-BANK2'"), before + 500, "reports")
    j = json.loads(csv_import(n, "MY-BANK2", full, "--json").stdout)
    eq((j["rows"], j["imported"], j["duplicates"]), (1200, 0, 1200), "again")


@test
def csv_dry_run_names_row_column_field_reason():
    n = node()
    text = HDR + ("C1,31/02/2025,Job,10,1234567890,MBBEMYKL,,\n"
                  "C2,01/02/2025,Job,10,,MBBEMYKL,,\n"
                  "C3,01/02/2025,Weird,10,1234567890,MBBEMYKL,,\n"
                  "C4,01/02/2025,Job,1.234,1234567890,MBBEMYKL,,\n"
                  "C5,01/02/2025,Job,10,1234567891,MBBEMYKL,,\n")
    path = tmpfile("bad.csv", text)
    before = db_count(n.db, "SELECT count(*) FROM reports")
    p = csv_import(n, "MY-BANK1", path, "--dry-run", "--json", ok=False)
    eq(p.returncode, 1, "dry run exit status with bad rows")
    j = json.loads(p.stdout)
    eq((j["rows"], j["valid"], j["invalid"]), (5, 1, 4), "counts")
    got = [(x["row"], x["line"], x["column"], x["field"]) for x in j["errors"]]
    eq(got, [(1, 2, "date", "reported_at"), (2, 3, "account", "selectors[0].value"),
             (3, 4, "type", "scam_type"), (4, 5, "amount", "loss.amount")], "issues")
    check(all(x["reason"] for x in j["errors"]), "every issue has a reason")
    # The real import of the same file refuses it whole, naming the rows.
    p = csv_import(n, "MY-BANK1", path, ok=False)
    eq(p.returncode, 1, "import exit status with bad rows")
    check('row 2 (line 3), column "account" -> selectors[0].value' in p.stderr, "stderr: %s" % short(p.stderr))
    check("nothing was imported" in p.stderr, "stderr: %s" % short(p.stderr))
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before, "reports after a refused import")
    # A dry run of a good file says so and writes nothing.
    good, _ = batch(3)
    p = csv_import(n, "MY-BANK1", tmpfile("g.csv", good), "--dry-run")
    check("3 rows: 3 valid, 0 invalid" in p.stdout, "dry run: %s" % short(p.stdout))
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before, "reports after a dry run")


@test
def csv_interrupted_stdin_import_resumes():
    n = node()
    text, keys = batch(2500)
    lines = text.splitlines(True)
    broken = "".join(lines[:1601]) + 'C,01/02/2025,Job,1,1,B,,"never closed\n'
    mp = tmpfile("map.json", json.dumps(BANK_MAP))
    before = db_count(n.db, "SELECT count(*) FROM reports")
    p = cli("import", "--db", n.db, "--agency", "MY-BANK2", "--format", "csv", "--mapping", mp, "-",
            input=broken, ok=False)
    eq(p.returncode, 1, "exit status of the broken import")
    check("line 1602" in p.stderr and "never closed" in p.stderr, "stderr: %s" % short(p.stderr))
    check("run the same command again to resume" in p.stderr, "stderr: %s" % short(p.stderr))
    # Transactions hold whole 1,000-row batches (about a second each): what
    # stayed is 0 or 1,000 rows, never part of a batch.
    committed = db_count(n.db, "SELECT count(*) FROM reports") - before
    check(committed in (0, 1000), "whole batches committed: %d" % committed)
    p = cli("import", "--db", n.db, "--agency", "MY-BANK2", "--format", "csv", "--mapping", mp, "--json", "-",
            input=text)
    j = json.loads(p.stdout)
    eq((j["imported"], j["duplicates"]), (2500 - committed, committed), "resumed import")
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before + 2500, "reports after the resumed import")


@test
def csv_quoting_bom_crlf_and_read_back():
    n = node()
    acct = "%010d" % (uniq() * 7)
    text = ("\ufeff" + HDR.replace("\n", "\r\n") +
            'R1,05/03/2025,Investment,"12,500.00",%s,CIBBMYKL,+60 12-345 6789,"He said ""send it"",\r\nthen, left"\r\n'
            % acct)
    path = tmpfile("q.csv", text, mode="w")
    cli("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "csv",
        "--mapping", tmpfile("map.json", json.dumps(BANK_MAP)), path)
    key = "bank_account:MY:CIBBMYKL:" + acct
    r = check_until(n, "MY-BANK1", key)
    recs = r.get("records") or []
    check(recs, "the bank sees its own row: %s" % short(r))
    got = n.get("/api/v1/reports/" + recs[0]["id"], "MY-BANK1").json
    eq(got.get("reference"), "R1", "reference")
    eq(got.get("reported_at"), "2025-03-05", "reported_at")
    eq(got.get("scam_type"), "investment", "scam_type")
    eq(got.get("narrative"), 'He said "send it",\r\nthen, left', "narrative")
    eq(got.get("loss"), {"amount": 1250000, "currency": "MYR"}, "loss")
    eq(got.get("markings", {}).get("tlp"), "AMBER", "tlp")


@test
def csv_real_wallet_list_by_position():
    path = os.path.join(DATA, "scams", "openaml_address_fraud.csv")
    if not os.path.exists(path):
        raise Fail("test data missing: %s (set SIMPUL_DATA)" % path)
    n = node()
    mp = tmpfile("m.json", json.dumps({
        "header": False, "report": {"scam_type": "investment"},
        "selectors": [{"type": "crypto", "value": {"column": 2}, "chain": {"column": 1},
                       "role": "payment_destination"}],
        "markings": {"tlp": "GREEN", "releasable_to": ["ALL_LE"]}}))
    with open(path) as f:
        rows = sum(1 for line in f if line.strip())
    j = cli_json("import", "--db", n.db, "--agency", "TH-AOC", "--format", "csv", "--mapping", mp,
                 "--json", path)
    eq((j["rows"], j["imported"]), (rows, rows), "wallet rows imported")
    # The same address on several chains: one EVM key, so the rows match each other.
    j2 = cli_json("import", "--db", n.db, "--agency", "TH-AOC", "--format", "csv", "--mapping", mp,
                  "--json", path)
    eq(j2["imported"], 0, "re-import of the wallet list")


@test
def csv_mapping_errors_are_actionable():
    n = node()
    good, _ = batch(2)
    path = tmpfile("g.csv", good)
    m = dict(BANK_MAP, colour="red")
    p = cli("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "csv",
            "--mapping", tmpfile("m.json", json.dumps(m)), path, ok=False)
    eq(p.returncode, 1, "unknown mapping key")
    check('unknown key "colour"' in p.stderr, "stderr: %s" % short(p.stderr))
    m = json.loads(json.dumps(BANK_MAP))
    m["selectors"][0]["value"]["column"] = "acct_no"
    p = cli("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "csv",
            "--mapping", tmpfile("m.json", json.dumps(m)), path, ok=False)
    eq(p.returncode, 1, "missing column")
    check('no column "acct_no"' in p.stderr, "stderr: %s" % short(p.stderr))
    p = cli("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "csv", path, ok=False)
    eq(p.returncode, 2, "no mapping")
    check("--mapping" in p.stderr, "stderr: %s" % short(p.stderr))
    p = cli("import", "--help")
    check("--format csv" in p.stdout and "--dry-run" in p.stdout, "help: %s" % short(p.stdout))


@test
def csv_progress_bar_on_a_terminal():
    n = node()
    text, _ = batch(3000)
    path = tmpfile("p.csv", text)
    mp = tmpfile("map.json", json.dumps(BANK_MAP))
    env = dict(os.environ)
    env.pop("SIMPUL_NO_PROGRESS", None)
    master, slave = pty.openpty()
    p = subprocess.Popen([e2e.BIN, "import", "--db", n.db, "--agency", "MY-BANK2", "--format", "csv",
                          "--mapping", mp, path], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=120)
    os.close(master)
    eq(p.returncode, 0, "exit status")
    s = out.decode(errors="replace")
    check("importing [" in s and "/s ETA" in s, "no progress bar with rate and ETA on the terminal: %r" % s[-300:])


# ---- STIX 2.1 ----------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATOR = os.path.join(HERE, "..", "stix", "validate.mjs")
_defs = [None]


def stix_validate(bundle):
    """Validate a bundle (dict) with tests/stix/validate.mjs (ajv, the OASIS schemas)."""
    if _defs[0] is None:
        p = cli("export", "--format", "stix-extensions")
        _defs[0] = tmpfile("defs.json", p.stdout)
    path = tmpfile("bundle.json", json.dumps(bundle))
    if not os.path.isdir(os.path.join(HERE, "..", "stix", "node_modules")):
        raise Fail("tests/stix/node_modules missing: run `npm ci` in tests/stix (scripts/check.sh does)")
    p = subprocess.run(["node", VALIDATOR, "--definitions", _defs[0], path], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, SIMPUL_DATA=DATA))
    check(p.returncode == 0, "bundle does not validate: %s" % short(p.stdout + p.stderr, 1500))


def audit_count(db, action, outcome):
    return db_count(db, "SELECT count(*) FROM audit WHERE json_extract(entry, '$.action') = ?"
                    " AND json_extract(entry, '$.outcome') = ?", action, outcome)


def stix_report(n, who="MY-NSRC", **kw):
    u = uniq()
    body = {
        "reference": "STIX-%d" % u, "reported_at": "2025-02-01", "scam_type": "investment",
        "narrative": "Victim paid into a mule account.", "loss": {"amount": 123450, "currency": "MYR"},
        "victim_country": "MY",
        "selectors": [
            {"type": "bank_account", "value": "%010d" % (u * 3), "bank": "MBBEMYKL", "role": "mule_account"},
            {"type": "phone", "value": "+6012%07d" % (u % 10**7), "role": "scammer_contact"},
            {"type": "crypto", "value": "0x%040x" % (u * 7919), "chain": "eth", "role": "payment_destination"},
            {"type": "url", "value": "https://scam-%d.example.com/pay?x=1" % u, "role": "phishing_site"},
            {"type": "handle", "value": "@scam%d" % u, "platform": "telegram", "role": "scammer_contact"},
            {"type": "ewallet", "value": "+6013%07d" % (u % 10**7), "provider": "grabpay", "role": "mule_account"},
            {"type": "email", "value": "mule%d@example.com" % u},
            {"type": "imei", "value": "490154203237518"},
        ],
        "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"], "grading": "B2"},
    }
    body.update(kw)
    return n.post_report(who, body)["id"]


def meaning(bundle):
    """What a round trip must keep: the report's Simpul fields, its selectors
    with their roles, its markings."""
    objs = {o["id"]: o for o in bundle["objects"]}
    ext = "extension-definition--9204e2b6-3a06-4c4f-88bc-419faf0db413"
    rep = [o for o in bundle["objects"] if o["type"] == "report"]
    check(len(rep) == 1, "one report object: %d" % len(rep))
    rep = rep[0]
    fields = {k: v for k, v in rep["extensions"][ext].items() if k not in ("report_id", "agency_id", "version")}
    sels = sorted((o["extensions"][ext]["selector_key"], o["extensions"][ext]["role"])
                  for o in bundle["objects"] if o["type"] == "sighting")
    marks = sorted(json.dumps(objs[m].get("extensions"), sort_keys=True) for m in rep["object_marking_refs"])
    return fields, sels, marks, rep.get("description"), rep["name"]


@test
def stix_export_validates_and_is_audited():
    n = node()
    rid = stix_report(n)
    before = audit_count(n.db, "report.export", "ok")
    r = n.get("/api/v1/export/stix?report=" + rid, "MY-NSRC")
    eq(r.status, 200, "export status (%s)" % short(r.text))
    check(r.ctype().startswith("application/stix+json"), "content type %s" % r.ctype())
    b = r.json
    stix_validate(b)
    types = [o["type"] for o in b["objects"]]
    for t in ("report", "identity", "indicator", "sighting", "relationship", "phone-number", "bank-account",
              "cryptocurrency-wallet", "url", "user-account", "email-addr", "simpul-selector", "marking-definition"):
        check(t in types, "no %s in the bundle" % t)
    check("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" in
          [o["id"] for o in b["objects"]], "the FIRST TLP:AMBER marking-definition")
    eq(len(meaning(b)[1]), 8, "sightings (one per selector)")
    eq(audit_count(n.db, "report.export", "ok"), before + 1, "export audit entries")
    # Another member ASC may export it too (MEMBERS, not originator-controlled).
    r = n.get("/api/v1/export/stix?report=" + rid, "TH-AOC")
    eq(r.status, 200, "TH-AOC export (%s)" % short(r.text))
    stix_validate(r.json)


@test
def stix_export_refusals():
    n = node()
    rid = stix_report(n)
    orcon = stix_report(n, markings={"tlp": "AMBER", "releasable_to": ["MEMBERS"], "orcon": True})
    before = audit_count(n.db, "report.export", "refused:404")
    for who, what in (("UK-NCA", rid), ("MY-BANK1", rid), ("MY-PUBLIC", rid), ("TH-AOC", orcon),
                      ("MY-NSRC", "01ZZZZZZZZZZZZZZZZZZZZZZZZ")):
        r = n.get("/api/v1/export/stix?report=" + what, who)
        e2e.assert_problem(r, 404, "report", "export of %s as %s" % (what, who))
    eq(audit_count(n.db, "report.export", "refused:404"), before + 5, "refusals audited")
    # An orcon record may be read by its audience but leaves only with its originator.
    eq(n.get("/api/v1/reports/" + orcon, "TH-AOC").status, 200, "TH-AOC reads the orcon report")
    eq(n.get("/api/v1/export/stix?report=" + orcon, "MY-NSRC").status, 200, "the originator exports it")
    # Several ids: all must be exportable, else nothing.
    r = n.get("/api/v1/export/stix?report=%s,%s" % (rid, orcon), "TH-AOC")
    e2e.assert_problem(r, 404, "report", "mixed export")
    r = n.get("/api/v1/export/stix", "MY-NSRC")
    e2e.assert_problem(r, 400, "report", "no report parameter")
    r = n.get("/api/v1/export/stix?report=" + ",".join([rid] * 101), "MY-NSRC")
    e2e.assert_problem(r, 400, "report", "101 reports")
    eq(n.get("/api/v1/export/stix?report=" + rid).status, 401, "no token")


@test
def stix_round_trip_export_import_export():
    n = node()
    rid = stix_report(n, markings={"tlp": "AMBER+STRICT", "releasable_to": ["MEMBERS", "GB"], "grading": "B2",
                                    "handling": "H2"})
    out = os.path.join(tempfile.mkdtemp(prefix="spl-fmt-"), "b1.json")
    cli("export", "--db", n.db, "--agency", "MY-NSRC", "--format", "stix", "--report", rid, "--out", out)
    with open(out) as f:
        b1 = json.load(f)
    stix_validate(b1)
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--json", out)
    eq((j["reports"], j["imported"], j["skipped"]), (1, 1, 0), "import")
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--json", out)
    eq((j["imported"], j["duplicates"]), (0, 1), "second import of the same bundle")
    new = db_count(n.db, "SELECT id FROM reports WHERE agency_id = 'SG-ASCOM' AND reference = ?",
                   b1 and [o for o in b1["objects"] if o["type"] == "report"][0]["name"])
    r = n.get("/api/v1/export/stix?report=" + new, "SG-ASCOM")
    eq(r.status, 200, "re-export (%s)" % short(r.text))
    stix_validate(r.json)
    eq(meaning(r.json), meaning(b1), "meaning and markings after export -> import -> export")


@test
def stix_import_malformed_changes_nothing():
    n = node()
    before = db_count(n.db, "SELECT count(*) FROM reports")
    bad = {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--1d0092c5-5f74-4287-9642-33f4c354e56d",
         "pattern": "[domain-name:value = 'ok.example']", "pattern_type": "stix"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--2d0092c5-5f74-4287-9642-33f4c354e56d",
         "pattern": "[url:value = 'http://x.example]", "pattern_type": "stix"}]}
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", tmpfile("bad.json", json.dumps(bad)),
            ok=False)
    eq(p.returncode, 1, "exit status")
    check("objects[1].pattern" in p.stderr and "not closed" in p.stderr, "stderr: %s" % short(p.stderr))
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix",
            tmpfile("bad.json", '{"type": "bundle",\n "objects": [}'), ok=False)
    eq(p.returncode, 1, "exit status (JSON)")
    check("line 2" in p.stderr, "stderr names the line: %s" % short(p.stderr))
    # A report that report_parse refuses (a country that is not ISO 3166): named, nothing written.
    bad2 = {"type": "bundle", "id": "bundle--6d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
        {"type": "bank-account", "spec_version": "2.1", "id": "bank-account--1d0092c5-5f74-4287-9642-33f4c354e56d",
         "account_number": "123", "bank": "B", "country": "Malaysia"}]}
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix",
            tmpfile("bad2.json", json.dumps(bad2)), ok=False)
    eq(p.returncode, 1, "exit status (bad report)")
    check("selectors[0].country" in p.stderr and "nothing was imported" in p.stderr, "stderr: %s" % short(p.stderr))
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before, "reports after refused imports")


# ---- TAXII 2.1 ---------------------------------------------------------------

TAXII_MT = "application/taxii+json;version=2.1"


def taxii(n, who, path, method="GET", body=None, status=200):
    """A request as a TAXII 2.1 client makes it (Accept: the TAXII media type)."""
    h = {"Accept": TAXII_MT}
    if body is not None:
        h["Content-Type"] = TAXII_MT
    r = n.req(method, path, who, body=body, headers=h)
    eq(r.status, status, "%s %s as %s (%s)" % (method, path, who, short(r.text)))
    check(r.ctype().startswith("application/taxii+json"), "%s %s: Content-Type %r" % (method, path, r.ctype()))
    return r


def collection(n, who, title_part):
    cols = taxii(n, who, "/taxii2/api/collections/").json["collections"]
    got = [c for c in cols if title_part in c["title"]]
    check(len(got) == 1, "collection %r for %s: %s" % (title_part, who, [c["title"] for c in cols]))
    return got[0]


def ts_now():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1)) + ".000Z"


@test
def taxii_discovery_root_and_collections():
    n = node()
    d = taxii(n, "TH-AOC", "/taxii2/").json
    eq(d["api_roots"], ["/taxii2/api/"], "api_roots")
    root = taxii(n, "TH-AOC", "/taxii2/api/").json
    eq(root["versions"], [TAXII_MT], "versions")
    titles = lambda who: sorted(c["title"] for c in taxii(n, who, "/taxii2/api/collections/").json["collections"])
    eq(titles("TH-AOC"), sorted(["Reports of TH-AOC", "Reports releasable to MEMBERS", "Reports releasable to ALL_LE",
                                 "Reports releasable to TH", "Reports releasable to TH-AOC", "Notices"]),
       "TH-AOC collections")
    eq(titles("UK-NCA"), sorted(["Reports of UK-NCA", "Reports releasable to ALL_LE", "Reports releasable to GB",
                                 "Reports releasable to UK-NCA", "Notices"]), "UK-NCA collections")
    eq(titles("MY-BANK1"), sorted(["Reports of MY-BANK1", "Reports releasable to PRIVATE",
                                   "Reports releasable to MY-BANK1", "Notices"]), "bank collections")
    eq(titles("MY-PUBLIC"), ["Reports of MY-PUBLIC"], "public collections")
    own = collection(n, "TH-AOC", "Reports of TH-AOC")
    check(own["can_write"] and own["can_read"], "own collection is readable and writable")
    mem = collection(n, "TH-AOC", "MEMBERS")
    check(not mem["can_write"], "MEMBERS collection is read-only")
    eq(taxii(n, "TH-AOC", "/taxii2/api/collections/%s/" % mem["id"]).json["id"], mem["id"], "one collection")
    # Another principal's collection is not there for you; unknown looks the same.
    bank_own = collection(n, "MY-BANK1", "Reports of MY-BANK1")
    before = audit_count(n.db, "taxii.collection", "refused:404")
    taxii(n, "TH-AOC", "/taxii2/api/collections/%s/objects/" % bank_own["id"], status=404)
    taxii(n, "TH-AOC", "/taxii2/api/collections/00000000-0000-5000-8000-000000000000/", status=404)
    eq(audit_count(n.db, "taxii.collection", "refused:404"), before + 2, "refusals audited")
    eq(n.req("GET", "/taxii2/", None).status, 401, "no token")
    r = n.req("GET", "/taxii2/", "TH-AOC", headers={"Accept": "text/html"})
    eq(r.status, 406, "Accept text/html")


@test
def taxii_objects_paging_filters_manifest_versions():
    n = node()
    since = ts_now()
    time.sleep(1.1)
    mine = [stix_report(n) for _ in range(3)]
    orcon = stix_report(n, markings={"tlp": "AMBER", "releasable_to": ["MEMBERS"], "orcon": True})
    mem = collection(n, "TH-AOC", "MEMBERS")
    base = "/taxii2/api/collections/%s/" % mem["id"]
    before = audit_count(n.db, "taxii.objects", "ok")
    objs, pages, nxt = [], 0, None
    while True:
        q = "objects/?limit=7&added_after=" + since + ("&next=" + nxt if nxt else "")
        r = taxii(n, "TH-AOC", base + q)
        j = r.json
        pages += 1
        check(len(j.get("objects", [])) <= 7, "page larger than limit")
        if j.get("objects"):
            check(r.headers.get("x-taxii-date-added-first") and r.headers.get("x-taxii-date-added-last"),
                  "pagination headers missing: %s" % r.headers)
        objs += j.get("objects", [])
        if not j["more"]:
            break
        nxt = j["next"]
        check(pages < 100, "paging does not end")
    check(pages > 3, "several pages: %d" % pages)
    eq(audit_count(n.db, "taxii.objects", "ok"), before + pages, "one audit entry per page")
    ext = "extension-definition--9204e2b6-3a06-4c4f-88bc-419faf0db413"
    reps = [o["extensions"][ext]["report_id"] for o in objs if o["type"] == "report"]
    for rid in mine:
        eq(reps.count(rid), 1, "report %s once in the paged collection" % rid)
    check(orcon not in reps, "an orcon report is not shared onward through TAXII")
    # Every object of the pages is one a single export of the same reports gives.
    want = set()
    for rid in mine:
        want |= {o["id"] for o in n.get("/api/v1/export/stix?report=" + rid, "MY-NSRC").json["objects"]}
    got = {o["id"] for o in objs if o["type"] != "report" or o["extensions"][ext]["report_id"] in mine}
    check(want <= got, "objects missing from the pages: %s" % sorted(want - got)[:5])
    stix_validate({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
                   "objects": list({o["id"]: o for o in objs}.values())})
    # match[type], match[id], manifest, one object, its versions.
    j = taxii(n, "TH-AOC", base + "objects/?match[type]=report&added_after=" + since).json
    # added_after starts a second early: an earlier test's reports may be in the window, so
    # every object must be a report, and this test's ones must be exactly its own.
    check(j["objects"] and all(o["type"] == "report" for o in j["objects"]), "match[type]=report: only reports")
    eq(sorted(r for r in (o["extensions"][ext]["report_id"] for o in j["objects"]) if r in mine), sorted(mine),
       "match[type]=report")
    rep_obj = j["objects"][0]
    j = taxii(n, "TH-AOC", base + "objects/?match[id]=%s&added_after=%s" % (rep_obj["id"], since)).json
    eq([o["id"] for o in j["objects"]], [rep_obj["id"]], "match[id]")
    j = taxii(n, "TH-AOC", base + "objects/?match[type]=report&match[version]=%s&added_after=%s"
              % (rep_obj["modified"], since)).json
    check(rep_obj["id"] in [o["id"] for o in j["objects"]], "match[version]")
    j = taxii(n, "TH-AOC", base + "manifest/?match[type]=report&added_after=" + since).json
    eq(sorted(m["id"] for m in j["objects"]), sorted(o["id"] for o in taxii(
        n, "TH-AOC", base + "objects/?match[type]=report&added_after=" + since).json["objects"]), "manifest ids")
    check(all(m["media_type"].startswith("application/stix+json") and m["version"] and m["date_added"]
              for m in j["objects"]), "manifest records")
    j = taxii(n, "TH-AOC", base + "objects/%s/" % rep_obj["id"]).json
    eq([o["id"] for o in j["objects"]], [rep_obj["id"]], "one object")
    j = taxii(n, "TH-AOC", base + "objects/%s/versions/" % rep_obj["id"]).json
    eq(j["versions"], [rep_obj["modified"]], "versions")
    taxii(n, "TH-AOC", base + "objects/report--00000000-0000-5000-8000-000000000000/", status=404)
    taxii(n, "TH-AOC", base + "objects/?limit=0", status=400)
    taxii(n, "TH-AOC", base + "objects/?added_after=yesterday", status=400)
    taxii(n, "TH-AOC", base + "objects/?next=junk", status=400)
    # The originator's own collection has the orcon report.
    own = collection(n, "MY-NSRC", "Reports of MY-NSRC")
    j = taxii(n, "MY-NSRC", "/taxii2/api/collections/%s/objects/?match[type]=report&added_after=%s"
              % (own["id"], since)).json
    check(orcon in [o["extensions"][ext]["report_id"] for o in j["objects"]], "orcon report in the originator's collection")


@test
def taxii_post_objects_answers_a_status():
    n = node()
    u = uniq()
    env = {"objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--1d0092c5-5f74-4287-9642-%012d" % u,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'taxii-%d.example']" % u, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--2d0092c5-5f74-4287-9642-%012d" % u,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[ipv4-addr:value = '10.0.0.1' OR ipv4-addr:value = '10.0.0.2']", "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z"}]}
    own = collection(n, "SG-ASCOM", "Reports of SG-ASCOM")
    path = "/taxii2/api/collections/%s/objects/" % own["id"]
    before = db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'SG-ASCOM'")
    adds = audit_count(n.db, "taxii.add", "ok")
    st = taxii(n, "SG-ASCOM", path, "POST", env, status=202).json
    eq(audit_count(n.db, "taxii.add", "ok"), adds + 1, "the post is audited")
    eq((st["status"], st["total_count"], st["success_count"], st["failure_count"], st["pending_count"]),
       ("complete", 2, 1, 1, 0), "status resource")
    eq(st["failures"][0]["id"], env["objects"][1]["id"], "the OR pattern is the failure")
    eq(db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'SG-ASCOM'"), before + 1, "one report")
    r = check_until(n, "SG-ASCOM", "domain:taxii-%d.example" % u)
    check(r["hit"], "the posted indicator is a selector: %s" % short(r))
    # The same envelope again changes nothing.
    taxii(n, "SG-ASCOM", path, "POST", env, status=202)
    eq(db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'SG-ASCOM'"), before + 1, "re-post")
    # Only your own collection; malformed envelopes are named.
    mem = collection(n, "SG-ASCOM", "MEMBERS")
    refused = audit_count(n.db, "taxii.add", "refused:403")
    taxii(n, "SG-ASCOM", "/taxii2/api/collections/%s/objects/" % mem["id"], "POST", env, status=403)
    eq(audit_count(n.db, "taxii.add", "refused:403"), refused + 1, "the refusal is audited")
    j = taxii(n, "SG-ASCOM", path, "POST", {"objects": [{"type": "indicator", "id": "indicator--1",
                                                          "pattern": "[url:value = 'x"}]}, status=400).json
    eq(j["details"]["field"], "objects[0].pattern", "malformed pattern named")
    eq(j["http_status"], "400", "TAXII error resource")
    taxii(n, "SG-ASCOM", path, "POST", "not json", status=400)
    eq(db_count(n.db, "SELECT count(*) FROM reports WHERE agency_id = 'SG-ASCOM'"), before + 1, "after refusals")


# ---- STIX: networks, persons, notices ---------------------------------------

PROPS = "extension-definition--9204e2b6-3a06-4c4f-88bc-419faf0db413"


def report_meanings(bundle):
    """Per report object (not notices): its Simpul fields, its selectors with roles,
    its markings, description and name; sorted, so bundles can be compared."""
    objs = {o["id"]: o for o in bundle["objects"]}
    out = []
    for rep in bundle["objects"]:
        x = rep.get("extensions", {}).get(PROPS, {})
        if rep["type"] != "report" or x.get("record") in ("notice", "network"):
            continue
        fields = {k: v for k, v in x.items() if k not in ("report_id", "agency_id", "version", "extension_type")}
        sels = sorted((objs[r]["extensions"][PROPS]["selector_key"], objs[r]["extensions"][PROPS]["role"])
                      for r in rep["object_refs"] if objs[r]["type"] == "sighting")
        marks = sorted(json.dumps(objs[m].get("extensions"), sort_keys=True) for m in rep["object_marking_refs"])
        out.append(json.dumps([fields, sels, marks, rep.get("description"), rep["name"]], sort_keys=True))
    return sorted(out)


def net_report(n, who, keys, markings=None, **kw):
    """A report naming bank accounts (`keys`: account digits) and phones."""
    u = uniq()
    sels = []
    for k in keys:
        if k.startswith("+"):
            sels.append({"type": "phone", "value": k, "role": "scammer_contact"})
        else:
            sels.append({"type": "bank_account", "value": k, "bank": "MBBEMYKL", "country": "MY",
                         "role": "mule_account"})
    body = {"reference": "NET-%d" % u, "reported_at": "2025-03-01", "scam_type": "investment",
            "narrative": "Network case %d." % u, "selectors": sels,
            "markings": markings or {"tlp": "AMBER", "releasable_to": ["MEMBERS"]}}
    body.update(kw)
    return n.post_report(who, body)["id"]


def network_of(n, who, key):
    j = n.get("/api/v1/networks?key=" + key, who)
    eq(j.status, 200, "networks of %s as %s (%s)" % (key, who, short(j.text)))
    check(j.json["networks"], "no network names %s for %s" % (key, who))
    return j.json["networks"][0]["id"]


@test
def stix_network_export_policy_parts_and_round_trip():
    n = node()
    u = uniq()
    x, y = "%010d" % (u * 11 + 1), "%010d" % (u * 11 + 2)
    p2 = "%010d" % (u * 11 + 3)
    # A -x- B -p2- C(orcon, TH) -y- E; D (TH police, hit-only to MY and SG) names x too.
    a = net_report(n, "MY-NSRC", [x])
    b = net_report(n, "TH-AOC", [x, p2])
    c = net_report(n, "TH-AOC", [p2, y], markings={"tlp": "AMBER", "releasable_to": ["MEMBERS"], "orcon": True})
    e = net_report(n, "MY-NSRC", [y])
    d = net_report(n, "TH-CIB", [x], markings={"tlp": "AMBER", "releasable_to": ["TH"], "disclosure": "hit"})
    key = [sl["key"] for sl in n.get("/api/v1/reports/" + a, "MY-NSRC").json["selectors"]][0]
    nid = network_of(n, "MY-NSRC", key)
    full = n.get("/api/v1/networks/" + nid, "MY-NSRC").json
    eq(sorted(full["report_ids"]), sorted([a, b, c, e]), "MY-NSRC's view of the network (D is hit-only)")
    before = audit_count(n.db, "network.export", "ok")
    r = n.get("/api/v1/export/stix?network=" + nid, "MY-NSRC")
    eq(r.status, 200, "network export (%s)" % short(r.text))
    check(r.ctype().startswith("application/stix+json"), "content type %s" % r.ctype())
    stix_validate(r.json)
    objs = r.json["objects"]
    exported = sorted(o["extensions"][PROPS]["report_id"] for o in objs if o["type"] == "report"
                      and "report_id" in o["extensions"][PROPS])
    # C may not leave with MY-NSRC (orcon), and E is linked to the others only through C.
    eq(exported, sorted([a, b]), "exported reports")
    eq(r.headers.get("x-simpul-withheld"), "2", "withheld header")
    check(d not in json.dumps(r.json) and c not in json.dumps(r.json) and e not in json.dumps(r.json),
          "no trace of the hit-only, orcon or unlinked reports")
    g = [o for o in objs if o["type"] == "report" and o["extensions"][PROPS].get("record") == "network"]
    eq(len(g), 1, "one network object")
    eq(g[0]["report_types"], ["campaign"], "the network's report type")
    eq(sorted(g[0]["object_refs"]), sorted(o["id"] for o in objs if o["type"] == "report" and o is not g[0]),
       "the network object refers to its reports")
    eq(g[0]["extensions"][PROPS]["network_id"], nid, "the network object names the network")
    eq(audit_count(n.db, "network.export", "ok"), before + 1, "export audited")
    # TH-AOC (originator of C, and in D's audience TH) exports the whole network.
    r2 = n.get("/api/v1/export/stix?network=" + network_of(n, "TH-AOC", key), "TH-AOC")
    eq(r2.status, 200, "TH-AOC network export (%s)" % short(r2.text))
    stix_validate(r2.json)
    eq(sorted(o["extensions"][PROPS]["report_id"] for o in r2.json["objects"] if o["type"] == "report"
              and "report_id" in o["extensions"][PROPS]),
       sorted([a, b, c, d, e]), "the originator of the orcon report exports it (and D, released to TH)")
    # MISP carries the same reports.
    r3 = n.get("/api/v1/export/misp?network=" + nid, "MY-NSRC")
    eq(r3.status, 200, "MISP network export (%s)" % short(r3.text))
    # Refusals: the public, an agency that sees no such network, an unknown id; all audited.
    refused = audit_count(n.db, "network.export", "refused:404")
    e2e.assert_problem(n.get("/api/v1/export/stix?network=" + nid, "UK-NCA"), 404, "network", "UK-NCA")
    e2e.assert_problem(n.get("/api/v1/export/stix?network=net_0000000000000000", "MY-NSRC"), 404, "network",
                       "unknown network")
    eq(audit_count(n.db, "network.export", "refused:404"), refused + 2, "refusals audited")
    eq(n.get("/api/v1/export/stix?network=" + nid, "MY-PUBLIC").status, 403, "the public")
    e2e.assert_problem(n.get("/api/v1/export/stix?network=%s&report=%s" % (nid, a), "MY-NSRC"), 400, None,
                       "two kinds at once")
    # Round trip: SG-ASCOM imports the bundle; its network holds the copies with the same meaning.
    out = tmpfile("net.json", json.dumps(r.json))
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--json", out)
    eq((j["reports"], j["imported"]), (2, 2), "import of the network bundle (the grouping is derived)")
    check(any(s["reason"].startswith("a Simpul network") for s in
              cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--dry-run", "--json",
                       out)["skipped"]), "the grouping is listed as skipped")
    p = cli("export", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--network",
            network_of(n, "SG-ASCOM", key))
    b2 = json.loads(p.stdout)
    stix_validate(b2)
    check("reports exported" in p.stderr, "the CLI says what it left out: %s" % short(p.stderr))
    m1, m2 = report_meanings(r.json), report_meanings(b2)
    for m in m1:
        check(m2.count(m) >= 2, "a report's meaning after export -> import -> export (original and copy)")


def post_json(n, who, path, body, status=201):
    r = n.post(path, who, body)
    eq(r.status, status, "POST %s as %s (%s)" % (path, who, short(r.text)))
    return r.json


def person_meaning(bundle):
    ps = []
    for o in bundle["objects"]:
        if o["type"] == "identity" and o.get("identity_class") == "individual":
            x = o["extensions"][PROPS]
            ps.append(json.dumps([o["name"], o.get("roles"), {k: v for k, v in x.items() if k not in (
                "person_id", "agency_id", "version", "links", "extension_type")},
                x.get("links", {}).get("selectors"),
                sorted(json.dumps(m) for m in o["object_marking_refs"])], sort_keys=True))
    return sorted(ps)


def notice_meaning(bundle):
    objs = {o["id"]: o for o in bundle["objects"]}
    out = []
    for o in bundle["objects"]:
        x = o.get("extensions", {}).get(PROPS, {})
        if o["type"] != "report" or x.get("record") != "notice":
            continue
        subj = sorted(s.get("key") or objs[s["ref"]]["name"] for s in x["subjects"])
        out.append(json.dumps([o["name"], o.get("description"), o["report_types"], x["notice_kind"], subj,
                               sorted(o["object_marking_refs"])], sort_keys=True))
    return sorted(out)


@test
def stix_persons_and_notices_export_import_round_trip():
    n = node()
    u = uniq()
    phone = "+6019%07d" % (u % 10**7)
    person = {"ref": "P-%d" % u, "names": ["Somchai Jaidee %d" % u, {"name": "สมชาย ใจดี", "strength": "weak"}],
              "dob": "1985-04", "nationality": ["TH"], "gender": "male", "role": "wanted",
              "documents": [{"number": "AA%07d" % u, "type": "passport", "country": "THA"}],
              "links": {"selectors": ["phone:" + phone]},
              "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"], "grading": "B2"}}
    pid = post_json(n, "MY-NSRC", "/api/v1/persons", person)["id"]
    notice = {"kind": "wanted_person", "title": "Wanted: compound recruiter %d" % u,
              "text": "Recruits victims through job adverts.", "subjects": [
                  {"type": "person", "id": pid}, {"type": "selector", "key": "phone:" + phone}],
              "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"]}}
    nid = post_json(n, "MY-NSRC", "/api/v1/notices", notice)["id"]
    orcon = post_json(n, "MY-NSRC", "/api/v1/persons", dict(person, ref="P-%d-o" % u, markings={
        "tlp": "AMBER", "releasable_to": ["MEMBERS"], "orcon": True}))["id"]
    before = audit_count(n.db, "notice.export", "ok")
    r = n.get("/api/v1/export/stix?notice=" + nid, "MY-NSRC")
    eq(r.status, 200, "notice export (%s)" % short(r.text))
    stix_validate(r.json)
    eq(audit_count(n.db, "notice.export", "ok"), before + 1, "notice export audited")
    types = [o["type"] for o in r.json["objects"]]
    check("identity" in types and "phone-number" in types and "relationship" in types, "types %s" % types)
    eq(len(person_meaning(r.json)), 1, "the notice carries its person")
    eq(len(notice_meaning(r.json)), 1, "one notice")
    rep = [o for o in r.json["objects"] if o["type"] == "report"][0]
    eq(rep["report_types"], ["threat-actor"], "a wanted-person notice")
    r = n.get("/api/v1/export/stix?person=" + pid, "TH-AOC")
    eq(r.status, 200, "person export by another member (%s)" % short(r.text))
    stix_validate(r.json)
    ind = [o for o in r.json["objects"] if o["type"] == "identity" and o.get("identity_class") == "individual"]
    eq((ind[0]["name"], ind[0]["roles"]), ("Somchai Jaidee %d" % u, ["wanted"]), "the person's identity")
    # Refusals, each audited.
    r403 = audit_count(n.db, "person.export", "refused:403")
    r404 = audit_count(n.db, "person.export", "refused:404")
    eq(n.get("/api/v1/export/stix?person=" + pid, "MY-BANK1").status, 403, "a bank exports no person")
    e2e.assert_problem(n.get("/api/v1/export/stix?person=" + pid, "UK-NCA"), 404, "person", "UK-NCA")
    e2e.assert_problem(n.get("/api/v1/export/stix?person=" + orcon, "TH-AOC"), 404, "person", "orcon")
    e2e.assert_problem(n.get("/api/v1/export/stix?person=" + nid, "MY-NSRC"), 404, "person", "a notice id")
    eq(audit_count(n.db, "person.export", "refused:403"), r403 + 1, "403 audited")
    eq(audit_count(n.db, "person.export", "refused:404"), r404 + 3, "404s audited")
    eq(n.get("/api/v1/export/stix?person=" + orcon, "MY-NSRC").status, 200, "the originator exports orcon")
    e2e.assert_problem(n.get("/api/v1/export/misp?notice=" + nid, "MY-NSRC"), 400, "notice", "MISP notice")
    # The notice exported by TH-AOC leaves out the orcon person? (It names the plain one; TH may export it.)
    # Round trip through the CLI: export -> import as SG-ASCOM -> export.
    out = os.path.join(tempfile.mkdtemp(prefix="spl-fmt-"), "n1.json")
    cli("export", "--db", n.db, "--agency", "MY-NSRC", "--format", "stix", "--notice", nid, "--out", out)
    with open(out) as f:
        b1 = json.load(f)
    stix_validate(b1)
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--json", out)
    eq((j["persons"], j["notices"], j["dropped_subjects"]), (1, 1, 0), "import of persons and notices")
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "stix", "--json", out)
    eq((j["persons"], j["notices"], j["records_duplicates"]), (0, 0, 2), "the same bundle again")
    mine = [x for x in n.get("/api/v1/notices", "SG-ASCOM").json["notices"]
            if x["agency"] == "SG-ASCOM" and x["title"] == notice["title"]]
    eq(len(mine), 1, "SG-ASCOM's copy of the notice")
    r = n.get("/api/v1/export/stix?notice=" + mine[0]["id"], "SG-ASCOM")
    eq(r.status, 200, "re-export (%s)" % short(r.text))
    stix_validate(r.json)
    eq(person_meaning(r.json), person_meaning(b1), "the person's meaning and markings after the round trip")
    eq(notice_meaning(r.json), notice_meaning(b1), "the notice's meaning and markings after the round trip")
    # The imported person is searchable by name in SG-ASCOM's own records.
    got = post_json(n, "SG-ASCOM", "/api/v1/persons/search", {"name": "Somchai Jaidee %d" % u}, status=200)
    check(any(x["explain"].get("agency") == "SG-ASCOM" for x in got["results"]),
          "imported person found: %s" % short(got))
    # A bank may not import persons or notices: they are skipped, the reason named.
    cnt = db_count(n.db, "SELECT count(*) FROM xrecords WHERE agency_id = 'MY-BANK1'")
    j = cli_json("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "stix", "--json", out)
    eq((j["persons"], j["notices"]), (0, 0), "a bank importing persons and notices")
    eq(db_count(n.db, "SELECT count(*) FROM xrecords WHERE agency_id = 'MY-BANK1'"), cnt, "no bank xrecords")
    # A malformed person (no name) is named; nothing is written.
    bad = json.loads(json.dumps(b1))
    for o in bad["objects"]:
        if o["type"] == "identity" and o.get("identity_class") == "individual":
            o["extensions"][PROPS]["names"] = [{"name": ""}]
    cnt = db_count(n.db, "SELECT count(*) FROM xrecords WHERE agency_id = 'TH-AOC'")
    p = cli("import", "--db", n.db, "--agency", "TH-AOC", "--format", "stix", tmpfile("bad.json", json.dumps(bad)),
            ok=False)
    eq(p.returncode, 1, "a malformed person")
    check("names[0]" in p.stderr, "the field is named: %s" % short(p.stderr))
    eq(db_count(n.db, "SELECT count(*) FROM xrecords WHERE agency_id = 'TH-AOC'"), cnt, "nothing written")


@test
def taxii_notices_collection_carries_notices_and_their_persons():
    n = node()
    u = uniq()
    since = ts_now()
    pid = post_json(n, "MY-NSRC", "/api/v1/persons", {
        "ref": "TX-%d" % u, "names": ["Taxii Person %d" % u], "role": "wanted",
        "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"]}})["id"]
    ids = []
    for i in range(3):
        ids.append(post_json(n, "MY-NSRC", "/api/v1/notices", {
            "kind": "warning", "title": "TAXII warning %d-%d" % (u, i), "text": "t",
            "subjects": [{"type": "person", "id": pid}] if i == 0 else [],
            "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"]}})["id"])
    orcon = post_json(n, "MY-NSRC", "/api/v1/notices", {
        "kind": "warning", "title": "TAXII orcon %d" % u, "markings": {"tlp": "AMBER", "releasable_to": ["MEMBERS"],
                                                                          "orcon": True}})["id"]
    col = collection(n, "TH-AOC", "Notices")
    check(not col["can_write"], "the notices collection is read-only")
    path = "/taxii2/api/collections/%s/objects/" % col["id"]
    got, nxt, pages = [], None, 0
    while True:
        q = "?added_after=%s&limit=4" % since + ("&next=" + nxt if nxt else "")
        j = taxii(n, "TH-AOC", path + q).json
        got += j.get("objects", [])
        pages += 1
        if not j["more"]:
            break
        nxt = j["next"]
    check(pages >= 2, "paged (%d pages)" % pages)
    # added_after starts a second early (timestamp granularity): an earlier test's notice may
    # be in the window, so only this test's notices (their titles carry u) are compared.
    notices = sorted(o["extensions"][PROPS]["notice_id"] for o in got
                     if o["type"] == "report" and str(u) in o.get("name", ""))
    eq(notices, sorted(ids), "the notices TH-AOC may share onward (not the orcon one)")
    check(orcon not in json.dumps(got), "no orcon notice")
    eq(taxii(n, "TH-AOC", path + "?added_after=%s&match[spec_version]=2.0" % since).json.get("objects", []), [],
       "match[spec_version]=2.0: nothing here is 2.0")
    check(taxii(n, "TH-AOC", path + "?added_after=%s&match[spec_version]=2.0,2.1" % since).json.get("objects"),
          "match[spec_version]=2.0,2.1")
    check(any(o["type"] == "identity" and o.get("identity_class") == "individual" for o in got), "its person")
    once = list({o["id"]: o for o in got}.values())   # shared objects repeat across pages
    stix_validate({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-%012d" % u, "objects": once})
    # The originator sees its orcon notice; a bank sees none of them; UK-NCA (not MEMBERS) neither.
    mine = taxii(n, "MY-NSRC", "/taxii2/api/collections/%s/objects/?added_after=%s&match[type]=report" % (
        collection(n, "MY-NSRC", "Notices")["id"], since)).json
    check(orcon in json.dumps(mine), "the originator's collection has its orcon notice")
    for who in ("MY-BANK1", "UK-NCA"):
        j = taxii(n, who, "/taxii2/api/collections/%s/objects/?added_after=%s" % (
            collection(n, who, "Notices")["id"], since)).json
        eq(j.get("objects", []), [], "notices for %s" % who)
    # A bank reads no person through a notice either (persons are for law enforcement).
    check(audit_count(n.db, "taxii.objects", "ok") > 0, "pages audited")


@test
def taxii_status_is_stored_per_requester_and_survives_a_restart():
    n = node()
    u = uniq()
    env = {"objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--3d0092c5-5f74-4287-9642-%012d" % u,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "pattern": "[domain-name:value = 'status-%d.example']" % u, "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z"}]}
    own = collection(n, "SG-ASCOM", "Reports of SG-ASCOM")
    st = taxii(n, "SG-ASCOM", "/taxii2/api/collections/%s/objects/" % own["id"], "POST", env, status=202).json
    path = "/taxii2/api/status/%s/" % st["id"]
    got = taxii(n, "SG-ASCOM", path).json
    eq(got, st, "the stored status is the one answered")
    # Per requester: another principal of the same agency, another agency: 404, audited.
    if "SG-ASCOM-2" not in n.tok:
        n.token("SG-ASCOM-2", "SG-ASCOM", "analyst")
    refused = audit_count(n.db, "taxii.status", "refused:404")
    for who in ("SG-ASCOM-2", "TH-AOC"):
        j = taxii(n, who, path, status=404).json
        eq(j["http_status"], "404", "TAXII error for %s" % who)
    taxii(n, "SG-ASCOM", "/taxii2/api/status/%s/" % ("0" * 36), status=404)
    eq(audit_count(n.db, "taxii.status", "refused:404"), refused + 3, "refusals audited")
    ok = audit_count(n.db, "taxii.status", "ok")
    n.stop()
    n.start()
    eq(taxii(n, "SG-ASCOM", path).json, st, "the status after a restart")
    eq(audit_count(n.db, "taxii.status", "ok"), ok + 1, "reads audited")
    eq(db_count(n.db, "SELECT count(*) FROM taxii_status WHERE id = ?", st["id"]), 1, "one stored row")


# ---- MISP --------------------------------------------------------------------

def misp_templates_ok(ev):
    """Every object of an exported event against its template in ../shared/data/misp-objects:
    known relations, the template's attribute type, required / requiredOneOf."""
    for o in ev["Object"]:
        path = os.path.join(DATA, "misp-objects", o["name"], "definition.json")
        check(os.path.exists(path), "no MISP template for object %s" % o["name"])
        with open(path) as f:
            t = json.load(f)
        eq(o.get("template_uuid"), t["uuid"], "%s template_uuid" % o["name"])
        rels = [a["object_relation"] for a in o["Attribute"]]
        for a in o["Attribute"]:
            check(a["object_relation"] in t["attributes"], "%s: unknown relation %s" % (o["name"], a["object_relation"]))
            eq(a["type"], t["attributes"][a["object_relation"]]["misp-attribute"],
               "%s.%s type" % (o["name"], a["object_relation"]))
        for r in t.get("required", []):
            check(r in rels, "%s lacks required %s" % (o["name"], r))
        if t.get("requiredOneOf"):
            check(any(r in rels for r in t["requiredOneOf"]), "%s lacks one of %s" % (o["name"], t["requiredOneOf"]))


def misp_meaning(ev):
    e = ev["Event"]
    sels = sorted((a["type"], a["value"], a["comment"]) for a in e["Attribute"])
    sels += sorted((o["name"], a["object_relation"], a["value"], a["comment"]) for o in e["Object"] for a in o["Attribute"])
    return e["info"], e["date"], e["distribution"], sorted(t["name"] for t in e["Tag"]), sels


@test
def misp_export_follows_the_templates_and_policy():
    n = node()
    rid = stix_report(n)
    before = audit_count(n.db, "report.export", "ok")
    r = n.get("/api/v1/export/misp?report=" + rid, "MY-NSRC")
    eq(r.status, 200, "MISP export (%s)" % short(r.text))
    ev = r.json["Event"]
    names = sorted(o["name"] for o in ev["Object"])
    eq(names, ["bank-account", "coin-address", "phone-number"], "objects")
    misp_templates_ok(ev)
    types = sorted(a["type"] for a in ev["Attribute"])
    for t in ("url", "email", "text"):
        check(t in types, "attribute type %s missing: %s" % (t, types))
    check({"name": "tlp:amber"} in ev["Tag"], "tlp:amber tag: %s" % ev["Tag"])
    eq(ev["distribution"], "1", "distribution of a MEMBERS report (this community)")
    eq(audit_count(n.db, "report.export", "ok"), before + 1, "export audited")
    e2e.assert_problem(n.get("/api/v1/export/misp?report=" + rid, "UK-NCA"), 404, "report", "partner export")
    e2e.assert_problem(n.get("/api/v1/export/misp?report=" + rid, "MY-BANK1"), 404, "report", "bank export")


@test
def misp_round_trip_export_import_export():
    n = node()
    rid = stix_report(n, markings={"tlp": "GREEN", "releasable_to": ["ALL_LE", "PRIVATE"], "grading": "A1"})
    out = os.path.join(tempfile.mkdtemp(prefix="spl-fmt-"), "e1.json")
    cli("export", "--db", n.db, "--agency", "MY-NSRC", "--format", "misp", "--report", rid, "--out", out)
    with open(out) as f:
        e1 = json.load(f)
    eq(e1["Event"]["distribution"], "2", "ALL_LE: connected communities")
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", "--json", out)
    eq((j["reports"], j["imported"], j["skipped"]), (1, 1, 0), "import")
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", "--json", out)
    eq((j["imported"], j["duplicates"]), (0, 1), "the same event again")
    new = db_count(n.db, "SELECT id FROM reports WHERE agency_id = 'SG-ASCOM' AND reference = ?", e1["Event"]["info"])
    r = n.get("/api/v1/export/misp?report=" + new, "SG-ASCOM")
    eq(r.status, 200, "re-export")
    eq(misp_meaning(r.json), misp_meaning(e1), "meaning and markings after export -> import -> export")


@test
def misp_person_objects_become_persons():
    n = node()
    u = uniq()
    ev = {"Event": {"uuid": "5d0092c5-5f74-4287-9642-%012d" % u, "timestamp": "1767225600",
                    "info": "Compound recruiter %d" % u, "date": "2026-01-01", "distribution": "1",
                    "Tag": [{"name": "tlp:amber"}],
                    "Object": [{"name": "person", "uuid": "6d0092c5-5f74-4287-9642-%012d" % u, "Attribute": [
                        {"object_relation": "full-name", "type": "full-name", "value": "Nguyen Van Minh %d" % u},
                        {"object_relation": "alias", "type": "text", "value": "Minh Boss"},
                        {"object_relation": "date-of-birth", "type": "date-of-birth", "value": "1990-07-14"},
                        {"object_relation": "nationality", "type": "nationality", "value": "VN"},
                        {"object_relation": "gender", "type": "gender", "value": "Male"},
                        {"object_relation": "passport-number", "type": "passport-number", "value": "C%07d" % u},
                        {"object_relation": "passport-country", "type": "passport-country", "value": "VNM"},
                        {"object_relation": "phone-number", "type": "phone-number", "value": "+84912%06d" % (u % 10**6)},
                        {"object_relation": "place-of-birth", "type": "place-of-birth", "value": "Hanoi"}]}]}}
    path = tmpfile("ev.json", json.dumps(ev))
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", "--json", path)
    eq((j["imported"], j["persons"]), (1, 1), "the event's report and its person")
    got = post_json(n, "SG-ASCOM", "/api/v1/persons/search", {"name": "Nguyen Van Minh %d" % u, "dob": "1990"},
                    status=200)
    mine = [x for x in got["results"] if x["explain"].get("agency") == "SG-ASCOM"]
    check(mine, "the person is found by name: %s" % short(got))
    p = n.get("/api/v1/persons/" + mine[0]["id"], "SG-ASCOM").json
    eq((p["dob"], p["nationality"], p["gender"], p["documents"][0]["type"], len(p["names"])),
       (["1990-07-14"], ["VN"], "male", "passport", 2), "the person's fields")
    eq((p["markings"]["tlp"], p["markings"]["releasable_to"]), ("AMBER", ["SG"]), "the event's markings")
    j = cli_json("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", "--json", path)
    eq((j["imported"], j["persons"], j["records_duplicates"]), (0, 0, 1), "the same event again")
    # A bank takes the selectors, not the person.
    j = cli_json("import", "--db", n.db, "--agency", "MY-BANK1", "--format", "misp", "--json", path)
    eq((j["imported"], j["persons"]), (1, 0), "a bank's import")


@test
def misp_import_malformed_changes_nothing():
    n = node()
    before = db_count(n.db, "SELECT count(*) FROM reports")
    bad = {"Event": {"info": "x", "Attribute": [{"type": "domain", "value": "ok.example"},
                                                 {"type": "domain", "value": 7}]}}
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", tmpfile("bad.json", json.dumps(bad)),
            ok=False)
    eq(p.returncode, 1, "exit status")
    check("Event.Attribute[1]" in p.stderr, "stderr names the attribute: %s" % short(p.stderr))
    bad = {"Event": {"info": "x", "Object": [{"name": "phone-number", "Attribute": [
        {"object_relation": "phone-number", "type": "phone-number", "value": "0812345678"}]}],
        "Tag": [{"name": "simpul:releasable-to=\"not an audience!\""}]}}
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", tmpfile("bad2.json", json.dumps(bad)),
            ok=False)
    eq(p.returncode, 1, "exit status (bad marking)")
    check("markings" in p.stderr and "nothing was imported" in p.stderr, "stderr: %s" % short(p.stderr))
    p = cli("import", "--db", n.db, "--agency", "SG-ASCOM", "--format", "misp", "--dry-run", "--json",
            tmpfile("ok.json", json.dumps({"Event": {"info": "fine", "Attribute": [
                {"type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e"},
                {"type": "domain", "value": "fine-%d.example" % uniq()}]}})))
    j = json.loads(p.stdout)
    eq((j["reports"], j["valid"], len(j["skipped"])), (1, 1, 1), "dry run: md5 skipped, said")
    eq(db_count(n.db, "SELECT count(*) FROM reports"), before, "nothing written")


# =============================================================================

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("-k", default="")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    e2e.BIN = os.path.abspath(a.bin)
    e2e.VERBOSE = a.v
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(var, None)
    os.environ["SIMPUL_NO_PROGRESS"] = "1"
    passed = failed = 0
    try:
        for fn in TESTS:
            if a.k not in fn.__name__:
                continue
            try:
                fn()
                passed += 1
                print("ok %s" % fn.__name__, flush=True)
            except Exception as ex:  # noqa: BLE001
                failed += 1
                reason = str(ex) if isinstance(ex, Fail) else "%s: %s" % (type(ex).__name__, ex)
                print("FAIL %s: %s" % (fn.__name__, reason.replace("\n", " ")), flush=True)
                if a.v:
                    traceback.print_exc()
                    if _node[0] is not None:
                        print(_node[0].stderr(), file=sys.stderr)
    finally:
        if _node[0] is not None:
            n = _node[0]
            n.stop()
            if n.proc is not None and n.proc.returncode not in (0, None):
                failed += 1
                print("FAIL daemon_exit: status %s" % n.proc.returncode)
            err = n.stderr_all() if hasattr(n, "stderr_all") else ""
            if e2e.SANITIZER_RE.search(err or ""):
                failed += 1
                print("FAIL daemon_sanitizer: %s" % short(err, 600))
            n.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
