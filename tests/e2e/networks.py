#!/usr/bin/env python3
"""End-to-end tests of issue 4 against a real daemon: networks (merges, splits
on retraction, partial visibility), the graph, generic values (shipped and
MISP warning lists, the degree rule, audited overrides), watchlists, the
alerts cursor, the SSE stream (Last-Event-ID) and signed webhooks with
retries and a dead-letter list, delivered to a real local HTTP receiver.

    python3 tests/e2e/networks.py --bin build/src/cli/simpul [-k SUBSTRING] [-v]

Reuses the helpers of run.py. Prints `N passed, N failed`. Latencies are
printed, never asserted. SIMPUL_E2E_LONG=1 keeps the webhook receiver down
for a full minute (the issue's figure); the default is 5 s.
"""
import hashlib
import hmac
import http.server
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as e2e  # noqa: E402
from run import Fail, assert_problem, check, eq, short, test  # noqa: E402

DATA = os.environ.get("SIMPUL_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "..", "shared", "data")
TESTS = []


def ntest(fn):
    TESTS.append(fn)
    return fn


_node = [None]


def node():
    """One daemon for these tests, with supervisors and a second MY analyst."""
    if _node[0] is None:
        n = e2e.Node("networks")
        n.token("TH-SUP", "TH-AOC", "supervisor")
        n.token("MY-ADMIN", "MY-NSRC", "admin")
        n.start()
        _node[0] = n
    return _node[0]


def phone():
    return {"type": "phone", "value": "+6012" + e2e.uniq_digits()[-7:], "role": "scammer_contact"}


def phone_key(sel):
    return "phone:" + sel["value"]


def post(n, tok, sels, **kw):
    return n.post_report(tok, e2e.report(sels, **kw))["id"]


def networks(n, tok, key):
    r = n.get("/api/v1/networks?key=" + key.replace("+", "%2B"), tok)
    eq(r.status, 200, "GET /api/v1/networks?key as %s (%s)" % (tok, short(r.text)))
    check(isinstance(r.json.get("networks"), list), "networks is a list")
    return r.json["networks"]


# ---- networks --------------------------------------------------------------

@ntest
def network_merge_shape_and_split_on_retraction():
    n = node()
    a, p = e2e.acct(), phone()
    r1 = post(n, "TH-AOC", [a, p], loss={"amount": 100000, "currency": "THB"}, victim_country="TH")
    r2 = post(n, "MY-NSRC", [dict(a)], loss={"amount": 5000, "currency": "MYR"}, victim_country="MY")
    r3 = post(n, "SG-ASCOM", [dict(p)], loss={"amount": 700, "currency": "SGD"}, victim_country="SG")
    r4 = post(n, "MY-NSRC", [dict(p)], loss={"amount": 300, "currency": "MYR"}, victim_country="ID")
    nets = networks(n, "MY-NSRC", e2e.acct_key(a))
    eq(len(nets), 1, "one network holds the account")
    net = nets[0]
    eq(net["reports"], 4, "reports (TH, MY, SG, MY; all MEMBERS)")
    eq(net["countries"], ["MY", "SG", "TH"], "countries of the agencies")
    eq(net["victim_countries"], ["ID", "MY", "SG", "TH"], "victim countries")
    eq(net["loss"], {"MYR": 5300, "SGD": 700, "THB": 100000}, "loss per currency")
    for k in ("id", "first_seen", "last_seen", "scam_types", "top_selectors", "agencies"):
        check(k in net, "network lacks %s: %s" % (k, short(net)))
    check(net["top_selectors"][0]["degree"] >= 2, "top selector degree")
    # The same network through the phone, and by id.
    eq([x["id"] for x in networks(n, "MY-NSRC", phone_key(p))], [net["id"]], "same id through the phone")
    r = n.get("/api/v1/networks/" + net["id"], "MY-NSRC")
    eq(r.status, 200, "GET /api/v1/networks/{id} (%s)" % short(r.text))
    eq(sorted(r.json["report_ids"]), sorted([r1, r2, r3, r4]), "report ids")
    # Only the originating agency may retract; others get the same 404 as no report.
    assert_problem(n.req("DELETE", "/api/v1/reports/" + r1, "MY-NSRC"), 404, "id", "retract another's report")
    assert_problem(n.req("DELETE", "/api/v1/reports/" + r1, "AUDITOR"), 403, None, "an auditor retracting")
    assert_problem(n.req("DELETE", "/api/v1/reports/" + "0" * 26, "TH-AOC"), 404, "id", "retract unknown")
    r = n.req("DELETE", "/api/v1/reports/" + r1, "TH-AOC")
    eq(r.status, 200, "retract own report (%s)" % short(r.text))
    assert_problem(n.req("DELETE", "/api/v1/reports/" + r1, "TH-AOC"), 404, "id", "retract twice")
    assert_problem(n.get("/api/v1/reports/" + r1, "TH-AOC"), 404, "id", "read a retracted report")
    # The bridge is gone: {r2} alone (not a network) and {r3, r4}.
    eq(networks(n, "MY-NSRC", e2e.acct_key(a)), [], "the account is in no network any more")
    nets = networks(n, "MY-NSRC", phone_key(p))
    eq(len(nets), 1, "the phone's network")
    eq(nets[0]["reports"], 2, "after the split")
    eq(nets[0]["countries"], ["MY", "SG"], "countries after the split")
    check(n.check1("MY-NSRC", e2e.acct_key(a))["hit"], "r2 still matches its own account")
    eq([x["id"] for x in n.check1("TH-CIB", phone_key(p))["records"]], sorted([r3, r4], key=[r3, r4].index),
       "the retracted report is gone from checks")
    # The network kept its id? r3 is now the earliest of {r3, r4}: a new id.
    r = n.get("/api/v1/networks/" + net["id"], "MY-NSRC")
    assert_problem(r, 404, "id", "the old network id after the split")


@ntest
def network_partial_visibility_hit_silent_and_private():
    n = node()
    a, b, s = e2e.acct(), e2e.acct(), e2e.acct()
    m1 = post(n, "MY-NSRC", [a], rel=("MEMBERS", "PRIVATE"), tlp="GREEN", loss={"amount": 10, "currency": "MYR"},
              victim_country="MY")
    m2 = post(n, "MY-NSRC", [b], rel=("MEMBERS", "PRIVATE"), tlp="GREEN", loss={"amount": 20, "currency": "MYR"},
              victim_country="MY")
    # TH-CIB's bridge is for TH-CIB only, disclosure hit: MY sees it as "+1".
    t = post(n, "TH-CIB", [dict(a), dict(b)], rel=("TH-CIB",), disclosure="hit",
             loss={"amount": 999999, "currency": "THB"}, victim_country="VN")
    # SG's silent record names a and s: it must change nothing MY sees.
    sg = post(n, "SG-ASCOM", [dict(a), s], rel=(), disclosure="silent", tlp="RED",
              loss={"amount": 123, "currency": "SGD"}, victim_country="SG")
    nets = networks(n, "MY-NSRC", e2e.acct_key(a))
    eq(len(nets), 1, "MY sees one network")
    net = nets[0]
    eq(net["reports"], 2, "MY reads its two reports")
    eq(net["hidden_records"], 1, "one record held by another agency, disclosure hit")
    eq(net.get("hidden_note"), "+1 records held by other agencies", "the note")
    eq(net["countries"], ["MY"], "no TH, no SG")
    eq(net["loss"], {"MYR": 30}, "only the losses MY reads")
    check("VN" not in net["victim_countries"] and "SG" not in net["victim_countries"], "hidden victim countries")
    text = json.dumps(n.get("/api/v1/networks/" + net["id"], "MY-NSRC").json)
    for hidden in (t, sg, e2e.acct_key(s), "TH-CIB", "SG-ASCOM"):
        check(hidden not in text, "network detail reveals %s" % hidden)
    # The silent record's own selector is in no network anyone else can see.
    eq(networks(n, "MY-NSRC", e2e.acct_key(s)), [], "silent-only selector")
    eq(networks(n, "TH-CIB", e2e.acct_key(s)), [], "silent-only selector for TH")
    # The bank (PRIVATE) reads m1 and m2 but never hits: the bridge neither
    # counts nor links, so there is no network of two for it.
    eq(networks(n, "MY-BANK1", e2e.acct_key(a)), [], "bank: no hidden bridge, no network")
    # TH-CIB reads its own bridge and MY's two: three, nothing hidden.
    nets = networks(n, "TH-CIB", e2e.acct_key(a))
    eq((nets[0]["reports"], nets[0]["hidden_records"]), (3, 0), "TH-CIB's view")
    check("SG" not in nets[0]["countries"], "TH-CIB sees no trace of the silent record")
    # UK partner: MEMBERS does not admit it; all are hits: no network to read.
    eq(networks(n, "UK-NCA", e2e.acct_key(a)), [], "UK partner reads none of them")
    assert_problem(n.get("/api/v1/networks/" + net["id"], "UK-NCA"), 404, "id", "UK partner by id")
    # The public has no access at all.
    assert_problem(n.get("/api/v1/networks", "MY-PUBLIC"), 403, None, "public lists networks")
    assert_problem(n.get("/api/v1/networks/" + net["id"], "MY-PUBLIC"), 403, None, "public reads a network")
    assert_problem(n.get("/api/v1/graph?key=" + e2e.acct_key(a), "MY-PUBLIC"), 403, None, "public graph")
    assert_problem(n.get("/api/v1/networks"), 401, None, "no token")
    # The list without a key names MY's network among its own.
    r = n.get("/api/v1/networks?limit=500", "MY-NSRC")
    eq(r.status, 200, "list networks")
    check(net["id"] in [x["id"] for x in r.json["networks"]], "the network is listed")
    assert_problem(n.get("/api/v1/networks?limit=0", "MY-NSRC"), 400, "limit", "limit 0")
    assert_problem(n.get("/api/v1/networks?after=-5", "MY-NSRC"), 400, "after", "negative cursor")
    # Page through everything MY sees, two at a time: each network once.
    after, seen = 0, []
    for _ in range(500):
        r = n.get("/api/v1/networks?limit=2&after=%d" % after, "MY-NSRC")
        eq(r.status, 200, "a page")
        seen += [x["id"] for x in r.json["networks"]]
        if not r.json["more"]:
            break
        after = r.json["next"]
    eq(len(seen), len(set(seen)), "no network twice across pages")
    check(net["id"] in seen, "the network is on a page")
    assert_problem(n.get("/api/v1/networks?key=nocolon", "MY-NSRC"), 400, "key", "bad key")
    assert_problem(n.get("/api/v1/networks/net_zzzz", "MY-NSRC"), 404, "id", "malformed id")
    _ = (m1, m2)


@ntest
def graph_depth_bounds_and_policy():
    n = node()
    a, p, q = e2e.acct(), phone(), phone()
    r1 = post(n, "MY-NSRC", [a, p])
    r2 = post(n, "TH-AOC", [dict(a), q])
    r3 = post(n, "TH-CIB", [dict(q)], rel=("TH-CIB",))
    t0 = time.monotonic()
    r = n.get("/api/v1/graph?key=%s&depth=2" % e2e.acct_key(a), "MY-NSRC")
    ms = (time.monotonic() - t0) * 1000
    eq(r.status, 200, "graph (%s)" % short(r.text))
    g = r.json
    ids = {x["id"]: x for x in g["nodes"]}
    check(e2e.acct_key(a) in ids and r1 in ids and r2 in ids, "depth 1: the account's reports")
    check(phone_key(p) in ids and phone_key(q) in ids, "depth 2: their selectors")
    check(r3 not in ids, "depth 3 not reached at depth 2")
    check(all(e["source"] in ids and e["target"] in ids for e in g["edges"]), "edges join listed nodes")
    r = n.get("/api/v1/graph?key=%s&depth=3" % e2e.acct_key(a), "MY-NSRC")
    node3 = {x["id"]: x for x in r.json["nodes"]}.get(r3)
    check(node3 is not None and node3["visibility"] == "hit", "depth 3: TH-CIB's record as a hit: %s" % node3)
    r = n.get("/api/v1/graph?key=%s&depth=3&limit=2" % e2e.acct_key(a), "MY-NSRC")
    eq((len(r.json["nodes"]), r.json["truncated"]), (2, True), "bounded size")
    assert_problem(n.get("/api/v1/graph?key=%s&depth=9" % e2e.acct_key(a), "MY-NSRC"), 400, "depth", "depth 9")
    assert_problem(n.get("/api/v1/graph?depth=2", "MY-NSRC"), 400, "key", "no key")
    assert_problem(n.get("/api/v1/graph?key=%s&limit=100000" % e2e.acct_key(a), "MY-NSRC"), 400, "limit", "limit")
    assert_problem(n.get("/api/v1/graph?key=phone:%2B60999999999999", "MY-NSRC"), 404, "key", "unknown key")
    # A bank sees nothing of these (MEMBERS only): same 404 as unknown.
    assert_problem(n.get("/api/v1/graph?key=%s" % e2e.acct_key(a), "MY-BANK1"), 404, "key", "bank")
    print("# graph depth 2, 5 nodes: %.1f ms" % ms)


# ---- generic values --------------------------------------------------------

def gen(n, tok, key):
    r = n.get("/api/v1/generic?key=" + key.replace("+", "%2B"), tok)
    eq(r.status, 200, "GET /api/v1/generic (%s)" % short(r.text))
    return r.json


@ntest
def generic_shipped_list_and_misp_lists_read_in_place():
    n = node()
    a, b = e2e.acct(), e2e.acct()
    # Shipped list: t.me links nothing (hostname rule: it and its subdomains).
    post(n, "MY-NSRC", [a, {"type": "domain", "value": "t.me", "role": "scammer_contact"}])
    post(n, "TH-AOC", [b, {"type": "domain", "value": "web.t.me", "role": "scammer_contact"}])
    g = gen(n, "MY-NSRC", "domain:t.me")
    eq((g["key"]["links"], g["key"]["reason"]), (False, "warning_list:simpul-benign-domains"), "t.me")
    eq(gen(n, "MY-NSRC", "domain:web.t.me")["key"]["links"], False, "a subdomain of a hostname entry")
    eq(gen(n, "MY-NSRC", "ip:10.1.2.3")["key"]["reason"], "warning_list:simpul-benign-ips", "private IP")
    eq(gen(n, "MY-NSRC", "ip:8.8.8.8")["key"]["links"], False, "public resolver")
    eq(gen(n, "MY-NSRC", "ip:203.0.114.9")["key"]["links"], True, "an ordinary address links")
    check(any(w["name"] == "simpul-benign-domains" for w in g["warning_lists"]), "lists are visible")
    check("rule" in g["rules"] and g["rules"]["max_reports"] >= 1, "the degree rule is visible: %s" % g["rules"])
    # A MISP "string" list (google), read from ../shared/data in place.
    path = os.path.join(DATA, "warninglists", "google", "list.json")
    if not os.path.exists(path):
        raise Fail("test data missing: %s (set SIMPUL_DATA)" % path)
    d1 = {"type": "domain", "value": "maps.google.co.th", "role": "phishing_site"}
    x1 = post(n, "MY-NSRC", [e2e.acct(), d1])
    x2 = post(n, "TH-AOC", [e2e.acct(), dict(d1)])
    eq(len(networks(n, "MY-NSRC", "domain:maps.google.co.th")), 1, "linked before the list is loaded")
    body = open(path, "rb").read()
    assert_problem(n.post("/api/v1/warninglists", "MY-NSRC", body), 403, None, "an analyst loads a list")
    r = n.post("/api/v1/warninglists", "TH-SUP", body)
    eq(r.status, 201, "a supervisor loads google (%s)" % short(r.text))
    eq((r.json["name"], r.json["type"]), ("List of known google domains", "string"), "the list")
    eq(networks(n, "MY-NSRC", "domain:maps.google.co.th"), [], "split once listed")
    eq(gen(n, "MY-NSRC", "domain:maps.google.co.th")["key"]["reason"], "warning_list:List of known google domains",
       "string entry with a leading dot covers subdomains")
    # Exact entries of a string list do not cover subdomains.
    eq(gen(n, "MY-NSRC", "domain:abc.xyz")["key"]["links"], False, "exact string entry")
    eq(gen(n, "MY-NSRC", "domain:www.abc.xyz")["key"]["links"], True, "exact string entry: not a suffix")
    # A MISP "hostname" list (tranco): parent-domain match.
    r = n.post("/api/v1/warninglists", "TH-SUP",
               open(os.path.join(DATA, "warninglists", "tranco10k", "list.json"), "rb").read())
    eq(r.status, 201, "tranco (%s)" % short(r.text))
    eq(gen(n, "MY-NSRC", "domain:www.10086.cn")["key"]["links"], False, "hostname: a parent is listed")
    eq(gen(n, "MY-NSRC", "url:https://www.10086.cn/")["key"]["links"], False, "home page of a listed host")
    eq(gen(n, "MY-NSRC", "url:https://www.10086.cn/pay/x1")["key"]["links"], True, "a path on a listed host")
    # Bad lists change nothing and name the field.
    assert_problem(n.post("/api/v1/warninglists", "TH-SUP", {"name": "x", "type": "regex", "list": ["a"]}),
                   422, "type", "regex list")
    assert_problem(n.post("/api/v1/warninglists", "TH-SUP", {"name": "x", "type": "string", "list": [1]}),
                   422, "list[0]", "a number entry")
    assert_problem(n.post("/api/v1/warninglists", "TH-SUP", "{"), 400, "body", "broken JSON")
    _ = (x1, x2)


@ntest
def generic_degree_rule_and_audited_override():
    n = node()
    p = phone()
    assert_problem(n.req("PUT", "/api/v1/generic", "MY-NSRC", {"max_reports": 2, "min_agencies": 2}),
                   403, None, "an analyst changes the rule")
    assert_problem(n.req("PUT", "/api/v1/generic", "TH-SUP", {"max_reports": 0, "min_agencies": 2}),
                   400, "max_reports", "max_reports 0")
    r = n.req("PUT", "/api/v1/generic", "TH-SUP", {"max_reports": 2, "min_agencies": 2})
    eq(r.status, 200, "supervisor sets the rule (%s)" % short(r.text))
    try:
        ids = [post(n, tok, [e2e.acct(), dict(p)]) for tok in ("MY-NSRC", "TH-AOC")]
        eq(networks(n, "MY-NSRC", phone_key(p))[0]["reports"], 2, "two reports: linked")
        ids.append(post(n, "SG-ASCOM", [e2e.acct(), dict(p)]))
        eq(networks(n, "MY-NSRC", phone_key(p)), [], "three reports of three agencies: generic")
        eq(gen(n, "MY-NSRC", phone_key(p))["key"]["reason"], "degree", "reason")
        # Reports a bank may not know of are not counted out to it through the rule.
        g = gen(n, "MY-BANK1", phone_key(p))["key"]
        eq((g["links"], g["reason"]), (None, "not shown: no report you may see names this key"),
           "the degree rule to someone who sees none of the reports")
        # Override: analysts may not, supervisors must give a reason.
        ov = {"key": phone_key(p), "mode": "link", "reason": "confirmed mule hotline, case X"}
        assert_problem(n.post("/api/v1/generic/overrides", "MY-NSRC", ov), 403, None, "analyst override")
        assert_problem(n.post("/api/v1/generic/overrides", "MY-ADMIN", dict(ov, reason="")), 400, "reason",
                       "no reason")
        assert_problem(n.post("/api/v1/generic/overrides", "MY-ADMIN", dict(ov, mode="maybe")), 400, "mode",
                       "bad mode")
        r = n.post("/api/v1/generic/overrides", "MY-ADMIN", ov)
        eq(r.status, 200, "admin override (%s)" % short(r.text))
        eq(networks(n, "MY-NSRC", phone_key(p))[0]["reports"], 3, "linked by the override")
        g = gen(n, "TH-AOC", phone_key(p))
        eq(g["key"]["reason"], "override:link", "override visible")
        check(any(o["key"] == phone_key(p) and o["reason"] == ov["reason"] for o in g["overrides"]),
              "the override is listed with its reason")
        r = n.post("/api/v1/generic/overrides", "TH-SUP", dict(ov, mode="none", reason="undo"))
        eq(r.status, 200, "clear")
        eq(networks(n, "MY-NSRC", phone_key(p)), [], "generic again")
    finally:
        n.req("PUT", "/api/v1/generic", "TH-SUP", {"max_reports": 500, "min_agencies": 3})
    # Every override is in the audit chain (read with the CLI as the auditor would).
    out = e2e.cli("audit", "export", "--db", n.db).stdout
    text = out if isinstance(out, str) else out.decode()
    check(text.count("generic.override") >= 5, "override attempts audited (ok and refused)")
    check("confirmed mule hotline" in text, "the reason is audited")


# ---- alerts, watchlists, delivery ------------------------------------------

@ntest
def alerts_cursor_pagination():
    n = node()
    a = e2e.acct()
    post(n, "SG-ASCOM", [a])
    for _ in range(3):
        post(n, "TH-AOC", [dict(a)])
    r = n.get("/api/v1/alerts?limit=1", "SG-ASCOM")
    eq(r.status, 200, "alerts page")
    first = r.json["alerts"]
    eq(len(first), 1, "one per page")
    r2 = n.get("/api/v1/alerts?limit=1&after=%d" % r.json["next"], "SG-ASCOM")
    check(r2.json["alerts"][0]["seq"] > first[0]["seq"], "the cursor moves on")
    assert_problem(n.get("/api/v1/alerts?after=-1", "SG-ASCOM"), 400, "after", "negative cursor")


@ntest
def watch_selector_and_network():
    n = node()
    k, a = phone(), e2e.acct()
    r = n.post("/api/v1/watches", "MY-NSRC-2", {"kind": "selector", "target": phone_key(k)})
    eq(r.status, 201, "watch a selector (%s)" % short(r.text))
    wid = r.json["id"]
    assert_problem(n.post("/api/v1/watches", "MY-NSRC-2", {"kind": "person", "target": "x"}), 400, "target",
                   "a person watch needs a person id")
    assert_problem(n.post("/api/v1/watches", "MY-NSRC-2", {"kind": "planet", "target": "x"}), 400, "kind",
                   "unknown kind")
    assert_problem(n.post("/api/v1/watches", "MY-PUBLIC", {"kind": "selector", "target": phone_key(k)}), 403,
                   None, "public watch")
    # A silent record naming it alerts no one but its originator.
    post(n, "SG-ASCOM", [dict(k)], rel=(), disclosure="silent", tlp="RED")
    rid = post(n, "TH-AOC", [dict(k), a])
    deadline = time.monotonic() + 10
    hits = []
    while time.monotonic() < deadline and not hits:
        hits = [x for x in n.alerts("MY-NSRC-2") if x["kind"] == "watch" and x["data"]["watch"] == wid]
        time.sleep(0.05)
    eq(len(hits), 1, "one watch alert (the silent record gives none)")
    eq((hits[0]["data"]["report"], hits[0]["data"]["key"]), (rid, phone_key(k)), "the alert names the report")
    # Only the watcher's inbox: the agency's other principal does not get it.
    check(not [x for x in n.alerts("MY-NSRC") if x["kind"] == "watch" and x["data"]["watch"] == wid],
          "watch alerts are the watcher's")
    # Watch the network, then link a new report to it.
    post(n, "MY-NSRC", [dict(a)])
    net = networks(n, "MY-NSRC-2", e2e.acct_key(a))[0]
    r = n.post("/api/v1/watches", "MY-NSRC-2", {"kind": "network", "target": net["id"]})
    eq(r.status, 201, "watch a network (%s)" % short(r.text))
    nw = r.json["id"]
    assert_problem(n.post("/api/v1/watches", "MY-BANK1", {"kind": "network", "target": net["id"]}), 404,
                   "target", "a bank watches a network it cannot see")
    b = e2e.acct()
    post(n, "SG-ASCOM", [b])
    newr = post(n, "TH-AOC", [dict(b), dict(a)])
    deadline = time.monotonic() + 10
    hits = []
    while time.monotonic() < deadline and not hits:
        hits = [x for x in n.alerts("MY-NSRC-2") if x["kind"] == "watch" and x["data"]["watch"] == nw]
        time.sleep(0.05)
    check(hits and hits[0]["data"]["report"] == newr, "network watch alert: %s" % short(hits))
    r = n.get("/api/v1/watches", "MY-NSRC-2")
    check({w["id"] for w in r.json["watches"]} >= {wid, nw}, "watches listed")
    eq(n.req("DELETE", "/api/v1/watches/" + wid, "MY-NSRC").status, 404, "another principal's watch")
    eq(n.req("DELETE", "/api/v1/watches/" + wid, "MY-NSRC-2").status, 200, "delete own watch")


class Receiver:
    """A real HTTP webhook receiver on 127.0.0.1 that can be down or failing."""

    def __init__(self):
        self.got = []          # (delivery id, signature ok, body json, monotonic time)
        self.status = 200
        self.lock = threading.Lock()
        self.secret = None
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sig = self.headers.get("X-Simpul-Signature", "")
                want = "sha256=" + hmac.new((outer.secret or "").encode(), body, hashlib.sha256).hexdigest()
                with outer.lock:
                    st = outer.status
                    if st == 200:
                        outer.got.append((self.headers.get("X-Simpul-Delivery"), hmac.compare_digest(sig, want),
                                          json.loads(body), time.monotonic()))
                self.send_response(st)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.H = H
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.srv = None
        self.up()

    def up(self):
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self.H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def down(self):
        self.srv.shutdown()
        self.srv.server_close()

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port


class Stream:
    """An SSE client on a raw socket."""

    def __init__(self, n, tok, last_id=None):
        self.s = socket.create_connection(("127.0.0.1", n.port), timeout=10)
        h = "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n" % \
            n.tok[tok]
        if last_id is not None:
            h += "Last-Event-ID: %s\r\n" % last_id
        self.s.sendall((h + "\r\n").encode())
        self.buf = b""
        self.head = None

    def events(self, want, timeout):
        """Read until `want` events have arrived (or timeout); returns them."""
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < want and time.monotonic() < deadline:
            self.s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            self.buf += chunk
            if self.head is None and b"\r\n\r\n" in self.buf:
                self.head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            # Chunked framing: strip chunk-size lines by keeping only SSE lines.
            text = self.buf.decode("utf-8", "replace").replace("\r\n", "\n")
            blocks = text.split("\n\n")
            for blk in blocks[:-1]:
                ev = {}
                for ln in blk.split("\n"):
                    k, _, v = ln.partition(": ")
                    if k in ("id", "event", "data"):
                        ev[k] = v
                if "event" in ev:
                    ev["t"] = time.monotonic()
                    ev["json"] = json.loads(ev["data"])
                    out.append(ev)
            self.buf = blocks[-1].encode()
        return out

    def close(self):
        self.s.close()


@ntest
def sse_and_webhook_deliver_cross_agency_match():
    n = node()
    rc = Receiver()
    try:
        r = n.post("/api/v1/webhooks", "MY-NSRC", {"url": rc.url()})
        eq(r.status, 201, "register webhook (%s)" % short(r.text))
        rc.secret = r.json["secret"]
        hook = r.json["id"]
        check(len(rc.secret) == 64, "a 256-bit secret, shown once")
        check("secret" not in json.dumps(n.get("/api/v1/webhooks", "MY-NSRC").json), "never shown again")
        assert_problem(n.post("/api/v1/webhooks", "MY-NSRC", {"url": "ftp://x/"}), 400, "url", "ftp url")
        assert_problem(n.post("/api/v1/webhooks", "AUDITOR", {"url": rc.url()}), 403, None, "auditor webhook")
        a = e2e.acct()
        mine = post(n, "MY-NSRC", [a])
        st = Stream(n, "MY-NSRC")
        time.sleep(0.3)   # the stream is open
        t0 = time.monotonic()
        theirs = post(n, "TH-AOC", [dict(a)])
        evs = st.events(1, 5)
        check(evs, "no SSE event within 5 s; head %r" % st.head)
        ev = evs[0]
        check(b"text/event-stream" in (st.head or b""), "Content-Type text/event-stream")
        eq(ev["event"], "match", "event name")
        eq((ev["json"]["data"]["your_report"], ev["json"]["data"]["report"]), (mine, theirs),
           "the event names both reports")
        sse_ms = (ev["t"] - t0) * 1000
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not rc.got:
            time.sleep(0.01)
        check(rc.got, "no webhook delivery within 5 s")
        did, sig_ok, body, t = rc.got[0]
        check(sig_ok, "HMAC-SHA256 signature verifies")
        eq(did, "%s.%s" % (hook, body["alert"]["id"]), "delivery id = webhook.alert")
        eq(body["alert"]["data"]["report"], theirs, "webhook names the new report")
        print("# write by TH-AOC -> MY-NSRC: SSE %.0f ms, webhook %.0f ms" % (sse_ms, (t - t0) * 1000))
        # A silent write is never announced to MY; the next visible one is.
        sil = post(n, "SG-ASCOM", [dict(a)], rel=(), disclosure="silent", tlp="RED")
        third = post(n, "TH-CIB", [dict(a)])
        evs = st.events(1, 5)
        check(evs and evs[0]["json"]["data"]["report"] == third, "next event is the visible write: %s" %
              short([e.get("data") for e in evs]))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(rc.got) < 2:
            time.sleep(0.01)
        eq([g[2]["alert"]["data"]["report"] for g in rc.got], [theirs, third], "webhook deliveries")
        check(all(sil not in json.dumps(g[2]) for g in rc.got), "no webhook names the silent record")
        check(all(sil not in json.dumps(x) for x in n.alerts("MY-NSRC")), "no alert of MY names it")
        check(any(x["data"].get("your_report") == sil for x in n.alerts("SG-ASCOM")),
              "its originator is told of the later write on its selector")
        st.close()
        # Resume with Last-Event-ID: everything after it comes again.
        st2 = Stream(n, "MY-NSRC", last_id=int(ev["id"]))
        evs = st2.events(1, 5)
        check(evs and evs[0]["json"]["data"]["report"] == third, "resumed after Last-Event-ID")
        st2.close()
        bad = n.get("/api/v1/events", "MY-NSRC", headers={"Last-Event-ID": "x"})
        assert_problem(bad, 400, "Last-Event-ID", "bad Last-Event-ID")
        assert_problem(n.get("/api/v1/events", "MY-PUBLIC"), 403, None, "public stream")
        eq(n.req("DELETE", "/api/v1/webhooks/" + hook, "TH-AOC").status, 404, "another agency's webhook")
        eq(n.req("DELETE", "/api/v1/webhooks/" + hook, "MY-NSRC").status, 200, "delete the webhook")
    finally:
        rc.down()


@ntest
def webhook_backoff_receiver_down_then_back_and_dead_letters():
    long = os.environ.get("SIMPUL_E2E_LONG") == "1"
    env = {"SIMPUL_WEBHOOK_BASE_MS": "100", "SIMPUL_WEBHOOK_MAX_MS": "2000",
           "SIMPUL_WEBHOOK_ATTEMPTS": "1000"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        n = e2e.Node("webhooks", agencies={k: e2e.AGENCIES[k] for k in ("MY-NSRC", "TH-AOC")})
        n.start()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    rc = Receiver()
    try:
        r = n.post("/api/v1/webhooks", "MY-NSRC", {"url": rc.url()})
        eq(r.status, 201, "register")
        rc.secret = r.json["secret"]
        a = e2e.acct()
        post(n, "MY-NSRC", [a])
        rc.down()
        down_for = 60 if long else 5
        t0 = time.monotonic()
        sent = [post(n, "TH-AOC", [dict(a)]) for _ in range(5)]
        time.sleep(down_for)
        rc.up()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len({g[0] for g in rc.got}) < 5:
            time.sleep(0.05)
        got = {g[2]["alert"]["data"]["report"] for g in rc.got}
        eq(got, set(sent), "every alert delivered once the receiver is back")
        check(all(g[1] for g in rc.got), "signatures")
        print("# receiver down %d s: all %d delivered %.1f s after it came back" %
              (down_for, len(sent), max(g[3] for g in rc.got) - t0 - down_for))
        eq(n.get("/api/v1/webhooks/dead", "MY-NSRC").json["dead_letters"], [], "nothing dead-lettered")
    finally:
        rc.down()
        n.cleanup()
    # Dead letters: a receiver that always fails, 3 tries.
    os.environ.update({"SIMPUL_WEBHOOK_BASE_MS": "50", "SIMPUL_WEBHOOK_MAX_MS": "200",
                       "SIMPUL_WEBHOOK_ATTEMPTS": "3"})
    try:
        n = e2e.Node("deadletter", agencies={k: e2e.AGENCIES[k] for k in ("MY-NSRC", "TH-AOC")})
        n.start()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    rc = Receiver()
    try:
        rc.status = 503
        r = n.post("/api/v1/webhooks", "MY-NSRC", {"url": rc.url()})
        hook = r.json["id"]
        a = e2e.acct()
        post(n, "MY-NSRC", [a])
        post(n, "TH-AOC", [dict(a)])
        deadline = time.monotonic() + 20
        dead = []
        while time.monotonic() < deadline and not dead:
            dead = n.get("/api/v1/webhooks/dead", "MY-NSRC").json["dead_letters"]
            time.sleep(0.1)
        eq(len(dead), 1, "one dead letter")
        eq((dead[0]["webhook"], dead[0]["attempts"], dead[0]["last_error"]), (hook, 3, "HTTP 503"), "dead letter")
        eq(n.get("/api/v1/webhooks/dead", "TH-AOC").json["dead_letters"], [], "dead letters are per agency")
        m = n.get("/metrics", "ADMIN").text
        check("\nsimpul_webhook_dead_letters_total 1\n" in m and "\nsimpul_webhook_failures_total 3\n" in m,
              "/metrics counts the failed tries and the dead letter: %s" %
              short([x for x in m.split("\n") if x.startswith("simpul_webhook")]))
        # The queue moves on: the next alert is delivered once the receiver works.
        rc.status = 200
        rc.secret = r.json["secret"]
        post(n, "TH-AOC", [dict(a)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not rc.got:
            time.sleep(0.05)
        check(rc.got, "delivery resumes after a dead letter")
        # The dead letter, asked for again: delivered once more with its original delivery id.
        assert_problem(n.post("/api/v1/webhooks/dead/retry", "TH-AOC", {"delivery": dead[0]["delivery"]}), 404,
                       "delivery", "another agency's dead letter")
        assert_problem(n.post("/api/v1/webhooks/dead/retry", "MY-NSRC", {"delivery": 5}), 400, "delivery",
                       "delivery not a string")
        r = n.post("/api/v1/webhooks/dead/retry", "MY-NSRC", {"delivery": dead[0]["delivery"]})
        eq(r.status, 202, "redrive queued (%s)" % short(r.text))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(g[0] == dead[0]["delivery"] for g in rc.got):
            time.sleep(0.05)
        again = [g for g in rc.got if g[0] == dead[0]["delivery"]]
        check(again and again[0][1] and again[0][2]["alert"]["seq"] == dead[0]["alert_seq"],
              "the dead letter redelivered, signed, with its delivery id: %s" % short([g[0] for g in rc.got]))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and n.get("/api/v1/webhooks/dead", "MY-NSRC").json["dead_letters"]:
            time.sleep(0.05)
        eq(n.get("/api/v1/webhooks/dead", "MY-NSRC").json["dead_letters"], [], "a redelivered letter leaves the list")
        text = e2e.cli("audit", "export", "--db", n.db).stdout
        check("webhook.redrive" in text and "webhook.redeliver" in text, "redrive and redelivery audited")
    finally:
        rc.down()
        n.cleanup()


@ntest
def restart_keeps_rules_lists_overrides_and_networks():
    n = node()
    p = phone()
    ids = [post(n, tok, [e2e.acct(), dict(p)]) for tok in ("MY-NSRC", "TH-AOC")]
    r = n.post("/api/v1/generic/overrides", "TH-SUP",
               {"key": phone_key(p), "mode": "generic", "reason": "a bank's real hotline (restart test)"})
    eq(r.status, 200, "override")
    r = n.post("/api/v1/warninglists", "TH-SUP", {"name": "restart-test", "type": "string",
                                                  "list": ["restart-test.example"]})
    eq(r.status, 201, "a small list")
    a = e2e.acct()
    post(n, "MY-NSRC", [a])
    post(n, "SG-ASCOM", [dict(a)])
    before = networks(n, "MY-NSRC", e2e.acct_key(a))
    n.stop()
    n.start()
    # The index is rebuilt from the store; rules, lists and overrides come back.
    eq(networks(n, "MY-NSRC", e2e.acct_key(a)), before, "the same network after a restart")
    eq(networks(n, "MY-NSRC", phone_key(p)), [], "the override survives")
    eq(gen(n, "MY-NSRC", phone_key(p))["key"]["reason"], "override:generic", "override reason")
    eq(gen(n, "MY-NSRC", "domain:restart-test.example")["key"]["reason"], "warning_list:restart-test",
       "the loaded list survives")
    eq(gen(n, "MY-NSRC", "domain:t.me")["key"]["links"], False, "the shipped lists are there")
    _ = ids


# ---- person watches, notices in the inbox, rules from another process, snapshot -----

GREEN = {"tlp": "GREEN", "releasable_to": ["MEMBERS"], "disclosure": "hit"}


def person(n, tok, names, **kw):
    body = {"names": names, "markings": kw.pop("markings", GREEN)}
    body.update(kw)
    r = n.post("/api/v1/persons", tok, body)
    check(r.status in (200, 201), "POST /api/v1/persons as %s (%s)" % (tok, short(r.text)))
    return r.json["id"]


def wait_alerts(n, tok, pred, want=1, timeout=8):
    deadline = time.monotonic() + timeout
    got = []
    while time.monotonic() < deadline:
        got = [x for x in n.alerts(tok) if pred(x)]
        if len(got) >= want:
            break
        time.sleep(0.1)
    return got


@ntest
def person_watch_alerts_on_new_links_through_the_gate():
    n = node()
    p = phone()
    doc = "A" + e2e.uniq_digits()[-8:]
    pid = person(n, "MY-NSRC", ["Zulkifli bin Hamzah Azmanuddin", "Zul Azmanuddin"], dob="1981-04-02",
                 nationality=["MY"], documents=[{"type": "passport", "country": "MY", "number": doc}],
                 links={"selectors": [phone_key(p)]})
    secret = person(n, "MY-NSRC", ["Somchai Kittisak Rattanapong"], markings={"tlp": "RED",
                    "releasable_to": [], "disclosure": "silent"})
    # Refusals: unknown, not-for-you (the same 404), malformed.
    assert_problem(n.post("/api/v1/watches", "TH-AOC", {"kind": "person", "target": "P" * 26}), 404, "target",
                   "unknown person")
    assert_problem(n.post("/api/v1/watches", "TH-AOC", {"kind": "person", "target": secret}), 404, "target",
                   "a person TH may not see")
    assert_problem(n.post("/api/v1/watches", "TH-AOC", {"kind": "person", "target": 7}), 400, "target",
                   "target not a string")
    r = n.post("/api/v1/watches", "TH-AOC", {"kind": "person", "target": pid})
    eq(r.status, 201, "watch a person (%s)" % short(r.text))
    wid = r.json["id"]
    mine = lambda x: x["kind"] == "watch" and x["data"].get("watch") == wid  # noqa: E731
    rc = Receiver()
    st = None
    try:
        r = n.post("/api/v1/webhooks", "TH-AOC", {"url": rc.url()})
        rc.secret = r.json["secret"]
        hook = r.json["id"]
        st = Stream(n, "TH-AOC")
        time.sleep(0.3)
        # 1. A report naming a selector linked to the person.
        rep = post(n, "SG-ASCOM", [dict(p)])
        got = wait_alerts(n, "TH-AOC", mine)
        check(got and got[0]["data"]["report"] == rep and got[0]["data"]["link"] == "selector",
              "report on the person's selector: %s" % short(got))
        evs = st.events(1, 5)
        check(any(e["event"] == "watch" and e["json"]["data"].get("watch") == wid for e in evs),
              "the watch alert on TH's event stream: %s" % short([e.get("data") for e in evs]))
        # 2. Another agency's person record with the same passport number.
        other = person(n, "SG-ASCOM", ["Mohd Zul Azman"], documents=[{"number": doc}])
        got = wait_alerts(n, "TH-AOC", lambda x: mine(x) and x["data"].get("record") == other)
        check(got and got[0]["data"]["link"] == "document", "same document number: %s" % short(got))
        # 3. A notice about the person.
        r = n.post("/api/v1/notices", "MY-NSRC", {"kind": "wanted_person", "title": "Wanted " + pid[-6:],
                                                   "subjects": [{"type": "person", "id": pid}], "markings": GREEN})
        eq(r.status in (200, 201), True, "notice (%s)" % short(r.text))
        nid = r.json["id"]
        got = wait_alerts(n, "TH-AOC", lambda x: mine(x) and x["data"].get("record") == nid)
        check(got and got[0]["data"]["link"] == "notice", "a notice naming the person: %s" % short(got))
        # 4. A name match at or above the operating threshold (another spelling, same birth date).
        alias = person(n, "TH-CIB", ["Zulkifli Hamzah Azmanuddin"], dob="1981-04-02", nationality=["MY"])
        got = wait_alerts(n, "TH-AOC", lambda x: mine(x) and x["data"].get("record") == alias)
        check(got and got[0]["data"]["link"] == "name" and got[0]["data"]["score"] >= 0.8,
              "a name match at or above T: %s" % short(got))
        # Nothing for an unrelated person, nor for a silent record with the same passport.
        unrelated = person(n, "SG-ASCOM", ["Nguyen Thi Hoa"], dob="1990-01-01")
        hidden = person(n, "SG-ASCOM", ["Zulkifli bin Hamzah Azmanuddin"], dob="1981-04-02",
                        documents=[{"number": doc}], markings={"tlp": "RED", "releasable_to": [],
                                                               "disclosure": "silent"})
        marker = post(n, "SG-ASCOM", [dict(p)])   # a later alert: the ones before it are in
        wait_alerts(n, "TH-AOC", lambda x: mine(x) and x["data"].get("report") == marker)
        texts = json.dumps([x for x in n.alerts("TH-AOC") if mine(x)])
        check(unrelated not in texts, "an unrelated person alerted")
        check(hidden not in texts, "a silent record alerted someone else")
        check(all(hidden not in json.dumps(x) for x in n.alerts("TH-AOC")), "the silent record in TH's inbox")
        # The webhook got the watch alerts too, signed.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len([g for g in rc.got if g[2]["alert"]["kind"] == "watch"]) < 5:
            time.sleep(0.05)
        hooked = {g[2]["alert"]["data"].get("record") or g[2]["alert"]["data"].get("report")
                  for g in rc.got if g[2]["alert"]["kind"] == "watch"}
        check({rep, other, nid, alias} <= hooked, "webhook deliveries of the watch: %s" % short(sorted(map(str, hooked))))
        check(all(g[1] for g in rc.got), "signatures")
        # Another principal of TH does not get TH-AOC's person watch alerts.
        eq(n.req("DELETE", "/api/v1/webhooks/" + hook, "TH-AOC").status, 200, "webhook deleted")
    finally:
        if st:
            st.close()
        rc.down()
    eq(n.req("DELETE", "/api/v1/watches/" + wid, "TH-AOC").status, 200, "delete the person watch")


@ntest
def notices_reach_inbox_stream_and_webhook_of_those_who_may_see_them():
    n = node()
    rc = Receiver()
    st = None
    try:
        r = n.post("/api/v1/webhooks", "TH-AOC", {"url": rc.url()})
        rc.secret = r.json["secret"]
        st = Stream(n, "TH-AOC")
        time.sleep(0.3)
        t0 = time.monotonic()
        r = n.post("/api/v1/notices", "MY-NSRC", {"kind": "modus_operandi", "title": "Fake courier calls",
                                                   "text": "...", "markings": GREEN})
        eq(r.status in (200, 201), True, "notice (%s)" % short(r.text))
        nid = r.json["id"]
        evs = st.events(1, 5)
        check(any(e["event"] == "notice" and e["json"]["data"].get("notice") == nid for e in evs),
              "notice on TH's stream: %s" % short([e.get("data") for e in evs]))
        sse_ms = (evs[0]["t"] - t0) * 1000 if evs else -1
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(g[2]["alert"]["data"].get("notice") == nid for g in rc.got):
            time.sleep(0.02)
        check(any(g[2]["alert"]["data"].get("notice") == nid and g[1] for g in rc.got), "signed webhook delivery")
        print("# notice by MY-NSRC -> TH-AOC: SSE %.0f ms" % sse_ms)
        # A notice for Singapore only reaches nobody in Thailand, on no path.
        r = n.post("/api/v1/notices", "MY-NSRC", {"kind": "warning", "title": "SG only", "markings":
                                                   {"tlp": "AMBER", "releasable_to": ["SG-ASCOM"], "disclosure": "hit"}})
        sg = r.json["id"]
        check(wait_alerts(n, "SG-ASCOM", lambda x: x["kind"] == "notice" and x["data"].get("notice") == sg),
              "SG gets its notice")
        time.sleep(0.5)
        check(all(sg not in json.dumps(x) for x in n.alerts("TH-AOC")), "TH's inbox has the SG-only notice")
        check(all(sg not in json.dumps(g[2]) for g in rc.got), "TH's webhook got the SG-only notice")
        check(all(sg not in e["data"] for e in st.events(5, 1)), "TH's stream got the SG-only notice")
        check(all(sg not in json.dumps(x) for x in n.alerts("UK-NCA")), "UK-NCA got it")
        # Per principal: MY-NSRC's auditor reads its own agency's records only, so a
        # notice from Thailand is in the inbox of MY's analyst, not in its auditor's
        # (inbox, stream); the cursor still moves past it.
        aud = Stream(n, "AUDITOR")
        time.sleep(0.3)
        r = n.post("/api/v1/notices", "TH-AOC", {"kind": "warning", "title": "TH to members", "markings": GREEN})
        th = r.json["id"]
        check(wait_alerts(n, "MY-NSRC", lambda x: x["kind"] == "notice" and x["data"].get("notice") == th),
              "MY's analyst gets TH's notice")
        check(all(th not in json.dumps(x) for x in n.alerts("AUDITOR")), "MY's auditor got TH's notice")
        check(all(th not in e["data"] for e in aud.events(5, 1)), "MY's auditor's stream got TH's notice")
        aud.close()
        seq = [x["seq"] for x in n.alerts("MY-NSRC") if x["kind"] == "notice" and x["data"].get("notice") == th][0]
        page = n.get("/api/v1/alerts?after=%d&limit=1" % (seq - 1), "AUDITOR").json
        eq((page["alerts"], page["next"]), ([], seq), "the auditor's cursor passes the hidden notice")
    finally:
        if st:
            st.close()
        rc.down()


@ntest
def cli_override_while_the_daemon_runs_is_applied_without_restart():
    n = node()
    p = phone()
    post(n, "MY-NSRC", [e2e.acct(), dict(p)])
    post(n, "TH-AOC", [e2e.acct(), dict(p)])
    eq(networks(n, "MY-NSRC", phone_key(p))[0]["reports"], 2, "linked before")
    out = e2e.cli("generic", "override", "--db", n.db, "--agency", "TH-AOC", "--reason",
                  "a bank's real hotline (cli test)", phone_key(p), "generic")
    _ = out
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and networks(n, "MY-NSRC", phone_key(p)):
        time.sleep(0.05)
    eq(networks(n, "MY-NSRC", phone_key(p)), [], "the daemon applied the CLI's override")
    eq(gen(n, "MY-NSRC", phone_key(p))["key"]["reason"], "override:generic", "and shows it")
    e2e.cli("generic", "override", "--db", n.db, "--agency", "TH-AOC", "--reason", "undo (cli test)",
            phone_key(p), "none")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not networks(n, "MY-NSRC", phone_key(p)):
        time.sleep(0.05)
    eq(networks(n, "MY-NSRC", phone_key(p))[0]["reports"], 2, "linked again after the CLI cleared it")
    # Refusals from the console: a bank is no supervisor of rules; a bad mode.
    r = e2e.cli("generic", "override", "--db", n.db, "--agency", "MY-BANK1", "--reason", "x", phone_key(p),
                "generic", ok=False)
    check(r.returncode != 0, "a bank overrode from the CLI")
    r = e2e.cli("generic", "override", "--db", n.db, "--agency", "TH-AOC", "--reason", "x", phone_key(p),
                "maybe", ok=False)
    check(r.returncode != 0 and "mode" in r.stderr, "bad mode: %s" % short(r.stderr))
    text = e2e.cli("audit", "export", "--db", n.db).stdout
    check(text.count("cli test") >= 2, "the CLI's overrides are audited with their reasons")


def index_ready(n, count, timeout=20):
    """The daemon's log line of its count-th start: how the index was made."""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        lines = [ln for ln in n.stderr_all().splitlines() if "networks index ready" in ln]
        if len(lines) >= count:
            return lines[count - 1]
        time.sleep(0.05)
    raise Fail("no 'networks index ready' line for start %d: %s" % (count, short(lines)))


@ntest
def restart_starts_from_the_snapshot_and_folds_only_newer_reports():
    keys = ("SIMPUL_NET_SNAPSHOT_EVERY", "SIMPUL_NET_SNAPSHOT_SECS", "SIMPUL_NET_SNAPSHOT_LOAD")
    old = {k: os.environ.get(k) for k in keys}
    n = None
    try:
        os.environ.update({"SIMPUL_NET_SNAPSHOT_EVERY": "1", "SIMPUL_NET_SNAPSHOT_SECS": "0"})
        n = e2e.Node("snapshot", agencies={k: e2e.AGENCIES[k] for k in ("MY-NSRC", "TH-AOC", "SG-ASCOM")})
        n.start()
        a, b, p = e2e.acct(), e2e.acct(), phone()
        post(n, "MY-NSRC", [a, p])
        post(n, "TH-AOC", [dict(a)])
        gone = post(n, "SG-ASCOM", [dict(p)])
        eq(networks(n, "MY-NSRC", e2e.acct_key(a))[0]["reports"], 3, "three linked")
        time.sleep(1.0)   # the upkeep thread writes its snapshot
        n.stop()
        # From here on no more snapshots: what follows is the tail.
        os.environ["SIMPUL_NET_SNAPSHOT_EVERY"] = "0"
        n.start()
        ln = index_ready(n, 2)
        check("from its snapshot" in ln, "the daemon started from its snapshot: %s" % ln)
        m = n.get("/metrics", "ADMIN").text
        check("\nsimpul_networks_snapshot_loaded 1\n" in m and "\nsimpul_networks_components " in m,
              "/metrics tells the start from the snapshot: %s" % short([x for x in m.split("\n")
                                                                       if "networks" in x and "#" not in x]))
        eq(networks(n, "MY-NSRC", e2e.acct_key(a))[0]["reports"], 3, "the same network from the snapshot")
        post(n, "SG-ASCOM", [dict(b), dict(a)])
        eq(n.req("DELETE", "/api/v1/reports/" + gone, "SG-ASCOM").status, 200, "retract")
        n.stop()
        n.start()   # snapshot + the tail (a newer report, a retraction)
        check("from its snapshot" in index_ready(n, 3), "third start from the snapshot")
        tail = (networks(n, "MY-NSRC", e2e.acct_key(a)), networks(n, "MY-NSRC", phone_key(p)))
        eq(tail[0][0]["reports"], 3, "the newer report joined, the retracted one left")
        eq(tail[1][0]["reports"], 3, "the phone's network: the retracted report is not in it")
        n.stop()
        os.environ["SIMPUL_NET_SNAPSHOT_LOAD"] = "0"
        n.start()   # a full fold of the store
        check("folded from the store" in index_ready(n, 4), "the full fold ran")
        full = (networks(n, "MY-NSRC", e2e.acct_key(a)), networks(n, "MY-NSRC", phone_key(p)))
        eq(tail, full, "snapshot + tail = a full fold of the store")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if n:
            n.cleanup()


def main():
    import argparse
    ap = argparse.ArgumentParser()
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
                    import traceback
                    traceback.print_exc()
                    if _node[0] is not None:
                        print(_node[0].stderr(), file=sys.stderr)
    finally:
        if _node[0] is not None:
            n = _node[0]
            n.cleanup()
        bad = [d for d in e2e.DAEMON_EXITS if d[3] or d[2] != 0]
        if bad:
            failed += 1
            print("FAIL daemons_exit_cleanly: %s" % short(bad, 2000))
        else:
            passed += 1
            print("ok daemons_exit_cleanly (%d daemons)" % len(e2e.DAEMON_EXITS))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
