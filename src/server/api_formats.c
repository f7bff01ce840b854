/* api_formats.c - the exchange formats over HTTP: GET /api/v1/export/stix.
 * Parse, call the core (policy gate and audit in node_export_reports),
 * convert (stix.c), render. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "simpul_limits.h"
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
	const char *arg = r->arg(r->conn, "report");
	const char *ids[SIMPUL_MAX_EXPORT_REPORTS];
	char buf[SIMPUL_MAX_EXPORT_REPORTS * (SIMPUL_ID_LEN + 1) + 1];
	json_t *reports = NULL, *agencies = NULL, *bundle = NULL;
	struct stix_out *b = NULL;
	struct err e = {0};
	size_t n;

	if (arg == NULL || strlen(arg) >= sizeof(buf) || (str_copy(buf, sizeof(buf), arg),
	    split_ids(buf, ids, SIMPUL_MAX_EXPORT_REPORTS, &n) == -1)) {
		api_problem(resp, 400, "report", "report must name 1 to 100 report ids, separated by commas");
		node_audit_refusal(r->n, c, "report.export", NULL, 400, "malformed report parameter");
		return;
	}
	if (node_export_reports(r->n, c, ids, n, format, &reports, &agencies, &e) == -1) {
		api_problem(resp, e.status ? e.status : 500, e.field, e.msg);
		return;
	}
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
	if ((b = stix_out_new()) == NULL || stix_add_reports(b, reports, agencies, &e) == -1 ||
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
}
