#!/usr/bin/env python3
"""End-to-end tests of what the web application adds to the API (issue 6):
users and passwords, sign-in sessions in a cookie, CSRF, sign-out, live
normalisation, audit search, the pages and their security headers.

    python3 tests/e2e/web.py --bin build/src/cli/simpul [-k SUBSTRING]

Reuses tests/e2e/run.py (Node, cli, assertions) against a real daemon.
Prints `ok NAME` / `FAIL NAME: REASON` and ends with `N passed, N failed`.
"""
import argparse
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as e2e  # noqa: E402
from run import Fail, check, eq, assert_problem, short  # noqa: E402

TESTS = []
PW = "correct horse battery staple"
NODE = [None]


def test(fn):
    TESTS.append(fn)
    return fn


def node():
    if NODE[0] is None:
        n = e2e.Node("web", agencies={k: e2e.AGENCIES[k] for k in ("MY-NSRC", "TH-AOC", "UK-NCA", "MY-BANK1", "MY-PUBLIC")})
        add_user(n, "my.analyst", "MY-NSRC", "analyst")
        add_user(n, "my.auditor", "MY-NSRC", "auditor")
        add_user(n, "th.analyst", "TH-AOC", "analyst")
        add_user(n, "bank.partner", "MY-BANK1", "partner")
        n.start()
        NODE[0] = n
    return NODE[0]


def add_user(n, user, agency, role, pw=PW, ok=True):
    return e2e.cli("user", "add", "--db", n.db, "--agency", agency, "--role", role, "--username", user,
                   "--password-file", "-", "--json", input=pw + "\n", ok=ok)


def signin(n, body, csrf="signin"):
    h = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return n.req("POST", "/api/v1/session", body=body, headers=h)


def cookie_of(r):
    sc = r.headers.get("set-cookie", "")
    m = re.match(r"simpul_session=([^;]*)", sc)
    check(m is not None, "no session cookie in %r" % sc)
    return m.group(1), sc


def session(n, user="my.analyst", pw=PW):
    r = signin(n, {"username": user, "password": pw})
    eq(r.status, 201, "sign-in of %s (%s)" % (user, short(r.text)))
    value, _ = cookie_of(r)
    return value, r.json["csrf"]


def with_cookie(n, method, path, cookie, body=None, csrf=None):
    h = {"Cookie": "simpul_session=" + cookie}
    if csrf is not None:
        h["X-CSRF-Token"] = csrf
    return n.req(method, path, body=body, headers=h)


def audit_entries(n, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    r = n.get("/api/v1/audit?" + qs, "ADMIN")
    eq(r.status, 200, "audit search (%s)" % short(r.text))
    return r.json["entries"]


# ---- users -------------------------------------------------------------------

@test
def user_add_and_passwd_refusals():
    n = node()
    p = e2e.cli("user", "--help")
    check("user add" in p.stdout and "passwd" in p.stdout, "user --help")
    j = json.loads(add_user(n, "th.supervisor", "TH-AOC", "supervisor").stdout)
    eq((j["username"], j["agency"], j["role"]), ("th.supervisor", "TH-AOC", "supervisor"), "user add --json")
    for user, agency, role, pw, want in [
            ("short.pw", "MY-NSRC", "analyst", "123456789", "password"),
            ("Bad User", "MY-NSRC", "analyst", PW, "user name"),
            ("my.analyst", "MY-NSRC", "analyst", PW, "taken"),
            ("bank.analyst", "MY-BANK1", "analyst", PW, "not valid for a bank"),
            ("nobody.analyst", "NO-SUCH", "analyst", PW, "no agency"),
            ("x" * 65, "MY-NSRC", "analyst", PW, "user name")]:
        p = add_user(n, user, agency, role, pw, ok=False)
        check(p.returncode != 0 and want in p.stderr, "user add %s: exit %d %r" % (user[:20], p.returncode, p.stderr))
    p = e2e.cli("user", "passwd", "--db", n.db, "--username", "no.such", "--password-file", "-", input=PW + "\n", ok=False)
    check(p.returncode != 0 and "no user" in p.stderr, "passwd of an unknown user: %r" % p.stderr)
    p = e2e.cli("user", "add", "--db", n.db, "--agency", "MY-NSRC", "--role", "analyst", "--username", "no.pw", ok=False)
    check(p.returncode == 2 and "password-file" in p.stderr, "no password source: %r" % p.stderr)
    con = sqlite3.connect(n.db)
    try:
        hashes = [h for (h,) in con.execute("SELECT pwhash FROM logins")]
    finally:
        con.close()
    check(hashes and all(h.startswith("$argon2id$") for h in hashes), "passwords are stored as argon2id hashes")
    check(not any(PW in h for h in hashes), "no password in clear")


# ---- sign-in -------------------------------------------------------------------

@test
def signin_password_sets_httponly_strict_cookie_and_audits():
    n = node()
    r = signin(n, {"username": "my.analyst", "password": PW})
    eq(r.status, 201, "sign-in (%s)" % short(r.text))
    value, sc = cookie_of(r)
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        check(attr in sc, "Set-Cookie lacks %s: %s" % (attr, sc))
    check("Secure" not in sc, "no Secure flag without --secure-cookies")
    check(value.startswith("spl_") and len(value) == 74, "the session is a token")
    j = r.json
    eq((j["role"], j["agency"]["id"]), ("analyst", "MY-NSRC"), "who signed in")
    check(re.fullmatch(r"[A-Za-z0-9_-]{43}", j["csrf"]), "csrf token %r" % j.get("csrf"))
    check(value not in r.text, "the session token is not in the body")
    e = audit_entries(n, action="session.create", principal=j["principal"])
    check(e and e[0]["entry"]["outcome"] == "ok" and e[0]["entry"]["detail"]["method"] == "password",
          "sign-in audited: %s" % short(e))
    con = sqlite3.connect(n.db)
    try:
        rows = con.execute("SELECT label, expires FROM tokens WHERE id = ?", (value[4:30],)).fetchall()
    finally:
        con.close()
    check(len(rows) == 1 and rows[0][0] == "web session" and rows[0][1] > 0, "stored as an expiring token: %r" % rows)


@test
def signin_refusals_same_answer_audited():
    n = node()
    wrong = signin(n, {"username": "my.analyst", "password": "wrong password!"})
    unknown = signin(n, {"username": "no.such.user", "password": PW})
    for r in (wrong, unknown):
        assert_problem(r, 401, "credentials", "bad sign-in")
        check("set-cookie" not in r.headers, "no cookie on a refusal")
    eq(wrong.json["detail"], unknown.json["detail"], "an unknown user and a wrong password answer alike")
    e = audit_entries(n, action="session.create", outcome="refused:401", q="no.such.user")
    check(e, "refused sign-in audited")
    assert_problem(signin(n, {"username": "my.analyst", "password": PW}, csrf=None), 403, "X-CSRF-Token", "sign-in without the header")
    assert_problem(signin(n, {"username": "my.analyst", "password": PW, "remember": True}), 400, "remember", "unknown member")
    assert_problem(signin(n, {"username": "my.analyst", "token": "spl_x"}), 400, None, "both")
    assert_problem(signin(n, {"username": "my.analyst"}), 400, None, "no password")
    assert_problem(signin(n, {"username": 5, "password": PW}), 400, None, "not a string")
    assert_problem(signin(n, "{not json"), 400, "body", "bad JSON")
    assert_problem(signin(n, {"username": "u" * 100, "password": PW}), 400, "username", "long user name")
    assert_problem(signin(n, {"username": "my.analyst", "password": "p" * 2000}), 400, "password", "long password")
    big = {"username": "my.analyst", "password": "x" * 20000}
    eq(signin(n, big).status, 413, "a sign-in body over 16 KiB")
    assert_problem(signin(n, {"token": "spl_" + "0" * 26 + "_" + "A" * 43}), 401, "credentials", "unknown token")


@test
def signin_with_token_makes_a_session():
    n = node()
    r = signin(n, {"token": n.tok["TH-AOC"]})
    eq(r.status, 201, "token sign-in (%s)" % short(r.text))
    value, _ = cookie_of(r)
    check(value != n.tok["TH-AOC"], "a new session token, not the API token")
    s = with_cookie(n, "GET", "/api/v1/session", value)
    eq((s.status, s.json["agency"]["id"], s.json["via"]), (200, "TH-AOC", "session"), "session of the token's principal")
    b = n.get("/api/v1/session", "TH-AOC")
    eq((b.status, b.json["via"]), (200, "token"), "GET /api/v1/session with a Bearer token")
    check("csrf" not in b.json, "no csrf for Bearer requests")


# ---- the cookie on the API -----------------------------------------------------

@test
def cookie_authenticates_the_api_and_csrf_guards_writes():
    n = node()
    cookie, csrf = session(n)
    body = {"selectors": [{"type": "phone", "value": "+60 12-555 0101"}]}
    eq(with_cookie(n, "GET", "/api/v1/whoami", cookie).status, 200, "GET with the cookie")
    assert_problem(with_cookie(n, "POST", "/api/v1/check", cookie, body), 403, "X-CSRF-Token", "POST without CSRF")
    assert_problem(with_cookie(n, "POST", "/api/v1/check", cookie, body, csrf="A" * 43), 403, "X-CSRF-Token", "wrong CSRF")
    other, other_csrf = session(n, "th.analyst")
    assert_problem(with_cookie(n, "POST", "/api/v1/check", cookie, body, csrf=other_csrf), 403, "X-CSRF-Token", "another session's CSRF")
    eq(with_cookie(n, "POST", "/api/v1/check", cookie, body, csrf=csrf).status, 200, "POST with CSRF")
    eq(n.post("/api/v1/check", "MY-NSRC", body).status, 200, "Bearer needs no CSRF")
    r = n.req("POST", "/api/v1/check", body=body, headers={"Cookie": "simpul_session=spl_nonsense"})
    assert_problem(r, 401, "Authorization", "a forged cookie")
    # The cookie cannot raise a Bearer request's rights: Bearer wins.
    r = n.req("GET", "/api/v1/whoami", token="MY-BANK1", headers={"Cookie": "simpul_session=" + cookie})
    eq(r.json["agency"]["id"], "MY-BANK1", "with both, the Bearer token decides")
    e = audit_entries(n, action="csrf")
    check(len(e) >= 3 and all(x["entry"]["outcome"] == "refused:403" for x in e), "CSRF refusals audited: %s" % short(e))
    # Policy applies to cookie sessions exactly as to tokens.
    bank, bank_csrf = session(n, "bank.partner")
    r = with_cookie(n, "GET", "/metrics", bank)
    eq(r.status, 403, "a bank session may not read metrics")
    mine = n.post_report("MY-NSRC", e2e.report([{"type": "phone", "value": "+60 12-555 0199"}], rel=("MEMBERS",)))
    r = with_cookie(n, "GET", "/api/v1/reports/" + mine["id"], bank)
    eq(r.status, 404, "a bank session cannot read a MEMBERS report")


@test
def signout_revokes_the_session():
    n = node()
    cookie, csrf = session(n)
    assert_problem(with_cookie(n, "DELETE", "/api/v1/session", cookie), 403, "X-CSRF-Token", "sign-out without CSRF")
    eq(with_cookie(n, "GET", "/api/v1/whoami", cookie).status, 200, "still signed in")
    r = with_cookie(n, "DELETE", "/api/v1/session", cookie, csrf=csrf)
    eq(r.status, 200, "sign-out (%s)" % short(r.text))
    check("Max-Age=0" in r.headers.get("set-cookie", ""), "the cookie is cleared")
    assert_problem(with_cookie(n, "GET", "/api/v1/whoami", cookie), 401, "Authorization", "the ended session")
    assert_problem(n.req("DELETE", "/api/v1/session", token="MY-NSRC"), 400, "session", "sign-out with a Bearer token")
    e = audit_entries(n, action="session.end", outcome="ok")
    check(e and e[0]["entry"]["object"] == cookie[4:30], "sign-out audited")


@test
def passwd_ends_sessions_and_expired_sessions_are_refused():
    n = node()
    add_user(n, "my.rotate", "MY-NSRC", "investigator")
    cookie, _ = session(n, "my.rotate")
    e2e.cli("user", "passwd", "--db", n.db, "--username", "my.rotate", "--password-file", "-", input="a brand new password\n")
    deadline = time.monotonic() + 10
    while with_cookie(n, "GET", "/api/v1/whoami", cookie).status != 401:
        check(time.monotonic() < deadline, "the session outlived the password change")
        time.sleep(0.1)
    eq(signin(n, {"username": "my.rotate", "password": PW}).status, 401, "the old password")
    cookie2, _ = session(n, "my.rotate", "a brand new password")
    con = sqlite3.connect(n.db, timeout=30)
    try:
        con.execute("UPDATE tokens SET expires = 1 WHERE id = ?", (cookie2[4:30],))
        con.commit()
    finally:
        con.close()
    deadline = time.monotonic() + 10
    while with_cookie(n, "GET", "/api/v1/whoami", cookie2).status != 401:
        check(time.monotonic() < deadline, "an expired session still works")
        time.sleep(0.1)


# ---- normalize --------------------------------------------------------------------

@test
def normalize_live_feedback():
    n = node()
    r = n.post("/api/v1/normalize", "TH-AOC", {"selectors": [
        {"type": "phone", "value": "081 234 5678"},
        {"type": "url", "value": "http://Shop.Example.com.my:80/a#x"},
        {"type": "iban", "value": "GB82 WEST 1234 5698 7654 33"},
        {"type": "phone", "value": ""},
        {"type": "nonsense", "value": "x"}]})
    eq(r.status, 200, "normalize (%s)" % short(r.text))
    res = r.json["results"]
    eq(res[0], {"key": "phone:+66812345678", "type": "phone", "valid": True, "derived": []}, "national phone in the agency's country")
    eq(res[1]["derived"], ["domain:example.com.my"], "derived keys")
    check(res[2]["valid"] is False and res[2].get("flag"), "a bad IBAN is kept and flagged: %s" % res[2])
    eq(res[3]["error"]["field"], "value", "an empty value is said per item")
    eq(res[4]["error"]["field"], "type", "an unknown type is said per item")
    assert_problem(n.post("/api/v1/normalize", "TH-AOC", {"selectors": [{"type": "phone", "value": "1", "colour": "red"}]}),
                   400, "selectors[0].colour", "unknown member")
    assert_problem(n.post("/api/v1/normalize", "TH-AOC", {"selectors": []}), 400, "selectors", "empty")
    assert_problem(n.post("/api/v1/normalize", "TH-AOC", {"selectors": [{"type": "phone", "value": "1"}] * 51}),
                   413, "selectors", "over 50")
    assert_problem(n.post("/api/v1/normalize", "TH-AOC", {"selectors": [{"type": "phone", "value": 5}]}),
                   400, "selectors[0].value", "not a string")
    assert_problem(n.post("/api/v1/normalize", None, {"selectors": [{"type": "phone", "value": "1"}]}),
                   401, "Authorization", "no token")
    e = audit_entries(n, action="normalize")
    check(len(e) >= 4 and all(x["entry"]["outcome"].startswith("refused:") for x in e), "refusals audited, answers not")


# ---- audit search -------------------------------------------------------------------

@test
def audit_search_scope_filters_paging_and_refusals():
    n = node()
    r = n.get("/api/v1/audit?limit=5", "ADMIN")
    eq(r.status, 200, "admin audit search")
    j = r.json
    eq((j["scope"], len(j["entries"])), ("all", 5), "admin sees all, 5 per page")
    seqs = [x["seq"] for x in j["entries"]]
    eq(seqs, sorted(seqs, reverse=True), "newest first")
    check(j["next_before"] == seqs[-1], "next_before is the oldest seq returned")
    r2 = n.get("/api/v1/audit?limit=5&before=%d" % j["next_before"], "ADMIN").json
    check(all(x["seq"] < seqs[-1] for x in r2["entries"]), "the next page is older")
    aud = n.get("/api/v1/audit?limit=200", "AUDITOR")
    eq((aud.status, aud.json["scope"]), (200, "agency"), "an agency auditor")
    check(aud.json["entries"] and all(x["entry"]["agency"] == "MY-NSRC" for x in aud.json["entries"]),
          "an agency's auditor sees only its agency's entries")
    acts = n.get("/api/v1/audit?action=token.&limit=200", "ADMIN").json["entries"]
    check(acts and all(x["entry"]["action"].startswith("token.") for x in acts), "action prefix filter")
    assert_problem(n.get("/api/v1/audit", "MY-NSRC"), 403, None, "an analyst")
    assert_problem(n.get("/api/v1/audit", "MY-BANK1"), 403, None, "a bank")
    assert_problem(n.get("/api/v1/audit?limit=0", "ADMIN"), 400, "limit", "limit 0")
    assert_problem(n.get("/api/v1/audit?limit=201", "ADMIN"), 400, "limit", "limit 201")
    assert_problem(n.get("/api/v1/audit?before=-1", "ADMIN"), 400, "before", "negative before")
    assert_problem(n.get("/api/v1/audit?q=" + "x" * 300, "ADMIN"), 400, "q", "long search term")
    e = audit_entries(n, action="audit.search", outcome="refused")
    check(any(x["entry"]["agency"] == "MY-NSRC" and x["entry"]["role"] == "analyst" for x in e), "the refusal is audited")
    e = audit_entries(n, action="audit.search", outcome="ok", limit=200)
    check(any(x["entry"]["detail"].get("action") == "token." for x in e), "searches are audited with their terms")


# ---- dashboard figures ----------------------------------------------------------------

def stats(n, who):
    r = n.get("/api/v1/stats/reports", who)
    eq(r.status, 200, "stats as %s (%s)" % (who, short(r.text)))
    return r.json


def scam_row(j, scam):
    rows = [x for x in j["scam_types"] if x["scam_type"] == scam]
    return rows[0] if rows else {"reports": 0, "loss": []}


@test
def stats_count_only_what_the_caller_may_read():
    n = node()
    scam = "e2e_stats_%s" % e2e.RUN
    before = {w: scam_row(stats(n, w), scam)["reports"] for w in ("MY-NSRC", "TH-AOC", "MY-BANK1")}
    eq(before, {"MY-NSRC": 0, "TH-AOC": 0, "MY-BANK1": 0}, "a fresh scam type")
    def rep(rel, disclosure="hit", tlp="AMBER"):
        b = e2e.report([{"type": "phone", "value": "+60 12-%s %04d" % (e2e.RUN[:3], int(e2e.uniq_digits()) % 10000)}],
                       tlp=tlp, rel=rel, disclosure=disclosure)
        b.update({"scam_type": scam, "occurred_at": "2026-10-05", "loss": {"amount": 100000, "currency": "MYR"},
                  "victim_country": "MY"})
        return n.post_report("MY-NSRC", b)
    rep(("MEMBERS",))
    rep(("MY",), disclosure="silent")
    rep((), tlp="AMBER")
    rep(("PRIVATE",))
    my, th, bank = (scam_row(stats(n, w), scam) for w in ("MY-NSRC", "TH-AOC", "MY-BANK1"))
    eq(my["reports"], 4, "the originator counts all four")
    eq(my["loss"], [{"currency": "MYR", "amount": 400000}], "the originator's losses")
    eq(th["reports"], 1, "TH counts the MEMBERS report only (not the silent, MY-only or PRIVATE ones)")
    eq(th["loss"], [{"currency": "MYR", "amount": 100000}], "TH sees that report's loss")
    eq(bank["reports"], 1, "the bank counts the PRIVATE report only")
    eq(bank["loss"], [], "the bank sees no loss (field filter)")
    j = stats(n, "TH-AOC")
    check("scanned" not in j and "truncated" not in j, "no count of reports the caller may not read")
    months = [m["month"] for m in j["months"]]
    eq(months, sorted(months), "months in order")
    check("2026-10" in months, "by month of occurrence")
    assert_problem(n.get("/api/v1/stats/reports", "MY-PUBLIC"), 403, None, "the public role")
    assert_problem(n.get("/api/v1/stats/reports"), 401, "Authorization", "no token")
    e = audit_entries(n, action="stats.reports", agency="TH-AOC")
    check(e and e[0]["entry"]["outcome"] == "ok", "stats reads are audited")


# ---- pages --------------------------------------------------------------------------

@test
def pages_assets_and_security_headers():
    n = node()
    for path in ("/", "/public"):
        r = n.get(path)
        eq(r.status, 200, path)
        check(r.ctype().startswith("text/html"), "%s is HTML" % path)
        csp = r.headers.get("content-security-policy", "")
        check("default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, "CSP %s" % csp)
        for h, v in (("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"),
                     ("referrer-policy", "no-referrer"), ("cross-origin-opener-policy", "same-origin")):
            eq(r.headers.get(h), v, "%s on %s" % (h, path))
        check("strict-transport-security" not in r.headers, "no HSTS over plain HTTP")
        for src in re.findall(r'(?:src|href)="([^"]+)"', r.text):
            check(src.startswith("/") or src.startswith("data:"), "%s: %s is not served by the node" % (path, src))
    for a, t in (("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"), ("/assets/charts.js", "text/javascript")):
        r = n.get(a)
        eq(r.status, 200, a)
        check(r.ctype().startswith(t), "%s type %s" % (a, r.ctype()))
        check(not re.search(rb"https?://(?!www\.w3\.org|127\.0\.0\.1)[a-z0-9.-]+\.[a-z]{2,}/[^\s\"']*\.(js|css|woff2?)", r.body),
              "%s loads nothing from elsewhere" % a)
    eq(n.get("/assets/nope.js").status, 404, "unknown asset")
    eq(n.get("/assets/x/app.js").status, 404, "no sub-paths")
    eq(n.req("OPTIONS", "/api/v1/session").status, 405, "a known path with another method (the app's probe)")
    eq(n.req("OPTIONS", "/api/v1/networks-not-here").status, 404, "an unknown path")


@test
def secure_cookies_behind_tls():
    n = node()
    p = subprocess.Popen([n.exe, "serve", "--listen", "127.0.0.1:0", "--secure-cookies", "--db", n.db],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        line = p.stdout.readline().decode()
        m = re.search(r":(\d+)/", line)
        check(m, "serve --secure-cookies did not start: %r" % line)
        c = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=60)
        c.request("POST", "/api/v1/session", body=json.dumps({"username": "my.analyst", "password": PW}),
                  headers={"Content-Type": "application/json", "X-CSRF-Token": "signin"})
        r = c.getresponse()
        r.read()
        eq(r.status, 201, "sign-in")
        check("; Secure" in r.getheader("Set-Cookie", ""), "Secure cookie: %s" % r.getheader("Set-Cookie"))
        check(r.getheader("Strict-Transport-Security", "").startswith("max-age="), "HSTS")
        c.close()
    finally:
        p.terminate()
        eq(p.wait(timeout=60), 0, "clean exit")


@test
def daemon_exits_cleanly():
    n = node()
    n.stop()
    bad = [x for x in e2e.DAEMON_EXITS if x[3] or (x[1] == "SIGTERM" and x[2] != 0) or x[1] == "died on its own"]
    check(e2e.DAEMON_EXITS and not bad, "daemon exits: %s" % bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("-k", default="")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    e2e.BIN = os.path.abspath(a.bin)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(var, None)
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
                    if NODE[0] is not None:
                        print(NODE[0].stderr(), file=sys.stderr)
    finally:
        if NODE[0] is not None:
            NODE[0].cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
