/* core_int.h - what core.c lends the modules beside it (persons.c, ppp.c,
 * node_net.c, session.c, ...): its connections, its write path, its audit
 * path and token minting, so that a feature keeps the core's invariants
 * (one writer, every access audited, committed before the answer) without a
 * second copy of them. Not for handlers or the CLI (they use core.h). */
#ifndef SIMPUL_CORE_INT_H
#define SIMPUL_CORE_INT_H

#include "core.h"
#include "policy.h"
#include "store.h"

/* This thread's read connection. */
struct store *node_reader(struct node *n, struct err *e);
/* Take the write lock and open a write transaction (the audit head is
 * re-read); node_write_end commits (rc 0) or rolls back, and unlocks. */
int  node_write_begin(struct node *n, struct err *e);
int  node_write_end(struct node *n, int rc, struct err *e);
/* The writer connection: only between node_write_begin and node_write_end. */
struct store *node_writer(struct node *n);
/* Append an audit entry inside the open write transaction. */
int  node_audit_write(struct node *n, const struct reqctx *c, const char *action,
    const char *object, const char *outcome, json_t *detail, struct err *e);
/* A read's audit entry (and alerts), committed before this returns (or
 * deferred, see struct node_defer). -1: nothing may be answered. */
int  node_audit_read(struct node *n, const struct reqctx *c, const char *action,
    const char *object, const char *outcome, json_t *detail, struct alert_row *alerts,
    size_t nalerts);
/* Before reading the audit trail or an inbox in this process: wait until
 * every read audit spooled so far is in the database (spool.h; at once
 * without a spool). -1 if it cannot be ingested now. */
int  node_audit_flush(struct node *n, struct err *e);
/* Put an alert for an agency inside the open write transaction. */
int  node_alert_put(struct node *n, const char *agency_id, const char *kind, json_t *payload,
    struct err *e);
/* A stand-in principal for an agency as a whole. */
void node_agency_principal(const struct agency *a, struct principal *p);

/* Parse a check body ({"selectors":[...]}, the check API's shape and
 * limits) and normalise each item: cb(ctx, i, key, valid) in order. 0, or
 * -1 with e naming the field; items before a bad one were already called
 * back, so callers collect first and act after. */
int  node_check_keys(const char *body, size_t len, const char *default_country,
    int (*cb)(void *ctx, size_t i, const char *key, bool valid), void *ctx, struct err *e);

/* A feature module's state that lives as long as the node: the slot's
 * object, made by create() on first use (once, under a lock) and freed by
 * destroy() at node_close. NULL when create() fails. */
#define NODE_EXT_PPP 0
#define NODE_EXT__N  4
void *node_ext(struct node *n, int slot, void *(*create)(void), void (*destroy)(void *));

/* One slot for the persons module's state, freed by node_close. */
void **node_persons_slot(struct node *n, void (**freefn)(void *));
void   node_persons_set_free(struct node *n, void (*fn)(void *));
/* An alert into an agency's inbox, or one principal's (principal_id NULL
 * or "": the agency), on st inside its open write transaction. */
int  node_alert_to(struct store *st, const char *agency_id, const char *principal_id, const char *kind,
    json_t *payload, struct err *e);

/* The networks, watchlists and delivery half of the node (node_net.c):
 * started and stopped with the node, told after every committed write. */
struct node_net;
struct node_net **node_net_slot(struct node *n);
int  node_net_open(struct node *n, struct err *e);
void node_net_close(struct node *n);   /* stops its threads */
void node_net_free(struct node *n);    /* after every other thread of the node */
void node_net_kick(struct node *n);
/* May p see this inbox alert now? The gate asked again at delivery (inbox,
 * event stream, webhook) for alerts naming a record whose audience differs
 * by principal (a notice: an agency's auditor may not read it). */
bool node_alert_visible(struct store *st, const struct principal *p, const struct alert_row *a);
/* Mint a token for a principal inside the write transaction. */
int node_token_mint(struct store *w, const char *principal_id, const char *label, int64_t expires_ms,
    char *token_out, size_t toksz, struct err *e);
/* Drop a token from the authentication cache (after a revocation). */
void node_token_forget(struct node *n, const char *token_id);
void node_count_auth_failure(struct node *n);

/* A report rendered for p under decision d, as GET /api/v1/reports/{id}
 * shows it (the field filter applied): for exporters beside the core that
 * took the decision themselves (formats_node.c). */
json_t *node_report_render(const struct principal *p, const struct report *r, enum decision d);

#endif
