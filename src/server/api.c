/* api.c - the HTTP JSON API under /api/v1: parse, call the core, render.
 * Errors are application/problem+json naming the field at fault. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_net.h"
#include "policy.h"
#include "ppp.h"
#include "ratelimit.h"
#include "session.h"
#include "server.h"
#include "simpul_limits.h"

enum auth_need { AUTH_NONE, AUTH_TOKEN };

struct route {
	const char    *method;
	const char    *prefix;     /* exact path, or prefix when it ends with '/' */
	enum auth_need auth;
	size_t         max_body;
	void         (*fn)(const struct api_req *, const struct reqctx *, const char *tail, struct api_resp *);
};

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default:  return status >= 500 ? "Internal Server Error" : "Error";
	}
}

void
api_problem(struct api_resp *resp, int status, const char *field, const char *detail)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank",
	    "title", status_title(status), "status", status, "detail", detail ? detail : "");

	if (field && *field)
		json_object_set_new(j, "field", json_string(field));
	resp->status = status;
	resp->content_type = "application/problem+json";
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	json_decref(j);
}

static void
problem_err(struct api_resp *resp, const struct err *e)
{
	api_problem(resp, e->status ? e->status : 500, e->field, e->msg[0] ? e->msg : "internal error");
}

static void
reply_json(struct api_resp *resp, int status, json_t *j)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	if (resp->body == NULL)
		api_problem(resp, 500, NULL, "could not render the answer");
}

static void
reply_text(struct api_resp *resp, int status, const char *type, const void *data, size_t len)
{
	resp->status = status;
	resp->content_type = type;
	resp->body = malloc(len ? len : 1);
	if (resp->body == NULL) {
		resp->status = 500;
		resp->len = 0;
		return;
	}
	memcpy(resp->body, data, len);
	resp->len = len;
}

/* Parse a JSON body: an object, no duplicate keys, bounded depth. */
static json_t *
body_json(const struct api_req *r, struct api_resp *resp)
{
	json_error_t je;
	json_t *j;
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
	if (!json_is_object(j)) {
		json_decref(j);
		api_problem(resp, 400, "body", "the body must be a JSON object");
		return NULL;
	}
	if (!json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		json_decref(j);
		snprintf(msg, sizeof(msg), "the body is nested deeper than %d levels", SIMPUL_MAX_JSON_DEPTH);
		api_problem(resp, 400, "body", msg);
		return NULL;
	}
	return j;
}

/* ---- handlers ----------------------------------------------------------- */

static void
h_index(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	const struct asset *a = asset_find(r->path);

	if (a == NULL) {
		api_problem(resp, 404, NULL, "no such page");
		return;
	}
	reply_text(resp, 200, a->type, a->data, a->len);
	resp->cache = strcmp(r->path, "/") != 0;
}

static void
h_health(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	reply_text(resp, 200, "application/json", ok, sizeof(ok) - 1);
}

static void
h_metrics(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct sbuf b;

	if (!policy_may_audit(c->p)) {
		node_audit_refusal(r->n, c, "metrics", NULL, 403, "metrics are for admins and auditors");
		api_problem(resp, 403, NULL, "metrics are for admin and auditor tokens");
		return;
	}
	sbuf_init(&b, 1024 * 1024);
	if (node_metrics(r->n, &b) == -1 || ppp_metrics(r->n, &b) == -1 || node_net_metrics(r->n, &b) == -1 ||
	    sbuf_printf(&b, "# HELP simpul_ratelimited_total Requests refused by a rate limit or quota.\n"
	    "# TYPE simpul_ratelimited_total counter\nsimpul_ratelimited_total %llu\n",
	    (unsigned long long)rl_refused_total()) == -1) {
		sbuf_free(&b);
		api_problem(resp, 500, NULL, "could not render metrics");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->len = b.len;
	resp->body = sbuf_steal(&b);
}

static void
h_whoami(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "principal", c->p->id,
	    "name", c->p->name, "role", role_name(c->p->role), "agency", "id", c->p->agency.id,
	    "country", c->p->agency.country, "kind", agency_kind_name(c->p->agency.kind),
	    "name", c->p->agency.name);
	reply_json(resp, 200, j);
	json_decref(j);
}

static void
h_report_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;

	if ((in = body_json(r, resp)) == NULL) {
		node_audit_refusal(r->n, c, "report.create", NULL, resp->status, "malformed body");
		return;
	}
	if (node_report_create(r->n, c, in, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 201, out);
	json_decref(in);
	json_decref(out);
}

static void
h_public_report(const struct api_req *r, const struct reqctx *c0, const char *tail, struct api_resp *resp)
{
	static const struct principal anonymous = { .id = "anonymous", .role = ROLE_PUBLIC };
	struct reqctx c = { .p = &anonymous, .client = r->client };
	struct err e = {0};
	json_t *in, *out = NULL;

	if ((in = body_json(r, resp)) == NULL) {
		node_audit_refusal(r->n, &c, "public.report", NULL, resp->status, "malformed body");
		return;
	}
	if (node_public_report(r->n, &c, in, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 201, out);
	json_decref(in);
	json_decref(out);
}

static void
h_report_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_report_get(r->n, c, tail, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 200, out);
	json_decref(out);
}

static void
h_contact(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_contact_resolve(r->n, c, tail, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 200, out);
	json_decref(out);
}

static void
h_check(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	struct sbuf out;

	if (r->body_len == 0) {
		api_problem(resp, 400, "body", "a JSON body is required");
		node_audit_refusal(r->n, c, "check", NULL, resp->status, "malformed body");
		return;
	}
	sbuf_init(&out, 64u * 1024u * 1024u);
	if (node_check_text(r->n, c, r->body, r->body_len, &out, &e) == -1) {
		problem_err(resp, &e);
		sbuf_free(&out);
	} else {
		resp->status = 200;
		resp->content_type = "application/json";
		resp->len = out.len;
		resp->body = sbuf_steal(&out);
	}
}

static int
query_int(const struct api_req *r, const char *name, int64_t def, int64_t *out)
{
	const char *v = r->arg(r->conn, name);

	*out = def;
	if (v == NULL || *v == '\0')
		return 0;
	return parse_i64(v, strlen(v), out) == 0 && *out >= 0 ? 0 : -1;
}

static void
h_alerts(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;
	int64_t after, limit;

	if (query_int(r, "after", 0, &after) == -1) {
		api_problem(resp, 400, "after", "after must be the non-negative cursor from a previous page's next");
		return;
	}
	if (query_int(r, "limit", 100, &limit) == -1 || limit < 1 || limit > SIMPUL_MAX_ALERTS_PAGE) {
		api_problem(resp, 400, "limit", "limit must be between 1 and 500");
		return;
	}
	if (node_alerts(r->n, c, after, (int)limit, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 200, out);
	json_decref(out);
}

static void
h_agency_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	struct agency a;
	json_t *in;
	const char *id, *country, *kind, *name;
	int k;

	if ((in = body_json(r, resp)) == NULL)
		return;
	id = json_string_value(json_object_get(in, "id"));
	country = json_string_value(json_object_get(in, "country"));
	kind = json_string_value(json_object_get(in, "kind"));
	name = json_string_value(json_object_get(in, "name"));
	memset(&a, 0, sizeof(a));
	if (id == NULL || str_copy(a.id, sizeof(a.id), id) == -1) {
		api_problem(resp, 400, "id", "id is required (3-64 characters of A-Z a-z 0-9 . _ -)");
	} else if (country == NULL || strlen(country) != 2) {
		api_problem(resp, 400, "country", "country must be an ISO 3166-1 alpha-2 code such as MY");
	} else if ((k = agency_kind_parse(kind)) < 0) {
		api_problem(resp, 400, "kind", "kind must be police, asc, regulator, secretariat, partner_le, bank, telco, platform or public");
	} else if (name && (strlen(name) > SIMPUL_MAX_NAME || !utf8_valid(name, strlen(name)))) {
		api_problem(resp, 400, "name", "name must be at most 200 bytes of text");
	} else {
		str_copy(a.country, sizeof(a.country), country);
		a.kind = (enum agency_kind)k;
		str_copy(a.name, sizeof(a.name), name ? name : id);
		if (node_agency_add(r->n, c, &a, &e) == -1) {
			problem_err(resp, &e);
		} else {
			json_t *out = json_pack("{s:s, s:s, s:s, s:s}", "id", a.id, "country", a.country,
			    "kind", agency_kind_name(a.kind), "name", a.name);
			reply_json(resp, 201, out);
			json_decref(out);
		}
	}
	if (resp->status >= 400 && e.status == 0)
		node_audit_refusal(r->n, c, "agency.add", id, resp->status, "invalid agency");
	json_decref(in);
}

static void
h_token_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	struct principal p;
	char token[128];
	json_t *in;
	const char *agency, *role, *name;

	if ((in = body_json(r, resp)) == NULL)
		return;
	agency = json_string_value(json_object_get(in, "agency"));
	role = json_string_value(json_object_get(in, "role"));
	name = json_string_value(json_object_get(in, "name"));
	if (agency == NULL) {
		api_problem(resp, 400, "agency", "agency is required");
	} else if (role == NULL) {
		api_problem(resp, 400, "role", "role is required");
	} else if (name && (strlen(name) > SIMPUL_MAX_NAME || !utf8_valid(name, strlen(name)))) {
		api_problem(resp, 400, "name", "name must be at most 200 bytes of text");
	} else if (node_token_create(r->n, c, agency, role, name, token, sizeof(token), &p, &e) == -1) {
		problem_err(resp, &e);
	} else {
		json_t *out = json_pack("{s:s, s:s, s:s, s:s}", "token", token, "principal", p.id,
		    "agency", p.agency.id, "role", role_name(p.role));
		reply_json(resp, 201, out);
		json_decref(out);
	}
	json_decref(in);
}

static void
h_audit_verify(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_audit_verify(r->n, c, &out, &e) == -1)
		problem_err(resp, &e);
	else
		reply_json(resp, 200, out);
	json_decref(out);
}

/* ---- routing ------------------------------------------------------------ */

#define SMALL (64u * 1024u)

static const struct route routes[] = {
	{ "GET",  "/",                    AUTH_NONE,  0, h_index },
	{ "GET",  "/docs/api.md",         AUTH_NONE,  0, h_index },
	{ "GET",  "/healthz",             AUTH_NONE,  0, h_health },
	{ "GET",  "/metrics",             AUTH_TOKEN, 0, h_metrics },
	{ "GET",  "/api/v1/whoami",       AUTH_TOKEN, 0, h_whoami },
	{ "POST", "/api/v1/reports",      AUTH_TOKEN, SIMPUL_MAX_BODY, h_report_post },
	{ "GET",  "/api/v1/reports/",     AUTH_TOKEN, 0, h_report_get },
	{ "GET",  "/api/v1/contacts/",    AUTH_TOKEN, 0, h_contact },
	{ "POST", "/api/v1/check",        AUTH_TOKEN, SIMPUL_MAX_BODY, h_check },
	{ "GET",  "/api/v1/alerts",       AUTH_TOKEN, 0, h_alerts },
	{ "POST", "/api/v1/agencies",     AUTH_TOKEN, SMALL, h_agency_post },
	{ "POST", "/api/v1/tokens",       AUTH_TOKEN, SMALL, h_token_post },
	{ "GET",  "/api/v1/audit/verify", AUTH_TOKEN, 0, h_audit_verify },
	/* partner requests, figures, public check, screening (api_ppp.c) */
	{ "POST", "/api/v1/requests",     AUTH_TOKEN, SMALL, api_requests_post },
	{ "GET",  "/api/v1/requests",     AUTH_TOKEN, 0, api_requests_list },
	{ "GET",  "/api/v1/requests/",    AUTH_TOKEN, 0, api_request_get },

	{ "GET",  "/api/v1/stats",        AUTH_TOKEN, 0, api_stats },
	{ "POST", "/api/v1/public/check", AUTH_NONE,  SIMPUL_MAX_BODY_UNAUTH, api_public_check },
	{ "POST", "/api/v1/public/reports", AUTH_NONE, SIMPUL_MAX_BODY_UNAUTH, h_public_report },
	{ "POST", "/api/v1/screenings",   AUTH_TOKEN, SIMPUL_MAX_SCREEN_BODY, api_screening_post },
	{ "POST", "/api/v1/persons",      AUTH_TOKEN, SIMPUL_MAX_BODY, h_person_post },
	{ "POST", "/api/v1/persons/search", AUTH_TOKEN, SIMPUL_MAX_BODY, h_person_search },
	{ "GET",  "/api/v1/persons/",     AUTH_TOKEN, 0, h_person_get },
	{ "POST", "/api/v1/documents",    AUTH_TOKEN, SMALL, h_document_post },
	{ "POST", "/api/v1/documents/check", AUTH_TOKEN, SIMPUL_MAX_BODY, h_document_check },
	{ "POST", "/api/v1/notices",      AUTH_TOKEN, SIMPUL_MAX_BODY, h_notice_post },
	{ "GET",  "/api/v1/notices",      AUTH_TOKEN, 0, h_notices_get },
	{ "POST", "/api/v1/notices/ack",  AUTH_TOKEN, SMALL, h_notice_ack },
	{ "PUT",  "/api/v1/persons/",     AUTH_TOKEN, SIMPUL_MAX_BODY, h_person_put },
	/* issue 4: networks, generic values, watchlists, delivery (api_net.c) */
	{ "GET",    "/api/v1/networks",          AUTH_TOKEN, 0, h_networks },
	{ "GET",    "/api/v1/networks/",         AUTH_TOKEN, 0, h_network_get },
	{ "GET",    "/api/v1/graph",             AUTH_TOKEN, 0, h_graph },
	{ "DELETE", "/api/v1/reports/",          AUTH_TOKEN, 0, h_report_delete },
	{ "GET",    "/api/v1/generic",           AUTH_TOKEN, 0, h_generic_get },
	{ "PUT",    "/api/v1/generic",           AUTH_TOKEN, SMALL, h_generic_put },
	{ "POST",   "/api/v1/generic/overrides", AUTH_TOKEN, SMALL, h_generic_override },
	{ "POST",   "/api/v1/warninglists",      AUTH_TOKEN, SIMPUL_MAX_BODY, h_warninglist_post },
	{ "POST",   "/api/v1/watches",           AUTH_TOKEN, SMALL, h_watch_post },
	{ "GET",    "/api/v1/watches",           AUTH_TOKEN, 0, h_watch_list },
	{ "DELETE", "/api/v1/watches/",          AUTH_TOKEN, 0, h_watch_delete },
	{ "POST",   "/api/v1/webhooks",          AUTH_TOKEN, SMALL, h_webhook_post },
	{ "GET",    "/api/v1/webhooks",          AUTH_TOKEN, 0, h_webhook_list },
	{ "GET",    "/api/v1/webhooks/dead",     AUTH_TOKEN, 0, h_webhook_dead },
	{ "POST",   "/api/v1/webhooks/dead/retry", AUTH_TOKEN, SMALL, h_webhook_redrive },
	{ "DELETE", "/api/v1/webhooks/",         AUTH_TOKEN, 0, h_webhook_delete },
	{ "GET",    "/api/v1/events",            AUTH_TOKEN, 0, h_events },
	{ "GET",  "/api/v1/export/stix",  AUTH_TOKEN, 0, api_export_stix },
	{ "GET",  "/api/v1/export/misp",  AUTH_TOKEN, 0, api_export_misp },
	{ "GET",  "/taxii2/*",            AUTH_TOKEN, 0, api_taxii },
	{ "POST", "/taxii2/*",            AUTH_TOKEN, SIMPUL_MAX_BODY, api_taxii },
	{ "GET",  "/public",              AUTH_NONE,  0, h_index },
	{ "GET",  "/assets/",             AUTH_NONE,  0, h_index },
	{ "POST", "/api/v1/session",      AUTH_NONE,  SMALL, h_session_post },
	{ "GET",  "/api/v1/session",      AUTH_TOKEN, 0, h_session_get },
	{ "DELETE", "/api/v1/session",    AUTH_TOKEN, 0, h_session_delete },
	{ "POST", "/api/v1/normalize",    AUTH_TOKEN, SMALL, h_normalize },
	{ "GET",  "/api/v1/audit",        AUTH_TOKEN, 0, h_audit_search },
	{ "GET",  "/api/v1/stats/reports", AUTH_TOKEN, 0, h_stats_reports },
};

/* Prefixes whose tail may hold further segments ({id}/answer). */
static const struct route deep_routes[] = {
	{ "POST", "/api/v1/requests/",    AUTH_TOKEN, SMALL, api_request_post },
	{ "GET",  "/api/v1/screenings/",  AUTH_TOKEN, 0, api_screening_get },
};

/* Find the route; *method_ok false when the path exists for another method. */
static const struct route *
route_find(const char *method, const char *path, const char **tail, bool *path_known)
{
	size_t nroutes = sizeof(routes) / sizeof(routes[0]);

	*path_known = false;
	for (size_t i = 0; i < nroutes + sizeof(deep_routes) / sizeof(deep_routes[0]); i++) {
		bool deep = i >= nroutes;
		const struct route *rt = deep ? &deep_routes[i - nroutes] : &routes[i];
		size_t n = strlen(rt->prefix);
		bool match;
		if (n > 1 && rt->prefix[n - 1] == '*')   /* a subtree: "/taxii2/" and below */
			match = strncmp(path, rt->prefix, --n) == 0;
		else if (n > 1 && rt->prefix[n - 1] == '/')
			match = strncmp(path, rt->prefix, n) == 0 && path[n] != '\0' &&
			    (deep || strchr(path + n, '/') == NULL);
		else
			match = strcmp(path, rt->prefix) == 0;
		if (!match)
			continue;
		*path_known = true;
		if (strcmp(method, rt->method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
			*tail = path + n;
			return rt;
		}
	}
	return NULL;
}

static bool
bearer(const char *auth, const char **token)
{
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return false;
	*token = auth + 7;
	while (**token == ' ')
		(*token)++;
	return true;
}

/* One credential per request, through one check (node_authenticate):
 * the Bearer header when present, else the web session cookie. */
bool
api_credential(const struct api_req *r, const char **token, bool *from_cookie)
{
	*from_cookie = false;
	if (r->auth != NULL)
		return bearer(r->auth, token);
	if (r->session != NULL && *r->session != '\0') {
		*token = r->session;
		*from_cookie = true;
		return true;
	}
	return false;
}

/* Browsers attach cookies on their own; a Bearer header they do not. So a
 * cookie-authenticated request that can change state must prove it comes
 * from our page: the CSRF token only our page can read (GET /api/v1/session,
 * same-origin). SameSite=Strict is the first line; this is the second. */
bool
api_csrf_ok(const struct api_req *r, bool from_cookie)
{
	if (!from_cookie || strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
		return true;
	return session_csrf_ok(r->session, r->csrf);
}

bool
api_early(const struct api_req *r, size_t content_length, struct api_resp *resp)
{
	const struct route *rt;
	const char *tail, *token;
	bool known, cookie = false;
	struct principal p;
	struct err e = {0};

	if ((rt = route_find(r->method, r->path, &tail, &known)) == NULL) {
		api_problem(resp, known ? 405 : 404, NULL, known ? "method not allowed here" : "no such endpoint (see /docs/api.md)");
		return true;
	}
	if (rt->auth == AUTH_NONE) {
		if (content_length > SIMPUL_MAX_BODY_UNAUTH) {
			api_problem(resp, 413, "body", "request body too large");
			return true;
		}
		return strncmp(r->path, "/api/v1/public/", 15) == 0 && api_limited(r, NULL, resp);
	}
	/* Tighter before authentication: the body is not read for a bad token. */
	if (!api_credential(r, &token, &cookie) || node_authenticate(r->n, token, &p, &e) == -1) {
		/* Audited as "anonymous", not as the node itself ("system"). */
		static const struct principal anon = { .id = "anonymous", .role = ROLE_PUBLIC };
		struct reqctx c = { .p = &anon, .client = r->client };
		if (e.status == 0)
			err_set(&e, 401, "Authorization", "send Authorization: Bearer <token>");
		node_audit_refusal(r->n, &c, "auth", r->path, 401, e.msg);
		problem_err(resp, &e);
		return true;
	}
	if (!api_csrf_ok(r, cookie)) {
		struct reqctx c = { .p = &p, .client = r->client };
		node_audit_refusal(r->n, &c, "csrf", r->path, 403, "no valid X-CSRF-Token with the session cookie");
		api_problem(resp, 403, "X-CSRF-Token", "a request that changes something, signed in with the session cookie, must send the session's X-CSRF-Token (from GET /api/v1/session)");
		return true;
	}
	if (content_length > (rt->max_body ? rt->max_body : SIMPUL_MAX_BODY_UNAUTH)) {
		api_problem(resp, 413, "body", "request body larger than this endpoint accepts");
		return true;
	}
	return api_limited(r, &p, resp);
}

static bool
header_ok(const char *v, size_t max)
{
	return v == NULL || (strlen(v) <= max && utf8_valid(v, strlen(v)));
}

void
api_handle(const struct api_req *r, struct api_resp *resp)
{
	const struct route *rt;
	const char *tail = "", *token;
	bool known, cookie = false;
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = r->purpose, .case_ref = r->case_ref, .client = r->client,
		.defer = r->defer };
	struct err e = {0};

	memset(&p, 0, sizeof(p));
	if ((rt = route_find(r->method, r->path, &tail, &known)) == NULL) {
		api_problem(resp, known ? 405 : 404, NULL, "no such endpoint (see /docs/api.md)");
		return;
	}
	if (rt->auth == AUTH_TOKEN) {
		if (!api_credential(r, &token, &cookie) || node_authenticate(r->n, token, &p, &e) == -1) {
			if (e.status == 0)
				err_set(&e, 401, "Authorization", "send Authorization: Bearer <token>");
			problem_err(resp, &e);
			return;
		}
		if (!api_csrf_ok(r, cookie)) {
			node_audit_refusal(r->n, &c, "csrf", r->path, 403, "no valid X-CSRF-Token with the session cookie");
			api_problem(resp, 403, "X-CSRF-Token", "a request that changes something, signed in with the session cookie, must send the session's X-CSRF-Token (from GET /api/v1/session)");
			return;
		}
		if (!header_ok(r->purpose, SIMPUL_MAX_PURPOSE) || !header_ok(r->case_ref, SIMPUL_MAX_CASE_REF)) {
			bool purpose = !header_ok(r->purpose, SIMPUL_MAX_PURPOSE);
			const char *h = purpose ? "X-Simpul-Purpose" : "X-Simpul-Case";
			char msg[120];
			snprintf(msg, sizeof(msg), "%s must be at most %d bytes of text", h,
			    purpose ? SIMPUL_MAX_PURPOSE : SIMPUL_MAX_CASE_REF);
			/* The refusal is audited without the offending header. */
			c.purpose = purpose ? NULL : c.purpose;
			c.case_ref = purpose ? (header_ok(r->case_ref, SIMPUL_MAX_CASE_REF) ? c.case_ref : NULL) : NULL;
			node_audit_refusal(r->n, &c, "request", r->path, 400, msg);
			api_problem(resp, 400, h, msg);
			return;
		}
	}
	rt->fn(r, &c, tail, resp);
}

/* ---- for the feature handlers (server.h) -------------------------------- */

void
api_reply_json(struct api_resp *resp, int status, json_t *j)
{
	reply_json(resp, status, j);
}

void
api_problem_err(struct api_resp *resp, const struct err *e)
{
	problem_err(resp, e);
}

json_t *
api_body_json(const struct api_req *r, struct api_resp *resp)
{
	return body_json(r, resp);
}
