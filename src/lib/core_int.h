/* core_int.h - what feature modules built beside core.c (session.c, ...)
 * may use of the node's internals: the per-thread reader, the one write
 * transaction, the audit path and token minting. Not for handlers or the
 * CLI: they call the node_* functions of core.h and session.h. */
#ifndef SIMPUL_CORE_INT_H
#define SIMPUL_CORE_INT_H

#include "core.h"
#include "store.h"

/* This thread's read connection. */
struct store *node_reader(struct node *n, struct err *e);
/* The writer, under the write lock, in a transaction; end with
 * node_write_end(n, rc, e), which commits when rc is 0 and rolls back
 * otherwise. */
int node_write_begin(struct node *n, struct store **w, struct err *e);
int node_write_end(struct node *n, int rc, struct err *e);
/* Append an audit entry inside the write transaction. */
int node_audit_write(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail, struct err *e);
/* Append a read's audit entry and wait for (or defer to) its commit. */
int node_audit_read(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail);
/* Mint a token for a principal inside the write transaction. */
int node_token_mint(struct store *w, const char *principal_id, const char *label, int64_t expires_ms,
    char *token_out, size_t toksz, struct err *e);
/* Drop a token from the authentication cache (after a revocation). */
void node_token_forget(struct node *n, const char *token_id);
void node_count_auth_failure(struct node *n);

#endif
