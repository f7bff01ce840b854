/* store_net.h - storage for networks, generic-value rules, watchlists and
 * webhooks (issue 4). Same conventions as store.h: 0 ok, 1 not found, -1
 * error with e filled; iterators stop on a callback's non-zero return.
 * Dispatched through the backend's `net` table (store_int.h); the SQLite
 * implementation is store_sqlite_net.c. */
#ifndef SIMPUL_STORE_NET_H
#define SIMPUL_STORE_NET_H

#include "store.h"

#define STORE_URL_MAX 2048

/* A report as the network index needs it (pointers valid in the callback). */
struct net_row {
	int64_t         rid, created_ms;
	const char     *id, *agency_id;
	struct markings m;
	const char     *scam_type, *victim_country, *occurred_at, *currency; /* may be NULL */
	int64_t         loss;
	const char     *selectors;   /* JSON text: [{type,key,valid,role,derived?}] */
};
typedef int (*store_net_cb)(void *ctx, const struct net_row *r);

struct retraction_row {
	int64_t seq, rid, created_ms;
	char    report_id[SIMPUL_ID_LEN + 1];
	char    agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char    principal_id[SIMPUL_ID_LEN + 1];
};
typedef int (*store_retraction_cb)(void *ctx, const struct retraction_row *r);

struct override_row {
	char        key[SIMPUL_MAX_KEY_LEN + 1];
	char        mode[16];                      /* "link" or "generic" */
	char        principal_id[SIMPUL_ID_LEN + 1];
	char        agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	const char *reason;
	int64_t     created_ms;
};
typedef int (*store_override_cb)(void *ctx, const struct override_row *o);

typedef int (*store_wl_cb)(void *ctx, const char *name, const char *body, const char *principal_id,
    int64_t created_ms);

struct watch_row {
	char    id[SIMPUL_ID_LEN + 1];
	char    agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char    principal_id[SIMPUL_ID_LEN + 1];
	char    kind[16];                          /* "selector" or "network" */
	char    target[SIMPUL_MAX_KEY_LEN + 1];    /* a key, or a network id */
	char    anchor[SIMPUL_ID_LEN + 1];         /* network: its earliest report when watched */
	int64_t created_ms;
};
typedef int (*store_watch_cb)(void *ctx, const struct watch_row *w);

struct webhook_row {
	char    id[SIMPUL_ID_LEN + 1];
	char    agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char    principal_id[SIMPUL_ID_LEN + 1];
	char    url[STORE_URL_MAX + 1];
	char    secret[65];                        /* hex; the HMAC key */
	int64_t cursor;                            /* last alert seq delivered or dead-lettered */
	int64_t created_ms;
};
typedef int (*store_webhook_cb)(void *ctx, const struct webhook_row *w);

struct dead_row {
	char        id[SIMPUL_ID_LEN * 2 + 2];     /* the delivery id */
	char        webhook_id[SIMPUL_ID_LEN + 1];
	char        agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	int64_t     alert_seq;
	int         attempts;
	const char *last_error;
	int64_t     created_ms;
};
typedef int (*store_dead_cb)(void *ctx, const struct dead_row *d);

/* The head of the network index's snapshot (written last). */
struct net_snap_head {
	int64_t       gen;          /* parts of this generation are the snapshot */
	int           format;       /* networks.c's NET_SNAP_FORMAT when written */
	int64_t       rid, rseq;    /* the last report row and retraction folded in */
	int           parts;
	int64_t       bytes;
	unsigned char hash[32];     /* BLAKE2b-256 of the concatenated parts */
	int64_t       created_ms;
};

/* What a backend provides (one more table in struct store_backend). */
struct store_net_ops {
	int (*since)(void *be, int64_t after_rid, int limit, store_net_cb cb, void *ctx);
	int (*retract)(void *be, const char *report_id, const char *agency_id, const char *principal_id,
	    int64_t now_ms, int64_t *rid, struct err *e);
	int (*retractions)(void *be, int64_t after_seq, store_retraction_cb cb, void *ctx);
	int (*override_put)(void *be, const struct override_row *o, struct err *e);
	int (*override_del)(void *be, const char *key, struct err *e);
	int (*overrides)(void *be, store_override_cb cb, void *ctx);
	int (*wl_put)(void *be, const char *name, const char *body, const char *principal_id, int64_t now_ms,
	    struct err *e);
	int (*wl_list)(void *be, store_wl_cb cb, void *ctx);
	int (*watch_put)(void *be, const struct watch_row *w, struct err *e);
	int (*watch_del)(void *be, const char *id, const char *principal_id, struct err *e);
	int (*watches)(void *be, store_watch_cb cb, void *ctx);
	int (*webhook_put)(void *be, const struct webhook_row *w, struct err *e);
	int (*webhook_del)(void *be, const char *id, const char *agency_id, struct err *e);
	int (*webhooks)(void *be, store_webhook_cb cb, void *ctx);
	int (*webhook_cursor)(void *be, const char *id, int64_t cursor, struct err *e);
	int (*dead_put)(void *be, const struct dead_row *d, struct err *e);
	int (*dead_list)(void *be, const char *agency_id, int64_t limit, store_dead_cb cb, void *ctx);
	int (*alerts_last)(void *be, const char *agency_id, const char *principal_id, int64_t *seq);
	int (*snap_head)(void *be, struct net_snap_head *h);
	int (*snap_part_put)(void *be, int64_t gen, int part, const void *data, size_t len, struct err *e);
	int (*snap_parts)(void *be, int64_t gen, int (*cb)(void *ctx, int part, const void *data, size_t len),
	    void *ctx);
	int (*snap_commit)(void *be, const struct net_snap_head *h, struct err *e);
	int (*xrecords_last)(void *be, int64_t *rid);
	int (*dead_redrive)(void *be, const char *agency_id, const char *id, struct err *e);
	int (*dead_pending)(void *be, store_dead_cb cb, void *ctx);
	int (*dead_settle)(void *be, const char *id, const char *error, struct err *e);
};

/* Reports stored after local row after_rid, at most limit, in row order
 * (retracted reports excluded: they have no content). */
int store_net_since(struct store *st, int64_t after_rid, int limit, store_net_cb cb, void *ctx);
/* Retract report_id of agency_id: its postings, content and matches are
 * deleted, the report row stays as a tombstone (its row number is never
 * reused), a retractions row is written. 1 when there is no such live
 * report of that agency. */
int store_net_retract(struct store *st, const char *report_id, const char *agency_id,
    const char *principal_id, int64_t now_ms, int64_t *rid, struct err *e);
int store_net_retractions(struct store *st, int64_t after_seq, store_retraction_cb cb, void *ctx);
int store_net_override_put(struct store *st, const struct override_row *o, struct err *e);
int store_net_override_del(struct store *st, const char *key, struct err *e);
int store_net_overrides(struct store *st, store_override_cb cb, void *ctx);
int store_net_wl_put(struct store *st, const char *name, const char *body, const char *principal_id,
    int64_t now_ms, struct err *e);
int store_net_wl_list(struct store *st, store_wl_cb cb, void *ctx);
int store_net_watch_put(struct store *st, const struct watch_row *w, struct err *e);
int store_net_watch_del(struct store *st, const char *id, const char *principal_id, struct err *e);
int store_net_watches(struct store *st, store_watch_cb cb, void *ctx);
int store_net_webhook_put(struct store *st, const struct webhook_row *w, struct err *e);
int store_net_webhook_del(struct store *st, const char *id, const char *agency_id, struct err *e);
int store_net_webhooks(struct store *st, store_webhook_cb cb, void *ctx);
int store_net_webhook_cursor(struct store *st, const char *id, int64_t cursor, struct err *e);
int store_net_dead_put(struct store *st, const struct dead_row *d, struct err *e);
int store_net_dead_list(struct store *st, const char *agency_id, int64_t limit, store_dead_cb cb, void *ctx);
/* The newest alert seq for this agency (and principal), 0 when none. */
int store_net_alerts_last(struct store *st, const char *agency_id, const char *principal_id, int64_t *seq);

/* The snapshot of the network index: the head (1 when there is none);
 * one part of generation gen (inside a write transaction); the parts of
 * gen in order (cb's non-zero return stops); commit: the head replaced by
 * h and every part of another generation deleted (one transaction). */
int store_net_snap_head(struct store *st, struct net_snap_head *h);
int store_net_snap_part_put(struct store *st, int64_t gen, int part, const void *data, size_t len,
    struct err *e);
int store_net_snap_parts(struct store *st, int64_t gen,
    int (*cb)(void *ctx, int part, const void *data, size_t len), void *ctx);
int store_net_snap_commit(struct store *st, const struct net_snap_head *h, struct err *e);
/* The newest row of persons, documents and notices (person watches follow
 * records stored after it). */
int store_net_xrecords_last(struct store *st, int64_t *rid);
/* A dead letter asked for again (1: the agency has no such letter); the
 * ones asked for; settled: error NULL deletes it (delivered), else it stays
 * dead with one more try and that error. */
int store_net_dead_redrive(struct store *st, const char *agency_id, const char *id, struct err *e);
int store_net_dead_pending(struct store *st, store_dead_cb cb, void *ctx);
int store_net_dead_settle(struct store *st, const char *id, const char *error, struct err *e);

#endif
