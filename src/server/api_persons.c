/* api_persons.c - HTTP handlers for persons, travel documents and notices
 * (issue 3): parse, call persons.c, render. Errors are
 * application/problem+json naming the field. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persons.h"
#include "server.h"
#include "simpul_limits.h"

static void
problem(struct api_resp *resp, const struct err *e)
{
	api_problem(resp, e->status ? e->status : 500, e->field, e->msg[0] ? e->msg : "internal error");
}

static void
reply(struct api_resp *resp, int status, json_t *j)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	resp->len = resp->body ? strlen(resp->body) : 0;
	if (resp->body == NULL)
		api_problem(resp, 500, NULL, "could not render the answer");
}

/* A JSON object body, no duplicate keys, bounded depth; refusals audited. */
static json_t *
body(const struct api_req *r, const struct reqctx *c, const char *action, struct api_resp *resp)
{
	json_error_t je;
	json_t *j;
	char msg[200];

	if (r->body_len == 0) {
		api_problem(resp, 400, "body", "a JSON body is required");
		goto refused;
	}
	if ((j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(msg, sizeof(msg), "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
		api_problem(resp, 400, "body", msg);
		goto refused;
	}
	if (!json_is_object(j) || !json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		json_decref(j);
		api_problem(resp, 400, "body", "the body must be a JSON object nested at most 16 levels");
		goto refused;
	}
	return j;
refused:
	node_audit_refusal(r->n, c, action, NULL, resp->status, "malformed body");
	return NULL;
}

typedef int (*body_fn)(struct node *, const struct reqctx *, const json_t *, json_t **, struct err *);

static void
with_body(const struct api_req *r, const struct reqctx *c, const char *action, body_fn fn, int ok,
    struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;

	if ((in = body(r, c, action, resp)) == NULL)
		return;
	if (fn(r->n, c, in, &out, &e) == -1)
		problem(resp, &e);
	else
		reply(resp, ok, out);
	json_decref(in);
	json_decref(out);
}

void
h_person_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	with_body(r, c, "person.create", node_person_create, 201, resp);
}

void
h_person_search(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	with_body(r, c, "person.search", node_person_search, 200, resp);
}

void
h_person_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_person_get(r->n, c, tail, &out, &e) == -1)
		problem(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(out);
}

/* PUT /api/v1/persons/{id} */
void
h_person_put(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;

	if ((in = body(r, c, "person.update", resp)) == NULL)
		return;
	if (node_person_update(r->n, c, tail, in, &out, &e) == -1)
		problem(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(in);
	json_decref(out);
}

void
h_document_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	with_body(r, c, "document.create", node_document_create, 201, resp);
}

void
h_document_check(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	with_body(r, c, "document.check", node_documents_check, 200, resp);
}

void
h_notice_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	with_body(r, c, "notice.create", node_notice_create, 201, resp);
}

void
h_notices_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (node_notices_list(r->n, c, &out, &e) == -1)
		problem(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(out);
}

void
h_notice_ack(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;
	const char *id;

	if ((in = body(r, c, "notice.ack", resp)) == NULL)
		return;
	if ((id = json_string_value(json_object_get(in, "id"))) == NULL) {
		api_problem(resp, 400, "id", "id (the notice's id) is required");
		node_audit_refusal(r->n, c, "notice.ack", NULL, 400, "no id");
	} else if (node_notice_ack(r->n, c, id, &out, &e) == -1)
		problem(resp, &e);
	else
		reply(resp, 200, out);
	json_decref(in);
	json_decref(out);
}
