/* ppp.c - partner requests, their figures, the public check and bulk
 * screening (ppp.h; docs/internals/ppp.md).
 *
 * Invariants:
 *  - a request is shown only to principals of its two agencies (the sender
 *    and the partner); anyone else gets the 404 of an unknown id;
 *  - the partner's view holds what the request carries (action, selectors,
 *    note, timeline, answer) and never the reports behind it: their ids are
 *    in the sender's view only, and no report content is ever copied into a
 *    request;
 *  - every change of state goes through ppp_transition_ok(), is written with
 *    its timeline event, its alert and its audit entry in one transaction;
 *  - the public check counts TLP:CLEAR records that are not silent, and
 *    nothing else: no other record changes any number it answers. */
#include "ppp.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyset.h"
#include "policy.h"
#include "store.h"
#include "store_ppp.h"
#include "core_int.h"

/* ---- names, the state machine, SLAs ------------------------------------ */

static const char *const action_names[PA__N] = { "freeze", "block", "takedown", "info" };
static const char *const status_names[PS__N] = { "sent", "accepted", "rejected", "completed", "withdrawn" };

const char *
ppp_action_name(enum ppp_action a)
{
	return (unsigned)a < PA__N ? action_names[a] : "?";
}

int
ppp_action_parse(const char *s)
{
	for (int i = 0; s && i < PA__N; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

const char *
ppp_status_name(enum ppp_status s)
{
	return (unsigned)s < PS__N ? status_names[s] : "?";
}

int
ppp_status_parse(const char *s)
{
	for (int i = 0; s && i < PS__N; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

bool
ppp_transition_ok(enum ppp_status from, enum ppp_status to, enum ppp_party by)
{
	if ((unsigned)from >= PS__N || (unsigned)to >= PS__N)
		return false;
	if (by == PARTY_PARTNER) {
		if (from == PS_SENT)
			return to == PS_ACCEPTED || to == PS_REJECTED || to == PS_COMPLETED;
		if (from == PS_ACCEPTED)
			return to == PS_REJECTED || to == PS_COMPLETED;
		return false;
	}
	if (by == PARTY_SENDER)
		return (from == PS_SENT || from == PS_ACCEPTED) && to == PS_WITHDRAWN;
	return false;
}

bool
ppp_action_fits(enum ppp_action a, enum agency_kind k)
{
	switch (a) {
	case PA_FREEZE:   return k == AK_BANK;
	case PA_BLOCK:    return k == AK_TELCO || k == AK_PLATFORM;
	case PA_TAKEDOWN: return k == AK_PLATFORM || k == AK_TELCO;
	case PA_INFO:     return kind_is_private(k);
	default:          return false;
	}
}

static _Atomic int64_t sla_s[PA__N] = { 900, 3600, 14400, 259200 };
static _Atomic int escalation_factor = 2;

int64_t
ppp_sla(enum ppp_action a)
{
	return (unsigned)a < PA__N ? sla_s[a] : 0;
}

void
ppp_set_sla(enum ppp_action a, int64_t seconds)
{
	if ((unsigned)a < PA__N && seconds > 0)
		sla_s[a] = seconds;
}

void
ppp_set_escalation_factor(int factor)
{
	if (factor >= 1 && factor <= 100)
		escalation_factor = factor;
}

int
ppp_sla_parse(const char *spec, struct err *e)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	char name[16];
	size_t n, vl;
	int64_t v, mult = 1;
	int a;

	if (eq == NULL || (n = (size_t)(eq - spec)) == 0 || n >= sizeof(name))
		goto bad;
	memcpy(name, spec, n);
	name[n] = '\0';
	if ((a = ppp_action_parse(name)) < 0)
		goto bad;
	vl = strlen(eq + 1);
	if (vl > 0 && strchr("smhd", eq[1 + vl - 1]) != NULL) {
		char u = eq[1 + vl - 1];
		mult = u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : 86400;
		vl--;
	}
	if (parse_i64(eq + 1, vl, &v) == -1 || v < 1 || v > 366LL * 86400 / mult)
		goto bad;
	ppp_set_sla((enum ppp_action)a, v * mult);
	return 0;
bad:
	err_set(e, 400, "sla", "--sla %.60s: expected ACTION=DURATION, ACTION one of freeze, block, "
	    "takedown, info, DURATION such as 600, 10m, 4h, 3d", spec ? spec : "");
	return -1;
}

/* ---- small helpers ------------------------------------------------------ */

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static json_t *
iso(int64_t ms)
{
	char t[32];

	if (ms <= 0)
		return json_null();
	time_iso(ms, t);
	return json_string(t);
}

static bool
currency_valid(const char *s)
{
	return s && strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	    isupper((unsigned char)s[2]);
}

/* {"amount": int >= 0, "currency": "XXX"}, exactly. */
static int
money_parse(const json_t *j, const char *field, int64_t *amount, char cur[4], struct err *e)
{
	const json_t *a = json_object_get(j, "amount"), *c = json_object_get(j, "currency");

	if (!json_is_object(j) || json_object_size(j) != 2 || !json_is_integer(a) || !json_is_string(c)) {
		err_set(e, 400, field, "%s must be {\"amount\": integer minor units, \"currency\": \"MYR\"}", field);
		return -1;
	}
	if (json_integer_value(a) < 0 || json_integer_value(a) > SIMPUL_MAX_AMOUNT) {
		err_set(e, 400, field, "%s.amount must be between 0 and 10^15 minor units", field);
		return -1;
	}
	if (!currency_valid(json_string_value(c))) {
		char f[64];
		snprintf(f, sizeof(f), "%s.currency", field);
		err_set(e, 400, f, "%s must be an ISO 4217 code such as MYR", f);
		return -1;
	}
	*amount = json_integer_value(a);
	str_copy(cur, 4, json_string_value(c));
	return 0;
}

static bool
note_ok(const json_t *v)
{
	return v == NULL || (json_is_string(v) && json_string_length(v) <= SIMPUL_MAX_NOTE &&
	    utf8_valid(json_string_value(v), json_string_length(v)));
}

/* Only these members; the first other one is named. */
static int
members_only(const json_t *o, const char *const *allowed, struct err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;
		for (int i = 0; allowed[i]; i++)
			ok = ok || strcmp(k, allowed[i]) == 0;
		if (!ok) {
			char f[64];
			snprintf(f, sizeof(f), "%.60s", k);
			err_set(e, 400, f, "unknown member %.60s", k);
			return -1;
		}
	}
	return 0;
}

/* May this principal send requests? Law enforcement that acts on reports
 * (police, ASC, regulator, secretariat), with a working role. */
static bool
may_send(const struct principal *p)
{
	return kind_is_le(p->agency.kind) && p->agency.kind != AK_PARTNER_LE &&
	    role_valid_for_kind(p->role, p->agency.kind) &&
	    (p->role == ROLE_ADMIN || p->role == ROLE_ANALYST || p->role == ROLE_INVESTIGATOR ||
	     p->role == ROLE_SUPERVISOR);
}

static bool
may_answer(const struct principal *p)
{
	return kind_is_private(p->agency.kind) && (p->role == ROLE_PARTNER || p->role == ROLE_ADMIN);
}

/* ---- rendering ---------------------------------------------------------- */

struct evctx {
	json_t                 *arr;
	const struct principal *viewer;
};

static int
event_cb(void *ctx, const struct req_event *ev)
{
	struct evctx *ec = ctx;
	json_t *o = json_pack("{s:s, s:o}", "status", ev->status, "at", iso(ev->ts_ms));

	json_object_set_new(o, "agency", ev->agency_id[0] ? json_string(ev->agency_id) : json_null());
	/* Who at the other agency acted is theirs to know; the agency is shown. */
	if (ev->principal_id[0] && strcmp(ev->agency_id, ec->viewer->agency.id) == 0)
		json_object_set_new(o, "principal", json_string(ev->principal_id));
	if (ev->note)
		json_object_set_new(o, "note", json_string(ev->note));
	json_array_append_new(ec->arr, o);
	return 0;
}

static json_t *
money_json(int64_t amount, const char *cur)
{
	if (amount < 0 || !cur[0])
		return json_null();
	return json_pack("{s:I, s:s}", "amount", (json_int_t)amount, "currency", cur);
}

/* Past its SLA: the target is the final answer (a freeze done, not just
 * accepted). Marked by the sweeper, or still open after its due time, or
 * closed after it. */
static bool
overdue(const struct req_row *r, int64_t now)
{
	return r->overdue_ms != 0 || (r->closed_ms == 0 && now > r->due_ms) || r->closed_ms > r->due_ms;
}

/* The request as `viewer` may see it. timeline: include the events. */
static json_t *
req_render(struct store *st, const struct req_row *r, const struct principal *viewer,
    bool timeline, int64_t now)
{
	json_t *body = json_loads(nz(r->body), 0, NULL), *o;
	bool sender = strcmp(viewer->agency.id, r->from_agency) == 0;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I}",
	    "id", r->id, "from", r->from_agency, "partner", r->partner, "action", r->action,
	    "status", r->status, "created", iso(r->created_ms), "updated", iso(r->updated_ms),
	    "due", iso(r->due_ms), "sla_seconds", (json_int_t)((r->due_ms - r->created_ms) / 1000));
	json_object_set_new(o, "overdue", json_boolean(overdue(r, now)));
	json_object_set_new(o, "escalated", json_boolean(r->escalated_ms != 0));
	json_object_set_new(o, "answered", iso(r->answered_ms));
	json_object_set_new(o, "closed", iso(r->closed_ms));
	json_object_set_new(o, "selectors", json_incref(json_object_get(body, "selectors") ?
	    json_object_get(body, "selectors") : json_array()));
	json_object_set_new(o, "note", json_incref(json_object_get(body, "note") ?
	    json_object_get(body, "note") : json_null()));
	json_object_set_new(o, "amount_frozen", money_json(r->frozen_amount, r->frozen_currency));
	json_object_set_new(o, "amount_recovered", money_json(r->recovered_amount, r->recovered_currency));
	if (sender) {
		/* The investigation behind the request: the sender's only. */
		json_object_set_new(o, "reports", json_incref(json_object_get(body, "reports") ?
		    json_object_get(body, "reports") : json_array()));
		json_object_set_new(o, "from_principal", json_string(r->from_principal));
	}
	if (timeline) {
		struct evctx ec = { json_array(), viewer };
		store_req_events(st, r->id, event_cb, &ec);
		json_object_set_new(o, "timeline", ec.arr);
	}
	json_decref(body);
	return o;
}

/* ---- create ------------------------------------------------------------- */

struct selcollect {
	json_t *given;   /* the request's selectors array */
	json_t *out;     /* what is stored */
};

static int
selcollect_cb(void *ctx, size_t i, const char *key, bool valid)
{
	struct selcollect *sc = ctx;
	json_t *o = json_deep_copy(json_array_get(sc->given, i));

	if (o == NULL)
		return -1;
	json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "valid", json_boolean(valid));
	json_array_append_new(sc->out, o);
	return 0;
}

static int
alert(struct node *n, const char *agency, const char *kind, const struct req_row *r,
    const char *status, struct err *e)
{
	json_t *pl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "request", r->id, "from", r->from_agency,
	    "partner", r->partner, "action", r->action, "status", status, "due", iso(r->due_ms));
	int rc = node_alert_put(n, agency, kind, pl, e);

	json_decref(pl);
	return rc;
}

static int
event_put(struct store *w, const struct req_row *r, const char *status, int64_t ts,
    const struct principal *p, const char *note, struct err *e)
{
	struct req_event ev;

	memset(&ev, 0, sizeof(ev));
	str_copy(ev.request_id, sizeof(ev.request_id), r->id);
	ev.ts_ms = ts;
	str_copy(ev.status, sizeof(ev.status), status);
	if (p && strcmp(p->id, "system") != 0) {
		str_copy(ev.agency_id, sizeof(ev.agency_id), p->agency.id);
		str_copy(ev.principal_id, sizeof(ev.principal_id), p->id);
	}
	ev.note = note;
	return store_req_event_put(w, &ev, e);
}

int
ppp_request_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e)
{
	static const char *const allowed[] = { "partner", "action", "selectors", "reports", "note", NULL };
	const char *partner, *action;
	const json_t *sels, *reps, *note, *v;
	struct req_row r;
	struct agency pa;
	struct store *st, *w;
	struct selcollect sc = { NULL, NULL };
	json_t *stored = NULL, *repids = NULL, *wrap = NULL, *d = NULL;
	char *text = NULL, f[64];
	int64_t now = now_ms();
	size_t i;
	int a, rc = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if (!may_send(c->p)) {
		err_set(e, 403, "", "role %s of a %s agency may not send partner requests "
		    "(Anti-Scam Centres, police and regulators do)", role_name(c->p->role),
		    agency_kind_name(c->p->agency.kind));
		goto refused;
	}
	if (members_only(body, allowed, e) == -1)
		goto refused;
	partner = json_string_value(json_object_get(body, "partner"));
	action = json_string_value(json_object_get(body, "action"));
	sels = json_object_get(body, "selectors");
	reps = json_object_get(body, "reports");
	note = json_object_get(body, "note");
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	if (partner == NULL || !agency_id_valid(partner) || store_agency_get(st, partner, &pa) != 0) {
		err_set(e, 400, "partner", "partner must be the id of a registered bank, telco or platform");
		goto refused;
	}
	if (!kind_is_private(pa.kind)) {
		err_set(e, 400, "partner", "%s is a %s agency: requests go to banks, telcos and platforms",
		    pa.id, agency_kind_name(pa.kind));
		goto refused;
	}
	if ((a = ppp_action_parse(action)) < 0) {
		err_set(e, 400, "action", "action must be freeze, block, takedown or info");
		goto refused;
	}
	if (!ppp_action_fits((enum ppp_action)a, pa.kind)) {
		err_set(e, 400, "action", "a %s request cannot go to a %s (freeze: banks; block: telcos "
		    "and platforms; takedown: platforms and telcos; info: all partners)", action,
		    agency_kind_name(pa.kind));
		goto refused;
	}
	if (!json_is_array(sels) || json_array_size(sels) == 0) {
		err_set(e, 400, "selectors", "selectors must be a non-empty array of {\"type\",\"value\"} or {\"key\"}");
		goto refused;
	}
	if (json_array_size(sels) > SIMPUL_MAX_REQ_SELECTORS) {
		err_set(e, 413, "selectors", "a request carries at most %d selectors", SIMPUL_MAX_REQ_SELECTORS);
		goto refused;
	}
	if (reps != NULL && (!json_is_array(reps) || json_array_size(reps) > SIMPUL_MAX_REQ_REPORTS)) {
		err_set(e, json_is_array(reps) ? 413 : 400, "reports", "reports must be an array of at most %d report ids",
		    SIMPUL_MAX_REQ_REPORTS);
		goto refused;
	}
	if (!note_ok(note)) {
		err_set(e, 400, "note", "note must be text of at most %d bytes", SIMPUL_MAX_NOTE);
		goto refused;
	}
	/* The selectors, normalised as the check API does (same fields, same errors). */
	wrap = json_pack("{s:O}", "selectors", sels);
	text = json_dumps(wrap, JSON_COMPACT);
	sc.given = (json_t *)sels;
	sc.out = json_array();
	if (text == NULL || node_check_keys(text, strlen(text), c->p->agency.country, selcollect_cb, &sc, e) == -1) {
		if (e->status == 0)
			err_set(e, 500, "", "out of memory");
		goto refused;
	}
	/* Each report must be one the sender may read in full; unknown and
	 * not-for-you are the same answer. */
	repids = json_array();
	json_array_foreach(reps, i, v) {
		struct report rep;
		const char *id = json_string_value(v);
		struct record_meta meta;
		int found;

		snprintf(f, sizeof(f), "reports[%zu]", i);
		memset(&rep, 0, sizeof(rep));
		found = id && strlen(id) == SIMPUL_ID_LEN ? store_report_get(st, id, &rep) : 1;
		meta.agency_id = rep.agency_id;
		meta.m = &rep.m;
		if (found != 0 || policy_decide(c->p, &meta, USE_READ) != POLICY_FULL) {
			report_free(&rep);
			err_set(e, 400, f, "%s: no report %.40s that you may read", f, nz(id));
			goto refused;
		}
		if (r.first_report_ms == 0 || rep.created_ms < r.first_report_ms)
			r.first_report_ms = rep.created_ms;
		json_array_append_new(repids, json_string(rep.id));
		report_free(&rep);
	}
	stored = json_pack("{s:O, s:O}", "selectors", sc.out, "reports", repids);
	if (note)
		json_object_set(stored, "note", (json_t *)note);
	id_new(r.id);
	str_copy(r.from_agency, sizeof(r.from_agency), c->p->agency.id);
	str_copy(r.from_principal, sizeof(r.from_principal), c->p->id);
	str_copy(r.partner, sizeof(r.partner), pa.id);
	str_copy(r.action, sizeof(r.action), action);
	str_copy(r.status, sizeof(r.status), "sent");
	r.created_ms = r.updated_ms = now;
	r.due_ms = now + ppp_sla((enum ppp_action)a) * 1000;
	r.frozen_amount = r.recovered_amount = -1;
	r.body = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
	if (r.body == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	d = json_pack("{s:s, s:s, s:I, s:O}", "partner", r.partner, "action", r.action,
	    "selectors", (json_int_t)json_array_size(sc.out), "reports", repids);
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		goto out;
	rc = store_req_put(w, &r, e);
	if (rc == 0)
		rc = event_put(w, &r, "sent", now, c->p, note ? json_string_value(note) : NULL, e);
	if (rc == 0)
		rc = alert(n, r.partner, "request", &r, "sent", e);
	if (rc == 0)
		rc = node_audit_write(n, c, "request.create", r.id, "ok", d, e);
	if (node_write_end(n, rc, e) == -1 || (st = node_reader(n, e)) == NULL) {
		rc = -1;
		goto out;
	}
	*out = req_render(st, &r, c->p, true, now_ms());
	rc = 0;
	goto out;
refused:
	node_audit_refusal(n, c, "request.create", e->field[0] ? e->field : NULL, e->status, e->msg);
	rc = -1;
out:
	free(text);
	free(r.body);
	json_decref(wrap);
	json_decref(sc.out);
	json_decref(repids);
	json_decref(stored);
	json_decref(d);
	return rc;
}

/* ---- read --------------------------------------------------------------- */

static bool
party(const struct principal *p, const struct req_row *r)
{
	return p->role != ROLE_PUBLIC && role_valid_for_kind(p->role, p->agency.kind) &&
	    (strcmp(p->agency.id, r->from_agency) == 0 || strcmp(p->agency.id, r->partner) == 0);
}

int
ppp_request_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	struct store *st;
	struct req_row r;
	int found;

	*out = NULL;
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	found = strlen(id) == SIMPUL_ID_LEN ? store_req_get(st, id, &r) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the request");
		return -1;
	}
	if (found == 1 || !party(c->p, &r)) {
		if (found == 0)
			req_row_free(&r);
		err_set(e, 404, "id", "no request %.40s that you may see", id);
		node_audit_refusal(n, c, "request.read", id, 404, e->msg);
		return -1;
	}
	*out = req_render(st, &r, c->p, true, now_ms());
	req_row_free(&r);
	if (node_audit_read(n, c, "request.read", id, "ok", NULL, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	return 0;
}

struct listctx {
	struct store           *st;
	const struct principal *p;
	json_t                 *arr;
	int                     status;
	int64_t                 now;
};

static int
list_cb(void *ctx, const struct req_row *r)
{
	struct listctx *lc = ctx;

	if (lc->status >= 0 && strcmp(r->status, ppp_status_name((enum ppp_status)lc->status)) != 0)
		return 0;
	if (json_array_size(lc->arr) >= SIMPUL_MAX_REQ_LIST)
		return 1;
	json_array_append_new(lc->arr, req_render(lc->st, r, lc->p, false, lc->now));
	return 0;
}

int
ppp_request_list(struct node *n, const struct reqctx *c, const char *status, json_t **out, struct err *e)
{
	struct listctx lc = { .p = c->p, .status = -1, .now = now_ms() };
	json_t *d;

	*out = NULL;
	if (c->p->role == ROLE_PUBLIC || !role_valid_for_kind(c->p->role, c->p->agency.kind)) {
		err_set(e, 403, "", "role %s has no requests", role_name(c->p->role));
		node_audit_refusal(n, c, "request.list", NULL, 403, e->msg);
		return -1;
	}
	if (status && *status && (lc.status = ppp_status_parse(status)) < 0) {
		err_set(e, 400, "status", "status must be sent, accepted, rejected, completed or withdrawn");
		node_audit_refusal(n, c, "request.list", "status", 400, e->msg);
		return -1;
	}
	if ((lc.st = node_reader(n, e)) == NULL)
		return -1;
	lc.arr = json_array();
	if (store_req_list(lc.st, c->p->agency.id, false, list_cb, &lc) == -1) {
		json_decref(lc.arr);
		err_set(e, 500, "", "could not list requests");
		return -1;
	}
	d = json_pack("{s:I}", "listed", (json_int_t)json_array_size(lc.arr));
	if (node_audit_read(n, c, "request.list", NULL, "ok", d, NULL, 0) == -1) {
		json_decref(d);
		json_decref(lc.arr);
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	json_decref(d);
	*out = json_pack("{s:o}", "requests", lc.arr);
	return 0;
}

/* ---- answer ------------------------------------------------------------- */

int
ppp_request_answer(struct node *n, const struct reqctx *c, const char *id,
    const json_t *body, json_t **out, struct err *e)
{
	static const char *const allowed[] = { "status", "amount_frozen", "amount_recovered", "note", NULL };
	struct store *st, *w;
	struct req_row r;
	const json_t *note, *fz, *rec;
	const char *status;
	enum ppp_party by;
	int to, from, found, rc = -1;
	int64_t fa = -1, ra = -1, now;
	char fc[4] = "", rcur[4] = "";
	json_t *d = NULL;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	found = strlen(id) == SIMPUL_ID_LEN ? store_req_get(st, id, &r) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the request");
		return -1;
	}
	if (found == 1 || !party(c->p, &r)) {
		err_set(e, 404, "id", "no request %.40s that you may see", id);
		goto refused;
	}
	by = strcmp(c->p->agency.id, r.partner) == 0 ? PARTY_PARTNER : PARTY_SENDER;
	if (members_only(body, allowed, e) == -1)
		goto refused;
	status = json_string_value(json_object_get(body, "status"));
	note = json_object_get(body, "note");
	fz = json_object_get(body, "amount_frozen");
	rec = json_object_get(body, "amount_recovered");
	if ((to = ppp_status_parse(status)) < 0 || to == PS_SENT) {
		err_set(e, 400, "status", "status must be accepted, rejected or completed (the sender: withdrawn)");
		goto refused;
	}
	if (by == PARTY_SENDER && to != PS_WITHDRAWN) {
		err_set(e, 403, "status", "the agency that sent a request cannot answer it; only %s can", r.partner);
		goto refused;
	}
	if (by == PARTY_PARTNER && !may_answer(c->p)) {
		err_set(e, 403, "", "role %s may not answer requests (partner or admin)", role_name(c->p->role));
		goto refused;
	}
	if (by == PARTY_SENDER && !may_send(c->p)) {
		err_set(e, 403, "", "role %s may not withdraw requests", role_name(c->p->role));
		goto refused;
	}
	if (!note_ok(note)) {
		err_set(e, 400, "note", "note must be text of at most %d bytes", SIMPUL_MAX_NOTE);
		goto refused;
	}
	if (fz && (to != PS_COMPLETED || strcmp(r.action, "freeze") != 0)) {
		err_set(e, 400, "amount_frozen", "amount_frozen goes with status completed of a freeze request");
		goto refused;
	}
	if (rec && (to != PS_COMPLETED || strcmp(r.action, "freeze") != 0)) {
		err_set(e, 400, "amount_recovered", "amount_recovered goes with status completed of a freeze request");
		goto refused;
	}
	if (fz && money_parse(fz, "amount_frozen", &fa, fc, e) == -1)
		goto refused;
	if (rec && money_parse(rec, "amount_recovered", &ra, rcur, e) == -1)
		goto refused;
	req_row_free(&r);
	/* Under the writer: the state is read again, so two answers racing
	 * cannot both pass the state machine. */
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		return -1;
	if (store_req_get(w, id, &r) != 0) {
		err_set(e, 500, "", "could not read the request");
		goto wend;
	}
	from = ppp_status_parse(r.status);
	if (!ppp_transition_ok((enum ppp_status)from, (enum ppp_status)to, by)) {
		err_set(e, 409, "status", "request %s is %s: it cannot become %s", r.id, r.status, status);
		goto wend;
	}
	now = now_ms();
	str_copy(r.status, sizeof(r.status), status);
	r.updated_ms = now;
	if (by == PARTY_PARTNER && r.answered_ms == 0)
		r.answered_ms = now;
	if (to == PS_REJECTED || to == PS_COMPLETED || to == PS_WITHDRAWN)
		r.closed_ms = now;
	if (fa >= 0) {
		r.frozen_amount = fa;
		str_copy(r.frozen_currency, sizeof(r.frozen_currency), fc);
	}
	if (ra >= 0) {
		r.recovered_amount = ra;
		str_copy(r.recovered_currency, sizeof(r.recovered_currency), rcur);
	}
	d = json_pack("{s:s, s:s}", "from", ppp_status_name((enum ppp_status)from), "to", status);
	if (fa >= 0)
		json_object_set_new(d, "amount_frozen", money_json(fa, fc));
	if (ra >= 0)
		json_object_set_new(d, "amount_recovered", money_json(ra, rcur));
	rc = store_req_update(w, &r, e);
	if (rc == 0)
		rc = event_put(w, &r, status, now, c->p, note ? json_string_value(note) : NULL, e);
	if (rc == 0)
		rc = alert(n, by == PARTY_PARTNER ? r.from_agency : r.partner, "request_answer", &r, status, e);
	if (rc == 0)
		rc = node_audit_write(n, c, "request.answer", r.id, status, d, e);
wend:
	if (node_write_end(n, rc, e) == -1) {
		if (e->status == 409)
			node_audit_refusal(n, c, "request.answer", id, 409, e->msg);
		rc = -1;
		goto out;
	}
	if ((st = node_reader(n, e)) == NULL) {
		rc = -1;
		goto out;
	}
	*out = req_render(st, &r, c->p, true, now_ms());
	rc = 0;
	goto out;
refused:
	node_audit_refusal(n, c, "request.answer", id, e->status, e->msg);
	rc = -1;
out:
	req_row_free(&r);
	json_decref(d);
	return rc;
}

/* ---- overdue and escalation --------------------------------------------- */

struct duevec {
	char  (*ids)[SIMPUL_ID_LEN + 1];
	size_t n, cap;
	int64_t now;
};

static int
due_cb(void *ctx, const struct req_row *r)
{
	struct duevec *dv = ctx;
	int64_t sla = r->due_ms - r->created_ms;

	if (r->due_ms > dv->now)
		return 0;
	if (r->overdue_ms != 0 && (r->escalated_ms != 0 || dv->now < r->created_ms + sla * escalation_factor))
		return 0;
	if (dv->n == dv->cap) {
		size_t nc = dv->cap ? dv->cap * 2 : 16;
		void *p = realloc(dv->ids, nc * sizeof(*dv->ids));
		if (p == NULL)
			return 1;
		dv->ids = p;
		dv->cap = nc;
	}
	str_copy(dv->ids[dv->n++], SIMPUL_ID_LEN + 1, r->id);
	return 0;
}

int
ppp_sweep(struct node *n, int64_t now, struct err *e)
{
	struct duevec dv = { .now = now };
	struct store *st, *w;
	int changed = 0, rc = 0;

	if ((st = node_reader(n, e)) == NULL)
		return -1;
	if (store_req_list(st, NULL, true, due_cb, &dv) == -1) {
		free(dv.ids);
		err_set(e, 500, "", "could not list open requests");
		return -1;
	}
	if (dv.n == 0) {
		free(dv.ids);
		return 0;
	}
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL) {
		free(dv.ids);
		return -1;
	}
	for (size_t i = 0; i < dv.n && rc == 0; i++) {
		struct req_row r;
		const char *what = NULL;
		int64_t sla;

		if (store_req_get(w, dv.ids[i], &r) != 0)
			continue;
		sla = r.due_ms - r.created_ms;
		if (r.closed_ms == 0 && r.overdue_ms == 0 && now >= r.due_ms) {
			r.overdue_ms = now;
			what = "overdue";
		} else if (r.closed_ms == 0 && r.escalated_ms == 0 && r.overdue_ms != 0 &&
		    now >= r.created_ms + sla * escalation_factor) {
			r.escalated_ms = now;
			what = "escalated";
		}
		if (what != NULL) {
			char kind[32];
			json_t *d = json_pack("{s:s, s:s, s:s, s:o}", "partner", r.partner, "action", r.action,
			    "status", r.status, "due", iso(r.due_ms));
			snprintf(kind, sizeof(kind), "request_%s", what);
			rc = store_req_update(w, &r, e);
			if (rc == 0)
				rc = event_put(w, &r, what, now, NULL, NULL, e);
			if (rc == 0)
				rc = alert(n, r.from_agency, kind, &r, r.status, e);
			if (rc == 0)
				rc = alert(n, r.partner, kind, &r, r.status, e);
			if (rc == 0) {
				char action[32];
				snprintf(action, sizeof(action), "request.%s", what);
				rc = node_audit_write(n, NULL, action, r.id, "ok", d, e);
			}
			json_decref(d);
			changed++;
		}
		req_row_free(&r);
	}
	free(dv.ids);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	return changed;
}

static struct {
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	pthread_t       th;
	bool            running, stop;
	struct node    *n;
} sweeper = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *
sweeper_main(void *arg)
{
	struct err e;

	pthread_mutex_lock(&sweeper.mu);
	while (!sweeper.stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&sweeper.cv, &sweeper.mu, &ts);
		if (sweeper.stop)
			break;
		pthread_mutex_unlock(&sweeper.mu);
		ppp_sweep(sweeper.n, now_ms(), &e);
		pthread_mutex_lock(&sweeper.mu);
	}
	pthread_mutex_unlock(&sweeper.mu);
	return arg;
}

int
ppp_sweeper_start(struct node *n, struct err *e)
{
	pthread_mutex_lock(&sweeper.mu);
	if (sweeper.running) {
		pthread_mutex_unlock(&sweeper.mu);
		return 0;
	}
	sweeper.n = n;
	sweeper.stop = false;
	if (pthread_create(&sweeper.th, NULL, sweeper_main, NULL) != 0) {
		pthread_mutex_unlock(&sweeper.mu);
		err_set(e, 500, "", "could not start the request sweeper");
		return -1;
	}
	sweeper.running = true;
	pthread_mutex_unlock(&sweeper.mu);
	return 0;
}

void
ppp_sweeper_stop(void)
{
	pthread_mutex_lock(&sweeper.mu);
	if (!sweeper.running) {
		pthread_mutex_unlock(&sweeper.mu);
		return;
	}
	sweeper.stop = true;
	pthread_cond_signal(&sweeper.cv);
	pthread_mutex_unlock(&sweeper.mu);
	pthread_join(sweeper.th, NULL);
	sweeper.running = false;
}

/* ---- figures ------------------------------------------------------------ */

struct i64vec {
	int64_t *v;
	size_t   n, cap;
};

static void
vpush(struct i64vec *v, int64_t x)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 64;
		int64_t *p = realloc(v->v, nc * sizeof(*p));
		if (p == NULL)
			return;
		v->v = p;
		v->cap = nc;
	}
	v->v[v->n++] = x;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v (p in (0, 1]). */
static int64_t
pct(const struct i64vec *v, double p)
{
	size_t k = (size_t)ceil(p * (double)v->n);

	return v->v[k ? k - 1 : 0];
}

struct sums {
	json_t *frozen, *recovered;   /* "period|partner|currency" -> [amount, requests] */
};

struct statsctx {
	const char   *period;      /* day, month, year */
	const char   *only;        /* a partner agency, or NULL for all */
	int64_t       now;
	int64_t       count[PS__N], total, overdue, escalated;
	struct i64vec rep2req, req2freeze, req2answer;
	struct sums   sums;
};

static void
period_of(int64_t ms, const char *period, char out[16])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strcmp(period, "day") == 0)
		strftime(out, 16, "%Y-%m-%d", &tm);
	else if (strcmp(period, "year") == 0)
		strftime(out, 16, "%Y", &tm);
	else
		strftime(out, 16, "%Y-%m", &tm);
}

static void
sum_add(json_t *map, const char *period, const char *partner, const char *cur, int64_t amount)
{
	char k[128];
	json_t *v;

	snprintf(k, sizeof(k), "%s|%s|%s", period, partner, cur);
	if ((v = json_object_get(map, k)) == NULL) {
		json_object_set_new(map, k, json_pack("[I, I]", (json_int_t)amount, (json_int_t)1));
		return;
	}
	json_array_set_new(v, 0, json_integer(json_integer_value(json_array_get(v, 0)) + amount));
	json_array_set_new(v, 1, json_integer(json_integer_value(json_array_get(v, 1)) + 1));
}

static int
stats_cb(void *ctx, const struct req_row *r)
{
	struct statsctx *sc = ctx;
	int s = ppp_status_parse(r->status);
	char per[16];

	if (sc->only && strcmp(r->partner, sc->only) != 0)
		return 0;
	sc->total++;
	if (s >= 0)
		sc->count[s]++;
	if (overdue(r, sc->now))
		sc->overdue++;
	if (r->escalated_ms != 0)
		sc->escalated++;
	if (r->first_report_ms > 0 && r->created_ms >= r->first_report_ms)
		vpush(&sc->rep2req, r->created_ms - r->first_report_ms);
	if (r->answered_ms > 0)
		vpush(&sc->req2answer, r->answered_ms - r->created_ms);
	if (s == PS_COMPLETED && strcmp(r->action, "freeze") == 0) {
		vpush(&sc->req2freeze, r->closed_ms - r->created_ms);
		period_of(r->closed_ms, sc->period, per);
		if (r->frozen_amount >= 0)
			sum_add(sc->sums.frozen, per, r->partner, r->frozen_currency, r->frozen_amount);
		if (r->recovered_amount >= 0)
			sum_add(sc->sums.recovered, per, r->partner, r->recovered_currency, r->recovered_amount);
	}
	return 0;
}

static json_t *
dist_json(struct i64vec *v)
{
	if (v->n == 0)
		return json_pack("{s:i, s:n, s:n}", "count", 0, "median_ms", "p90_ms");
	qsort(v->v, v->n, sizeof(*v->v), cmp_i64);
	return json_pack("{s:I, s:I, s:I}", "count", (json_int_t)v->n, "median_ms", (json_int_t)pct(v, 0.5),
	    "p90_ms", (json_int_t)pct(v, 0.9));
}

static json_t *
sums_json(json_t *map)
{
	json_t *arr = json_array(), *v;
	const char *k;
	void *tmp;

	/* Keys sort by period, then partner, then currency. */
	const char **keys = calloc(json_object_size(map) + 1, sizeof(*keys));
	size_t nk = 0;
	json_object_foreach_safe(map, tmp, k, v)
		if (keys)
			keys[nk++] = k;
	for (size_t i = 1; keys && i < nk; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	for (size_t i = 0; keys && i < nk; i++) {
		char buf[128], *a, *b;
		v = json_object_get(map, keys[i]);
		str_copy(buf, sizeof(buf), keys[i]);
		a = strchr(buf, '|');
		b = a ? strchr(a + 1, '|') : NULL;
		if (a == NULL || b == NULL)
			continue;
		*a++ = '\0';
		*b++ = '\0';
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:O, s:O}", "period", buf, "partner", a,
		    "currency", b, "amount", json_array_get(v, 0), "requests", json_array_get(v, 1)));
	}
	free(keys);
	return arr;
}

static int
stats_collect(struct node *n, struct statsctx *sc, struct err *e)
{
	struct store *st;

	sc->sums.frozen = json_object();
	sc->sums.recovered = json_object();
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	if (store_req_list(st, NULL, false, stats_cb, sc) == -1) {
		err_set(e, 500, "", "could not read the requests");
		return -1;
	}
	return 0;
}

static void
stats_free(struct statsctx *sc)
{
	free(sc->rep2req.v);
	free(sc->req2freeze.v);
	free(sc->req2answer.v);
	json_decref(sc->sums.frozen);
	json_decref(sc->sums.recovered);
}

int
ppp_stats(struct node *n, const struct reqctx *c, const char *period, json_t **out, struct err *e)
{
	struct statsctx sc;
	json_t *req;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.period = period && *period ? period : "month";
	sc.now = now_ms();
	if (c->p->role == ROLE_PUBLIC || !role_valid_for_kind(c->p->role, c->p->agency.kind)) {
		err_set(e, 403, "", "role %s may not read statistics", role_name(c->p->role));
		node_audit_refusal(n, c, "stats", NULL, 403, e->msg);
		return -1;
	}
	if (strcmp(sc.period, "day") != 0 && strcmp(sc.period, "month") != 0 && strcmp(sc.period, "year") != 0) {
		err_set(e, 400, "period", "period must be day, month or year");
		node_audit_refusal(n, c, "stats", "period", 400, e->msg);
		return -1;
	}
	/* A partner sees the figures of the requests it received; law
	 * enforcement, admins and auditors see the node's. */
	if (kind_is_private(c->p->agency.kind))
		sc.only = c->p->agency.id;
	if (stats_collect(n, &sc, e) == -1) {
		stats_free(&sc);
		return -1;
	}
	req = json_pack("{s:I, s:I, s:I}", "total", (json_int_t)sc.total, "overdue", (json_int_t)sc.overdue,
	    "escalated", (json_int_t)sc.escalated);
	for (int s = 0; s < PS__N; s++)
		json_object_set_new(req, status_names[s], json_integer(sc.count[s]));
	*out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "period", sc.period, "requests", req,
	    "report_to_request", dist_json(&sc.rep2req), "request_to_freeze", dist_json(&sc.req2freeze),
	    "request_to_answer", dist_json(&sc.req2answer), "frozen", sums_json(sc.sums.frozen),
	    "recovered", sums_json(sc.sums.recovered));
	if (sc.only)
		json_object_set_new(*out, "partner", json_string(sc.only));
	stats_free(&sc);
	if (node_audit_read(n, c, "stats", NULL, "ok", NULL, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	return 0;
}

static void
metric_dist(struct sbuf *b, const char *name, const char *help, struct i64vec *v)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s summary\n", name, help, name);
	if (v->n) {
		qsort(v->v, v->n, sizeof(*v->v), cmp_i64);
		sbuf_printf(b, "%s{quantile=\"0.5\"} %.3f\n", name, (double)pct(v, 0.5) / 1000.0);
		sbuf_printf(b, "%s{quantile=\"0.9\"} %.3f\n", name, (double)pct(v, 0.9) / 1000.0);
	}
	{
		long double sum = 0;
		for (size_t i = 0; i < v->n; i++)
			sum += v->v[i];
		sbuf_printf(b, "%s_sum %.3Lf\n%s_count %zu\n", name, sum / 1000.0L, name, v->n);
	}
}

static void
metric_sums(struct sbuf *b, const char *name, const char *help, json_t *map)
{
	json_t *arr = sums_json(map), *v;
	json_t *tot = json_object();
	const char *k;
	size_t i;

	/* All periods together, per partner and currency: a counter. */
	json_array_foreach(arr, i, v) {
		char key[128];
		snprintf(key, sizeof(key), "%s|%s", json_string_value(json_object_get(v, "partner")),
		    json_string_value(json_object_get(v, "currency")));
		json_object_set_new(tot, key, json_integer(json_integer_value(json_object_get(tot, key)) +
		    json_integer_value(json_object_get(v, "amount"))));
	}
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	json_object_foreach(tot, k, v) {
		char buf[128], *cur;
		str_copy(buf, sizeof(buf), k);
		if ((cur = strchr(buf, '|')) == NULL)
			continue;
		*cur++ = '\0';
		sbuf_printf(b, "%s{partner=\"%s\",currency=\"%s\"} %lld\n", name, buf, cur,
		    (long long)json_integer_value(v));
	}
	json_decref(tot);
	json_decref(arr);
}

int
ppp_metrics(struct node *n, struct sbuf *b)
{
	struct statsctx sc;
	struct err e;

	memset(&sc, 0, sizeof(sc));
	sc.period = "month";
	sc.now = now_ms();
	if (stats_collect(n, &sc, &e) == -1) {
		stats_free(&sc);
		return -1;
	}
	sbuf_adds(b, "# HELP simpul_requests Partner requests by status.\n# TYPE simpul_requests gauge\n");
	for (int s = 0; s < PS__N; s++)
		sbuf_printf(b, "simpul_requests{status=\"%s\"} %lld\n", status_names[s], (long long)sc.count[s]);
	sbuf_printf(b, "# HELP simpul_requests_overdue Requests answered or still open past their SLA.\n"
	    "# TYPE simpul_requests_overdue gauge\nsimpul_requests_overdue %lld\n", (long long)sc.overdue);
	sbuf_printf(b, "# HELP simpul_requests_escalated Requests escalated.\n"
	    "# TYPE simpul_requests_escalated gauge\nsimpul_requests_escalated %lld\n", (long long)sc.escalated);
	metric_dist(b, "simpul_report_to_request_seconds", "Time from the first report to the request.", &sc.rep2req);
	metric_dist(b, "simpul_request_to_freeze_seconds", "Time from a freeze request to its completion.", &sc.req2freeze);
	metric_dist(b, "simpul_request_to_answer_seconds", "Time from a request to the partner's first answer.", &sc.req2answer);
	metric_sums(b, "simpul_frozen_minor_units_total", "Amounts frozen, in minor units of the currency.", sc.sums.frozen);
	metric_sums(b, "simpul_recovered_minor_units_total", "Amounts recovered, in minor units of the currency.", sc.sums.recovered);
	stats_free(&sc);
	return b->toobig || b->oom ? -1 : 0;
}

/* ---- the public check --------------------------------------------------- */

struct pubkey {
	size_t off;     /* into the key arena */
	bool   valid;
};

struct pubcollect {
	struct sbuf     arena;
	struct pubkey  *keys;
	size_t          n;
	struct err     *e;
};

static int
pub_collect_cb(void *ctx, size_t i, const char *key, bool valid)
{
	struct pubcollect *pc = ctx;

	if (i >= SIMPUL_MAX_PUBLIC_BATCH) {
		err_set(pc->e, 413, "selectors", "a public check takes at most %d selectors", SIMPUL_MAX_PUBLIC_BATCH);
		return -1;
	}
	pc->keys[i].off = pc->arena.len;
	pc->keys[i].valid = valid;
	pc->n = i + 1;
	return sbuf_add(&pc->arena, key, strlen(key) + 1) == -1 ? -1 : 0;
}

struct pubcount {
	int64_t reports, last_ms;
	char  (*agencies)[SIMPUL_MAX_AGENCY_ID + 1];
	size_t nag, capag;
	bool   oom;
};

static int
pub_posting_cb(void *ctx, const struct posting *po)
{
	struct pubcount *pc = ctx;

	/* Public means TLP:CLEAR; a silent record is never counted, whatever
	 * its TLP (a silent record changes nothing an outsider observes). */
	if (po->m->tlp != TLP_CLEAR || po->m->disclosure != DISC_HIT)
		return 0;
	pc->reports++;
	if (po->created_ms > pc->last_ms)
		pc->last_ms = po->created_ms;
	for (size_t i = 0; i < pc->nag; i++)
		if (strcmp(pc->agencies[i], po->agency_id) == 0)
			return 0;
	if (pc->nag == pc->capag) {
		size_t nc = pc->capag ? pc->capag * 2 : 8;
		void *p = realloc(pc->agencies, nc * sizeof(*pc->agencies));
		if (p == NULL) {
			pc->oom = true;
			return 1;
		}
		pc->agencies = p;
		pc->capag = nc;
	}
	str_copy(pc->agencies[pc->nag++], SIMPUL_MAX_AGENCY_ID + 1, po->agency_id);
	return 0;
}

/* The public check's filter: hashes of the keys of CLEAR, non-silent
 * reports, per node. A key outside it is answered without touching the
 * database, exactly as a key nobody holds, so neither an AMBER record nor a
 * silent one changes what the public can measure; only keys with a CLEAR
 * record take the database path. It only grows (a false positive costs a
 * lookup that counts nothing). */
struct clearset {
	pthread_mutex_t mu;
	struct keyset  *ks;
	int64_t         rid;     /* reports folded in up to this row */
};

static void *
clearset_new(void)
{
	struct clearset *cs = calloc(1, sizeof(*cs));

	if (cs == NULL || (cs->ks = keyset_new()) == NULL) {
		free(cs);
		return NULL;
	}
	pthread_mutex_init(&cs->mu, NULL);
	return cs;
}

static void
clearset_free(void *p)
{
	struct clearset *cs = p;

	keyset_free(cs->ks);
	pthread_mutex_destroy(&cs->mu);
	free(cs);
}

static int
clearset_add(void *ctx, const char *key, size_t len)
{
	return keyset_add(ctx, keyset_hash(key, len), KEY_LIVE) == -1 ? 1 : 0;
}

/* Fold in the reports written since the last call (any process's), inside
 * the caller's read snapshot. */
static struct clearset *
clearset_fresh(struct node *n, struct store *st, struct err *e)
{
	struct clearset *cs = node_ext(n, NODE_EXT_PPP, clearset_new, clearset_free);
	int64_t upto = 0;
	int rc;

	if (cs == NULL) {
		err_set(e, 500, "", "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&cs->mu);
	rc = store_clear_keys_since(st, cs->rid, &upto, clearset_add, cs->ks);
	if (rc == 0)
		cs->rid = upto;
	pthread_mutex_unlock(&cs->mu);
	if (rc != 0) {
		err_set(e, 500, "", "could not read the public keys");
		return NULL;
	}
	return cs;
}

int
ppp_public_check(struct node *n, const struct reqctx *c, const char *body, size_t len,
    struct sbuf *out, struct err *e)
{
	struct clearset *cset;
	struct pubcollect pc;
	struct store *st = NULL;
	json_t *akeys = json_array(), *d = NULL;
	int64_t hits = 0;
	int rc = -1;

	memset(&pc, 0, sizeof(pc));
	pc.e = e;
	sbuf_init(&pc.arena, (size_t)SIMPUL_MAX_BATCH * (SIMPUL_MAX_KEY_LEN + 1));
	if ((pc.keys = calloc(SIMPUL_MAX_BATCH, sizeof(*pc.keys))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	/* Without a country, national phone formats cannot be read: the
	 * public sends E.164 (+60...) or a country per item. */
	if (node_check_keys(body, len, NULL, pub_collect_cb, &pc, e) == -1) {
		node_audit_refusal(n, c, "public.check", e->field, e->status, e->msg);
		goto out;
	}
	if ((st = node_reader(n, e)) == NULL || store_read_begin(st, e) == -1) {
		st = NULL;
		goto out;
	}
	if ((cset = clearset_fresh(n, st, e)) == NULL)
		goto out;
	sbuf_reset(out);
	sbuf_adds(out, "{\"results\":[");
	for (size_t i = 0; i < pc.n; i++) {
		const char *key = pc.arena.ptr + pc.keys[i].off;
		struct pubcount cnt;
		size_t ncountries = 0;
		char countries[64][3];

		memset(&cnt, 0, sizeof(cnt));
		json_array_append_new(akeys, json_string(key));
		if (keyset_get(cset->ks, keyset_hash(key, strlen(key))) & KEY_LIVE) {
			if (store_postings(st, key, pub_posting_cb, &cnt) == -1 || cnt.oom) {
				free(cnt.agencies);
				err_set(e, 500, "", "selector index lookup failed");
				goto out;
			}
			for (size_t a = 0; a < cnt.nag; a++) {
				struct agency ag;
				bool seen = false;
				if (store_agency_get(st, cnt.agencies[a], &ag) != 0)
					continue;
				for (size_t k = 0; k < ncountries; k++)
					seen = seen || strcmp(countries[k], ag.country) == 0;
				if (!seen && ncountries < 64)
					str_copy(countries[ncountries++], 3, ag.country);
			}
			free(cnt.agencies);
		}
		if (i)
			sbuf_addc(out, ',');
		sbuf_adds(out, "{\"key\":");
		sbuf_json_str(out, key);
		sbuf_printf(out, ",\"valid\":%s,\"reports\":%lld,\"countries\":%zu,\"last_seen\":",
		    pc.keys[i].valid ? "true" : "false", (long long)cnt.reports, ncountries);
		if (cnt.reports) {
			char t[32];
			time_iso(cnt.last_ms, t);
			t[10] = '\0';
			sbuf_printf(out, "\"%s\"}", t);
			hits++;
		} else {
			sbuf_adds(out, "null}");
		}
	}
	sbuf_adds(out, "]}");
	if (st) {
		store_read_end(st);
		st = NULL;
	}
	if (out->toobig || out->oom) {
		err_set(e, 500, "", "the answer is too large");
		goto out;
	}
	d = json_pack("{s:O, s:I}", "keys", akeys, "hits", (json_int_t)hits);
	if (c->client)
		json_object_set_new(d, "client", json_string(c->client));
	if (node_audit_read(n, c, "public.check", NULL, hits ? "hit" : "no-hit", d, NULL, 0) == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	rc = 0;
out:
	if (st)
		store_read_end(st);
	if (rc == -1)
		sbuf_reset(out);
	free(pc.keys);
	sbuf_free(&pc.arena);
	json_decref(akeys);
	json_decref(d);
	return rc;
}

/* ---- bulk screening ----------------------------------------------------- */

static const char *const screen_cols[] = { "key", "type", "value", "country", "bank", "provider",
	"chain", "platform", NULL };

/* One CSV record (RFC 4180 quoting, no embedded newlines: one line = one
 * record) into an array of strings. */
static json_t *
csv_fields(const char *line, size_t len, struct err *e)
{
	json_t *arr = json_array();
	struct sbuf f;
	size_t i = 0;

	sbuf_init(&f, SIMPUL_MAX_SCREEN_LINE + 1);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	for (;;) {
		sbuf_reset(&f);
		if (i < len && line[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					err_set(e, 400, "line", "unterminated quoted field");
					goto fail;
				}
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						sbuf_addc(&f, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				sbuf_addc(&f, line[i++]);
			}
			if (i < len && line[i] != ',') {
				err_set(e, 400, "line", "text after a closing quote");
				goto fail;
			}
		} else {
			while (i < len && line[i] != ',') {
				if (line[i] == '"') {
					err_set(e, 400, "line", "a quote inside an unquoted field");
					goto fail;
				}
				sbuf_addc(&f, line[i++]);
			}
		}
		if (f.toobig || !utf8_valid(f.ptr ? f.ptr : "", f.len)) {
			err_set(e, 400, "line", "a field is not valid UTF-8 text");
			goto fail;
		}
		json_array_append_new(arr, json_stringn(f.ptr ? f.ptr : "", f.len));
		if (json_array_size(arr) > 64) {
			err_set(e, 400, "line", "more than 64 columns");
			goto fail;
		}
		if (i >= len)
			break;
		i++;    /* the comma */
	}
	sbuf_free(&f);
	return arr;
fail:
	sbuf_free(&f);
	json_decref(arr);
	return NULL;
}

json_t *
ppp_screen_header(const char *line, size_t len, struct err *e)
{
	json_t *cols = csv_fields(line, len, e), *v;
	bool key = false, type = false, value = false;
	size_t i;

	if (cols == NULL)
		return NULL;
	json_array_foreach(cols, i, v) {
		const char *s = json_string_value(v);
		key = key || strcmp(s, "key") == 0;
		type = type || strcmp(s, "type") == 0;
		value = value || strcmp(s, "value") == 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s, json_string_value(json_array_get(cols, j))) == 0 && *s) {
				err_set(e, 400, "header", "column %.40s appears twice", s);
				json_decref(cols);
				return NULL;
			}
	}
	if (!key && !(type && value)) {
		err_set(e, 400, "header", "the first line must name the columns: type,value[,country,bank,"
		    "provider,chain,platform] or key");
		json_decref(cols);
		return NULL;
	}
	return cols;
}

json_t *
ppp_screen_line(const char *line, size_t len, enum screen_fmt fmt, const json_t *header, struct err *e)
{
	json_t *item, *v;
	size_t i;

	if (len > SIMPUL_MAX_SCREEN_LINE) {
		err_set(e, 400, "line", "a line is longer than %d bytes", SIMPUL_MAX_SCREEN_LINE);
		return NULL;
	}
	if (fmt == SCREEN_JSONL) {
		json_error_t je;
		if ((item = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
			err_set(e, 400, "line", "invalid JSON at column %d: %.100s", je.column, je.text);
			return NULL;
		}
		if (!json_is_object(item)) {
			json_decref(item);
			err_set(e, 400, "line", "each line must be a JSON object {\"type\",\"value\"} or {\"key\"}");
			return NULL;
		}
		return item;
	}
	if ((v = csv_fields(line, len, e)) == NULL)
		return NULL;
	if (json_array_size(v) != json_array_size(header)) {
		err_set(e, 400, "line", "%zu fields where the header names %zu", json_array_size(v),
		    json_array_size(header));
		json_decref(v);
		return NULL;
	}
	item = json_object();
	for (i = 0; i < json_array_size(v); i++) {
		const char *col = json_string_value(json_array_get(header, i));
		const char *val = json_string_value(json_array_get(v, i));
		bool known = false;
		for (int k = 0; screen_cols[k]; k++)
			known = known || strcmp(col, screen_cols[k]) == 0;
		/* Other columns (a customer reference) are the partner's own: ignored. */
		if (known && *val)
			json_object_set_new(item, col, json_string(val));
	}
	json_decref(v);
	return item;
}

struct screenbatch {
	json_t   *items;     /* check items */
	uint64_t *lines;     /* their line numbers */
	json_t   *errors;    /* index (as string) -> {"error","field"} */
	size_t    n;
};

static void
emit(FILE *out, enum screen_fmt fmt, uint64_t line, const json_t *item, const json_t *res,
    const json_t *errj)
{
	const char *key = res ? json_string_value(json_object_get(res, "key")) : NULL;
	const json_t *recs = res ? json_object_get(res, "records") : NULL, *r;
	const char *since = NULL;
	size_t i, nrec = json_array_size(recs);
	bool flagged = res && json_is_true(json_object_get(res, "hit"));
	char day[16] = "";

	json_array_foreach(recs, i, r) {
		const char *t = json_string_value(json_object_get(r, "created"));
		if (t && (since == NULL || strcmp(t, since) < 0))
			since = t;
	}
	if (since)
		str_copy(day, 11, since);
	if (fmt == SCREEN_JSONL) {
		json_t *o = json_pack("{s:I}", "line", (json_int_t)line);
		if (errj) {
			json_object_set(o, "error", json_object_get(errj, "error"));
			json_object_set(o, "field", json_object_get(errj, "field"));
		} else {
			json_object_set_new(o, "key", json_string(nz(key)));
			json_object_set(o, "valid", json_object_get(res, "valid"));
			json_object_set_new(o, "flagged", json_boolean(flagged));
			json_object_set_new(o, "reports", json_integer((json_int_t)nrec));
			json_object_set_new(o, "since", day[0] ? json_string(day) : json_null());
		}
		char *s = json_dumps(o, JSON_COMPACT);
		fprintf(out, "%s\n", s ? s : "{}");
		free(s);
		json_decref(o);
		return;
	}
	/* CSV: line,key,valid,flagged,reports,since,error. A key holds no
	 * comma or quote except in a URL or email; those are quoted. */
	fprintf(out, "%llu,", (unsigned long long)line);
	if (errj) {
		const char *m = json_string_value(json_object_get(errj, "error"));
		fputs(",,,,,\"", out);
		for (const char *p = nz(m); *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p == '\n' ? ' ' : *p, out);
		}
		fputs("\"\n", out);
		return;
	}
	fputc('"', out);
	for (const char *p = nz(key); *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fprintf(out, "\",%s,%s,%zu,%s,\n", json_is_true(json_object_get(res, "valid")) ? "true" : "false",
	    flagged ? "true" : "false", nrec, day);
	(void)item;
}

/* Check a batch through the check path; an item the check refuses is
 * reported on its line and the rest are checked again without it. */
static int
screen_batch(struct node *n, const struct reqctx *c, struct screenbatch *b, enum screen_fmt fmt,
    FILE *out, struct screen_stats *st, struct err *e)
{
	json_t *live = json_array(), *idx = json_array(), *res = NULL;
	struct sbuf sb;
	int rc = -1;

	for (size_t i = 0; i < b->n; i++) {
		char k[24];
		snprintf(k, sizeof(k), "%zu", i);
		if (json_object_get(b->errors, k) == NULL) {
			json_array_append(live, json_array_get(b->items, i));
			json_array_append_new(idx, json_integer((json_int_t)i));
		}
	}
	sbuf_init(&sb, 64u * 1024u * 1024u);
	while (json_array_size(live) > 0) {
		json_t *body = json_pack("{s:O}", "selectors", live);
		struct err ce = {0};
		int r = node_check(n, c, body, &sb, &ce);
		unsigned long bad;
		char *end;

		json_decref(body);
		if (r == 0)
			break;
		/* "selectors[7].value": item 7 is refused, the others go again. */
		if (ce.status != 400 || strncmp(ce.field, "selectors[", 10) != 0 ||
		    (bad = strtoul(ce.field + 10, &end, 10), *end != ']') || bad >= json_array_size(live)) {
			*e = ce;
			goto out;
		}
		{
			char k[24];
			snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_array_get(idx, bad)));
			json_object_set_new(b->errors, k, json_pack("{s:s, s:s}", "error", ce.msg,
			    "field", ce.field + (strchr(ce.field, '.') ? (size_t)(strchr(ce.field, '.') - ce.field + 1) : 0)));
			json_array_remove(live, bad);
			json_array_remove(idx, bad);
		}
		sbuf_reset(&sb);
	}
	if (json_array_size(live) > 0) {
		json_t *j = json_loadb(sb.ptr, sb.len, 0, NULL);
		res = json_incref(json_object_get(j, "results"));
		json_decref(j);
		if (json_array_size(res) != json_array_size(live)) {
			err_set(e, 500, "", "the check answered %zu results for %zu items",
			    json_array_size(res), json_array_size(live));
			goto out;
		}
	}
	for (size_t i = 0, j = 0; i < b->n; i++) {
		char k[24];
		const json_t *errj;
		snprintf(k, sizeof(k), "%zu", i);
		if ((errj = json_object_get(b->errors, k)) != NULL) {
			emit(out, fmt, b->lines[i], json_array_get(b->items, i), NULL, errj);
			continue;
		}
		json_t *r1 = json_array_get(res, j++);
		emit(out, fmt, b->lines[i], json_array_get(b->items, i), r1, NULL);
		st->checked++;
		st->flagged += json_is_true(json_object_get(r1, "hit"));
	}
	rc = ferror(out) ? -1 : 0;
	if (rc == -1)
		err_set(e, 500, "out", "could not write the results");
out:
	sbuf_free(&sb);
	json_decref(live);
	json_decref(idx);
	json_decref(res);
	return rc;
}

int
ppp_screen(struct node *n, const struct reqctx *c, FILE *in, enum screen_fmt fmt,
    FILE *out, int (*progress)(void *ctx, const struct screen_stats *s), void *pctx,
    struct screen_stats *st, struct err *e)
{
	struct screenbatch b = { 0 };
	json_t *header = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	b.items = json_array();
	b.errors = json_object();
	if ((b.lines = calloc(SIMPUL_MAX_BATCH, sizeof(*b.lines))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	if (fmt == SCREEN_CSV)
		fputs("line,key,valid,flagged,reports,since,error\n", out);
	while ((len = getline(&line, &cap, in)) != -1) {
		struct err le = {0};
		json_t *item;
		bool blank = true;

		st->bytes += (uint64_t)len;
		for (ssize_t i = 0; i < len && blank; i++)
			blank = line[i] == '\n' || line[i] == '\r' || line[i] == ' ' || line[i] == '\t';
		if (blank)
			continue;
		if (fmt == SCREEN_CSV && header == NULL) {
			if ((header = ppp_screen_header(line, (size_t)len, e)) == NULL) {
				snprintf(e->field, sizeof(e->field), "line 1");
				goto out;
			}
			continue;
		}
		st->lines++;
		item = ppp_screen_line(line, (size_t)len, fmt, header, &le);
		if (item == NULL) {
			char k[24];
			snprintf(k, sizeof(k), "%zu", b.n);
			item = json_object();
			json_object_set_new(b.errors, k, json_pack("{s:s, s:s}", "error", le.msg, "field", le.field));
		}
		json_array_append_new(b.items, item);
		b.lines[b.n++] = st->lines;
		if (b.n == SIMPUL_MAX_BATCH) {
			if (screen_batch(n, c, &b, fmt, out, st, e) == -1)
				goto out;
			json_array_clear(b.items);
			json_object_clear(b.errors);
			b.n = 0;
			if (progress && progress(pctx, st) != 0) {
				err_set(e, 503, "", "the screening was stopped");
				goto out;
			}
		}
	}
	if (ferror(in)) {
		err_set(e, 400, "in", "could not read the input");
		goto out;
	}
	if (fmt == SCREEN_CSV && header == NULL) {
		err_set(e, 400, "line 1", "the file is empty: the first line must name the columns (type,value or key)");
		goto out;
	}
	if (b.n && screen_batch(n, c, &b, fmt, out, st, e) == -1)
		goto out;
	if (progress)
		progress(pctx, st);
	rc = fflush(out) == 0 ? 0 : -1;
	if (rc == -1)
		err_set(e, 500, "out", "could not write the results");
out:
	free(line);
	free(b.lines);
	json_decref(b.items);
	json_decref(b.errors);
	json_decref(header);
	return rc;
}
