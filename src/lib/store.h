/* store.h - the one storage interface (OpenSMTPD's table_backend). Callers
 * never see SQL: store_sqlite.c implements it on SQLite (WAL, migrations with
 * a version table); store_pg.c will implement it on PostgreSQL.
 *
 * A `struct store` is one connection. It is not thread-safe: each thread
 * opens its own. Any number of connections may read at once; writes go
 * through store_begin()/store_commit() (one writer at a time; a second writer
 * waits on the backend's busy timeout).
 *
 * Return convention unless said otherwise: 0 success, 1 not found,
 * -1 error (with e filled when e is not NULL; status 409 for a duplicate). */
#ifndef SIMPUL_STORE_H
#define SIMPUL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

struct store;

struct token_row {
	char          id[SIMPUL_ID_LEN + 1];        /* public half of the token */
	char          principal_id[SIMPUL_ID_LEN + 1];
	unsigned char hash[32];                     /* BLAKE2b-256 of the secret half */
	int64_t       created_ms, expires_ms;       /* expires 0 = never */
	int64_t       revoked_ms;                   /* 0 = active */
	char          label[SIMPUL_MAX_NAME + 1];
};

/* One occurrence of a selector key in a record, with what the policy gate
 * needs to judge it. Pointers are valid during the callback only. */
struct posting {
	const char            *key;
	const char            *report_id;
	const char            *agency_id;
	const char            *role;
	const char            *reference;
	const char            *contact_ref;
	int64_t                created_ms;
	bool                   derived;      /* a derived key (URL's domain) */
	bool                   valid;
	const struct markings *m;
};
typedef int (*store_posting_cb)(void *ctx, const struct posting *p); /* non-zero stops */

struct match_row {
	char    id[SIMPUL_ID_LEN + 1];
	char    key[SIMPUL_MAX_KEY_LEN + 1];
	char    report_id[SIMPUL_ID_LEN + 1];     /* the newer report */
	char    agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char    other_report_id[SIMPUL_ID_LEN + 1];
	char    other_agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	int64_t created_ms;
};
typedef int (*store_match_cb)(void *ctx, const struct match_row *m);

/* An entry in an agency's (or one principal's) inbox. */
struct alert_row {
	int64_t     seq;                          /* assigned by the store: the cursor order */
	char        id[SIMPUL_ID_LEN + 1];
	char        agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char        principal_id[SIMPUL_ID_LEN + 1]; /* empty = whole agency */
	char        kind[32];                     /* "match", "silent_search", ... */
	int64_t     created_ms;
	const char *payload;                      /* JSON text */
};
typedef int (*store_alert_cb)(void *ctx, const struct alert_row *a);

/* One link of the audit hash chain, as stored. */
struct audit_row {
	int64_t     seq;                 /* 1, 2, 3 ... without gaps */
	int64_t     ts_ms;
	const char *entry;               /* canonical JSON text of the entry */
	char        prev[65];            /* hex BLAKE2b-256 of the previous link */
	char        hash[65];
};
typedef int (*store_audit_cb)(void *ctx, const struct audit_row *a);

struct store_stats {
	int64_t agencies, principals, reports, postings, distinct_keys, matches,
	        alerts, audit_entries;
};

/* Open "PATH", "sqlite:PATH" (and later "postgresql://..."). Creates the
 * database and runs migrations when needed (flag create). */
#define STORE_CREATE   0x1
#define STORE_READONLY 0x2
#define STORE_SYNC_NORMAL 0x4 /* synchronous=NORMAL: survives a process crash, not power loss (bench, tests) */
#define STORE_NO_AUTOCHECKPOINT 0x8 /* commits never checkpoint; someone calls store_checkpoint */
#define STORE_BULK 0x10 /* a bulk writer trusting its own references: no foreign-key checks, reads through mmap */
int  store_open(const char *uri, int flags, struct store **out, struct err *e);
void store_close(struct store *st);
const char *store_backend_name(const struct store *st);
int  store_schema_version(struct store *st);

/* Durability of the following commits: full (fsync at each commit) or not
 * (committed to the WAL: survives a crash of the process; reaches the disk
 * at the next full commit or checkpoint). Outside a transaction only. */
int store_set_durable(struct store *st, bool full);
/* Copy the WAL into the database and sync it (brings earlier non-durable
 * commits to the disk). */
int store_checkpoint(struct store *st);

/* Write transactions. Nesting is not supported. */
int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
int store_rollback(struct store *st);
/* A read snapshot around a batch of reads (a check request: one per
 * request, not per key). A lone read is its own transaction and pays the
 * file locking for it (several syscalls, ~10 us); inside a snapshot a
 * lookup is a few us. No writes in between; end it promptly (a snapshot
 * held open stops the WAL from being recycled). */
int store_read_begin(struct store *st, struct err *e);
int store_read_end(struct store *st);

/* Node settings (node id, secrets) as text. */
int store_meta_get(struct store *st, const char *name, char *out, size_t outsz);
int store_meta_put(struct store *st, const char *name, const char *value, struct err *e);

int store_agency_put(struct store *st, const struct agency *a, struct err *e);
int store_agency_get(struct store *st, const char *id, struct agency *out);
int store_agency_list(struct store *st, int (*cb)(void *, const struct agency *), void *ctx);

int store_principal_put(struct store *st, const struct principal *p, struct err *e);
int store_principal_get(struct store *st, const char *id, struct principal *out);

int store_token_put(struct store *st, const struct token_row *t, struct err *e);
/* The token row and its principal (with the principal's agency). */
int store_token_get(struct store *st, const char *token_id, struct token_row *t, struct principal *p);
int store_token_revoke(struct store *st, const char *token_id, int64_t when_ms);

/* Insert a report and one posting per selector key and per derived key.
 * Outside a transaction it is atomic on its own; inside one, a failure
 * leaves rows written and the caller must roll the transaction back. */
int store_report_put(struct store *st, const struct report *r, struct err *e);
/* Fill r (body parsed, selectors loaded). Caller frees with report_free. */
int store_report_get(struct store *st, const char *id, struct report *r);
int store_report_by_contact(struct store *st, const char *contact_ref, struct report *r);

/* Every posting of key, oldest first. */
int store_postings(struct store *st, const char *key, store_posting_cb cb, void *ctx);
/* Every distinct key (to build the in-memory filter). */
int store_keys_iter(struct store *st, int (*cb)(void *, const char *key, size_t len), void *ctx);
/* The keys of every report stored after local row `after` (0 = all), in
 * arrival order, with the report's agency, its row number, and for a
 * silent report its markings (NULL for the others). Feeds the in-memory
 * keyset filter, also with other processes' writes. */
typedef int (*store_keys_since_cb)(void *ctx, const char *key, size_t len, const char *agency_id,
    const struct markings *silent, int64_t rid, const char *report_id);
int store_keys_since(struct store *st, int64_t after, store_keys_since_cb cb, void *ctx);

int store_match_put(struct store *st, const struct match_row *m, struct err *e);
/* Matches where report_id or other_report_id is id. */
int store_matches_for_report(struct store *st, const char *id, store_match_cb cb, void *ctx);

int store_alert_put(struct store *st, const struct alert_row *a, struct err *e);
/* Alerts for agency (agency-wide ones and those of principal_id), seq > after_seq,
 * ascending, at most limit. */
int store_alerts_list(struct store *st, const char *agency_id, const char *principal_id,
                      int64_t after_seq, int limit, store_alert_cb cb, void *ctx);

int store_audit_append(struct store *st, const struct audit_row *a, struct err *e);
int store_audit_last(struct store *st, struct audit_row *out, char **entry_out /* may be NULL; caller frees */);
int store_audit_iter(struct store *st, int64_t from_seq, store_audit_cb cb, void *ctx);

int store_stats(struct store *st, struct store_stats *out);

/* Persons, travel documents and notices (issue 3): records with the same
 * markings as reports and a JSON body; `keys` are exact lookup keys
 * (document numbers "doc:CC:NUMBER"). */
struct xrecord {
	int64_t         rid;                      /* local row, arrival order; set by get/iter */
	char            id[SIMPUL_ID_LEN + 1];
	char            kind[12];                 /* "person", "document", "notice" */
	char            agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char            ref[SIMPUL_MAX_SHORT + 1];
	char            contact_ref[SIMPUL_ID_LEN + 1];
	int64_t         version, created_ms, updated_ms;
	struct markings m;
	const char     *body;                     /* JSON text (get: owned, free it) */
};
typedef int (*store_xrecord_cb)(void *ctx, const struct xrecord *x);
/* Insert, or replace the record with the same id (it gets a new rid, so
 * readers following rids see the change). All or nothing. */
int store_xrecord_put(struct store *st, const struct xrecord *x, const char *const *keys,
    size_t nkeys, struct err *e);
/* 0 and *out filled (free((char *)out->body)), 1 not found, -1 error. */
int store_xrecord_get(struct store *st, const char *id, struct xrecord *out);
/* Records of kind stored after row after_rid, in arrival order. */
int store_xrecord_iter(struct store *st, const char *kind, int64_t after_rid, store_xrecord_cb cb, void *ctx);
/* Records holding key, oldest first. */
int store_xrecord_by_key(struct store *st, const char *key, store_xrecord_cb cb, void *ctx);
int store_xrecord_delete(struct store *st, const char *id, struct err *e);
/* Records of kind whose review date has passed (review_at in (0, now]). */
int store_xrecord_expired(struct store *st, const char *kind, int64_t now, store_xrecord_cb cb, void *ctx);
/* An agency acknowledges a notice (the first acknowledgement is kept). */
int store_notice_ack(struct store *st, const char *notice_id, const char *agency_id,
    const char *principal_id, int64_t at, struct err *e);
/* 0 and *at when acknowledged, 1 when not. */
int store_notice_acked(struct store *st, const char *notice_id, const char *agency_id, int64_t *at);
/* Import rows by content digest (formats: csvimport.c). Claim a row for
 * agency inside the write transaction that stores its report: 1 claimed,
 * 0 already imported (write nothing), -1 error. Seen: 1 (report_id filled
 * when not NULL), 0 not imported, -1 error. */
int store_import_claim(struct store *st, const char *agency_id, const unsigned char digest[32],
    const char *report_id, struct err *e);
int store_import_seen(struct store *st, const char *agency_id, const unsigned char digest[32],
    char report_id[SIMPUL_ID_LEN + 1]);
/* Reports with local row > after_rid and created > created_after_ms, in row
 * order, at most limit (feeds: TAXII). cb returns non-zero to stop. */
int store_reports_after(struct store *st, int64_t after_rid, int64_t created_after_ms, int limit,
    int (*cb)(void *, int64_t rid, const char *id), void *ctx);
/* Web sign-in: a username and an argon2id hash (crypto_pwhash_str) per
 * principal. login_put inserts, or replaces the hash of an existing
 * username of the same principal. */
struct login_row {
	char    username[SIMPUL_MAX_USERNAME + 1];
	char    principal_id[SIMPUL_ID_LEN + 1];
	char    pwhash[128];                        /* crypto_pwhash_STRBYTES */
	int64_t created_ms, updated_ms;
};
int store_login_put(struct store *st, const struct login_row *l, struct err *e);
/* The login and its principal (with the principal's agency). 1: none. */
int store_login_get(struct store *st, const char *username, struct login_row *l, struct principal *p);
/* Revoke every active token of principal_id labelled label (its web sessions). */
int store_sessions_revoke(struct store *st, const char *principal_id, const char *label, int64_t when_ms);

/* What the dashboard aggregates of one report (pointers valid during the
 * callback only; empty strings when absent). */
struct report_fact {
	const char            *agency_id;
	const char            *agency_country;
	const struct markings *m;
	int64_t                created_ms;
	const char            *occurred_at;     /* YYYY-MM-DD or "" */
	const char            *scam_type;
	const char            *victim_country;
	const char            *currency;        /* "" when no loss */
	int64_t                loss;
};
/* The newest `limit` reports, newest first. */
int store_report_facts(struct store *st, int64_t limit, int (*cb)(void *, const struct report_fact *), void *ctx);

/* TAXII 2.1 status resources (formats, api_taxii.c): one per POST of
 * objects, read back only by the principal that posted. put also deletes
 * the statuses created before prune_before_ms. get: 0 (free(out->body)),
 * 1 none, -1 error. */
struct taxii_status_row {
	char        id[64];
	char        principal_id[SIMPUL_ID_LEN + 1];
	char        agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	int64_t     created_ms;
	const char *body;                             /* JSON text */
};
int store_taxii_status_put(struct store *st, const struct taxii_status_row *r, int64_t prune_before_ms,
    struct err *e);
int store_taxii_status_get(struct store *st, const char *id, struct taxii_status_row *out);

#endif
