#!/usr/bin/env python3
"""End-to-end tests of the public-private partnership (issue 7) against a real daemon.

    python3 tests/e2e/ppp.py --bin build/src/cli/simpul [-k SUBSTRING] [-v]

Partner requests across three agencies (a Malaysian ASC, a Malaysian bank, a
Thai telco) and their refusals, SLAs with overdue and escalation alerts, the
figures (/api/v1/stats, /metrics), rate limits and quotas, the public check,
partner screening through the check API, and bulk screening (HTTP and CLI).
Reuses the helpers of run.py; ends with `N passed, N failed`.
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as e2e  # noqa: E402
from run import (Fail, Node, acct, acct_key, assert_problem, check, cli, cli_json, eq,  # noqa: E402
                 report, short)

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def shared():
    return e2e.shared()


def audit_entries(n):
    out = os.path.join(n.dir, "audit-%d.jsonl" % time.monotonic_ns())
    cli("audit", "export", "--db", n.db, "--out", out)
    return [json.loads(json.loads(ln)["entry"]) for ln in e2e.export_lines(out) if '"entry"' in ln]


def freeze_body(sel, reports=(), partner="MY-BANK1", action="freeze", note="urgent: victim paid 1h ago"):
    return {"partner": partner, "action": action,
            "selectors": [{k: v for k, v in sel.items() if k != "role"}],
            "reports": list(reports), "note": note}


def send(n, token, body, status=201):
    r = n.post("/api/v1/requests", token, body)
    eq(r.status, status, "POST /api/v1/requests as %s (%s)" % (token, short(r.text)))
    return r.json


def answer(n, token, rid, body, status=200):
    r = n.post("/api/v1/requests/%s/answer" % rid, token, body)
    eq(r.status, status, "answer as %s (%s)" % (token, short(r.text)))
    return r.json


def alerts_of(n, token, kind):
    return [a for a in n.alerts(token) if a["kind"] == kind]


def ts_ms(iso):
    t = time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")
    return int(time.mktime(t) - time.timezone) * 1000 + int(iso[20:23])


# ---- requests: the lifecycle -------------------------------------------------

@test
def lifecycle_freeze_asc_to_bank():
    """MY-NSRC asks MY-BANK1 to freeze a mule account; the bank accepts, then
    completes with the amount frozen; every step is timestamped, alerted and
    audited; the bank never sees the report behind it."""
    n = shared()
    sel = acct()
    rep = n.post_report("MY-NSRC", report([sel], rel=["MEMBERS"], narrative="SECRET-NARRATIVE victim story"))
    rq = send(n, "MY-NSRC", freeze_body(sel, [rep["id"]]))
    eq(rq["status"], "sent", "new request status")
    eq(rq["reports"], [rep["id"]], "sender sees the reports")
    eq(rq["selectors"][0]["key"], acct_key(sel), "selector normalised")
    eq(rq["sla_seconds"], 900, "default freeze SLA")
    check(ts_ms(rq["due"]) - ts_ms(rq["created"]) == 900000, "due = created + 15 min: %s" % short(rq))
    rid = rq["id"]
    # The bank is told, and sees the request without the investigation.
    al = [a for a in alerts_of(n, "MY-BANK1", "request") if a["data"]["request"] == rid]
    eq(len(al), 1, "request alert to the bank")
    eq(al[0]["data"]["action"], "freeze", "alert action")
    seen = n.get("/api/v1/requests/" + rid, "MY-BANK1")
    eq(seen.status, 200, "bank reads the request")
    bj = seen.json
    check("reports" not in bj and "from_principal" not in bj, "bank view carries no reports: %s" % short(bj))
    check("SECRET-NARRATIVE" not in seen.text, "no narrative in the bank's view")
    eq(bj["selectors"][0]["key"], acct_key(sel), "bank sees the selector")
    eq(bj["note"], "urgent: victim paid 1h ago", "bank sees the note")
    check(all("principal" not in ev for ev in bj["timeline"]), "bank does not see the ASC's principals")
    assert_problem(n.get("/api/v1/reports/" + rep["id"], "MY-BANK1"), 404, "id", "bank reads the report behind")
    # Listed for both parties.
    for tok in ("MY-NSRC", "MY-BANK1"):
        lst = n.get("/api/v1/requests", tok)
        eq(lst.status, 200, "list as %s" % tok)
        check(rid in [x["id"] for x in lst.json["requests"]], "%s lists the request" % tok)
    a1 = answer(n, "MY-BANK1", rid, {"status": "accepted", "note": "freezing"})
    eq(a1["status"], "accepted", "accepted")
    a2 = answer(n, "MY-BANK1", rid, {"status": "completed", "note": "frozen",
                                     "amount_frozen": {"amount": 1234500, "currency": "MYR"},
                                     "amount_recovered": {"amount": 1000000, "currency": "MYR"}})
    eq(a2["status"], "completed", "completed")
    eq(a2["amount_frozen"], {"amount": 1234500, "currency": "MYR"}, "amount frozen")
    eq(a2["amount_recovered"], {"amount": 1000000, "currency": "MYR"}, "amount recovered")
    full = n.get("/api/v1/requests/" + rid, "MY-NSRC").json
    eq([ev["status"] for ev in full["timeline"]], ["sent", "accepted", "completed"], "timeline")
    times = [ts_ms(ev["at"]) for ev in full["timeline"]]
    check(times == sorted(times), "timeline in time order: %r" % times)
    eq(full["timeline"][1]["agency"], "MY-BANK1", "who accepted")
    check(full["answered"] is not None and full["closed"] is not None, "answered and closed times")
    answers = [a for a in alerts_of(n, "MY-NSRC", "request_answer") if a["data"]["request"] == rid]
    eq([a["data"]["status"] for a in answers], ["accepted", "completed"], "answer alerts to the ASC")
    ents = [x for x in audit_entries(n) if x.get("object") == rid]
    eq([(x["action"], x["outcome"]) for x in ents if x["action"] in ("request.create", "request.answer")],
       [("request.create", "ok"), ("request.answer", "accepted"), ("request.answer", "completed")],
       "audit of each change of state")
    check(any(x["action"] == "request.read" and x["agency"] == "MY-BANK1" for x in ents), "bank's read audited")


@test
def lifecycle_block_asc_to_thai_telco_rejected():
    """MY-NSRC asks the Thai telco to block a number; the telco rejects it;
    a rejected request is final."""
    n = shared()
    phone = "+66 81 %03d %04d" % (int(e2e.uniq_digits()[-7:-4]), int(e2e.uniq_digits()[-4:]))
    rq = send(n, "MY-NSRC", {"partner": "TH-TELCO1", "action": "block",
                             "selectors": [{"type": "phone", "value": phone}], "note": "scam caller"})
    eq(rq["sla_seconds"], 3600, "block SLA")
    check(rq["selectors"][0]["key"].startswith("phone:+66"), "E.164 key: %s" % rq["selectors"][0]["key"])
    got = answer(n, "TH-TELCO1", rq["id"], {"status": "rejected", "note": "number not ours"})
    eq(got["status"], "rejected", "rejected")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rq["id"], "TH-TELCO1", {"status": "completed"}),
                   409, "status", "completing a rejected request")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rq["id"], "TH-TELCO1", {"status": "accepted"}),
                   409, "status", "accepting a rejected request")
    tl = n.get("/api/v1/requests/" + rq["id"], "TH-TELCO1").json["timeline"]
    eq([e["status"] for e in tl], ["sent", "rejected"], "timeline after refused transitions")
    eq(tl[1].get("note"), "number not ours", "answer note kept")


@test
def lifecycle_takedown_and_info_and_withdraw():
    """Takedown to a telco, information to a bank; the sender may withdraw an
    open request, which then cannot be answered."""
    n = shared()
    rq = send(n, "MY-NSRC", {"partner": "TH-TELCO1", "action": "takedown",
                             "selectors": [{"type": "url", "value": "http://scam-%s.example.com/login" % e2e.uniq_digits()}]})
    eq(rq["sla_seconds"], 14400, "takedown SLA")
    info = send(n, "MY-NSRC", {"partner": "MY-BANK1", "action": "info", "selectors": [acct_sel()]})
    eq(info["sla_seconds"], 259200, "info SLA")
    w = answer(n, "MY-NSRC", info["id"], {"status": "withdrawn", "note": "case closed"})
    eq(w["status"], "withdrawn", "withdrawn by the sender")
    assert_problem(n.post("/api/v1/requests/%s/answer" % info["id"], "MY-BANK1", {"status": "accepted"}),
                   409, "status", "answering a withdrawn request")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rq["id"], "TH-TELCO1",
                          {"status": "completed", "amount_frozen": {"amount": 1, "currency": "THB"}}),
                   400, "amount_frozen", "an amount on a takedown")
    eq(answer(n, "TH-TELCO1", rq["id"], {"status": "completed"})["status"], "completed", "takedown done")


def acct_sel():
    s = acct()
    s.pop("role")
    return s


# ---- requests: refusals ------------------------------------------------------

@test
def refusals_who_may_send_read_and_answer():
    n = shared()
    sel = acct()
    rep = n.post_report("MY-NSRC", report([sel], rel=["MEMBERS"]))
    rq = send(n, "MY-NSRC", freeze_body(sel, [rep["id"]]))
    rid = rq["id"]
    before = sum(1 for x in audit_entries(n) if str(x.get("outcome", "")).startswith("refused"))
    # Partners, the public, auditors and partner law enforcement cannot send.
    for tok in ("MY-BANK1", "TH-TELCO1", "MY-PUBLIC", "AUDITOR", "UK-NCA"):
        assert_problem(n.post("/api/v1/requests", tok, freeze_body(sel)), 403, None, "%s sends" % tok)
    # Another bank cannot read, list or answer MY-BANK1's request: 404, as unknown.
    assert_problem(n.get("/api/v1/requests/" + rid, "MY-BANK2"), 404, "id", "other bank reads")
    check(rid not in [x["id"] for x in n.get("/api/v1/requests", "MY-BANK2").json["requests"]],
          "other bank lists it")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-BANK2", {"status": "accepted"}),
                   404, "id", "other bank answers")
    assert_problem(n.get("/api/v1/requests/" + rid, "TH-AOC"), 404, "id", "another ASC reads")
    assert_problem(n.get("/api/v1/requests/01M8G75BDTXG9XS0JWSTV4K1S6", "MY-NSRC"), 404, "id", "unknown id")
    assert_problem(n.get("/api/v1/requests/" + rid, "MY-PUBLIC"), 404, "id", "public reads")
    assert_problem(n.get("/api/v1/requests", "MY-PUBLIC"), 403, None, "public lists")
    # The ASC cannot answer its own request; the bank cannot withdraw it.
    assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-NSRC", {"status": "completed"}),
                   403, "status", "sender answers")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-NSRC-2", {"status": "accepted"}),
                   403, "status", "sender's colleague answers")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-BANK1", {"status": "withdrawn"}),
                   409, "status", "partner withdraws")
    assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-BANK1", {"status": "sent"}),
                   400, "status", "back to sent")
    eq(n.get("/api/v1/requests/" + rid, "MY-NSRC").json["status"], "sent", "nothing changed")
    after = sum(1 for x in audit_entries(n) if str(x.get("outcome", "")).startswith("refused"))
    check(after - before >= 14, "each refusal audited (%d new)" % (after - before))


@test
def refusals_bad_request_bodies():
    n = shared()
    sel = acct()
    th_only = n.post_report("TH-AOC", report([acct()], rel=["TH"]))["id"]
    cases = [
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [acct_sel()], "colour": "red"}, 400, "colour"),
        ({"action": "freeze", "selectors": [acct_sel()]}, 400, "partner"),
        ({"partner": "NO-SUCH-BANK", "action": "freeze", "selectors": [acct_sel()]}, 400, "partner"),
        ({"partner": "TH-AOC", "action": "freeze", "selectors": [acct_sel()]}, 400, "partner"),
        ({"partner": "MY-BANK1", "action": "explode", "selectors": [acct_sel()]}, 400, "action"),
        ({"partner": "TH-TELCO1", "action": "freeze", "selectors": [acct_sel()]}, 400, "action"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": []}, 400, "selectors"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [acct_sel()] * 51}, 413, "selectors"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [{"type": "phone"}]}, 400, "selectors[0].value"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [{"type": "nope", "value": "1"}]}, 400, "selectors[0].type"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [acct_sel()], "reports": [th_only]}, 400, "reports[0]"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [acct_sel()], "reports": ["x"]}, 400, "reports[0]"),
        ({"partner": "MY-BANK1", "action": "freeze", "selectors": [acct_sel()], "note": "x" * 5000}, 400, "note"),
    ]
    for body, status, field in cases:
        assert_problem(n.post("/api/v1/requests", "MY-NSRC", body), status, field, "bad request %s" % field)
    assert_problem(n.post("/api/v1/requests", "MY-NSRC", "{not json"), 400, "body", "invalid JSON")
    rid = send(n, "MY-NSRC", freeze_body(sel))["id"]
    bad_answers = [
        ({"status": "done"}, 400, "status"),
        ({"status": "accepted", "amount_frozen": {"amount": 1, "currency": "MYR"}}, 400, "amount_frozen"),
        ({"status": "completed", "amount_frozen": {"amount": -1, "currency": "MYR"}}, 400, "amount_frozen"),
        ({"status": "completed", "amount_frozen": {"amount": 1.5, "currency": "MYR"}}, 400, "amount_frozen"),
        ({"status": "completed", "amount_frozen": {"amount": 1, "currency": "myr"}}, 400, "amount_frozen.currency"),
        ({"status": "completed", "amount_frozen": {"amount": 1, "currency": "MYR", "x": 1}}, 400, "amount_frozen"),
        ({"status": "completed", "extra": 1}, 400, "extra"),
    ]
    for body, status, field in bad_answers:
        assert_problem(n.post("/api/v1/requests/%s/answer" % rid, "MY-BANK1", body), status, field,
                       "bad answer %s" % short(body))
    eq(n.get("/api/v1/requests/" + rid, "MY-BANK1").json["status"], "sent", "bad answers changed nothing")
    assert_problem(n.get("/api/v1/requests?status=lost", "MY-NSRC"), 400, "status", "bad status filter")
    assert_problem(n.post("/api/v1/requests/%s/nothing" % rid, "MY-BANK1", {}), 404, None, "unknown sub-resource")


@test
def racing_answers_one_wins():
    """Eight simultaneous answers to one request: exactly one moves it, the
    others get 409; the timeline holds one answer."""
    n = shared()
    import threading
    rid = send(n, "MY-NSRC", freeze_body(acct()))["id"]
    results, lock = [], threading.Lock()
    go = threading.Event()

    def one(i):
        go.wait()
        body = {"status": "completed", "amount_frozen": {"amount": 100 + i, "currency": "MYR"}} if i % 2 else \
            {"status": "rejected", "note": "racer %d" % i}
        r = n.post("/api/v1/requests/%s/answer" % rid, "MY-BANK1", body)
        with lock:
            results.append(r.status)

    ts = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    go.set()
    for t in ts:
        t.join(timeout=60)
    eq(sorted(results), [200] + [409] * 7, "one answer wins")
    tl = n.get("/api/v1/requests/" + rid, "MY-NSRC").json["timeline"]
    eq(len(tl), 2, "one answer in the timeline")


# ---- SLAs: overdue and escalation -------------------------------------------

@test
def sla_overdue_then_escalated():
    """With --sla freeze=1s --escalate-after 2, an unanswered freeze becomes
    overdue after 1 s and is escalated after 2 s: alerts to both parties,
    timeline events, audit entries, the overdue gauge."""
    n = Node("sla", {k: e2e.AGENCIES[k] for k in ("MY-NSRC", "MY-BANK1", "TH-TELCO1")})
    n.serve_args = ["--sla", "freeze=1s", "--sla", "block=1h", "--escalate-after", "2"]
    try:
        n.start()
        rq = send(n, "MY-NSRC", freeze_body(acct()))
        eq(rq["sla_seconds"], 1, "configured SLA")
        slow = send(n, "MY-NSRC", {"partner": "TH-TELCO1", "action": "block",
                                   "selectors": [{"type": "phone", "value": "+66812345678"}]})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            j = n.get("/api/v1/requests/" + rq["id"], "MY-NSRC").json
            if j["escalated"]:
                break
            time.sleep(0.3)
        eq(j["overdue"], True, "overdue")
        eq(j["escalated"], True, "escalated")
        eq([e["status"] for e in j["timeline"]], ["sent", "overdue", "escalated"], "timeline")
        check(all(e["agency"] is None for e in j["timeline"][1:]), "raised by the node itself")
        for tok in ("MY-NSRC", "MY-BANK1"):
            kinds = [a["kind"] for a in n.alerts(tok) if a["data"].get("request") == rq["id"]]
            check("request_overdue" in kinds and "request_escalated" in kinds, "%s alerts: %r" % (tok, kinds))
        s = n.get("/api/v1/requests/" + slow["id"], "MY-NSRC").json
        eq((s["overdue"], s["escalated"]), (False, False), "the 1-hour block is not overdue")
        eq(n.metric("simpul_requests_overdue"), 1, "overdue gauge")
        eq(n.metric("simpul_requests_escalated"), 1, "escalated gauge")
        # An answer after the deadline still closes it; it stays counted overdue.
        answer(n, "MY-BANK1", rq["id"], {"status": "completed", "amount_frozen": {"amount": 0, "currency": "MYR"}})
        ents = audit_entries(n)
        acts = [x["action"] for x in ents if x.get("object") == rq["id"]]
        check("request.overdue" in acts and "request.escalated" in acts, "audited: %r" % acts)
        check(all(x["principal"] == "system" for x in ents if x["action"] in ("request.overdue", "request.escalated")),
              "system principal")
        p = cli("serve", "--db", n.db, "--sla", "freeze=forever", ok=False)
        eq(p.returncode, 2, "a bad --sla is a usage error")
    finally:
        n.cleanup()


# ---- figures -----------------------------------------------------------------

@test
def stats_and_metrics_figures():
    n = shared()
    sel = acct()
    rep = n.post_report("MY-NSRC", report([sel], rel=["MEMBERS"]))
    time.sleep(0.05)
    rq = send(n, "MY-NSRC", freeze_body(sel, [rep["id"]], partner="MY-BANK2"))
    time.sleep(0.05)
    answer(n, "MY-BANK2", rq["id"], {"status": "completed", "amount_frozen": {"amount": 777, "currency": "SGD"}})
    s = n.get("/api/v1/stats", "MY-NSRC")
    eq(s.status, 200, "stats as the ASC")
    j = s.json
    eq(j["period"], "month", "default period")
    check(j["requests"]["total"] >= 1 and j["requests"]["completed"] >= 1, "counts: %s" % short(j["requests"]))
    for d in ("report_to_request", "request_to_freeze"):
        check(j[d]["count"] >= 1 and isinstance(j[d]["median_ms"], int) and j[d]["p90_ms"] >= j[d]["median_ms"],
              "%s: %s" % (d, j[d]))
    check(j["report_to_request"]["p90_ms"] >= 50, "report to request took at least 50 ms")
    mine = [f for f in j["frozen"] if f["partner"] == "MY-BANK2" and f["currency"] == "SGD"]
    eq(len(mine), 1, "one SGD line for MY-BANK2")
    eq(mine[0]["amount"], 777, "amount frozen (minor units)")
    check(re.match(r"^\d{4}-\d{2}$", mine[0]["period"]), "period YYYY-MM")
    day = n.get("/api/v1/stats?period=day", "MY-NSRC").json
    check(all(re.match(r"^\d{4}-\d{2}-\d{2}$", f["period"]) for f in day["frozen"]), "daily periods")
    # A bank sees its own figures only.
    b = n.get("/api/v1/stats", "MY-BANK1").json
    eq(b.get("partner"), "MY-BANK1", "bank figures scoped")
    check(all(f["partner"] == "MY-BANK1" for f in b["frozen"]), "bank sees no other bank's amounts")
    assert_problem(n.get("/api/v1/stats", "MY-PUBLIC"), 403, None, "public stats")
    assert_problem(n.get("/api/v1/stats?period=week", "MY-NSRC"), 400, "period", "bad period")
    m = n.get("/metrics", "ADMIN").text
    check(re.search(r'^simpul_frozen_minor_units_total\{partner="MY-BANK2",currency="SGD"\} 777$', m, re.M),
          "frozen amount metric")
    check(re.search(r'^simpul_request_to_freeze_seconds\{quantile="0.9"\} [0-9.]+$', m, re.M), "p90 metric")
    check(re.search(r'^simpul_report_to_request_seconds\{quantile="0.5"\} [0-9.]+$', m, re.M), "median metric")
    check(re.search(r'^simpul_requests\{status="completed"\} \d+$', m, re.M), "requests by status")


# ---- limits ------------------------------------------------------------------

@test
def limits_rate_quota_and_public():
    n = Node("limits", {k: e2e.AGENCIES[k] for k in ("MY-NSRC", "MY-BANK1", "MY-BANK2", "TH-TELCO1")})
    n.serve_args = ["--rate-limit", "agency:MY-BANK2=1/m:3", "--quota", "agency:TH-TELCO1=4/d",
                    "--rate-limit", "public=1/m:2", "--rate-limit", "principal=1000/s:1000"]
    try:
        n.start()
        body = {"selectors": [{"key": acct_key(acct())}]}
        for i in range(3):
            eq(n.post("/api/v1/check", "MY-BANK2", body).status, 200, "MY-BANK2 request %d within the burst" % i)
        r = n.post("/api/v1/check", "MY-BANK2", body)
        assert_problem(r, 429, None, "MY-BANK2 over its rate")
        ra = int(r.headers.get("retry-after", "0"))
        check(1 <= ra <= 60, "Retry-After %r" % r.headers.get("retry-after"))
        check("agency rate" in r.json["detail"], "names the limit: %s" % r.json["detail"])
        assert_problem(n.get("/api/v1/whoami", "MY-BANK2"), 429, None, "every endpoint counts")
        for i in range(10):
            eq(n.post("/api/v1/check", "MY-BANK1", body).status, 200, "MY-BANK1 unaffected (%d)" % i)
        for i in range(4):
            eq(n.get("/api/v1/whoami", "TH-TELCO1").status, 200, "telco within quota %d" % i)
        q = n.get("/api/v1/whoami", "TH-TELCO1")
        assert_problem(q, 429, None, "telco over its daily quota")
        check(1 <= int(q.headers["retry-after"]) <= 86400, "quota Retry-After until midnight UTC")
        pub = {"selectors": [{"key": "phone:+60123456789"}]}
        eq([n.post("/api/v1/public/check", None, pub).status for _ in range(2)], [200, 200], "public burst")
        p3 = n.post("/api/v1/public/check", None, pub)
        assert_problem(p3, 429, None, "public over its per-address rate")
        check(int(p3.headers["retry-after"]) >= 1, "public Retry-After")
        eq(n.get("/healthz").status, 200, "healthz is never limited")
        check("agency:MY-BANK2 0.0167/s burst 3" in n.stderr() and "public 0.0167/s burst 2" in n.stderr(),
              "serve prints its limits: %s" % n.stderr())
        eq(n.metric("simpul_ratelimited_total"), 4, "refusals counted")
        ents = audit_entries(n)
        lim = [x for x in ents if x["action"] == "ratelimit"]
        eq(len(lim), 4, "each 429 audited")
        check({x["agency"] or None for x in lim} == {"MY-BANK2", "TH-TELCO1", None}, "who was limited: %r" % lim)
        check(any(x["principal"] == "anonymous" for x in lim), "public refusal audited as anonymous")
        for bad in (["--rate-limit", "galaxy=1/s"], ["--rate-limit", "agency=fast"], ["--quota", "agency=5/w"],
                    ["--rate-limit", "agency:x=1/s"]):
            p = cli("serve", "--db", n.db, *bad, ok=False)
            eq(p.returncode, 2, "usage error for %r" % bad)
    finally:
        n.cleanup()


# ---- the public check ---------------------------------------------------------

@test
def public_check_counts_clear_records_only():
    n = shared()
    a, b, c = acct(), acct(), acct()
    ka, kb, kc = acct_key(a), acct_key(b), acct_key(c)
    n.post_report("MY-NSRC", report([a], tlp="CLEAR", rel=[]))
    n.post_report("TH-AOC", report([a], tlp="CLEAR", rel=[]))
    n.post_report("SG-ASCOM", report([a], tlp="CLEAR", rel=[]))
    n.post_report("TH-CIB", report([a], tlp="CLEAR", rel=[]))      # a second Thai agency

    def pub(keys):
        r = n.post("/api/v1/public/check", None, {"selectors": [{"key": k} for k in keys]})
        eq(r.status, 200, "public check (%s)" % short(r.text))
        return r.json["results"]

    base = pub([ka, kb, kc])
    today = time.strftime("%Y-%m-%d", time.gmtime())
    eq(base[0], {"key": ka, "valid": True, "reports": 4, "countries": 3, "last_seen": today}, "CLEAR counts")
    empty_b = {"key": kb, "valid": True, "reports": 0, "countries": 0, "last_seen": None}
    eq(base[1], empty_b, "unknown key")
    # Non-CLEAR records with the same key change nothing: AMBER, GREEN, RED,
    # silent AMBER, silent CLEAR, orcon.
    n.post_report("MY-NSRC", report([a], tlp="AMBER", rel=["MEMBERS"]))
    n.post_report("TH-AOC", report([a], tlp="GREEN", rel=["ALL_LE"]))
    n.post_report("UK-NCA", report([a], tlp="RED", rel=["GB"]))
    n.post_report("MY-NSRC", report([a], tlp="AMBER", rel=["MY"], disclosure="silent"))
    n.post_report("TH-AOC", report([a], tlp="CLEAR", rel=[], disclosure="silent"))
    n.post_report("MY-BANK1", report([a], tlp="AMBER", rel=["PRIVATE"]))
    # Keys held only by non-CLEAR records answer exactly as an unknown key.
    n.post_report("MY-NSRC", report([b], tlp="AMBER", rel=["MEMBERS"]))
    n.post_report("SG-ASCOM", report([c], tlp="AMBER", rel=["SG"], disclosure="silent"))
    after = pub([ka, kb, kc])
    eq(after[0], base[0], "non-CLEAR and silent records changed the CLEAR counts")
    eq(after[1], empty_b, "an AMBER-only key")
    eq(after[2], {"key": kc, "valid": True, "reports": 0, "countries": 0, "last_seen": None}, "a silent-only key")
    # Raw values as in the check API; a national phone needs a country.
    r = n.post("/api/v1/public/check", None, {"selectors": [
        {"type": "bank_account", "value": a["value"], "country": "MY", "bank": "MBBEMYKL"}]})
    eq(r.json["results"][0]["reports"], 4, "raw value normalised")
    # Errors, limits, no token needed, audited as anonymous.
    assert_problem(n.post("/api/v1/public/check", None, "{"), 400, "body", "bad JSON")
    assert_problem(n.post("/api/v1/public/check", None, {"selectors": [{"key": "nope:1"}]}), 400,
                   "selectors[0].key", "bad key")
    assert_problem(n.post("/api/v1/public/check", None, {"selectors": [{"key": kb}] * 101}), 413,
                   "selectors", "over 100")
    ents = [x for x in audit_entries(n) if x["action"] == "public.check"]
    check(ents and all(x["principal"] == "anonymous" and not x["agency"] for x in ents), "anonymous audit")
    check(any(ka in (x.get("detail") or {}).get("keys", []) for x in ents), "keys in the audit detail")
    check(any((x.get("detail") or {}).get("client") == "127.0.0.1" for x in ents), "client address audited")


# ---- partner screening through the check API -------------------------------

@test
def partner_screening_sees_private_releasable_only():
    """A bank checking accounts sees flagged or not, how many reports and
    since when, over records released to the private sector only."""
    n = shared()
    pri, le, clear = acct(), acct(), acct()
    r1 = n.post_report("MY-NSRC", report([pri], rel=["PRIVATE"], narrative="NARR-1"))
    time.sleep(0.01)
    r2 = n.post_report("TH-AOC", report([pri], rel=["PRIVATE", "MEMBERS"], narrative="NARR-2"))
    n.post_report("MY-NSRC", report([le], rel=["MEMBERS"]))
    n.post_report("TH-AOC", report([le], rel=["ALL_LE"], disclosure="silent"))
    res = n.check_keys("MY-BANK1", [acct_key(pri), acct_key(le)])
    eq(res[0]["hit"], True, "flagged")
    eq(sorted(x["id"] for x in res[0]["records"]), sorted([r1["id"], r2["id"]]), "how many")
    check(all(set(x) <= {"id", "agency", "role", "created", "tlp", "reference", "derived"} for x in res[0]["records"]),
          "only core fields: %s" % short(res[0]))
    check("NARR" not in json.dumps(res), "no narrative")
    eq(min(x["created"] for x in res[0]["records"])[:10], time.strftime("%Y-%m-%d", time.gmtime()), "since when")
    eq(res[1], {"key": acct_key(le), "valid": True, "hit": False, "records": [], "contacts": []},
       "LE-only records: not flagged, no contacts")
    # The bank contributes the mule account it detected, under its own markings.
    mule = acct()
    own = n.post_report("MY-BANK1", report([mule], rel=["MEMBERS"], scam_type="mule"))
    eq([x["id"] for x in n.check1("MY-NSRC", acct_key(mule))["records"]], [own["id"]], "ASC sees the bank's mule report")
    eq(n.check1("MY-BANK2", acct_key(mule))["hit"], False, "another bank does not (not released to PRIVATE)")


# ---- bulk screening ------------------------------------------------------------

@test
def bulk_screening_http_job_with_progress():
    n = shared()
    flagged = acct()
    n.post_report("MY-NSRC", report([flagged], rel=["PRIVATE"]))
    lines = ["customer,type,value,country,bank"]
    for i in range(2500):
        if i == 1234:
            lines.append('c%d,bank_account,"%s",MY,MBBEMYKL' % (i, flagged["value"]))
        elif i == 7:
            lines.append("c7,spaceship,xyz,,")
        else:
            lines.append("c%d,bank_account,%s,MY,MBBEMYKL" % (i, e2e.uniq_digits()))
    body = ("\n".join(lines) + "\n").encode()
    r = n.req("POST", "/api/v1/screenings", "MY-BANK1", body, headers={"Content-Type": "text/csv"})
    eq(r.status, 202, "screening accepted (%s)" % short(r.text))
    job = r.json
    eq(job["format"], "csv", "format detected")
    eq(job["bytes"], len(body), "bytes")
    seen_states, deadline = set(), time.monotonic() + 60
    while time.monotonic() < deadline:
        st = n.get("/api/v1/screenings/" + job["id"], "MY-BANK1").json
        seen_states.add(st["status"])
        check(0.0 <= st["progress"] <= 1.0, "progress in [0,1]: %s" % short(st))
        if st["status"] != "running":
            break
        time.sleep(0.05)
    eq(st["status"], "done", "job finished (%s)" % short(st))
    eq((st["lines"], st["checked"], st["flagged"]), (2500, 2499, 1), "counts")
    eq(st["progress"], 1.0, "progress 1.0 when done")
    assert_problem(n.get("/api/v1/screenings/" + job["id"], "MY-BANK2"), 404, "id", "another bank's job")
    assert_problem(n.get("/api/v1/screenings/%s/results" % job["id"], "MY-BANK2"), 404, "id", "another bank's results")
    res = n.get(st["results"], "MY-BANK1")
    eq(res.status, 200, "results")
    check(res.ctype().startswith("text/csv"), "CSV results")
    out = res.text.splitlines()
    eq(out[0], "line,key,valid,flagged,reports,since,error", "results header")
    eq(len(out), 2501, "one result per line")
    hit = out[1235].split(",")
    eq((hit[0], hit[1].strip('"'), hit[3], hit[4]), ("1235", acct_key(flagged), "true", "1"), "the flagged line")
    eq(hit[5], time.strftime("%Y-%m-%d", time.gmtime()), "since")
    check(out[8].startswith("8,,,,,,") and "unknown selector type" in out[8], "bad line reported: %s" % out[8])
    check(out[2].split(",")[3] == "false", "a clean line")
    ents = audit_entries(n)
    checks = [x for x in ents if x["action"] == "check" and x["agency"] == "MY-BANK1" and
              len((x.get("detail") or {}).get("keys", [])) >= 499]
    check(len(checks) >= 3, "the job's checks are audited per batch (%d)" % len(checks))
    # JSON lines, and the errors of the endpoint.
    jl = '{"type":"bank_account","value":"%s","country":"MY","bank":"MBBEMYKL"}\n{"key":"phone:+60123456789"}\n' % flagged["value"]
    r = n.req("POST", "/api/v1/screenings", "MY-BANK1", jl, headers={"Content-Type": "application/x-ndjson"})
    eq(r.status, 202, "jsonl screening")
    jid = r.json["id"]
    for _ in range(200):
        if n.get("/api/v1/screenings/" + jid, "MY-BANK1").json["status"] == "done":
            break
        time.sleep(0.05)
    rows = [json.loads(x) for x in n.get("/api/v1/screenings/%s/results" % jid, "MY-BANK1").text.splitlines()]
    eq([(x["line"], x["flagged"], x["reports"]) for x in rows], [(1, True, 1), (2, False, 0)], "jsonl results")
    assert_problem(n.post("/api/v1/screenings", "AUDITOR", "type,value\n"), 403, None, "auditor screens")
    assert_problem(n.post("/api/v1/screenings?format=xml", "MY-BANK1", "a"), 400, "format", "bad format")
    assert_problem(n.req("POST", "/api/v1/screenings", "MY-BANK1", b""), 400, "body", "empty upload")
    bad = n.req("POST", "/api/v1/screenings", "MY-BANK1", "no,header,here\n1,2,3\n")
    eq(bad.status, 202, "a bad file is accepted as a job")
    for _ in range(200):
        s2 = n.get("/api/v1/screenings/" + bad.json["id"], "MY-BANK1").json
        if s2["status"] != "running":
            break
        time.sleep(0.05)
    eq(s2["status"], "failed", "a file without a usable header fails")
    eq(s2["error"]["field"], "line 1", "names the header line")
    assert_problem(n.get("/api/v1/screenings/%s/results" % bad.json["id"], "MY-BANK1"), 409, "id", "no results")


@test
def bulk_screening_jobs_bounded_per_agency():
    """A node keeps at most 4 screenings per agency: a fifth replaces the
    agency's oldest finished one; other agencies' jobs are untouched."""
    n = shared()

    def job(tok):
        r = n.req("POST", "/api/v1/screenings", tok, "type,value\nphone,+60123456789\n",
                  headers={"Content-Type": "text/csv"})
        eq(r.status, 202, "screening as %s (%s)" % (tok, short(r.text)))
        for _ in range(400):
            if n.get("/api/v1/screenings/" + r.json["id"], tok).json["status"] == "done":
                return r.json["id"]
            time.sleep(0.05)
        raise Fail("screening did not finish")

    other = job("MY-BANK2")
    mine = [job("TH-TELCO1") for _ in range(5)]
    assert_problem(n.get("/api/v1/screenings/" + mine[0], "TH-TELCO1"), 404, "id", "the oldest was replaced")
    for jid in mine[1:]:
        eq(n.get("/api/v1/screenings/" + jid, "TH-TELCO1").status, 200, "a recent job is kept")
    eq(n.get("/api/v1/screenings/" + other, "MY-BANK2").status, 200, "another agency's job is kept")


@test
def bulk_screening_cli_streams_a_file():
    n = shared()
    flagged = acct()
    n.post_report("MY-NSRC", report([flagged], rel=["PRIVATE"]))
    d = tempfile.mkdtemp(prefix="screen-", dir=n.dir)   # removed with the node
    src, dst = os.path.join(d, "accounts.csv"), os.path.join(d, "results.csv")
    with open(src, "w") as f:
        f.write("type,value,country,bank\n")
        for i in range(3000):
            v = flagged["value"] if i == 2999 else e2e.uniq_digits()
            f.write("bank_account,%s,MY,MBBEMYKL\n" % v)
        f.write('bank_account,"unterminated,MY,MBBEMYKL\n')
    p = cli("screen", "--db", n.db, "--agency", "MY-BANK1", "--out", dst, "--json", src)
    eq(json.loads(p.stderr.strip().splitlines()[-1]), {"lines": 3001, "checked": 3000, "flagged": 1, "errors": 1},
       "summary")
    with open(dst) as f:
        out = f.read().splitlines()
    eq(len(out), 3002, "results lines")
    check(out[3000].split(",")[3] == "true", "flagged line: %s" % out[3000])
    check("unterminated quoted field" in out[3001], "error line: %s" % out[3001])
    p = cli("screen", "--help")
    check("--format" in p.stdout, "help")
    p = cli("screen", "--db", n.db, "--agency", "MY-BANK1", os.path.join(d, "missing.csv"), ok=False)
    eq(p.returncode, 1, "missing input")
    p = cli("screen", "--db", n.db, ok=False)
    eq(p.returncode, 2, "usage")


# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="path to the simpul binary")
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="print tracebacks on failure")
    a = ap.parse_args()
    e2e.BIN = os.path.abspath(a.bin)
    e2e.VERBOSE = a.v
    if not os.access(e2e.BIN, os.X_OK):
        print("ppp.py: %s is not an executable" % e2e.BIN, file=sys.stderr)
        return 2
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(var, None)
    os.environ["SIMPUL_NO_PROGRESS"] = "1"
    passed = failed = 0
    try:
        for fn in TESTS:
            if a.k not in fn.__name__:
                continue
            t = time.monotonic()
            try:
                fn()
                passed += 1
                print("ok %s (%.1fs)" % (fn.__name__, time.monotonic() - t), flush=True)
            except Exception as ex:  # noqa: BLE001 - report every failure, keep going
                failed += 1
                reason = str(ex) if isinstance(ex, Fail) else "%s: %s" % (type(ex).__name__, ex)
                print("FAIL %s: %s" % (fn.__name__, reason.replace("\n", " ")), flush=True)
                if a.v:
                    traceback.print_exc()
                    if e2e._shared[0] is not None:
                        print(e2e._shared[0].stderr(), file=sys.stderr)
        # Every daemon stopped cleanly, without a sanitizer report.
        if e2e._shared[0] is not None:
            e2e._shared[0].stop()
        bad = [x for x in e2e.DAEMON_EXITS if x[3] or (x[1] == "SIGTERM" and x[2] != 0) or x[1] == "died on its own"]
        if bad:
            failed += 1
            print("FAIL daemons_exit_cleanly: %r" % bad, flush=True)
        else:
            passed += 1
            print("ok daemons_exit_cleanly", flush=True)
    finally:
        if e2e._shared[0] is not None:
            e2e._shared[0].cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
