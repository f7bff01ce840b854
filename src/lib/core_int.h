/* core_int.h - what modules beside core.c (node_net.c) may use of the node:
 * its connections, its write transaction, its audit paths and its alert
 * writer. Not for handlers or the CLI (they use core.h). */
#ifndef SIMPUL_CORE_INT_H
#define SIMPUL_CORE_INT_H

#include "core.h"
#include "store.h"

/* This thread's read connection. */
struct store *node_reader(struct node *n, struct err *e);
/* The write transaction: the lock, BEGIN IMMEDIATE, the audit head. The
 * writer connection is valid between the two calls only. */
int           node_write_begin(struct node *n, struct err *e);
int           node_write_end(struct node *n, int rc, struct err *e);
struct store *node_writer(struct node *n);
/* A write's audit entry, inside node_write_begin/end. */
int  node_audit_write(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail, struct err *e);
/* A read's audit entry, committed before the answer (or deferred: see
 * struct node_defer). -1: not committed, nothing may be returned. */
int  node_audit_read(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail);
/* An alert into an agency's inbox (principal_id NULL or "": the agency). */
int  node_alert_put(struct store *st, const char *agency_id, const char *principal_id, const char *kind,
    json_t *payload, struct err *e);

/* The networks, watchlists and delivery half of the node (node_net.c):
 * started and stopped with the node, told after every committed write. */
struct node_net;
struct node_net **node_net_slot(struct node *n);
int  node_net_open(struct node *n, struct err *e);
void node_net_close(struct node *n);   /* stops its threads */
void node_net_free(struct node *n);    /* after every other thread of the node */
void node_net_kick(struct node *n);

#endif
