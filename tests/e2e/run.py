#!/usr/bin/env python3
"""End-to-end tests of Simpul against a real daemon (issue 2, sections 4, 6, 7).

    python3 tests/e2e/run.py --bin build/src/cli/simpul [-k SUBSTRING] [-v]

Python 3 standard library only. Every test is a function decorated with
@test; the runner prints `ok NAME` or `FAIL NAME: REASON` per test and ends
with `N passed, N failed` (exit status 1 on any failure). Daemons run on
127.0.0.1 with a port picked by the kernel, in a temporary directory, and are
always stopped at the end. One daemon is shared by the tests whose state does
not interfere (each test uses its own selector values); the durability, audit
tampering and CLI tests set up their own nodes.
"""
import argparse
import http.client
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

BIN = None
VERBOSE = False
TESTS = []
CLI_TIMEOUT = 120
HTTP_TIMEOUT = 60

# Fixture agencies: id -> (country, kind, role of its test token).
AGENCIES = {
    "MY-NSRC": ("MY", "asc", "analyst"),
    "TH-AOC": ("TH", "asc", "analyst"),
    "SG-ASCOM": ("SG", "asc", "analyst"),
    "TH-CIB": ("TH", "police", "analyst"),
    "UK-NCA": ("GB", "partner_le", "analyst"),
    "MY-BANK1": ("MY", "bank", "partner"),
    "TH-TELCO1": ("TH", "telco", "partner"),
    "MY-BANK2": ("MY", "bank", "partner"),
    "MY-PUBLIC": ("MY", "public", "public"),
}


def test(fn):
    TESTS.append(fn)
    return fn


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def eq(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def short(x, n=400):
    s = x if isinstance(x, str) else json.dumps(x, sort_keys=True)
    return s if len(s) <= n else s[:n] + "..."


# ---- unique selector values ------------------------------------------------

RUN = "%06d" % random.randrange(10 ** 6)
_counter = [0]
_counter_lock = threading.Lock()


def uniq_digits():
    """12 digits unique within this run (a bank account number)."""
    with _counter_lock:
        _counter[0] += 1
        return "%s%06d" % (RUN, _counter[0])


def acct(role="mule_account", digits=None):
    """A Maybank account selector with a fresh number."""
    return {"type": "bank_account", "value": digits or uniq_digits(), "country": "MY",
            "bank": "MBBEMYKL", "role": role}


def acct_key(sel):
    return "bank_account:MY:MBBEMYKL:" + re.sub(r"\D", "", sel["value"])


def report(selectors, tlp="AMBER", rel=("MEMBERS",), disclosure="hit", orcon=False, **extra):
    body = {
        "reference": "E2E-%s" % uniq_digits(),
        "occurred_at": "2026-11-20",
        "scam_type": "investment",
        "loss": {"amount": 1250000, "currency": "THB"},
        "victim_country": "TH",
        "narrative": "Victim was told to invest in a fake crypto platform.",
        "selectors": list(selectors),
        "markings": {"tlp": tlp, "releasable_to": list(rel), "disclosure": disclosure, "orcon": orcon},
    }
    body.update(extra)
    return body


# The issue's example body, verbatim.
ISSUE_EXAMPLE = json.loads(
    '{"reference":"TH-AOC-2026-000123","occurred_at":"2026-11-20","scam_type":"investment",'
    '"loss":{"amount":1250000,"currency":"THB"},"victim_country":"TH","narrative":"...",'
    '"selectors":[{"type":"phone","value":"+60 12-345 6789","role":"scammer_contact"},'
    '{"type":"bank_account","value":"5123 4567 8901","country":"MY","bank":"MBBEMYKL","role":"mule_account"}],'
    '"markings":{"tlp":"AMBER","releasable_to":["MEMBERS"],"disclosure":"hit","orcon":false}}')


# ---- processes -------------------------------------------------------------

# A sanitizer build (make check runs the suite under ASan+UBSan) reports here.
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:")
DAEMON_EXITS = []    # (node name, how stopped, exit status, sanitizer report or "")


def cli(*args, timeout=CLI_TIMEOUT, input=None, ok=True):
    """Run `simpul ARGS`; with ok, a non-zero exit fails the test. A sanitizer
    report on stderr always fails it."""
    p = subprocess.run([BIN] + [str(a) for a in args], input=input, capture_output=True,
                       timeout=timeout, text=True)
    m = SANITIZER_RE.search(p.stderr)
    if m:
        raise Fail("simpul %s: sanitizer report: %s" % (" ".join(map(str, args)),
                                                         short(p.stderr[m.start():], 600)))
    if ok and p.returncode != 0:
        raise Fail("simpul %s: exit %d: %s" % (" ".join(map(str, args)), p.returncode,
                                              short(p.stderr.strip() or p.stdout.strip())))
    return p


def audit_settled(db, timeout=10.0):
    """Wait until a running daemon has moved every read audit it answered
    from its spool (<db>-spool) into the database: the spool's end equals
    the offset the database notes as ingested, or the file was started over.
    The daemon answers once an entry is spooled; an observer reading the
    audit table directly must wait for this, not sleep."""
    import sqlite3
    path = db + "-spool"
    deadline = time.time() + timeout
    while True:
        try:
            with open(path, "rb") as f:
                head = f.read(24)
                size = os.fstat(f.fileno()).st_size
        except FileNotFoundError:
            return
        if size <= 24:
            return
        sid = int.from_bytes(head[16:24], "little")
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            row = c.execute("SELECT value FROM meta WHERE name = 'audit_spool'").fetchone()
        finally:
            c.close()
        if row:
            hid, off = row[0].split(":")
            if int(hid, 16) == sid and int(off) >= size:
                return
        if time.time() > deadline:
            raise AssertionError("the daemon did not ingest its audit spool within %.0f s" % timeout)
        time.sleep(0.005)


def cli_json(*args, **kw):
    p = cli(*args, **kw)
    try:
        return json.loads(p.stdout)
    except ValueError:
        raise Fail("simpul %s: not JSON: %s" % (" ".join(map(str, args)), short(p.stdout)))


def parallel(fns, width=6):
    """Run the callables on `width` threads; re-raise the first failure."""
    errs, lock, todo = [], threading.Lock(), list(fns)

    def worker():
        while True:
            with lock:
                if not todo or errs:
                    return
                fn = todo.pop(0)
            try:
                fn()
            except BaseException as ex:  # noqa: BLE001 - handed to the caller
                with lock:
                    errs.append(ex)

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(width)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=CLI_TIMEOUT * 2)
    if errs:
        raise errs[0]


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body)
            except ValueError:
                raise Fail("HTTP %d body is not JSON: %s" % (self.status, short(self.text)))
        return self._json

    def ctype(self):
        return self.headers.get("content-type", "")


class Node:
    """A node database in a temporary directory, and its daemon."""

    def __init__(self, name, agencies=AGENCIES):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="spl-e2e-%s-" % name)
        # The daemon runs from a private copy of the binary so that a broad
        # `pkill simpul` / `killall simpul` run by someone else on a shared
        # machine does not take it down mid-suite (seen in practice).
        self.exe = os.path.join(self.dir, "spl-node")
        shutil.copy2(BIN, self.exe)
        self.db = os.path.join(self.dir, "node.db")
        self.proc = None
        self.port = None
        self.nreq = 0
        self.nauth = 0      # authenticated requests to audited endpoints
        self.tok = {}       # name -> token
        self.principal = {}
        j = cli_json("init", "--db", self.db, "--json")
        check(isinstance(j.get("admin_token"), str) and j["admin_token"].startswith("spl_"),
              "init --json: no admin_token: %r" % j)
        self.tok["ADMIN"] = j["admin_token"]
        # Set-up through the CLI, several processes at a time (each waits on the
        # database's write lock; the start-up cost overlaps).
        parallel([lambda aid=aid, cc=cc, kind=kind: cli(
            "agency", "add", "--db", self.db, "--id", aid, "--country", cc, "--kind", kind,
            "--name", aid + " (e2e)") for aid, (cc, kind, _) in agencies.items()])
        want = [(aid, aid, role) for aid, (_, _, role) in agencies.items()]
        if "MY-NSRC" in agencies:
            want += [("AUDITOR", "MY-NSRC", "auditor"), ("MY-NSRC-2", "MY-NSRC", "investigator")]
        if "TH-AOC" in agencies:
            want.append(("REVOKE-ME", "TH-AOC", "analyst"))
        if "UK-NCA" in agencies:
            want.append(("UK-INV", "UK-NCA", "investigator"))  # analyst-like roles fit partner_le
        parallel([lambda w=w: self.token(*w) for w in want])

    def token(self, name, agency, role):
        j = cli_json("token", "create", "--db", self.db, "--agency", agency, "--role", role, "--json")
        check(isinstance(j.get("token"), str), "token create --json: %r" % j)
        self.tok[name] = j["token"]
        self.principal[name] = j.get("principal")
        return j["token"]

    # -- daemon --
    def start(self, timeout=60):
        self.errpath = os.path.join(self.dir, "serve.stderr")
        err = open(self.errpath, "ab")
        # (Option order chosen so that a `pkill -f "serve --db"` does not match either.)
        self.proc = subprocess.Popen([self.exe, "serve", "--listen", "127.0.0.1:0", "--threads", "8",
                                      "--db", self.db] + list(getattr(self, "serve_args", ())),
                                     stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        err.close()
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)/", buf)
                if m:
                    self.port = int(m.group(1))
                    return self
            if self.proc.poll() is not None:
                break
        self.kill()
        raise Fail("daemon did not start: stdout %r stderr %r" % (buf, self.stderr()))

    def stderr(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")[-2000:]
        except OSError:
            return ""

    def _record_exit(self, how):
        text = self.stderr_all()
        m = SANITIZER_RE.search(text)
        DAEMON_EXITS.append((self.name, how, self.proc.returncode, text[m.start():m.start() + 600] if m else ""))

    def stderr_all(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    def stop(self):
        """SIGTERM: a clean stop must exit 0 (and, under ASan, leak nothing)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
                self._record_exit("SIGTERM")
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
                DAEMON_EXITS.append((self.name, "SIGTERM", "no exit within 60 s", ""))
        elif self.proc:
            self._record_exit("died on its own")
        if self.proc:
            self.proc.stdout.close()
        self.proc = None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self._record_exit("SIGKILL")
        if self.proc:
            self.proc.stdout.close()
        self.proc = None

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- HTTP --
    def req(self, method, path, token=None, body=None, headers=None, timeout=HTTP_TIMEOUT):
        """One request on a fresh connection. body: dict/list (JSON), str or bytes."""
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + (self.tok.get(token, token))
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            self.nreq += 1
            if "Authorization" in h and re.match(r"/api/v1/(reports|check|alerts|contacts)", path):
                self.nauth += 1
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            c.close()

    def post(self, path, token, body, **kw):
        return self.req("POST", path, token, body, **kw)

    def get(self, path, token=None, **kw):
        return self.req("GET", path, token, **kw)

    def raw(self, data, send_more=b"", timeout=HTTP_TIMEOUT):
        """Send raw bytes (then try send_more, ignoring a closed socket); return
        (status, headers dict, body bytes) of the first response."""
        self.nreq += 1
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            try:
                for i in range(0, len(send_more), 65536):
                    s.sendall(send_more[i:i + 65536])
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            buf = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    if b"\r\n\r\n" in buf:
                        head, _, rest = buf.partition(b"\r\n\r\n")
                        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                        if m and len(rest) >= int(m.group(1)):
                            break
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            s.close()
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0] if lines else "")
        check(m is not None, "no HTTP response: %r" % buf[:200])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        return int(m.group(1)), hdrs, body

    # -- API shortcuts --
    def post_report(self, token, body, status=201):
        r = self.post("/api/v1/reports", token, body)
        eq(r.status, status, "POST /api/v1/reports as %s (%s)" % (token, short(r.text)))
        return r.json

    def check_keys(self, token, keys):
        r = self.post("/api/v1/check", token, {"selectors": [{"key": k} for k in keys]})
        eq(r.status, 200, "POST /api/v1/check as %s (%s)" % (token, short(r.text)))
        res = r.json["results"]
        eq(len(res), len(keys), "number of check results")
        return res

    def check1(self, token, key):
        return self.check_keys(token, [key])[0]

    def metric(self, name):
        r = self.get("/metrics", "ADMIN")
        eq(r.status, 200, "GET /metrics as admin")
        m = re.search(r"^%s (\d+)$" % re.escape(name), r.text, re.M)
        check(m is not None, "metric %s missing" % name)
        return int(m.group(1))

    def alerts(self, token):
        out, after = [], 0
        for _ in range(1000):
            r = self.get("/api/v1/alerts?after=%d&limit=500" % after, token)
            eq(r.status, 200, "GET /api/v1/alerts as %s" % token)
            page = r.json["alerts"]
            out += page
            if not page:
                return out
            after = r.json["next"]
        raise Fail("alerts did not end")


_shared = [None]


def shared():
    if _shared[0] is None:
        n = Node("shared")
        try:
            n.start()
        except BaseException:
            n.cleanup()
            raise
        _shared[0] = n
    elif _shared[0].proc is None:
        _shared[0].start()
    return _shared[0]


def assert_problem(r, status, field=None, what="answer"):
    """A 4xx/5xx application/problem+json answer naming `field`."""
    eq(r.status, status, "%s status (%s)" % (what, short(r.text)))
    check(r.ctype().startswith("application/problem+json"),
          "%s Content-Type %r, want application/problem+json" % (what, r.ctype()))
    j = r.json
    check(isinstance(j, dict), "%s problem is not an object" % what)
    for k in ("type", "title", "status", "detail"):
        check(k in j, "%s problem lacks %r: %s" % (what, k, short(j)))
    eq(j["status"], status, "%s problem status member" % what)
    if field is not None:
        eq(j.get("field"), field, "%s problem field (%s)" % (what, j.get("detail")))
    return j


def records_ids(result):
    return sorted(r["id"] for r in result["records"])


def contact_agencies(result):
    return sorted(c["agency"] for c in result["contacts"])


def find(lst, **kv):
    return [x for x in lst if all(x.get(k) == v for k, v in kv.items())]


# =============================================================================
# Contract (issue §6)
# =============================================================================

@test
def contract_report_post_and_cross_agency_matches():
    n = shared()
    r = n.post("/api/v1/reports", "MY-NSRC", ISSUE_EXAMPLE)
    eq(r.status, 201, "POST issue example (%s)" % short(r.text))
    check(r.ctype().startswith("application/json"), "Content-Type %r" % r.ctype())
    j = r.json
    check(isinstance(j.get("id"), str) and len(j["id"]) >= 16, "id must be an opaque string: %r" % j.get("id"))
    first = j["id"]
    eq(len(j["selectors"]), 2, "selectors in the answer")
    s0, s1 = j["selectors"]
    eq(s0["key"], "phone:+60123456789", "phone key")
    eq(s0["valid"], True, "phone valid")
    eq(s1["key"], "bank_account:MY:MBBEMYKL:512345678901", "bank account key")
    eq(s1["valid"], True, "bank account valid")
    eq(j["matches"], [], "matches of the first write")
    mule = s1["key"]

    # Same mule account from Thailand: the match names the first report, full (MEMBERS).
    body = report([{"type": "bank_account", "value": "5123-4567-8901", "country": "MY",
                    "bank": "MBBEMYKL", "role": "mule_account"}])
    j2 = n.post_report("TH-AOC", body)
    check(isinstance(j2["id"], str) and j2["id"] != first, "second id %r" % j2["id"])
    m = find(j2["matches"], report=first)
    check(m, "second write's matches do not name the first report: %s" % short(j2["matches"]))
    eq(m[0]["agency"], "MY-NSRC", "match agency")
    eq(m[0]["key"], mule, "match key")
    eq(m[0]["visibility"], "full", "match visibility for a MEMBERS record seen by TH-AOC")

    # The UK partner (outside MEMBERS) posting the same account learns a hit only.
    j3 = n.post_report("UK-NCA", report([acct(digits="512345678901")], rel=["ALL_LE"]))
    m = find(j3["matches"], report=first)
    check(m, "UK write's matches do not name the first report: %s" % short(j3["matches"]))
    eq(m[0]["visibility"], "hit", "match visibility for UK-NCA")
    check(isinstance(m[0].get("contact_ref"), str), "hit match carries a contact_ref")

    # Singapore and Malaysia both see the two member reports.
    for who in ("SG-ASCOM", "MY-NSRC"):
        res = n.check1(who, mule)
        eq(res["key"], mule, "check key")
        eq(res["hit"], True, "hit for %s" % who)
        ids = records_ids(res)
        check(first in ids and j2["id"] in ids, "%s check records %s lack %s/%s" % (who, ids, first, j2["id"]))
    # And the raw form gives the same answer as the key form.
    r = n.post("/api/v1/check", "SG-ASCOM", {"selectors": [
        {"type": "bank_account", "value": "5123 4567 8901", "country": "MY", "bank": "MBBEMYKL"}]})
    eq(r.status, 200, "raw-form check")
    eq(r.json["results"][0]["key"], mule, "raw-form key")
    check(first in records_ids(r.json["results"][0]), "raw-form check finds the first report")


@test
def public_report_reaches_its_country_only():
    """POST /api/v1/public/reports without a token: the country's public
    intake files it; that country's law enforcement reads it and is told of
    the match; a bank and another country's agency are not; the person who
    reported gets a receipt and nothing of other records; bad input is
    refused naming the field and writes nothing."""
    n = shared()
    a = acct()
    mine = n.post_report("MY-NSRC", report([dict(a)], rel=["MY"]))
    before = len(n.alerts("MY-NSRC"))
    body = {"victim_country": "MY", "narrative": "Paid a deposit for a job offer.",
            "scam_type": "job", "selectors": [dict(a, role="mule_account")], "contact": "+60 12-000 0000"}
    r = n.post("/api/v1/public/reports", None, body)
    eq(r.status, 201, "public report (%s)" % short(r.text))
    check(set(r.json) == {"reference", "received_by"}, "the receipt says nothing else: %s" % short(r.json))
    al = [x for x in n.alerts("MY-NSRC")[before:] if x["kind"] == "match"
          and x["data"].get("your_report") == mine["id"]]
    eq(len(al), 1, "MY-NSRC is told of the public report on its account")
    pub = al[0]["data"]["report"]
    got = n.get("/api/v1/reports/" + pub, "MY-NSRC")
    eq(got.status, 200, "MY law enforcement reads the public report")
    eq(got.json.get("agency"), "MY-PUBLIC", "filed by the country's public intake")
    # The contact is victim data: kept for the intake agency, shown to no other agency.
    check("victim" not in got.json, "victim data shown to another agency: %s" % short(got.json))
    db = sqlite3.connect("file:%s?mode=ro" % n.db, uri=True)
    try:
        body = db.execute("SELECT c.body FROM reports r JOIN report_content c ON c.rid = r.rid"
                          " WHERE r.id = ?", (pub,)).fetchone()[0]
    finally:
        db.close()
    eq(json.loads(body).get("victim"), {"contact": "+60 12-000 0000"}, "the contact kept")
    eq(n.get("/api/v1/reports/" + pub, "MY-BANK1").status, 404, "a bank does not see a public report")
    eq(n.get("/api/v1/reports/" + pub, "TH-AOC").json.get("visibility"), "hit",
       "another member's agency knows only that it exists")
    count = n.metric("simpul_reports")
    for bad, status, field in [({"victim_country": "MY", "markings": {"tlp": "CLEAR"}}, 400, "markings"),
                               ({"narrative": "x"}, 400, "victim_country"),
                               ({"victim_country": "my", "narrative": "x"}, 400, "victim_country"),
                               ({"victim_country": "SG", "narrative": "x"}, 422, "victim_country"),
                               ({"victim_country": "MY", "selectors": [{"type": "phone"}] * 21}, 413, "selectors"),
                               ({"victim_country": "MY", "selectors": [{"type": "nope", "value": "1"}]}, 400,
                                "selectors[0].type")]:
        r = n.post("/api/v1/public/reports", None, bad)
        eq(r.status, status, "bad public report %s (%s)" % (short(bad), short(r.text)))
        eq(r.json.get("field"), field, "field named for %s" % short(bad))
    eq(n.metric("simpul_reports"), count, "refused public reports wrote nothing")


@test
def report_get_full_hit_and_404():
    n = shared()
    sel = acct()
    body = report([sel], rel=["MEMBERS"], victim={"name": "Somchai P.", "phone": "+66811111111"})
    rid = n.post_report("MY-NSRC", body)["id"]

    r = n.get("/api/v1/reports/" + rid, "MY-NSRC")
    eq(r.status, 200, "originator GET")
    j = r.json
    eq(j["id"], rid, "id")
    eq(j["visibility"], "full", "originator visibility")
    eq(j["narrative"], body["narrative"], "narrative for the originator")
    eq(j.get("victim"), body["victim"], "victim for the originator")
    eq(j["loss"], body["loss"], "loss")
    eq(j["markings"]["tlp"], "AMBER", "markings.tlp")
    eq([s["key"] for s in j["selectors"]], [acct_key(sel)], "selectors")
    check(isinstance(j.get("contact_ref"), str), "originator sees its contact_ref")

    r = n.get("/api/v1/reports/" + rid, "TH-AOC")
    eq(r.status, 200, "audience GET")
    eq(r.json["visibility"], "full", "TH-AOC visibility")
    eq(r.json.get("narrative"), body["narrative"], "narrative for the audience")
    check("victim" not in r.json, "victim data leaked to another agency: %s" % short(r.json))

    r = n.get("/api/v1/reports/" + rid, "UK-NCA")
    eq(r.status, 200, "hit-only GET")
    eq(sorted(r.json.keys()), ["agency", "contact_ref", "id", "visibility"], "hit-only keys")
    eq(r.json["visibility"], "hit", "UK-NCA visibility")
    eq(r.json["agency"], "MY-NSRC", "hit agency")

    unknown = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    shapes = []
    for who, path in (("MY-BANK1", rid), ("TH-TELCO1", rid), ("MY-NSRC", unknown), ("MY-BANK1", unknown)):
        r = n.get("/api/v1/reports/" + path, who)
        p = assert_problem(r, 404, "id", "GET %s as %s" % (path, who))
        shapes.append((sorted(p.keys()), p["type"], p["title"], p["field"],
                       p["detail"].replace(path, "ID")))
    check(all(s == shapes[0] for s in shapes), "404 bodies differ between not-allowed and unknown: %s" % shapes)
    assert_problem(n.get("/api/v1/reports/not-an-id", "MY-NSRC"), 404, None, "GET malformed id")


@test
def check_batch_forms_limits_records_and_contacts():
    n = shared()
    hit_sel = acct()
    rid = n.post_report("MY-NSRC", report([hit_sel], rel=["MEMBERS"]))["id"]
    hk = acct_key(hit_sel)
    items = []
    for i in range(1000):
        if i == 500:
            items.append({"key": hk})
        elif i == 501:
            items.append({"type": "bank_account", "value": hit_sel["value"], "country": "MY", "bank": "MBBEMYKL"})
        elif i % 2:
            items.append({"key": "bank_account:MY:MBBEMYKL:%s" % uniq_digits()})
        else:
            items.append({"type": "phone", "value": "08 123%05d" % i, "country": "TH"})
    r = n.post("/api/v1/check", "TH-AOC", {"selectors": items})
    eq(r.status, 200, "1000-selector check (%s)" % short(r.text))
    res = r.json["results"]
    eq(len(res), 1000, "results")
    eq(res[0]["key"], "phone:+6681230000" + "0", "results keep the input order (0)")
    eq(res[2]["key"], "phone:+66812300002", "results keep the input order (2)")
    eq(res[1]["key"], items[1]["key"], "results keep the input order (1)")
    for i in (500, 501):
        eq(res[i]["key"], hk, "key %d" % i)
        eq(res[i]["hit"], True, "hit %d" % i)
        eq(records_ids(res[i]), [rid], "records %d" % i)
        eq(res[i]["contacts"], [], "contacts %d" % i)
        rec = res[i]["records"][0]
        eq(rec["agency"], "MY-NSRC", "record agency")
        check(isinstance(rec["id"], str), "record id is a string")
    eq(sum(1 for x in res if x["hit"]), 2, "hits in the batch")
    # The hit-only side: UK-NCA gets a contact, no record.
    res = n.check1("UK-NCA", hk)
    eq(res["hit"], True, "UK-NCA hit")
    eq(res["records"], [], "UK-NCA records")
    eq(contact_agencies(res), ["MY-NSRC"], "UK-NCA contacts")
    check(isinstance(res["contacts"][0]["ref"], str) and res["contacts"][0]["ref"] != rid,
          "contact ref must be opaque and not the record id")

    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": items + [{"key": hk}]}), 413,
                   "selectors", "1001 selectors")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": []}), 400, "selectors", "empty batch")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {}), 400, "selectors", "no selectors member")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": [{"key": hk}, {"key": "nonsense"}]}),
                   400, "selectors[1].key", "bad key")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": [{"type": "phone"}]}),
                   400, "selectors[0].value", "no value")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": [{"key": hk, "colour": "red"}]}),
                   400, "selectors[0].colour", "unknown item field")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": ["x"]}), 400, "selectors[0]", "non-object item")
    assert_problem(n.post("/api/v1/check", "TH-AOC", {"selectors": [{"type": "phone", "value": 5}]}),
                   400, "selectors[0].value", "non-string value")
    assert_problem(n.post("/api/v1/check", "TH-AOC",
                          {"selectors": [{"type": "phone", "value": "0812345678", "country": "Thailand"}]}),
                   400, "selectors[0].country", "bad country")
    assert_problem(n.post("/api/v1/check", "TH-AOC",
                          {"selectors": [{"type": "bank_account", "value": "9" * 600, "country": "MY"}]}),
                   400, "selectors[0].value", "over-long value")


@test
def healthz():
    n = shared()
    r = n.get("/healthz")
    eq(r.status, 200, "GET /healthz")
    eq(r.json, {"status": "ok"}, "healthz body")
    check(r.ctype().startswith("application/json"), "healthz Content-Type %r" % r.ctype())


@test
def metrics_prometheus_and_access():
    n = shared()
    for who in ("ADMIN", "AUDITOR"):
        r = n.get("/metrics", who)
        eq(r.status, 200, "GET /metrics as %s" % who)
        check(r.ctype().startswith("text/plain"), "metrics Content-Type %r" % r.ctype())
        for name, kind in (("simpul_checks_total", "counter"), ("simpul_reports", "gauge"),
                           ("simpul_refusals_total", "counter")):
            check(re.search(r"^# TYPE %s %s$" % (name, kind), r.text, re.M), "no TYPE line for %s" % name)
            check(re.search(r"^%s \d+$" % name, r.text, re.M), "no sample for %s" % name)
        for ln in r.text.splitlines():
            check(ln.startswith("#") or re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+]+$", ln),
                  "not Prometheus text: %r" % ln)
    before = n.metric("simpul_checks_total")
    n.check1("MY-NSRC", "bank_account:MY:MBBEMYKL:%s" % uniq_digits())
    check(n.metric("simpul_checks_total") >= before + 1, "simpul_checks_total did not move")
    for who in ("MY-NSRC", "MY-BANK1", "MY-PUBLIC"):
        assert_problem(n.get("/metrics", who), 403, None, "GET /metrics as %s" % who)
    assert_problem(n.get("/metrics"), 401, "Authorization", "GET /metrics without a token")


@test
def alerts_pagination_and_match_alert():
    n = shared()
    sels = [acct(), acct(), acct()]
    mine = n.post_report("SG-ASCOM", report(sels, rel=["MEMBERS"]))["id"]
    theirs = n.post_report("TH-CIB", report([dict(s) for s in sels], rel=["MEMBERS"]))
    eq(len(find(theirs["matches"], report=mine)), 3, "TH-CIB learns three matches")
    everything = n.alerts("SG-ASCOM")
    got = [a for a in everything if a["kind"] == "match" and a["data"].get("report") == theirs["id"]]
    eq(sorted(a["data"]["key"] for a in got), sorted(acct_key(s) for s in sels), "match alerts' keys")
    for a in got:
        eq(a["data"]["your_report"], mine, "alert your_report")
        eq(a["data"]["agency"], "TH-CIB", "alert agency")
        eq(a["data"]["visibility"], "full", "alert visibility")
        check(isinstance(a["id"], str) and isinstance(a["seq"], int), "alert id/seq")
    # Walk with limit=1: the same alerts in the same order, cursor strictly increasing.
    walked, after = [], 0
    for _ in range(len(everything) + 2):
        r = n.get("/api/v1/alerts?limit=1&after=%d" % after, "SG-ASCOM")
        eq(r.status, 200, "alerts page")
        page = r.json["alerts"]
        check(len(page) <= 1, "limit=1 returned %d alerts" % len(page))
        if not page:
            eq(r.json["next"], after, "next of the empty last page")
            break
        check(r.json["next"] > after, "cursor did not advance")
        after = r.json["next"]
        walked += page
    eq([a["id"] for a in walked], [a["id"] for a in everything[:len(walked)]], "paged alerts")
    check(len(walked) >= len(everything), "paging lost alerts")
    # The writer is not alerted about its own write; others' inboxes are separate.
    check(not [a for a in n.alerts("TH-CIB") if a["data"].get("report") == theirs["id"]],
          "TH-CIB got an alert about its own write")
    check(not [a for a in n.alerts("MY-NSRC") if a["data"].get("report") == theirs["id"]],
          "MY-NSRC got an alert about a match that is not its")
    for q, f in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=x", "limit"),
                 ("after=-1", "after"), ("after=abc", "after")):
        assert_problem(n.get("/api/v1/alerts?" + q, "SG-ASCOM"), 400, f, "alerts?" + q)
    assert_problem(n.get("/api/v1/alerts", "MY-PUBLIC"), 403, None, "alerts as public")


@test
def contact_ref_resolves_for_originator_only():
    n = shared()
    sel = acct()
    rid = n.post_report("MY-NSRC", report([sel], rel=["MEMBERS"], reference="NSRC-REF-%s" % RUN))["id"]
    res = n.check1("UK-NCA", acct_key(sel))
    eq(contact_agencies(res), ["MY-NSRC"], "UK-NCA contacts")
    ref = res["contacts"][0]["ref"]
    for who in ("MY-NSRC", "MY-NSRC-2"):
        r = n.get("/api/v1/contacts/" + ref, who)
        eq(r.status, 200, "originator resolves the ref (%s)" % who)
        eq(r.json["report"], rid, "resolved report")
        eq(r.json["ref"], ref, "resolved ref")
    shapes = []
    for who, path in (("UK-NCA", ref), ("TH-AOC", ref), ("MY-BANK1", ref), ("MY-PUBLIC", ref),
                      ("MY-NSRC", "01ZZZZZZZZZZZZZZZZZZZZZZZZ")):
        p = assert_problem(n.get("/api/v1/contacts/" + path, who), 404, "ref", "contact as %s" % who)
        shapes.append((p["title"], p["detail"].replace(path, "X")))
    check(all(s == shapes[0] for s in shapes), "contact 404 bodies differ: %s" % shapes)


@test
def national_phone_read_in_posting_country():
    n = shared()
    j = n.post_report("MY-NSRC", report([{"type": "phone", "value": "012-345 6789", "role": "scammer_contact"}]))
    eq(j["selectors"][0]["key"], "phone:+60123456789", "MY national format posted by MY-NSRC")
    eq(j["selectors"][0]["valid"], True, "valid")
    j = n.post_report("TH-AOC", report([{"type": "phone", "value": "081 234 5678"}]))
    eq(j["selectors"][0]["key"], "phone:+66812345678", "TH national format posted by TH-AOC")
    j = n.post_report("TH-AOC", report([{"type": "phone", "value": "012-345 6789", "country": "MY"}]))
    eq(j["selectors"][0]["key"], "phone:+60123456789", "explicit country wins over the agency's")
    r = n.post("/api/v1/check", "MY-NSRC", {"selectors": [{"type": "phone", "value": "012-345 6789"}]})
    eq(r.status, 200, "check")
    eq(r.json["results"][0]["key"], "phone:+60123456789", "check reads national format in the caller's country")


@test
def crypto_chain_inferred():
    n = shared()
    j = n.post_report("MY-NSRC", report([
        {"type": "crypto", "value": "0x52908400098527886E0F7030069857D2E4169EE7"},
        {"type": "crypto", "value": "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"},
        {"type": "crypto", "value": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
        {"type": "crypto", "value": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
    ]))
    keys = [s["key"] for s in j["selectors"]]
    eq(keys, ["crypto:eth:0x52908400098527886e0f7030069857d2e4169ee7",
              "crypto:trx:TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
              "crypto:btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
              "crypto:btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"], "crypto keys")
    check(all(s["valid"] for s in j["selectors"]), "crypto selectors valid: %s" % short(j["selectors"]))


# =============================================================================
# Sharing (issue §4, DESIGN §2 markings)
# =============================================================================

def visibility_table(n, key, who):
    """{agency: 'full'|'hit'|'none'} from /check of key."""
    out = {}
    for a in who:
        res = n.check1(a, key)
        if res["records"]:
            out[a] = "full"
        elif res["contacts"]:
            out[a] = "hit"
        else:
            out[a] = "none"
            eq(res["hit"], False, "%s: hit with nothing shown" % a)
        if out[a] != "none":
            eq(res["hit"], True, "%s: hit flag" % a)
    return out


ALL_READERS = ("MY-NSRC", "TH-AOC", "SG-ASCOM", "TH-CIB", "UK-NCA", "MY-BANK1", "TH-TELCO1", "MY-BANK2")


def sharing_case(origin, markings_kw, want):
    n = shared()
    sel = acct()
    rid = n.post_report(origin, report([sel], **markings_kw))["id"]
    got = visibility_table(n, acct_key(sel), ALL_READERS)
    eq(got, want, "who sees %s %s" % (origin, markings_kw))
    # GET agrees with the check.
    for a, v in want.items():
        r = n.get("/api/v1/reports/" + rid, a)
        if v == "none":
            assert_problem(r, 404, "id", "GET as %s" % a)
        else:
            eq(r.status, 200, "GET as %s" % a)
            eq(r.json["visibility"], v, "GET visibility as %s" % a)
    return rid, sel


@test
def sharing_members_excludes_partner_le_and_banks():
    sharing_case("MY-NSRC", dict(tlp="AMBER", rel=["MEMBERS"]), {
        "MY-NSRC": "full", "TH-AOC": "full", "SG-ASCOM": "full", "TH-CIB": "full",
        "UK-NCA": "hit", "MY-BANK1": "none", "TH-TELCO1": "none", "MY-BANK2": "none"})


@test
def sharing_all_le_includes_partner_le():
    sharing_case("TH-AOC", dict(tlp="GREEN", rel=["ALL_LE"]), {
        "MY-NSRC": "full", "TH-AOC": "full", "SG-ASCOM": "full", "TH-CIB": "full",
        "UK-NCA": "full", "MY-BANK1": "none", "TH-TELCO1": "none", "MY-BANK2": "none"})


@test
def sharing_country_audience():
    sharing_case("TH-AOC", dict(tlp="AMBER", rel=["TH"]), {
        "MY-NSRC": "hit", "TH-AOC": "full", "SG-ASCOM": "hit", "TH-CIB": "full",
        "UK-NCA": "hit", "MY-BANK1": "none", "TH-TELCO1": "none", "MY-BANK2": "none"})


@test
def sharing_private_banks_see_without_narrative_or_victim():
    n = shared()
    sel = acct()
    body = report([sel], tlp="AMBER", rel=["PRIVATE"], victim={"name": "Aminah"})
    rid = n.post_report("MY-NSRC", body)["id"]
    got = visibility_table(n, acct_key(sel), ALL_READERS)
    eq(got, {"MY-NSRC": "full", "TH-AOC": "hit", "SG-ASCOM": "hit", "TH-CIB": "hit", "UK-NCA": "hit",
             "MY-BANK1": "full", "TH-TELCO1": "full", "MY-BANK2": "full"}, "who sees a PRIVATE record")
    for bank in ("MY-BANK1", "TH-TELCO1"):
        r = n.get("/api/v1/reports/" + rid, bank)
        eq(r.status, 200, "GET as %s" % bank)
        j = r.json
        eq(j["visibility"], "full", "bank visibility")
        eq([s["key"] for s in j["selectors"]], [acct_key(sel)], "bank sees selectors")
        for k in ("narrative", "victim", "loss", "victim_country"):
            check(k not in j, "%s sees %r: %s" % (bank, k, short(j)))
        check("contact_ref" not in j, "bank sees the originator's contact_ref")


@test
def sharing_bank_never_gets_contacts():
    n = shared()
    # A hit-disclosure record not released to banks: banks see nothing at all.
    sel = acct()
    n.post_report("TH-AOC", report([sel], tlp="AMBER", rel=["ALL_LE"], disclosure="hit"))
    for bank in ("MY-BANK1", "TH-TELCO1", "MY-BANK2"):
        res = n.check1(bank, acct_key(sel))
        eq(res, {"key": acct_key(sel), "valid": True, "hit": False, "records": [], "contacts": []},
           "%s check of an LE-only record" % bank)
    # Two records on one key, one released to banks: the bank sees that one only, no contacts.
    sel2 = acct()
    r_le = n.post_report("TH-AOC", report([sel2], tlp="RED", rel=["TH-CIB"], disclosure="hit"))["id"]
    r_pv = n.post_report("MY-NSRC", report([dict(sel2)], tlp="GREEN", rel=["PRIVATE", "MEMBERS"]))["id"]
    res = n.check1("MY-BANK1", acct_key(sel2))
    eq(res["hit"], True, "bank hit on the released record")
    eq(records_ids(res), [r_pv], "bank records")
    eq(res["contacts"], [], "bank contacts")
    check(r_le not in json.dumps(res), "the RED record leaks into the bank's answer")


@test
def sharing_silent_record_invisible_and_originator_alerted():
    n = shared()
    sel = acct()
    rid = n.post_report("MY-NSRC", report([sel], tlp="AMBER", rel=["MY"], disclosure="silent"))["id"]
    key = acct_key(sel)
    never = "bank_account:MY:MBBEMYKL:%s" % uniq_digits()
    for who in ("SG-ASCOM", "TH-AOC", "UK-NCA", "MY-BANK1", "TH-TELCO1"):
        r1 = n.post("/api/v1/check", who, {"selectors": [{"key": key}]})
        r2 = n.post("/api/v1/check", who, {"selectors": [{"key": never}]})
        eq(r1.status, 200, "check of silent key as %s" % who)
        eq(r2.status, 200, "check of never-seen key as %s" % who)
        a = json.loads(r1.text.replace(key, "KEY"))
        b = json.loads(r2.text.replace(never, "KEY"))
        eq(a, b, "silent vs never-seen answer for %s" % who)
        eq(a["results"][0]["hit"], False, "silent record hit for %s" % who)
        eq(len(r1.body) - len(key), len(r2.body) - len(never), "answer size for %s" % who)
        # GET: the same 404 as an unknown id.
        g1 = n.get("/api/v1/reports/" + rid, who)
        g2 = n.get("/api/v1/reports/01ZZZZZZZZZZZZZZZZZZZZZZZZ", who)
        p1 = assert_problem(g1, 404, "id", "GET silent as %s" % who)
        p2 = assert_problem(g2, 404, "id", "GET unknown as %s" % who)
        eq(json.loads(g1.text.replace(rid, "ID")), json.loads(g2.text.replace("01ZZZZZZZZZZZZZZZZZZZZZZZZ", "ID")),
           "silent vs unknown 404 for %s" % who)
    # A Malaysian police-kind reader (in the MY audience) would see it; the originator does.
    eq(records_ids(n.check1("MY-NSRC", key)), [rid], "originator sees its silent record")
    # The outsider who writes the same selector learns no match.
    j = n.post_report("SG-ASCOM", report([dict(sel)], rel=["MEMBERS"]))
    check(not find(j["matches"], report=rid), "silent record named in an outsider's matches")
    # The originator is told who searched.
    alerts = n.alerts("MY-NSRC")
    searchers = sorted({a["data"].get("agency") for a in alerts
                        if a["kind"] == "silent_search" and a["data"].get("your_report") == rid})
    for who in ("SG-ASCOM", "TH-AOC", "UK-NCA", "MY-BANK1", "TH-TELCO1"):
        check(who in searchers, "no silent_search alert naming %s (have %s)" % (who, searchers))
    for a in alerts:
        if a["kind"] == "silent_search" and a["data"].get("your_report") == rid:
            eq(a["data"]["key"], key, "silent_search key")
    check([a for a in alerts if a["data"].get("your_report") == rid and a["kind"] != "silent_search"],
          "no alert about the outsider's write of the silent selector")
    # Nobody else's inbox mentions the silent record.
    for who in ("SG-ASCOM", "TH-AOC", "UK-NCA", "MY-BANK1"):
        check(rid not in json.dumps(n.alerts(who)), "%s's alerts mention the silent record" % who)


@test
def sharing_red_only_to_named_agencies():
    sharing_case("TH-AOC", dict(tlp="RED", rel=["TH-CIB", "MEMBERS", "MY-BANK1"], disclosure="hit"), {
        "MY-NSRC": "hit", "TH-AOC": "full", "SG-ASCOM": "hit", "TH-CIB": "full",
        "UK-NCA": "hit", "MY-BANK1": "none", "TH-TELCO1": "none", "MY-BANK2": "none"})


@test
def sharing_amber_strict_named_only():
    sharing_case("MY-NSRC", dict(tlp="AMBER+STRICT", rel=["MEMBERS", "ALL_LE", "SG-ASCOM", "PRIVATE"]), {
        "MY-NSRC": "full", "TH-AOC": "hit", "SG-ASCOM": "full", "TH-CIB": "hit",
        "UK-NCA": "hit", "MY-BANK1": "none", "TH-TELCO1": "none", "MY-BANK2": "none"})


@test
def sharing_clear_visible_to_all_readers():
    sharing_case("SG-ASCOM", dict(tlp="CLEAR", rel=[]), {
        "MY-NSRC": "full", "TH-AOC": "full", "SG-ASCOM": "full", "TH-CIB": "full",
        "UK-NCA": "full", "MY-BANK1": "full", "TH-TELCO1": "full", "MY-BANK2": "full"})


@test
def sharing_victim_data_only_to_originator():
    n = shared()
    victim = {"name": "Nguyen Thi B", "id_number": "A1234567", "phone": "+84901234567"}
    rid = n.post_report("TH-AOC", report([acct()], tlp="GREEN", rel=["ALL_LE", "PRIVATE"], victim=victim))["id"]
    r = n.get("/api/v1/reports/" + rid, "TH-AOC")
    eq(r.json.get("victim"), victim, "originator sees the victim")
    for who in ("TH-CIB", "MY-NSRC", "UK-NCA", "MY-BANK1"):
        r = n.get("/api/v1/reports/" + rid, who)
        eq(r.status, 200, "GET as %s" % who)
        check("victim" not in r.json and "A1234567" not in r.text and "Nguyen" not in r.text,
              "victim data shown to %s: %s" % (who, short(r.text)))
    # Same agency, another principal: victim visible (agency-level originator).
    eq(n.get("/api/v1/reports/" + rid, "TH-AOC").json.get("victim"), victim, "victim for TH-AOC")


@test
def sharing_match_alert_reaches_other_agency():
    n = shared()
    sel = acct()
    mine = n.post_report("MY-BANK2", report([sel], tlp="AMBER", rel=["PRIVATE", "MEMBERS"]))["id"]
    theirs = n.post_report("TH-AOC", report([dict(sel)], tlp="AMBER", rel=["MEMBERS"]))
    m = find(theirs["matches"], report=mine)
    eq(len(m), 1, "TH-AOC's matches name the bank's report")
    eq(m[0]["visibility"], "full", "visibility of the bank's MEMBERS record")
    # The bank's inbox: TH-AOC's record is not released to banks, so no alert.
    check(not [a for a in n.alerts("MY-BANK2") if a["data"].get("report") == theirs["id"]],
          "bank alerted about a record not released to it")
    # The other way: an ASC record first, then a write whose markings the ASC may see.
    sel2 = acct()
    first = n.post_report("TH-AOC", report([sel2], rel=["MEMBERS"]))["id"]
    second = n.post_report("MY-NSRC", report([dict(sel2)], rel=["MEMBERS"]))["id"]
    a = [x for x in n.alerts("TH-AOC") if x["kind"] == "match" and x["data"].get("report") == second]
    eq(len(a), 1, "match alert in TH-AOC's inbox")
    eq(a[0]["data"]["your_report"], first, "alert names TH-AOC's report")
    eq(a[0]["data"]["agency"], "MY-NSRC", "alert names the writer")
    # A write by UK-NCA on the same key with a UK-only audience: TH-AOC is told of a hit.
    third = n.post_report("UK-NCA", report([dict(sel2)], rel=["GB"]))["id"]
    a = [x for x in n.alerts("TH-AOC") if x["kind"] == "match" and x["data"].get("report") == third]
    eq(len(a), 1, "hit-only match alert in TH-AOC's inbox")
    eq(a[0]["data"]["visibility"], "hit", "hit-only alert visibility")


# =============================================================================
# Authentication and roles
# =============================================================================

@test
def auth_missing_malformed_unknown_wrong_secret():
    n = shared()
    good = n.tok["MY-NSRC"]
    tid = good[4:30]
    fake_secret = "A" * 43
    cases = [
        ("no header", {}),
        ("not bearer", {"Authorization": "Basic dXNlcjpwYXNz"}),
        ("empty bearer", {"Authorization": "Bearer "}),
        ("malformed", {"Authorization": "Bearer not-a-token"}),
        ("unknown id", {"Authorization": "Bearer spl_01ZZZZZZZZZZZZZZZZZZZZZZZZ_" + fake_secret}),
        ("wrong secret", {"Authorization": "Bearer spl_%s_%s" % (tid, fake_secret)}),
        ("truncated", {"Authorization": "Bearer " + good[:-1]}),
    ]
    sel = acct()
    for what, h in cases:
        for method, path, body in (("POST", "/api/v1/check", {"selectors": [{"key": acct_key(sel)}]}),
                                   ("POST", "/api/v1/reports", report([sel])),
                                   ("GET", "/api/v1/alerts", None),
                                   ("GET", "/api/v1/whoami", None)):
            r = n.req(method, path, None, body, headers=h)
            assert_problem(r, 401, "Authorization", "%s %s (%s)" % (method, path, what))
            check("bearer" in r.headers.get("www-authenticate", "").lower(),
                  "401 without WWW-Authenticate: Bearer (%s)" % what)
    eq(n.check1("MY-NSRC", acct_key(sel))["hit"], False, "a refused write stored nothing")
    eq(n.get("/api/v1/whoami", "MY-NSRC").json["agency"]["id"], "MY-NSRC", "the good token works")


REVOKE_GRACE_S = 5   # the daemon caches tokens for 2 s (TOKEN_TTL_MS); CLI revocation lands within it


def wait_revoked(n, token):
    """Poll until the daemon refuses a token revoked through the CLI; fail after the grace period."""
    deadline = time.monotonic() + REVOKE_GRACE_S
    while True:
        r = n.get("/api/v1/whoami", token)
        if r.status == 401:
            return time.monotonic()
        eq(r.status, 200, "whoami while the revocation propagates")
        check(time.monotonic() < deadline, "a revoked token still works after %d s" % REVOKE_GRACE_S)
        time.sleep(0.1)


@test
def auth_revoked_token():
    n = shared()
    tok = n.tok["REVOKE-ME"]
    eq(n.get("/api/v1/whoami", "REVOKE-ME").status, 200, "token works before revocation")
    cli("token", "revoke", "--db", n.db, "--id", tok[4:30])
    wait_revoked(n, "REVOKE-ME")
    sel = acct()
    assert_problem(n.post("/api/v1/reports", "REVOKE-ME", report([sel])), 401, "Authorization", "revoked POST")
    assert_problem(n.post("/api/v1/check", "REVOKE-ME", {"selectors": [{"key": acct_key(sel)}]}), 401,
                   "Authorization", "revoked check")
    assert_problem(n.get("/api/v1/whoami", "REVOKE-ME"), 401, "Authorization", "revoked whoami")
    eq(n.check1("TH-AOC", acct_key(sel))["hit"], False, "revoked write stored nothing")
    p = cli("token", "revoke", "--db", n.db, "--id", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", ok=False)
    check(p.returncode != 0, "revoking an unknown token succeeded")


@test
def roles_bank_partner_contributes_mule_accounts():
    n = shared()
    sel = acct()
    j = n.post_report("MY-BANK1", report([sel], tlp="AMBER", rel=["MEMBERS", "PRIVATE"],
                                         narrative="Detected mule pattern", scam_type="mule"))
    eq(j["selectors"][0]["key"], acct_key(sel), "bank's selector key")
    eq(records_ids(n.check1("MY-NSRC", acct_key(sel))), [j["id"]], "MY-NSRC sees the bank's report")
    eq(records_ids(n.check1("MY-BANK2", acct_key(sel))), [j["id"]], "another bank sees it (PRIVATE)")
    eq(n.check1("UK-NCA", acct_key(sel))["records"], [], "UK-NCA not in the audience")


@test
def roles_auditor_and_public_refused():
    n = shared()
    sel = acct()
    own = n.post_report("MY-NSRC", report([sel], rel=["MEMBERS"]))["id"]
    other = n.post_report("TH-AOC", report([acct()], tlp="CLEAR", rel=[]))["id"]
    key = acct_key(sel)
    assert_problem(n.post("/api/v1/check", "AUDITOR", {"selectors": [{"key": key}]}), 403, None, "auditor check")
    assert_problem(n.post("/api/v1/reports", "AUDITOR", report([acct()])), 403, None, "auditor write")
    eq(n.get("/api/v1/reports/" + own, "AUDITOR").status, 200, "auditor reads its agency's record")
    assert_problem(n.get("/api/v1/reports/" + other, "AUDITOR"), 404, "id", "auditor reads another agency's")
    eq(n.get("/metrics", "AUDITOR").status, 200, "auditor metrics")
    assert_problem(n.post("/api/v1/check", "MY-PUBLIC", {"selectors": [{"key": key}]}), 403, None, "public check")
    assert_problem(n.post("/api/v1/reports", "MY-PUBLIC", report([acct()])), 403, None, "public write")
    for rid in (own, other):
        assert_problem(n.get("/api/v1/reports/" + rid, "MY-PUBLIC"), 404, "id", "public GET")
    assert_problem(n.get("/api/v1/alerts", "MY-PUBLIC"), 403, None, "public alerts")
    assert_problem(n.get("/metrics", "MY-PUBLIC"), 403, None, "public metrics")
    # Tokens whose role does not fit the agency kind are refused at creation.
    for agency, role in (("MY-BANK1", "analyst"), ("MY-NSRC", "partner"), ("MY-NSRC", "public"),
                         ("MY-PUBLIC", "analyst"), ("NO-SUCH-AGENCY", "analyst")):
        p = cli("token", "create", "--db", n.db, "--agency", agency, "--role", role, "--json", ok=False)
        check(p.returncode != 0, "token create %s/%s succeeded" % (agency, role))
    eq(n.get("/api/v1/whoami", "UK-INV").json["role"], "investigator", "partner_le investigator")


@test
def http_routes_methods_and_headers():
    n = shared()
    assert_problem(n.get("/api/v1/nope", "MY-NSRC"), 404, None, "unknown route")
    assert_problem(n.req("DELETE", "/api/v1/reports", "MY-NSRC"), 405, None, "wrong method")
    assert_problem(n.get("/api/v1/check", "MY-NSRC"), 405, None, "GET on check")
    r = n.post("/api/v1/check", "MY-NSRC", {"selectors": [{"key": acct_key(acct())}]},
               headers={"X-Simpul-Purpose": "p" * 201})
    assert_problem(r, 400, "X-Simpul-Purpose", "over-long purpose")
    r = n.post("/api/v1/check", "MY-NSRC", {"selectors": [{"key": acct_key(acct())}]},
               headers={"X-Simpul-Case": "c" * 101})
    assert_problem(r, 400, "X-Simpul-Case", "over-long case")
    r = n.post("/api/v1/check", "MY-NSRC", {"selectors": [{"key": acct_key(acct())}]},
               headers={"X-Simpul-Purpose": "fraud triage", "X-Simpul-Case": "MY-CASE-1"})
    eq(r.status, 200, "check with purpose and case")
    eq(r.headers.get("cache-control"), "no-store", "API answers are not cached")
    eq(r.headers.get("x-content-type-options"), "nosniff", "nosniff")
    w = n.get("/api/v1/whoami", "UK-NCA").json
    eq((w["role"], w["agency"]["id"], w["agency"]["kind"], w["agency"]["country"]),
       ("analyst", "UK-NCA", "partner_le", "GB"), "whoami")


# =============================================================================
# Bad input (issue §7): 4xx problem+json naming the field, nothing stored
# =============================================================================

def bad_report(raw, status, field, who="MY-NSRC", sentinel=None):
    """POST a bad report body (bytes/str/obj); assert the problem and that
    nothing was stored (report count, and a check of the sentinel key)."""
    n = shared()
    before = n.metric("simpul_reports")
    r = n.post("/api/v1/reports", who, raw)
    p = assert_problem(r, status, field, "bad report")
    eq(n.metric("simpul_reports"), before, "reports stored after a refused write")
    if sentinel is not None:
        res = n.check1(who, sentinel)
        eq(res["hit"], False, "the refused report's selector is findable")
        eq(res["records"], [], "records after a refused write")
    return p


def sentinel_body(**over):
    sel = acct()
    body = report([sel])
    body.update(over)
    return body, acct_key(sel)


@test
def bad_invalid_json():
    sel = acct()
    raw = json.dumps(report([sel]))[:-5]  # cut short
    bad_report(raw, 400, "body", sentinel=acct_key(sel))
    bad_report("{'reference': 'x'}", 400, "body")
    bad_report(b"\xff\xfe{}", 400, "body")
    bad_report("", 400, "body")


@test
def bad_non_object_body():
    sel = acct()
    bad_report([report([sel])], 400, "body", sentinel=acct_key(sel))
    bad_report("42", 400, "body")
    bad_report('"report"', 400, "body")
    bad_report("null", 400, "body")


@test
def bad_unknown_field():
    b, k = sentinel_body(colour="red")
    bad_report(b, 400, "colour", sentinel=k)
    sel = acct()
    sel["colour"] = "red"
    bad_report(report([sel]), 400, "selectors[0].colour", sentinel=acct_key(sel))


@test
def bad_unknown_field_in_markings():
    b, k = sentinel_body()
    b["markings"]["classification"] = "SECRET"
    bad_report(b, 400, "markings.classification", sentinel=k)


@test
def bad_wrong_types():
    for field, value in (("narrative", 5), ("reference", ["a"]), ("occurred_at", 20261120),
                         ("selectors", "phone:+60123456789"), ("markings", "AMBER"), ("loss", 100),
                         ("victim", "Somchai")):
        b, k = sentinel_body(**{field: value})
        bad_report(b, 400, field, sentinel=k if field != "selectors" else None)
    b, k = sentinel_body()
    b["markings"]["orcon"] = "no"
    bad_report(b, 400, "markings.orcon", sentinel=k)
    b, k = sentinel_body()
    b["selectors"].append({"type": "phone", "value": 60123456789})
    bad_report(b, 400, "selectors[1].value", sentinel=k)
    b, k = sentinel_body()
    b["selectors"].append("phone:+60123456789")
    bad_report(b, 400, "selectors[1]", sentinel=k)
    b, k = sentinel_body()
    b["loss"] = {"amount": "12.50", "currency": "MYR"}
    bad_report(b, 400, "loss.amount", sentinel=k)


@test
def bad_tlp():
    for tlp in ("TOP-SECRET", "", "TLP:BLUE", 3, None):
        b, k = sentinel_body()
        b["markings"]["tlp"] = tlp
        bad_report(b, 400, "markings.tlp", sentinel=k)
    b, k = sentinel_body()
    b["markings"]["disclosure"] = "loud"
    bad_report(b, 400, "markings.disclosure", sentinel=k)


@test
def bad_releasable_to_entry():
    for rel in (["not an audience!"], ["MEMBERS", 5], "MEMBERS", ["x"], ["MEMBERS"] + ["A%02d-X" % i for i in range(40)]):
        b, k = sentinel_body()
        b["markings"]["releasable_to"] = rel
        bad_report(b, 400, "markings.releasable_to", sentinel=k)


@test
def bad_country():
    sel = acct()
    sel["country"] = "Malaysia"
    bad_report(report([sel]), 400, "selectors[0].country")
    sel = acct()
    sel["country"] = "my"
    bad_report(report([sel]), 400, "selectors[0].country")
    for vc in ("Thailand", "th", "T1"):
        b, k = sentinel_body(victim_country=vc)
        bad_report(b, 400, "victim_country", sentinel=k)


@test
def bad_over_long_values():
    b, k = sentinel_body()
    b["selectors"].append({"type": "phone", "value": "+60" + "1" * 600})
    bad_report(b, 400, "selectors[1].value", sentinel=k)
    b, k = sentinel_body(reference="R" * 300)
    bad_report(b, 400, "reference", sentinel=k)
    b, k = sentinel_body(narrative="n" * 65537)
    bad_report(b, 400, "narrative", sentinel=k)


@test
def bad_too_many_selectors():
    sels = [acct() for _ in range(201)]
    bad_report(report(sels), 413, "selectors", sentinel=acct_key(sels[0]))
    # 200 is the limit, and is accepted.
    n = shared()
    sels = [acct() for _ in range(200)]
    j = n.post_report("MY-NSRC", report(sels))
    eq(len(j["selectors"]), 200, "200 selectors accepted")


@test
def bad_check_batch_limits():
    n = shared()
    before = n.metric("simpul_checks_total")
    assert_problem(n.post("/api/v1/check", "MY-NSRC",
                          {"selectors": [{"key": acct_key(acct())} for _ in range(1001)]}),
                   413, "selectors", "1001 keys")
    assert_problem(n.post("/api/v1/check", "MY-NSRC", {"selectors": []}), 400, "selectors", "empty batch")
    assert_problem(n.post("/api/v1/check", "MY-NSRC", {"selectors": "x"}), 400, "selectors", "selectors not array")
    assert_problem(n.post("/api/v1/check", "MY-NSRC", "[]"), 400, "body", "array body")
    eq(n.metric("simpul_checks_total"), before, "refused checks counted as answered")


@test
def bad_nesting_too_deep():
    deep = {"a": "b"}
    for _ in range(20):
        deep = {"a": deep}
    b, k = sentinel_body(victim=deep)
    bad_report(b, 400, "body", sentinel=k)
    # 16 levels in all is fine: body(1) > victim(2) > ... (depth counted from the body).
    ok = "x"
    for _ in range(15):
        ok = {"a": ok}
    b, k = sentinel_body(victim=ok)
    n = shared()
    n.post_report("MY-NSRC", b)
    eq(n.check1("MY-NSRC", k)["hit"], True, "16-level body stored")
    # And in a check body.
    deep = ["x"]
    for _ in range(18):
        deep = [deep]
    assert_problem(n.post("/api/v1/check", "MY-NSRC", {"selectors": deep}), 400, "body", "deep check body")


@test
def bad_body_over_4mib():
    n = shared()
    before = n.metric("simpul_reports")
    sel = acct()
    body = report([sel], narrative="x")
    blob = json.dumps(body).encode()
    pad = 4 * 1024 * 1024 + 1 - len(blob)
    big = blob[:-1] + b" " * pad + b"}"
    check(len(big) > 4 * 1024 * 1024, "test body size")
    tok = n.tok["MY-NSRC"]
    head = ("POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (tok, len(big))).encode()
    status, hdrs, rbody = n.raw(head, big)
    eq(status, 413, "declared over-size body")
    check(hdrs.get("content-type", "").startswith("application/problem+json"), "413 Content-Type %r" % hdrs)
    eq(json.loads(rbody).get("field"), "body", "413 field")
    # Chunked, no Content-Length: refused once the limit is crossed.
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 65536]), big[i:i + 65536])
                      for i in range(0, len(big), 65536)) + b"0\r\n\r\n"
    head = ("POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            % tok).encode()
    status, hdrs, rbody = n.raw(head, chunks)
    eq(status, 413, "chunked over-size body")
    eq(json.loads(rbody).get("field"), "body", "chunked 413 field")
    eq(n.metric("simpul_reports"), before, "reports stored after over-size bodies")
    eq(n.check1("MY-NSRC", acct_key(sel))["hit"], False, "over-size report stored")
    # Unauthenticated over-size: refused before reading (401 or 413, never 2xx).
    head = ("POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % len(big)).encode()
    status, _, _ = n.raw(head, big)
    check(status in (401, 413), "unauthenticated 4 MiB body: %d" % status)
    eq(n.get("/healthz").status, 200, "daemon alive after over-size bodies")


@test
def bad_duplicate_keys():
    sel = acct()
    raw = json.dumps(report([sel]))
    raw = raw[:-1] + ', "reference": "again"}'
    bad_report(raw, 400, "body", sentinel=acct_key(sel))
    sel = acct()
    raw = json.dumps(report([sel])).replace('"role": "mule_account"', '"role": "mule_account", "role": "x"')
    check('"role": "x"' in raw, "test body")
    bad_report(raw, 400, "body", sentinel=acct_key(sel))


@test
def bad_invalid_date():
    for d in ("2026-13-01", "2026-02-30", "20-11-2026", "yesterday", "2026-11-20T25:00:00Z"):
        b, k = sentinel_body(occurred_at=d)
        bad_report(b, 400, "occurred_at", sentinel=k)
    b, k = sentinel_body(reported_at="2026-00-10")
    bad_report(b, 400, "reported_at", sentinel=k)


@test
def bad_negative_loss():
    b, k = sentinel_body(loss={"amount": -1, "currency": "MYR"})
    bad_report(b, 400, "loss.amount", sentinel=k)
    b, k = sentinel_body(loss={"amount": 1.5, "currency": "MYR"})
    bad_report(b, 400, "loss.amount", sentinel=k)
    b, k = sentinel_body(loss={"amount": 100, "currency": "ringgit"})
    bad_report(b, 400, "loss.currency", sentinel=k)


# =============================================================================
# CLI (issue §6)
# =============================================================================

@test
def cli_help_everywhere():
    p = cli("--help")
    check("usage" in p.stdout.lower(), "simpul --help prints usage")
    cmds = re.findall(r"^  ([a-z]+)\s", p.stdout, re.M)
    for want in ("init", "agency", "token", "serve", "run", "import", "check", "normalize", "audit"):
        check(want in cmds, "simpul --help does not list %s" % want)
    for args in (["init"], ["agency"], ["agency", "add"], ["token"], ["token", "create"], ["serve"],
                 ["run"], ["import"], ["check"], ["normalize"], ["audit"], ["audit", "verify"],
                 ["audit", "export"]):
        p = cli(*(args + ["--help"]), ok=False)
        eq(p.returncode, 0, "simpul %s --help exit status (%s)" % (" ".join(args), short(p.stderr)))
        check("usage" in p.stdout.lower(), "simpul %s --help prints no usage: %s" % (" ".join(args), short(p.stdout)))
    p = cli("no-such-command", ok=False)
    check(p.returncode != 0, "unknown command exit 0")


@test
def cli_import_reports_jsonl():
    n = Node("import", agencies={"MY-NSRC": ("MY", "asc", "analyst"), "TH-AOC": ("TH", "asc", "analyst")})
    try:
        good = [report([acct(), {"type": "phone", "value": "081 %03d %04d" % (i, i)}], rel=["MEMBERS"])
                for i in range(25)]
        f = os.path.join(n.dir, "good.jsonl")
        with open(f, "w") as fh:
            for b in good:
                fh.write(json.dumps(b) + "\n")
        p = cli("import", "--db", n.db, "--agency", "TH-AOC", "--format", "reports-jsonl", "--json", f)
        j = json.loads(p.stdout.strip().splitlines()[-1])
        eq(j["reports"], 25, "reports imported")
        eq(j["lines"], 25, "lines read")
        eq(j["selectors"], 50, "selectors imported")
        # Plain output mentions the count too.
        f2 = os.path.join(n.dir, "one.jsonl")
        one = report([acct()])
        with open(f2, "w") as fh:
            fh.write(json.dumps(one) + "\n")
        p = cli("import", "--db", n.db, "--agency", "TH-AOC", "--format", "reports-jsonl", f2)
        check("1" in p.stdout, "import output: %r" % p.stdout)

        # A bad line: named with its number; nothing from its batch is committed.
        batch = [report([acct()]) for _ in range(5)]
        lines = [json.dumps(b) for b in batch]
        lines[3] = json.dumps(dict(batch[3], occurred_at="2026-13-45"))
        f3 = os.path.join(n.dir, "bad.jsonl")
        with open(f3, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        p = cli("import", "--db", n.db, "--agency", "MY-NSRC", "--format", "reports-jsonl", f3, ok=False)
        check(p.returncode != 0, "import of a bad file exited 0")
        check(re.search(r"\bline 4\b", p.stderr), "bad line not named as line 4: %r" % p.stderr)
        check("occurred_at" in p.stderr, "bad field not named: %r" % p.stderr)
        lines2 = list(lines)
        lines2[3] = "{not json"
        with open(f3, "w") as fh:
            fh.write("\n".join(lines2) + "\n")
        p = cli("import", "--db", n.db, "--agency", "MY-NSRC", "--format", "reports-jsonl", f3, ok=False)
        check(p.returncode != 0 and re.search(r"\bline 4\b", p.stderr), "invalid JSON line: %r" % p.stderr)

        n.start()
        for b in good[:3] + [one]:
            k = acct_key(b["selectors"][0])
            res = n.check1("MY-NSRC", k)
            eq(res["hit"], True, "imported selector %s found" % k)
            eq(res["records"][0]["agency"], "TH-AOC", "imported record's agency")
        phone = n.check1("MY-NSRC", "phone:+66810000000")
        eq(phone["hit"], True, "national-format phone of a TH-AOC import read as Thai")
        for b in batch:
            res = n.check1("MY-NSRC", acct_key(b["selectors"][0]))
            eq(res["hit"], False, "a report from the failed batch was committed")
        eq(n.metric("simpul_reports"), 26, "reports in the database")
        # Imported reports match cross-agency like API writes.
        j = n.post_report("MY-NSRC", report([dict(good[0]["selectors"][0])]))
        eq(len(find(j["matches"], agency="TH-AOC")), 1, "API write matches an imported report")
    finally:
        n.cleanup()


@test
def cli_normalize_phone():
    p = cli("normalize", "phone", "+60 12-345 6789", ok=False)
    eq(p.returncode, 0, "simpul normalize exit status (%s)" % short(p.stderr))
    check("phone:+60123456789" in p.stdout, "normalize output: %r" % p.stdout)
    p = cli("normalize", "phone", "012-345 6789", "--country", "MY", ok=False)
    eq(p.returncode, 0, "normalize --country exit status (%s)" % short(p.stderr))
    check("phone:+60123456789" in p.stdout, "normalize --country output: %r" % p.stdout)
    p = cli("normalize", "--batch", input='{"type":"phone","value":"+60 12-345 6789"}\n'
            '{"type":"url","value":"http://Example.COM.my"}\n', ok=False)
    eq(p.returncode, 0, "normalize --batch exit status (%s)" % short(p.stderr))
    out = [json.loads(x) for x in p.stdout.strip().splitlines()]
    eq(len(out), 2, "batch lines")
    eq(out[0]["key"], "phone:+60123456789", "batch phone key")
    eq(out[0]["valid"], True, "batch phone valid")
    eq(out[1]["key"], "url:http://example.com.my/", "batch url key")
    check("domain:example.com.my" in out[1].get("derived", []), "url derived domain: %r" % out[1])


@test
def cli_admin_while_daemon_runs():
    """Administering the node with the CLI while the daemon serves it must not
    break the daemon's next answers or lose their audit entries."""
    n = shared()
    key = acct_key(acct())
    eq(n.check1("MY-NSRC", key)["hit"], False, "check before")
    tok = n.token("LIVE-%s" % RUN, "SG-ASCOM", "analyst")
    r = n.post("/api/v1/check", "MY-NSRC", {"selectors": [{"key": key}]})
    eq(r.status, 200, "check right after `simpul token create` on the live database (%s)" % short(r.text))
    eq(n.get("/api/v1/whoami", tok).status, 200, "the new token works at once")
    cli("agency", "add", "--db", n.db, "--id", "VN-LIVE-%s" % RUN, "--country", "VN", "--kind", "police")
    r = n.post("/api/v1/check", "TH-AOC", {"selectors": [{"key": key}]})
    eq(r.status, 200, "check right after `simpul agency add` on the live database (%s)" % short(r.text))
    cli("token", "revoke", "--db", n.db, "--id", tok[4:30])
    wait_revoked(n, tok)
    probe = "/api/v1/reports/01LIVE%sZZZZZZZZZZZZZZ" % RUN
    assert_problem(n.get(probe, tok), 401, "Authorization", "revoked token")
    out = os.path.join(n.dir, "live.jsonl")
    cli("audit", "export", "--db", n.db, "--out", out)
    entries = [json.loads(json.loads(ln)["entry"]) for ln in export_lines(out) if '"entry"' in ln]
    check([e for e in entries if e.get("action") == "auth" and e.get("object") == probe
           and e.get("outcome") == "refused:401"], "the 401 after `simpul token revoke` was not audited")


# =============================================================================
# Durability (issue §7)
# =============================================================================

@test
def durability_sigkill_during_write_stream():
    n = Node("durable", agencies={"MY-NSRC": ("MY", "asc", "analyst"), "TH-AOC": ("TH", "asc", "analyst"),
                                  "MY-BANK1": ("MY", "bank", "partner")})
    writers = ("MY-NSRC", "TH-AOC", "MY-BANK1")
    acked = []                 # (writer, id, key)
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def stream(who):
        while not stop.is_set():
            sel = acct()
            try:
                r = n.post("/api/v1/reports", who, report([sel], rel=["MEMBERS", "PRIVATE"]), timeout=20)
            except (OSError, http.client.HTTPException):
                if stop.is_set():
                    return
                time.sleep(0.01)
                continue
            if r.status == 201:
                with lock:
                    acked.append((who, r.json["id"], acct_key(sel)))
            elif not stop.is_set():
                errors.append("%s: %d %s" % (who, r.status, short(r.text)))
                return

    try:
        n.start()
        threads = [threading.Thread(target=stream, args=(w,), daemon=True) for w in writers for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(acked) < 150 and not errors:
            time.sleep(0.02)
        check(not errors, "write errors before the kill: %s" % errors[:3])
        check(len(acked) >= 20, "only %d writes acknowledged in 30 s" % len(acked))
        n.proc.send_signal(signal.SIGKILL)          # mid-stream: writers are still posting
        n.proc.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        with lock:
            got = list(acked)
        n.kill()
        n.start()
        lost = []
        for who, rid, key in got:
            r = n.get("/api/v1/reports/" + rid, who)
            if r.status != 200:
                lost.append((who, rid, r.status))
        check(not lost, "%d of %d acknowledged writes lost after SIGKILL: %s" % (len(lost), len(got), lost[:5]))
        keys = [k for _, _, k in got]
        for i in range(0, len(keys), 1000):
            for res in n.check_keys("MY-NSRC", keys[i:i + 1000]):
                check(res["hit"], "acknowledged selector %s not found" % res["key"])
        check(n.metric("simpul_reports") >= len(got), "fewer reports than acknowledged")
        n.stop()
        j = cli_json("audit", "verify", "--db", n.db, "--json")
        eq(j.get("ok"), True, "audit chain after SIGKILL: %s" % short(j))
        check(j["entries"] >= len(got), "audit entries %d < acknowledged writes %d" % (j["entries"], len(got)))
    finally:
        stop.set()
        n.cleanup()


# =============================================================================
# Audit (issue §5), last: it looks at the whole suite's activity
# =============================================================================

def export_lines(path):
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln]
    return lines


@test
def audit_records_refusals_purpose_and_case():
    n = shared()
    case = "CASE-%s" % RUN
    n.req("POST", "/api/v1/check", None, {"selectors": [{"key": "phone:+60123456789"}]},
          headers={"Authorization": "Bearer spl_01ZZZZZZZZZZZZZZZZZZZZZZZZ_" + "B" * 43})
    n.post("/api/v1/check", "AUDITOR", {"selectors": [{"key": "phone:+60123456789"}]},
           headers={"X-Simpul-Case": case})
    n.get("/api/v1/reports/01ZZZZZZZZZZZZZZZZZZZZZZZZ", "TH-CIB", headers={"X-Simpul-Case": case})
    n.get("/metrics", "TH-CIB", headers={"X-Simpul-Case": case})
    n.post("/api/v1/check", "SG-ASCOM", {"selectors": [{"key": "phone:+6590000000"}]},
           headers={"X-Simpul-Purpose": "victim call-back triage", "X-Simpul-Case": case})
    out = os.path.join(n.dir, "refusals.jsonl")
    cli("audit", "export", "--db", n.db, "--out", out)
    entries = [json.loads(json.loads(ln)["entry"]) for ln in export_lines(out) if '"entry"' in ln]
    def has(**kv):
        return [e for e in entries if all(e.get(k) == v for k, v in kv.items())]
    check(has(action="auth", outcome="refused:401"), "no refused:401 entry for a bad token")
    a = has(action="check", outcome="refused:403", case=case)
    check(a and a[0]["agency"] == "MY-NSRC" and a[0]["role"] == "auditor", "no refused:403 check by the auditor: %s" % a)
    a = has(action="report.read", outcome="refused:404", case=case)
    check(a and a[0]["agency"] == "TH-CIB", "no refused:404 read by TH-CIB")
    check(has(action="metrics", outcome="refused:403", case=case), "no refused:403 metrics entry")
    a = has(action="check", agency="SG-ASCOM", case=case)
    check(a and a[0]["purpose"] == "victim call-back triage", "purpose not recorded: %s" % a)
    check("keys" in json.dumps(a[0].get("detail")) and "phone:+6590000000" in json.dumps(a[0]),
          "check entry does not say what was searched: %s" % a)


@test
def audit_records_refused_bad_requests():
    """Refused requests (bad headers, over-size bodies) are audited too (§5: every refused access)."""
    n = shared()
    case = "BADREQ-%s" % RUN
    n.post("/api/v1/check", "TH-CIB", {"selectors": [{"key": "phone:+66812345678"}]},
           headers={"X-Simpul-Purpose": "p" * 300, "X-Simpul-Case": case})
    r = n.post("/api/v1/reports", "TH-CIB", "{", headers={"X-Simpul-Case": case})
    eq(r.status, 400, "bad JSON")
    out = os.path.join(n.dir, "badreq.jsonl")
    cli("audit", "export", "--db", n.db, "--out", out)
    entries = [json.loads(json.loads(ln)["entry"]) for ln in export_lines(out) if '"entry"' in ln]
    check([e for e in entries if e.get("action") == "report.create" and e.get("outcome") == "refused:400"
           and e.get("agency") == "TH-CIB"], "malformed report body not audited")
    check([e for e in entries if e.get("agency") == "TH-CIB" and e.get("outcome") == "refused:400"
           and e.get("case") == case and e.get("purpose") is None
           and (e.get("action") == "check" or e.get("object") == "/api/v1/check")],
          "request refused for an over-long X-Simpul-Purpose not audited (with its case, without the purpose)")


@test
def audit_spool_survives_a_killed_daemon():
    """A check's audit entry is in the daemon's spool before the answer leaves
    (it reaches the chain a few ms later): SIGKILL right after 300 answered checks
    loses none of them, and the next start chains each exactly once."""
    import sqlite3
    n = Node("spoolkill", agencies={"TH-AOC": AGENCIES["TH-AOC"]})
    try:
        n.start()
        tok = n.tok["TH-AOC"]
        answered = 0
        for i in range(300):
            r = n.post("/api/v1/check", tok, {"selectors": [{"key": "phone:+6681%07d" % i}]})
            eq(r.status, 200, "check %d" % i)
            answered += 1
        n.kill()            # SIGKILL: no clean shutdown, no final ingest

        def checks():
            c = sqlite3.connect("file:%s?mode=ro" % n.db, uri=True, timeout=30)
            try:
                return c.execute("SELECT count(*) FROM audit WHERE json_extract(entry, '$.action') = 'check'"
                                 " AND json_extract(entry, '$.agency') = 'TH-AOC'").fetchone()[0]
            finally:
                c.close()
        before = checks()
        print("# spool: %d of %d check entries were in the chain when the daemon was killed" % (before, answered))
        check(before <= answered, "more check entries than checks: %d" % before)
        n.start()           # recovery: the spool's records are chained before it listens
        eq(checks(), answered, "check entries after the restart (%d were in the chain before it)" % before)
        n.stop()
        n.start()
        eq(checks(), answered, "check entries after a second restart (nothing ingested twice)")
        n.stop()
        j = cli_json("audit", "verify", "--db", n.db, "--json")
        eq(j.get("ok"), True, "the chain verifies: %s" % short(j))
    finally:
        n.kill()
        n.cleanup()


@test
def audit_chain_verify_export_and_tamper():
    n = shared()
    n.get("/healthz")
    j = cli_json("audit", "verify", "--db", n.db, "--json")
    eq(j.get("ok"), True, "audit verify --db: %s" % short(j))
    # Every request this suite made to an audited endpoint left an entry, and so did set-up.
    check(j["entries"] > n.nauth, "audit has %d entries for %d authenticated requests" % (j["entries"], n.nauth))
    out = os.path.join(n.dir, "audit.jsonl")
    cli("audit", "export", "--db", n.db, "--out", out)
    eq(oct(os.stat(out).st_mode & 0o777), "0o600", "export file mode")
    v = cli_json("audit", "verify", "--log", out, "--json")
    eq(v.get("ok"), True, "audit verify --log of the export: %s" % short(v))
    check(v["entries"] >= j["entries"], "export holds fewer entries than the chain")
    lines = export_lines(out)
    # Tamper with one entry of a copy of the log.
    idx = len(lines) // 2
    rec = json.loads(lines[idx])
    entry = json.loads(rec["entry"])
    seq = rec["seq"]
    entry["outcome"] = "tampered"
    rec["entry"] = json.dumps(entry, separators=(",", ":"))
    bad = os.path.join(n.dir, "audit-tampered.jsonl")
    with open(bad, "w") as f:
        f.write("\n".join(lines[:idx] + [json.dumps(rec)] + lines[idx + 1:]) + "\n")
    p = cli("audit", "verify", "--log", bad, "--json", ok=False)
    check(p.returncode != 0, "verify passed a tampered log")
    v = json.loads(p.stdout)
    eq(v.get("ok"), False, "tampered log ok flag")
    eq(v.get("bad_entry"), seq, "tampered log names the entry")
    # Deleting a line, and swapping two lines, are caught too.
    for what, ls in (("deleted", lines[:idx] + lines[idx + 1:]),
                     ("reordered", lines[:idx] + [lines[idx + 1], lines[idx]] + lines[idx + 2:]),
                     ("truncated", lines[:idx])):
        with open(bad, "w") as f:
            f.write("\n".join(ls) + "\n")
        p = cli("audit", "verify", "--log", bad, "--json", ok=False)
        check(p.returncode != 0, "verify passed a %s log" % what)

    # Tamper with a copy of the database (daemon stopped so the copy is whole).
    n.stop()
    try:
        dbcopy = os.path.join(n.dir, "copy.db")
        shutil.copy(n.db, dbcopy)
        for ext in ("-wal", "-shm"):
            if os.path.exists(n.db + ext):
                shutil.copy(n.db + ext, dbcopy + ext)
        j2 = cli_json("audit", "verify", "--db", dbcopy, "--json")
        eq(j2.get("ok"), True, "the untouched copy verifies")
        con = sqlite3.connect(dbcopy)
        try:
            target = con.execute("SELECT seq, entry FROM audit ORDER BY seq LIMIT 1 OFFSET ?",
                                 (j2["entries"] // 3,)).fetchone()
            con.execute("DROP TRIGGER IF EXISTS audit_no_update")
            con.execute("UPDATE audit SET entry = ? WHERE seq = ?",
                        (target[1].replace('"outcome":"', '"outcome":"x'), target[0]))
            con.commit()
        finally:
            con.close()
        p = cli("audit", "verify", "--db", dbcopy, "--json", ok=False)
        check(p.returncode != 0, "verify passed a tampered database")
        v = json.loads(p.stdout)
        eq(v.get("ok"), False, "tampered db ok flag")
        eq(v.get("bad_entry"), target[0], "tampered db names the entry")
        p = cli("audit", "verify", "--db", dbcopy, ok=False)
        check(str(target[0]) in p.stderr, "plain verify does not name entry %d: %r" % (target[0], p.stderr))
    finally:
        n.start()
    eq(n.get("/healthz").status, 200, "daemon restarted")


@test
def daemons_exit_cleanly():
    """Every daemon this suite stopped with SIGTERM exited 0, none died on its
    own, and no daemon printed a sanitizer report (run last)."""
    n = shared()
    n.stop()
    bad = []
    for name, how, status, report in DAEMON_EXITS:
        if report:
            bad.append("%s (%s): %s" % (name, how, report))
        elif how == "SIGTERM" and status != 0:
            bad.append("%s: exit status %s after SIGTERM" % (name, status))
        elif how == "died on its own":
            bad.append("%s died with status %s" % (name, status))
    check(DAEMON_EXITS, "no daemon was stopped")
    check(not bad, "; ".join(bad))


# =============================================================================

def main():
    global BIN, VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="path to the simpul binary")
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="print tracebacks and daemon stderr on failure")
    a = ap.parse_args()
    BIN = os.path.abspath(a.bin)
    VERBOSE = a.v
    if not os.access(BIN, os.X_OK):
        print("run.py: %s is not an executable" % BIN, file=sys.stderr)
        return 2
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(var, None)
    os.environ["SIMPUL_NO_PROGRESS"] = "1"
    passed = failed = 0
    t0 = time.monotonic()
    try:
        for fn in TESTS:
            if a.k not in fn.__name__:
                continue
            sh = _shared[0]
            if sh is not None and sh.proc is not None and sh.proc.poll() is not None:
                print("# the shared daemon died (exit %s): %s" % (sh.proc.returncode, sh.stderr()[-300:].strip()),
                      flush=True)
                sh.stop()   # recorded: daemons_exit_cleanly fails
            t = time.monotonic()
            try:
                fn()
                passed += 1
                print("ok %s (%.1fs)" % (fn.__name__, time.monotonic() - t) if VERBOSE else "ok %s" % fn.__name__,
                      flush=True)
            except Exception as ex:  # noqa: BLE001 - report every failure, keep going
                failed += 1
                reason = str(ex) if isinstance(ex, Fail) else "%s: %s" % (type(ex).__name__, ex)
                print("FAIL %s: %s" % (fn.__name__, reason.replace("\n", " ")), flush=True)
                if VERBOSE:
                    traceback.print_exc()
                    if _shared[0] is not None:
                        print(_shared[0].stderr(), file=sys.stderr)
    finally:
        if _shared[0] is not None:
            _shared[0].cleanup()
    if VERBOSE:
        print("# %.1f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
