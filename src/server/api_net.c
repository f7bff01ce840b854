/* api_net.c - the HTTP handlers of issue 4: networks, the graph, report
 * retraction, generic-value rules, warning lists, watchlists, webhooks and
 * the event stream. Parse, call node_net.c, render (routes in api.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_net.h"
#include "server.h"
#include "simpul_limits.h"

static int
q_int(const struct api_req *r, const char *name, int64_t def, int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = r->arg(r->conn, name);

	*out = def;
	if (v == NULL || *v == '\0')
		return 0;
	return parse_i64(v, strlen(v), out) == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

static void
reply(struct api_resp *resp, int rc, const struct err *e, int status, json_t *out)
{
	if (rc == -1)
		api_problem_err(resp, e);
	else
		api_reply_json(resp, status, out);
	json_decref(out);
}

static void
bad_query(const struct api_req *r, const struct reqctx *c, struct api_resp *resp, const char *action,
    const char *field, const char *msg)
{
	node_audit_refusal(r->n, c, action, NULL, 400, msg);
	api_problem(resp, 400, field, msg);
}

API_NET_HANDLER(h_networks)
{
	struct err e = {0};
	json_t *out = NULL;
	int64_t limit, after;
	int rc;

	if (q_int(r, "limit", 50, 1, SIMPUL_MAX_NETWORKS_PAGE, &limit) == -1) {
		bad_query(r, c, resp, "network.list", "limit", "limit must be between 1 and 500");
		return;
	}
	if (q_int(r, "after", 0, 0, INT64_MAX, &after) == -1) {
		bad_query(r, c, resp, "network.list", "after", "after must be the cursor `next` of a previous page");
		return;
	}
	rc = node_networks(r->n, c, r->arg(r->conn, "key"), after, (int)limit, &out, &e);
	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_network_get)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_network_get(r->n, c, tail, &out, &e);

	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_graph)
{
	struct err e = {0};
	json_t *out = NULL;
	const char *key = r->arg(r->conn, "key");
	int64_t depth, limit;
	int rc;

	if (key == NULL || *key == '\0') {
		bad_query(r, c, resp, "graph.read", "key", "key is required: a canonical selector key such as phone:+60123456789");
		return;
	}
	if (q_int(r, "depth", 2, 1, SIMPUL_MAX_GRAPH_DEPTH, &depth) == -1) {
		bad_query(r, c, resp, "graph.read", "depth", "depth must be between 1 and 4");
		return;
	}
	if (q_int(r, "limit", 200, 1, SIMPUL_MAX_GRAPH_NODES, &limit) == -1) {
		bad_query(r, c, resp, "graph.read", "limit", "limit (nodes) must be between 1 and 500");
		return;
	}
	rc = node_graph(r->n, c, key, (int)depth, (int)limit, &out, &e);
	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_report_delete)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_report_retract(r->n, c, tail, &out, &e);

	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_generic_get)
{
	struct err e = {0};
	json_t *out = NULL;
	const char *key = r->arg(r->conn, "key");
	int rc = node_generic_get(r->n, c, key && *key ? key : NULL, &out, &e);

	reply(resp, rc, &e, 200, out);
}

/* A handler taking a JSON object body. */
#define BODY_HANDLER(name, action, fn, okstatus) \
API_NET_HANDLER(name) \
{ \
	struct err e = {0}; \
	json_t *in, *out = NULL; \
	int rc; \
	if ((in = api_body_json(r, resp)) == NULL) { \
		node_audit_refusal(r->n, c, action, NULL, resp->status, "malformed body"); \
		return; \
	} \
	rc = fn(r->n, c, in, &out, &e); \
	json_decref(in); \
	reply(resp, rc, &e, okstatus, out); \
}

BODY_HANDLER(h_generic_put, "generic.rules", node_generic_rules_set, 200)
BODY_HANDLER(h_generic_override, "generic.override", node_generic_override, 200)
BODY_HANDLER(h_watch_post, "watch.add", node_watch_add, 201)
BODY_HANDLER(h_webhook_post, "webhook.add", node_webhook_add, 201)
BODY_HANDLER(h_webhook_redrive, "webhook.redrive", node_webhook_redrive, 202)

API_NET_HANDLER(h_warninglist_post)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_warninglist_add(r->n, c, r->body, r->body_len, &out, &e);

	reply(resp, rc, &e, 201, out);
}

API_NET_HANDLER(h_watch_list)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_watch_list(r->n, c, &out, &e);

	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_watch_delete)
{
	struct err e = {0};
	int rc = node_watch_del(r->n, c, tail, &e);

	reply(resp, rc, &e, 200, rc == 0 ? json_pack("{s:s, s:b}", "id", tail, "deleted", 1) : NULL);
}

API_NET_HANDLER(h_webhook_list)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_webhook_list(r->n, c, &out, &e);

	reply(resp, rc, &e, 200, out);
}

API_NET_HANDLER(h_webhook_delete)
{
	struct err e = {0};
	int rc = node_webhook_del(r->n, c, tail, &e);

	reply(resp, rc, &e, 200, rc == 0 ? json_pack("{s:s, s:b}", "id", tail, "deleted", 1) : NULL);
}

API_NET_HANDLER(h_webhook_dead)
{
	struct err e = {0};
	json_t *out = NULL;
	int rc = node_webhook_dead(r->n, c, &out, &e);

	reply(resp, rc, &e, 200, out);
}

void
api_stream_free(struct api_stream *s)
{
	if (s == NULL)
		return;
	node_events_close(s->sub);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

API_NET_HANDLER(h_events)
{
	struct err e = {0};
	struct api_stream *s;
	const char *lei = r->last_event_id;
	int64_t after = -1;

	/* Last-Event-ID (the browser's reconnect) or ?after=SEQ; else from now. */
	if (lei && *lei) {
		if (parse_i64(lei, strlen(lei), &after) == -1 || after < 0) {
			bad_query(r, c, resp, "events.open", "Last-Event-ID", "Last-Event-ID must be the id of an event received");
			return;
		}
	} else if (q_int(r, "after", -1, 0, INT64_MAX, &after) == -1) {
		bad_query(r, c, resp, "events.open", "after", "after must be a non-negative event id");
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		api_problem(resp, 500, NULL, "out of memory");
		return;
	}
	pthread_mutex_init(&s->mu, NULL);
	if (node_events_open(r->n, c, after, api_stream_notify, s, &s->sub, &e) == -1) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		api_problem_err(resp, &e);
		return;
	}
	resp->status = 200;
	resp->content_type = "text/event-stream";
	resp->stream = s;
}
