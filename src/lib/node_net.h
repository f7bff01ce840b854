/* node_net.h - the node's networks, generic-value rules, watchlists and
 * live delivery (SSE streams, webhooks): issue 4. Every read passes the
 * policy gate (through networks.c) and appends an audit entry; every
 * change is a write with its audit entry in the same transaction.
 * docs/internals/networks.md describes the module. */
#ifndef SIMPUL_NODE_NET_H
#define SIMPUL_NODE_NET_H

#include <sys/types.h>

#include "core.h"

/* GET /api/v1/networks[?key=KEY&limit=N] or [?after=CURSOR&limit=N] */
int node_networks(struct node *n, const struct reqctx *c, const char *key, int64_t after, int limit,
    json_t **out, struct err *e);
/* GET /api/v1/networks/{id} */
int node_network_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e);
/* GET /api/v1/graph?key=KEY&depth=D&limit=N */
int node_graph(struct node *n, const struct reqctx *c, const char *key, int depth, int max_nodes,
    json_t **out, struct err *e);
/* DELETE /api/v1/reports/{id}: the originating agency retracts its report. */
int node_report_retract(struct node *n, const struct reqctx *c, const char *id, json_t **out,
    struct err *e);

/* GET /api/v1/generic[?key=KEY]: the rules, lists and overrides. */
int node_generic_get(struct node *n, const struct reqctx *c, const char *key, json_t **out, struct err *e);
/* PUT /api/v1/generic {"max_reports","min_agencies"} (supervisor, admin). */
int node_generic_rules_set(struct node *n, const struct reqctx *c, const json_t *body, json_t **out,
    struct err *e);
/* POST /api/v1/generic/overrides {"key","mode":"link"|"generic"|"none","reason"} */
int node_generic_override(struct node *n, const struct reqctx *c, const json_t *body, json_t **out,
    struct err *e);
/* POST /api/v1/warninglists (a MISP warning list) */
int node_warninglist_add(struct node *n, const struct reqctx *c, const char *body, size_t len,
    json_t **out, struct err *e);

/* Watchlists: POST /api/v1/watches {"kind":"selector"|"network","target"},
 * GET /api/v1/watches, DELETE /api/v1/watches/{id}. */
int node_watch_add(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e);
int node_watch_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e);
int node_watch_del(struct node *n, const struct reqctx *c, const char *id, struct err *e);

/* Webhooks: POST /api/v1/webhooks {"url"} (the secret is shown once),
 * GET /api/v1/webhooks, DELETE /api/v1/webhooks/{id},
 * GET /api/v1/webhooks/dead (the dead-letter list). */
int node_webhook_add(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e);
int node_webhook_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e);
int node_webhook_del(struct node *n, const struct reqctx *c, const char *id, struct err *e);
int node_webhook_dead(struct node *n, const struct reqctx *c, json_t **out, struct err *e);
/* POST /api/v1/webhooks/dead/retry {"delivery"}: try a dead letter once
 * more (on the delivery thread, with its original delivery id). */
int node_webhook_redrive(struct node *n, const struct reqctx *c, const json_t *body, json_t **out,
    struct err *e);

/* Server-Sent Events (GET /api/v1/events). open: from alert seq `after`
 * (Last-Event-ID), or from now when after < 0. notify(ctx) is called (on
 * another thread) whenever there may be something to read; read fills buf
 * with whole events: > 0 bytes, 0 nothing now, -1 the stream is over. */
struct node_sub;
int     node_events_open(struct node *n, const struct reqctx *c, int64_t after,
    void (*notify)(void *ctx), void *ctx, struct node_sub **out, struct err *e);
ssize_t node_events_read(struct node_sub *s, char *buf, size_t max);
void    node_events_close(struct node_sub *s);
/* End every stream (before the server stops): their reads return -1. */
void    node_events_shutdown(struct node *n);

/* Start upkeep of the index, watchlists and webhook delivery at once (the
 * daemon); otherwise the index is built on first use. */
void node_networks_start(struct node *n);
/* Catch the index up with the store now (tests, benchmarks). */
int  node_networks_sync(struct node *n, struct err *e);
/* Write a snapshot of the index now (the upkeep thread writes one after
 * SIMPUL_NET_SNAPSHOT_EVERY changes, at most every SIMPUL_NET_SNAPSHOT_SECS). */
int  node_networks_snapshot(struct node *n, struct err *e);
struct node_net_status {
	int64_t start_us;            /* mono time the first fold started */
	int64_t first_fold_us;       /* how long the index took to be current at start */
	bool    snapshot_loaded;     /* it started from a snapshot */
	int64_t snapshot_rid;        /* ... holding reports up to this row */
	int64_t snapshot_load_us;
	int64_t snapshots_written, snapshot_bytes, snapshot_write_us;
	int64_t rules_reloads;       /* rule changes by another process applied */
};
void node_networks_status(struct node *n, struct node_net_status *out);
/* Prometheus lines for /metrics: the index, its snapshot, streams, webhooks. */
int  node_net_metrics(struct node *n, struct sbuf *b);

/* For the exporters (formats): the ids of the reports of network id that p
 * reads in full (FULL members of p's view, at most 1,000), no audit entry
 * (the export writes its own). 0, 1 when p sees no such network, -1. */
int  node_network_members(struct node *n, const struct principal *p, const char *id, json_t **ids_out,
    struct err *e);
/* Does key link reports into networks now (no override, list or degree
 * rule stops it)? After node_network_members has brought the index up. */
bool node_key_links(struct node *n, const char *key);

#endif
