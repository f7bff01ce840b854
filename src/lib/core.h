/* core.h - the node: every capability the daemon and the CLI offer, as a
 * function a test can call (curl's lib/ vs src/). Handlers parse, call these,
 * render. Reads pass the policy gate; every access appends an audit entry
 * that is committed before the answer is returned.
 *
 * Thread-safe: any number of threads may call into one node. Each thread
 * gets its own read connection; writes and audit appends are serialised and
 * committed in groups (leader/follower group commit). */
#ifndef SIMPUL_CORE_H
#define SIMPUL_CORE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>

#include "model.h"
#include "util.h"

struct node;

/* Deferred audit, for a server that can park a request (libmicrohttpd's
 * suspend/resume) instead of blocking a thread on it. When reqctx.defer is
 * set, a read queues its audit entry and returns its answer at once, with
 * defer->used set; the audit committer later calls done(ctx, 0) once the
 * entry is committed, or done(ctx, -1) when it could not be — then the
 * answer must not be sent. Only the first entry of a request is deferred. */
struct node_defer {
	void (*done)(void *ctx, int rc);
	void  *ctx;
	bool   used;
};

/* Who is asking, and why (recorded in the audit trail). */
struct reqctx {
	const struct principal *p;
	const char             *purpose;   /* X-Simpul-Purpose; may be NULL */
	const char             *case_ref;  /* X-Simpul-Case; may be NULL */
	const char             *client;    /* client address; may be NULL */
	struct node_defer      *defer;     /* NULL: wait for the audit commit */
};

/* Counters for /metrics. */
struct node_counters {
	atomic_llong reports_created, checks, check_keys, check_hits, reads,
	    refusals, matches, audit_entries, audit_batches, auth_failures,
	    audit_commit_us;
};

#define NODE_CREATE    0x1   /* create the database if missing */
#define NODE_SYNC_FAST 0x4   /* synchronous=NORMAL (process-crash safe only) */
int  node_open(const char *db, int flags, struct node **out, struct err *e);
void node_close(struct node *n);
struct node_counters *node_counters(struct node *n);

/* Set up a new node: the administering agency and its first admin token.
 * token_out receives the token (shown once). */
int node_init(struct node *n, const char *admin_agency, const char *country,
    char *token_out, size_t toksz, struct err *e);

/* Authenticate a bearer token. 0 and *p filled, or -1 with e (401). */
int node_authenticate(struct node *n, const char *token, struct principal *p, struct err *e);

int node_agency_add(struct node *n, const struct reqctx *c, const struct agency *a, struct err *e);
int node_agency_get(struct node *n, const char *id, struct agency *a);
/* Create a principal with role in agency and a token for it. */
int node_token_create(struct node *n, const struct reqctx *c, const char *agency_id,
    const char *role, const char *name, char *token_out, size_t toksz,
    struct principal *pout, struct err *e);
int node_token_revoke(struct node *n, const struct reqctx *c, const char *token_id, struct err *e);

/* POST /api/v1/reports. *out = {"id","selectors":[...],"matches":[...]}. */
int node_report_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
/* GET /api/v1/reports/{id}: full (field-filtered), hit-only, or 404. */
int node_report_get(struct node *n, const struct reqctx *c, const char *id,
    json_t **out, struct err *e);
/* The originator resolves a contact reference to its own record. */
int node_contact_resolve(struct node *n, const struct reqctx *c, const char *ref,
    json_t **out, struct err *e);
/* POST /api/v1/check: {"selectors":[{"key"}|{"type","value",...}]}.
 * Writes the JSON answer into out (built directly: this is the hot path). */
int node_check(struct node *n, const struct reqctx *c, const json_t *body,
    struct sbuf *out, struct err *e);
/* The same from the request's bytes: the usual shape is read without a
 * general JSON parse (checkscan.h); anything else goes through jansson. */
int node_check_text(struct node *n, const struct reqctx *c, const char *body, size_t len,
    struct sbuf *out, struct err *e);
/* GET /api/v1/alerts?after=SEQ&limit=N */
int node_alerts(struct node *n, const struct reqctx *c, int64_t after, int limit,
    json_t **out, struct err *e);

/* Import reports-jsonl for agency (as that agency's system principal).
 * Commits in batches; a bad line stops the import with the line named and
 * leaves earlier batches committed (resumable with --skip). */
struct import_stats { uint64_t lines, reports, selectors, matches, bytes; };
typedef void (*import_progress_cb)(void *ctx, const struct import_stats *s);
int node_import_reports(struct node *n, const char *agency_id, FILE *in, uint64_t skip,
    import_progress_cb cb, void *cbctx, struct import_stats *st, struct err *e);

/* Prometheus text exposition. */
int node_metrics(struct node *n, struct sbuf *out);
/* Verify the audit chain (auditor/admin). */
int node_audit_verify(struct node *n, const struct reqctx *c, json_t **out, struct err *e);

/* A refused request, audited (401/403/404/413...). */
void node_audit_refusal(struct node *n, const struct reqctx *c, const char *action,
    const char *object, int status, const char *why);

/* Check the nesting depth of a parsed body against SIMPUL_MAX_JSON_DEPTH. */
bool json_depth_ok(const json_t *j, int max);

/* ---- for feature modules (ppp.c): the node's write path, audit, keys ----
 * A feature keeps its SQL in its own store file and its logic in its own
 * module; these give it the node's one writer, its audit chain and its
 * reader connections, so it never needs a second copy of either. */
struct store;
/* This thread's read connection. */
struct store *node_store_reader(struct node *n, struct err *e);
/* Take the writer (lock held, transaction open, audit head reloaded);
 * NULL with e on failure (nothing held then). End with node_write_end. */
struct store *node_write_begin(struct node *n, struct err *e);
/* Commit when rc == 0 (else roll back); releases the writer. */
int  node_write_end(struct node *n, int rc, struct err *e);
/* Append an audit entry inside the open write transaction (writer held). */
int  node_write_audit(struct node *n, const struct reqctx *c, const char *action,
    const char *object, const char *outcome, json_t *detail, struct err *e);
/* A read's audit entry, committed before returning (or deferred as
 * c->defer allows). -1 when it could not be written. */
int  node_read_audit(struct node *n, const struct reqctx *c, const char *action,
    const char *object, const char *outcome, json_t *detail);
/* An alert into agency_id's inbox, inside the open write transaction. */
int  node_alert_add(struct node *n, const char *agency_id, const char *kind,
    json_t *payload, struct err *e);
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

#endif
