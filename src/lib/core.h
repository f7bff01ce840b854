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
	    audit_commit_us, ckpt_tails, ckpt_tail_us, ckpt_tail_max_us;
};

#define NODE_CREATE    0x1   /* create the database if missing */
#define NODE_SYNC_FAST 0x4   /* synchronous=NORMAL (process-crash safe only) */
/* No in-memory selector filter: a one-shot writer (import, admin commands)
 * does not read every key of the database at start (seconds on a large
 * one); a write looks each of its keys up in the store instead. Such a
 * node refuses checks. */
#define NODE_NO_FILTER 0x8
/* The writer connection is a bulk writer (STORE_BULK in store.h): for the
 * import, whose rows reference only rows it wrote or read itself. */
#define NODE_BULK      0x10
/* Read audits go to the audit spool (spool.h) and answers leave once their
 * entry is there, not once it is in the database: the daemon. Without it
 * (or when another process holds the spool) they commit directly. */
#define NODE_SPOOL     0x20
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
/* POST /api/v1/public/reports: a member of the public reports a scam
 * (selectors, narrative, ...; victim_country picks the country's public
 * intake agency, whose report it becomes, AMBER to that country's law
 * enforcement). The answer is a receipt; nothing of other records. */
int node_public_report(struct node *n, const struct reqctx *c, const json_t *body, json_t **out,
    struct err *e);
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
 * Commits in transactions of whole 1,000-report batches (one audit entry
 * each), about one a second; a bad line stops the import with the line
 * named and leaves earlier transactions committed (resumable: skip the
 * committed_lines). node_set_import_commit_ms sets the transaction length
 * (0: commit every batch). */
struct import_stats {
	uint64_t lines, reports, selectors, matches, bytes;
	uint64_t items, duplicates;   /* import_source items; those imported before */
	/* Committed so far (lines from the file's start, the skipped ones
	 * included): after a failure, resume with skip = committed_lines. */
	uint64_t committed_reports, committed_lines;
};
typedef void (*import_progress_cb)(void *ctx, const struct import_stats *s);
void node_set_import_commit_ms(struct node *n, int ms);
int node_import_reports(struct node *n, const char *agency_id, FILE *in, uint64_t skip,
    import_progress_cb cb, void *cbctx, struct import_stats *st, struct err *e);

/* An import source other than reports-jsonl (csvimport.c; later STIX and
 * MISP): next() hands over one report as JSON in the shape of POST
 * /api/v1/reports (ownership passes), with the line it starts on and the
 * bytes consumed so far; returns 1 for an item, 0 at the end, -1 on
 * malformed input with e naming the line and field. next() runs on the
 * import's reader thread. An item with has_digest set is written only if
 * the agency has not imported that digest before (store_import_claim, in
 * the report's transaction): importing the same rows again changes nothing
 * and counts them in st->duplicates. */
struct import_item {
	json_t        *report;
	uint64_t       line, bytes;
	bool           has_digest;
	unsigned char  digest[32];
};
struct import_source {
	int  (*next)(void *ctx, struct import_item *it, struct err *e);
	void *ctx;
};
int node_import_source(struct node *n, const char *agency_id, const struct import_source *src,
    uint64_t skip, import_progress_cb cb, void *cbctx, struct import_stats *st, struct err *e);
/* Has agency imported a row with this digest? 1 (report_id filled when not
 * NULL), 0 no, -1 error. For dry runs. */
int node_import_seen(struct node *n, const char *agency_id, const unsigned char digest[32],
    char *report_id /* SIMPUL_ID_LEN + 1, may be NULL */, struct err *e);
/* How many of n digests agency has imported (one read snapshot), or -1. */
int node_import_seen_many(struct node *n, const char *agency_id, const unsigned char (*digests)[32],
    size_t count, struct err *e);

/* Export reports (STIX, MISP): each must be FULL to the principal for
 * onward sharing (policy_decide USE_ONWARD: orcon records go to their
 * originator only); else 404 naming it, audited as a refusal, nothing
 * returned. *reports_out: the reports rendered as for GET (field filter
 * applied); *agencies_out: {agency id: {id,country,kind,name}}. One
 * "report.export" audit entry naming the format and the reports. */
int node_export_reports(struct node *n, const struct reqctx *c, const char *const *ids, size_t nids,
    const char *format, json_t **reports_out, json_t **agencies_out, struct err *e);

/* A feed (TAXII objects): after local row after_rid, the reports released
 * to `audience` (an entry of releasable_to; NULL: the principal's own
 * agency's reports) created after added_after_ms that the principal may
 * share onward (FULL, USE_ONWARD), at most limit, rendered as for export.
 * *rids_out: their local rows (the cursor); *agencies_out as for export,
 * plus "" -> the last row scanned (where the next page starts). *more when
 * there may be more. One "taxii.objects" audit entry. */
int node_export_feed(struct node *n, const struct reqctx *c, const char *audience, int64_t after_rid,
    int64_t added_after_ms, int limit, json_t **reports_out, json_t **agencies_out, json_t **rids_out,
    bool *more, struct err *e);
/* Audit an access that reads no record (TAXII discovery, collections). */
int node_audit_access(struct node *n, const struct reqctx *c, const char *action, const char *object,
    struct err *e);

/* Prometheus text exposition. */
int node_metrics(struct node *n, struct sbuf *out);
/* Verify the audit chain (auditor/admin). */
int node_audit_verify(struct node *n, const struct reqctx *c, json_t **out, struct err *e);

/* A refused request, audited (401/403/404/413...). */
void node_audit_refusal(struct node *n, const struct reqctx *c, const char *action,
    const char *object, int status, const char *why);

/* Check the nesting depth of a parsed body against SIMPUL_MAX_JSON_DEPTH. */
bool json_depth_ok(const json_t *j, int max);

#endif
