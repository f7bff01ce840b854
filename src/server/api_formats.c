/* api_formats.c - the exchange formats over HTTP: GET /api/v1/export/stix.
 * Parse, call the core (policy gate and audit in node_export_reports),
 * convert (stix.c), render. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "simpul_limits.h"
#include "formats_node.h"
#include "misp.h"
#include "stix.h"

/* "ID,ID,..." into ids (pointers into buf). -1 when empty or too many. */
static int
split_ids(char *buf, const char **ids, size_t max, size_t *n)
{
	char *p = buf, *c;

	*n = 0;
	while (p && *p) {
		if (*n == max)
			return -1;
		if ((c = strchr(p, ',')) != NULL)
			*c++ = '\0';
		if (*p)
			ids[(*n)++] = p;
		p = c;
	}
	return *n ? 0 : -1;
}

static void
export(const struct api_req *r, const struct reqctx *c, const char *format, struct api_resp *resp);

void
api_export_stix(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	(void)tail;
	export(r, c, "stix", resp);
}

void
api_export_misp(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	(void)tail;
	export(r, c, "misp", resp);
}

static void
export(const struct api_req *r, const struct reqctx *c, const char *format, struct api_resp *resp)
{
	static const char *const params[] = { "report", "network", "person", "notice" };
	const char *arg = NULL, *which = NULL;
	const char *ids[SIMPUL_MAX_EXPORT_REPORTS];
	char buf[SIMPUL_MAX_EXPORT_REPORTS * (SIMPUL_ID_LEN + 1) + 1];
	json_t *reports = NULL, *agencies = NULL, *bundle = NULL, *persons = NULL, *notices = NULL, *info = NULL;
	struct stix_out *b = NULL;
	struct err e = {0};
	size_t n;
	int given = 0;

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (r->arg(r->conn, params[i]) != NULL) {
			arg = r->arg(r->conn, params[i]);
			which = params[i];
			given++;
		}
	if (given > 1) {
		api_problem(resp, 400, which, "name one of report, network, person or notice");
		node_audit_refusal(r->n, c, "report.export", NULL, 400, "several export parameters");
		return;
	}
	if (which && strcmp(which, "network") == 0) {
		if (strlen(arg) > 64) {
			api_problem(resp, 400, "network", "network must be a network id such as net_0123456789abcdef");
			node_audit_refusal(r->n, c, "network.export", NULL, 400, "malformed network parameter");
			return;
		}
		if (node_export_network(r->n, c, arg, format, &reports, &agencies, &info, &e) == -1) {
			api_problem(resp, e.status ? e.status : 500, e.field, e.msg);
			return;
		}
		/* Readable members the bundle leaves out (not for onward use, or
		 * linked only through those): for the requester, not the bundle. */
		resp->xname[0] = "X-Simpul-Withheld";
		snprintf(resp->xval[0], sizeof(resp->xval[0]), "%lld",
		    (long long)json_integer_value(json_object_get(info, "withheld")));
		goto render;
	}
	if (which && (strcmp(which, "person") == 0 || strcmp(which, "notice") == 0) && strcmp(format, "misp") == 0) {
		api_problem(resp, 400, which, "MISP export carries reports and networks; persons and notices travel as STIX");
		node_audit_refusal(r->n, c, "report.export", NULL, 400, "misp export of persons or notices");
		return;
	}
	if (which == NULL || strlen(arg) >= sizeof(buf) || (str_copy(buf, sizeof(buf), arg),
	    split_ids(buf, ids, SIMPUL_MAX_EXPORT_REPORTS, &n) == -1)) {
		const char *w = which ? which : "report";
		char msg[160];
		snprintf(msg, sizeof(msg), "%s must name 1 to 100 %s ids, separated by commas%s", w, w,
		    which ? "" : " (or give network, person or notice)");
		api_problem(resp, 400, w, msg);
		node_audit_refusal(r->n, c, strcmp(w, "report") == 0 ? "report.export" : strcmp(w, "person") == 0 ?
		    "person.export" : "notice.export", NULL, 400, "malformed export parameter");
		return;
	}
	if (strcmp(which, "report") != 0) {
		if (node_export_records(r->n, c, which, ids, n, format, &persons, &notices, &agencies, &e) == -1) {
			api_problem(resp, e.status ? e.status : 500, e.field, e.msg);
			return;
		}
	} else if (node_export_reports(r->n, c, ids, n, format, &reports, &agencies, &e) == -1) {
		api_problem(resp, e.status ? e.status : 500, e.field, e.msg);
		return;
	}
render:
	if (strcmp(format, "misp") == 0) {
		bundle = misp_events(reports, agencies);
		resp->status = 200;
		resp->content_type = "application/json";
		resp->body = bundle ? json_dumps(bundle, JSON_COMPACT) : NULL;
		resp->len = resp->body ? strlen(resp->body) : 0;
		if (resp->body == NULL)
			api_problem(resp, 500, NULL, "could not render the events");
		goto out;
	}
	if ((b = stix_out_new()) == NULL ||
	    (info ? stix_add_network(b, arg, reports, agencies, c->p->agency.id, &e) :
	    reports ? stix_add_reports(b, reports, agencies, &e) :
	    stix_add_persons(b, persons, agencies, &e) == -1 ? -1 : stix_add_notices(b, notices, agencies, &e)) == -1 ||
	    (bundle = stix_bundle(b)) == NULL) {
		api_problem(resp, 500, NULL, e.msg[0] ? e.msg : "could not build the bundle");
		goto out;
	}
	resp->status = 200;
	resp->content_type = "application/stix+json;version=2.1";
	resp->body = json_dumps(bundle, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	if (resp->body == NULL)
		api_problem(resp, 500, NULL, "could not render the bundle");
out:
	stix_out_free(b);
	json_decref(bundle);
	json_decref(reports);
	json_decref(agencies);
	json_decref(persons);
	json_decref(notices);
	json_decref(info);
}
