/* api_web.c - what the web application needs beside the core API: sign-in
 * and sign-out (session cookie), live normalisation feedback, and audit
 * search. Parse, call the core, render, like api.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_search.h"
#include "normalise.h"
#include "policy.h"
#include "server.h"
#include "session.h"
#include "stats.h"
#include "simpul_limits.h"

static const struct principal anonymous = { .id = "anonymous", .role = ROLE_PUBLIC };

static void
reply(struct api_resp *resp, int status, json_t *j)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	if (resp->body == NULL)
		api_problem(resp, 500, NULL, "could not render the answer");
}

static void
reply_err(struct api_resp *resp, const struct err *e)
{
	api_problem(resp, e->status ? e->status : 500, e->field, e->msg[0] ? e->msg : "internal error");
}

/* A JSON object body with only the members named in allowed. */
static json_t *
body_object(const struct api_req *r, const char *const *allowed, struct api_resp *resp)
{
	json_error_t je;
	json_t *j, *v;
	const char *k;
	char msg[200];

	if (r->body_len == 0) {
		api_problem(resp, 400, "body", "a JSON body is required");
		return NULL;
	}
	if ((j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(msg, sizeof(msg), "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
		api_problem(resp, 400, "body", msg);
		return NULL;
	}
	if (!json_is_object(j) || !json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		json_decref(j);
		api_problem(resp, 400, "body", "the body must be a JSON object, nested at most 16 levels");
		return NULL;
	}
	json_object_foreach(j, k, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			ok |= strcmp(k, allowed[i]) == 0;
		if (!ok) {
			snprintf(msg, sizeof(msg), "unknown member %.64s", k);
			api_problem(resp, 400, k, msg);
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

/* A string member: NULL when absent; *bad when present but not a string
 * without NUL bytes. */
static const char *
str_member(json_t *o, const char *name, bool *bad)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL)
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

static json_t *
principal_json(const struct principal *p)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "principal", p->id,
	    "name", p->name, "role", role_name(p->role), "agency", "id", p->agency.id,
	    "country", p->agency.country, "kind", agency_kind_name(p->agency.kind),
	    "name", p->agency.name);
}

static void
cookie_set(const struct api_req *r, struct api_resp *resp, const char *value, long max_age)
{
	snprintf(resp->set_cookie, sizeof(resp->set_cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
	    SESSION_COOKIE, value, max_age, r->secure ? "; Secure" : "");
}

/* POST /api/v1/session {"username","password"} | {"token"}: sign in. */
void
h_session_post(const struct api_req *r, const struct reqctx *c0, const char *tail, struct api_resp *resp)
{
	static const char *const allowed[] = { "username", "password", "token", NULL };
	struct reqctx c = { .p = &anonymous, .client = r->client };
	struct principal p;
	struct err e = {0};
	char session[128], csrf[SESSION_CSRF_LEN + 1];
	const char *user, *pw, *token;
	bool bad = false;
	int64_t until = 0;
	json_t *in, *out;
	int rc;

	/* A cross-site page cannot add a header without a CORS preflight,
	 * which this node never grants: no sign-in forged from elsewhere. */
	if (r->csrf == NULL || *r->csrf == '\0') {
		node_audit_refusal(r->n, &c, "session.create", NULL, 403, "no X-CSRF-Token header");
		api_problem(resp, 403, "X-CSRF-Token", "send the header X-CSRF-Token (any value, e.g. \"signin\") with a sign-in");
		return;
	}
	if ((in = body_object(r, allowed, resp)) == NULL) {
		node_audit_refusal(r->n, &c, "session.create", NULL, resp->status, "malformed body");
		return;
	}
	user = str_member(in, "username", &bad);
	pw = str_member(in, "password", &bad);
	token = str_member(in, "token", &bad);
	memset(&p, 0, sizeof(p));
	if (bad || (token == NULL) == (user == NULL) || (user != NULL) != (pw != NULL)) {
		api_problem(resp, 400, token ? "token" : "username",
		    "send {\"username\",\"password\"} or {\"token\"} as strings");
		node_audit_refusal(r->n, &c, "session.create", NULL, 400, "malformed body");
		json_decref(in);
		return;
	}
	if (token)
		rc = node_session_token(r->n, &c, token, session, sizeof(session), &p, &until, &e);
	else
		rc = node_session_password(r->n, &c, user, pw, session, sizeof(session), &p, &until, &e);
	json_decref(in);
	if (rc == -1) {
		reply_err(resp, &e);
		return;
	}
	session_csrf(session, csrf);
	out = principal_json(&p);
	json_object_set_new(out, "csrf", json_string(csrf));
	{
		char iso[32];
		time_iso(until, iso);
		json_object_set_new(out, "expires", json_string(iso));
	}
	cookie_set(r, resp, session, (long)(SIMPUL_SESSION_TTL_MS / 1000));
	memset(session, 0, sizeof(session));
	reply(resp, 201, out);
	json_decref(out);
}

/* GET /api/v1/session: who is signed in, and the CSRF token of the
 * cookie's session (a same-origin read only: no CORS). */
void
h_session_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	const char *token;
	bool cookie = false;
	json_t *out = principal_json(c->p);

	api_credential(r, &token, &cookie);
	json_object_set_new(out, "via", json_string(cookie ? "session" : "token"));
	if (cookie) {
		char csrf[SESSION_CSRF_LEN + 1];
		session_csrf(token, csrf);
		json_object_set_new(out, "csrf", json_string(csrf));
	}
	reply(resp, 200, out);
	json_decref(out);
}

/* DELETE /api/v1/session: sign out (the session is revoked, the cookie cleared). */
void
h_session_delete(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	const char *token;
	bool cookie = false;

	api_credential(r, &token, &cookie);
	if (!cookie) {
		node_audit_refusal(r->n, c, "session.end", NULL, 400, "not a session");
		api_problem(resp, 400, "session", "this request is signed in with an API token, not a web session; revoke tokens with `simpul token revoke`");
		return;
	}
	if (node_session_end(r->n, c, token, &e) == -1) {
		reply_err(resp, &e);
		return;
	}
	cookie_set(r, resp, "", 0);
	{
		json_t *out = json_pack("{s:b}", "signed_out", 1);
		reply(resp, 200, out);
		json_decref(out);
	}
}

/* POST /api/v1/normalize {"selectors":[{"type","value",...}]}: the
 * canonical key of each, for live feedback while a report is typed. Reads
 * no record, so only refusals are audited. */
void
h_normalize(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	static const char *const allowed[] = { "selectors", NULL };
	static const char *const members[] = { "type", "value", "country", "bank", "provider", "chain", "platform" };
	json_t *in, *sel, *results, *item, *out;
	struct norm_out *no;
	size_t i;

	if ((in = body_object(r, allowed, resp)) == NULL) {
		node_audit_refusal(r->n, c, "normalize", NULL, resp->status, "malformed body");
		return;
	}
	sel = json_object_get(in, "selectors");
	if (!json_is_array(sel) || json_array_size(sel) == 0 || json_array_size(sel) > SIMPUL_MAX_NORMALIZE) {
		char msg[100];
		snprintf(msg, sizeof(msg), "selectors must be an array of 1 to %d selectors", SIMPUL_MAX_NORMALIZE);
		api_problem(resp, json_array_size(sel) > SIMPUL_MAX_NORMALIZE ? 413 : 400, "selectors", msg);
		node_audit_refusal(r->n, c, "normalize", NULL, resp->status, "bad selectors");
		json_decref(in);
		return;
	}
	if ((no = malloc(sizeof(*no))) == NULL) {
		api_problem(resp, 500, NULL, "out of memory");
		json_decref(in);
		return;
	}
	results = json_array();
	json_array_foreach(sel, i, item) {
		const char *f[7] = {0};
		const char *k;
		json_t *v;
		struct err e = {0};
		char field[96];
		bool bad = !json_is_object(item);

		if (!bad) {
			json_object_foreach(item, k, v) {
				size_t m;
				for (m = 0; m < 7 && strcmp(k, members[m]) != 0; m++)
					;
				if (m == 7 || !json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
					snprintf(field, sizeof(field), "selectors[%zu].%.32s", i, k);
					bad = true;
					break;
				}
				f[m] = json_string_value(v);
			}
		} else {
			snprintf(field, sizeof(field), "selectors[%zu]", i);
		}
		if (bad) {
			api_problem(resp, 400, field, "each selector is an object of strings: type, value, and country, bank, provider, chain or platform");
			node_audit_refusal(r->n, c, "normalize", NULL, 400, "bad selector");
			json_decref(results);
			json_decref(in);
			free(no);
			return;
		}
		struct norm_in nin = { .type = f[0], .value = f[1], .country = f[2] ? f[2] : c->p->agency.country,
			.bank = f[3], .provider = f[4], .chain = f[5], .platform = f[6] };
		if (nin.type == NULL || nin.value == NULL) {
			err_set(&e, 400, nin.type ? "value" : "type", "%s is required", nin.type ? "value" : "type");
		} else if (f[2] && !country_valid(f[2])) {
			err_set(&e, 400, "country", "country must be an ISO 3166-1 alpha-2 code such as MY");
		} else if (normalise(&nin, no, &e) == 0) {
			json_t *d = json_array();
			for (int j = 0; j < no->nderived; j++)
				json_array_append_new(d, json_string(no->derived[j]));
			json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "key", no->key, "type", no->type,
			    "valid", no->valid, "derived", d);
			if (!no->valid && no->flag[0])
				json_object_set_new(o, "flag", json_string(no->flag));
			json_array_append_new(results, o);
			continue;
		}
		/* Cannot be kept at all (empty, unknown type, too long): said per
		 * item, so that one half-typed row does not blank the others. */
		json_array_append_new(results, json_pack("{s:{s:s, s:s}}", "error", "field",
		    e.field[0] ? e.field : "value", "detail", e.msg));
	}
	free(no);
	out = json_pack("{s:o}", "results", results);
	reply(resp, 200, out);
	json_decref(out);
	json_decref(in);
}

static int
query_i64(const struct api_req *r, const char *name, int64_t def, int64_t *out)
{
	const char *v = r->arg(r->conn, name);

	*out = def;
	if (v == NULL || *v == '\0')
		return 0;
	return parse_i64(v, strlen(v), out) == 0 && *out >= 0 ? 0 : -1;
}

static bool
query_text_ok(const char *v)
{
	return v == NULL || (strlen(v) <= SIMPUL_MAX_SHORT && utf8_valid(v, strlen(v)));
}

/* GET /api/v1/audit?before=&limit=&principal=&agency=&action=&outcome=&q= */
void
h_audit_search(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	static const char *const texts[] = { "principal", "agency", "action", "outcome", "q" };
	struct audit_query q = {0};
	struct err e = {0};
	int64_t before, limit;
	json_t *out = NULL;

	if (query_i64(r, "before", 0, &before) == -1) {
		api_problem(resp, 400, "before", "before must be the non-negative next_before of a previous page");
		node_audit_refusal(r->n, c, "audit.search", NULL, 400, "bad before");
		return;
	}
	if (query_i64(r, "limit", 50, &limit) == -1 || limit < 1 || limit > SIMPUL_MAX_AUDIT_PAGE) {
		api_problem(resp, 400, "limit", "limit must be between 1 and 200");
		node_audit_refusal(r->n, c, "audit.search", NULL, 400, "bad limit");
		return;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!query_text_ok(r->arg(r->conn, texts[i]))) {
			api_problem(resp, 400, texts[i], "search terms are at most 256 bytes of text");
			node_audit_refusal(r->n, c, "audit.search", NULL, 400, "bad search term");
			return;
		}
	}
	q.before = before;
	q.limit = (int)limit;
	q.principal = r->arg(r->conn, "principal");
	q.agency = r->arg(r->conn, "agency");
	q.action = r->arg(r->conn, "action");
	q.outcome = r->arg(r->conn, "outcome");
	q.text = r->arg(r->conn, "q");
	if (node_audit_search(r->n, c, &q, &out, &e) == -1)
		reply_err(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(out);
}

/* GET /api/v1/stats/reports: the dashboard's report figures. */
void
h_stats_reports(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_stats_reports(r->n, c, &out, &e) == -1)
		reply_err(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(out);
}
