/* store_sqlite_net.c - the SQL of networks, generic-value rules, watchlists,
 * webhooks and the network index's snapshot (store_net.h) for the SQLite
 * backend. Every value is bound; statements are cached per connection
 * through sqx_get (store_sqlite_int.h), in the ids from SQX_NET on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_net.h"
#include "store_sqlite_int.h"

/* The migration of this feature (appended to migrations[] in store_sqlite.c). */
const char sq_mig_networks[] =
/* A retracted report keeps its `reports` row as a tombstone (its content,
 * postings and matches go), so no later report reuses its row number. */
"CREATE TABLE retractions ("
"  seq          INTEGER PRIMARY KEY AUTOINCREMENT,"
"  report_id    TEXT NOT NULL UNIQUE,"
"  rid          INTEGER NOT NULL,"
"  agency_id    TEXT NOT NULL,"
"  principal_id TEXT NOT NULL DEFAULT '',"
"  created      INTEGER NOT NULL"
");"
"CREATE TABLE generic_overrides ("
"  key          TEXT PRIMARY KEY,"
"  mode         TEXT NOT NULL CHECK (mode IN ('link', 'generic')),"
"  principal_id TEXT NOT NULL,"
"  agency_id    TEXT NOT NULL,"
"  reason       TEXT NOT NULL DEFAULT '',"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE TABLE warninglists ("
"  name         TEXT PRIMARY KEY,"
"  body         TEXT NOT NULL,"
"  principal_id TEXT NOT NULL,"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE TABLE watches ("
"  id           TEXT PRIMARY KEY,"
"  agency_id    TEXT NOT NULL REFERENCES agencies(id),"
"  principal_id TEXT NOT NULL REFERENCES principals(id),"
"  kind         TEXT NOT NULL CHECK (kind IN ('selector', 'network')),"
"  target       TEXT NOT NULL,"
"  anchor       TEXT NOT NULL DEFAULT '',"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE TABLE webhooks ("
"  id           TEXT PRIMARY KEY,"
"  agency_id    TEXT NOT NULL REFERENCES agencies(id),"
"  principal_id TEXT NOT NULL REFERENCES principals(id),"
"  url          TEXT NOT NULL,"
"  secret       TEXT NOT NULL,"
"  cursor       INTEGER NOT NULL DEFAULT 0,"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE TABLE webhook_dead ("
"  id           TEXT PRIMARY KEY,"
"  webhook_id   TEXT NOT NULL,"
"  agency_id    TEXT NOT NULL,"
"  alert_seq    INTEGER NOT NULL,"
"  attempts     INTEGER NOT NULL,"
"  last_error   TEXT NOT NULL DEFAULT '',"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE INDEX webhook_dead_agency ON webhook_dead(agency_id, created);"
;


/* The second migration of this feature: person watches (the kind check
 * widened: SQLite changes a CHECK only by copying the table) and the
 * network index's snapshot, written in parts by the upkeep thread; its
 * head row is written last, in the transaction that drops older parts. */
const char sq_mig_net_snapshot[] =
"CREATE TABLE watches2 ("
"  id           TEXT PRIMARY KEY,"
"  agency_id    TEXT NOT NULL REFERENCES agencies(id),"
"  principal_id TEXT NOT NULL REFERENCES principals(id),"
"  kind         TEXT NOT NULL CHECK (kind IN ('selector', 'network', 'person')),"
"  target       TEXT NOT NULL,"
"  anchor       TEXT NOT NULL DEFAULT '',"
"  created      INTEGER NOT NULL"
") WITHOUT ROWID;"
"INSERT INTO watches2 SELECT id, agency_id, principal_id, kind, target, anchor, created FROM watches;"
"DROP TABLE watches;"
"ALTER TABLE watches2 RENAME TO watches;"
"ALTER TABLE webhook_dead ADD COLUMN redrive INTEGER NOT NULL DEFAULT 0;"
"CREATE TABLE net_snapshot_parts ("
"  gen          INTEGER NOT NULL,"
"  part         INTEGER NOT NULL,"
"  data         BLOB NOT NULL,"
"  PRIMARY KEY (gen, part)"
");"
"CREATE TABLE net_snapshot ("
"  one          INTEGER PRIMARY KEY CHECK (one = 1),"
"  gen          INTEGER NOT NULL,"
"  format       INTEGER NOT NULL,"
"  rid          INTEGER NOT NULL,"
"  rseq         INTEGER NOT NULL,"
"  parts        INTEGER NOT NULL,"
"  bytes        INTEGER NOT NULL,"
"  hash         BLOB NOT NULL,"
"  created      INTEGER NOT NULL"
");"
;

enum {
	N_SINCE = SQX_NET, N_RETRACT_FIND, N_DEL_MATCHES, N_DEL_POSTINGS, N_DEL_CONTENT, N_COUNTER_DEC,
	N_RETRACT_PUT, N_SP, N_SP_RELEASE, N_SP_ROLLBACK, N_RETRACTIONS,
	N_OVR_PUT, N_OVR_DEL, N_OVRS, N_WL_PUT, N_WL_LIST,
	N_WATCH_PUT, N_WATCH_DEL, N_WATCHES,
	N_HOOK_PUT, N_HOOK_DEL, N_HOOKS, N_HOOK_CURSOR, N_DEAD_PUT, N_DEAD_LIST, N_ALERTS_LAST,
	N_SNAP_HEAD, N_SNAP_PART_PUT, N_SNAP_PARTS, N_SNAP_HEAD_PUT, N_SNAP_GC, N_XLAST,
	N_DEAD_REDRIVE, N_DEAD_PENDING, N_DEAD_DEL, N_DEAD_FAILED,
	N__END
};
_Static_assert(N__END <= SQX_N, "store_sqlite_net.c: more statements than SQX_N");

static const char *const n_sql[] = {
	[N_SINCE - SQX_NET] = "SELECT r.rid, r.id, r.agency_id, r.created, r.tlp, r.disclosure, r.orcon,"
	    " r.audience, json_extract(c.body, '$.scam_type'), json_extract(c.body, '$.victim_country'),"
	    " json_extract(c.body, '$.occurred_at'), json_extract(c.body, '$.loss.currency'),"
	    " json_extract(c.body, '$.loss.amount'), c.selectors"
	    " FROM reports r JOIN report_content c ON c.rid = r.rid WHERE r.rid > ?1 ORDER BY r.rid LIMIT ?2",
	[N_RETRACT_FIND - SQX_NET] = "SELECT r.rid FROM reports r JOIN report_content c ON c.rid = r.rid"
	    " WHERE r.id = ?1 AND r.agency_id = ?2",
	[N_DEL_MATCHES - SQX_NET] = "DELETE FROM matches WHERE report_id = ?1 OR other_report_id = ?1",
	[N_DEL_POSTINGS - SQX_NET] = "DELETE FROM postings WHERE report_rid = ?1",
	[N_DEL_CONTENT - SQX_NET] = "DELETE FROM report_content WHERE rid = ?1",
	[N_COUNTER_DEC - SQX_NET] = "UPDATE counters SET n = n - 1 WHERE name = 'reports'",
	[N_RETRACT_PUT - SQX_NET] = "INSERT INTO retractions(report_id, rid, agency_id, principal_id, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[N_SP - SQX_NET] = "SAVEPOINT retract",
	[N_SP_RELEASE - SQX_NET] = "RELEASE retract",
	[N_SP_ROLLBACK - SQX_NET] = "ROLLBACK TO retract",
	[N_RETRACTIONS - SQX_NET] = "SELECT seq, report_id, rid, agency_id, principal_id, created"
	    " FROM retractions WHERE seq > ?1 ORDER BY seq",
	[N_OVR_PUT - SQX_NET] = "INSERT INTO generic_overrides(key, mode, principal_id, agency_id, reason,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET mode = excluded.mode,"
	    " principal_id = excluded.principal_id, agency_id = excluded.agency_id, reason = excluded.reason,"
	    " created = excluded.created",
	[N_OVR_DEL - SQX_NET] = "DELETE FROM generic_overrides WHERE key = ?1",
	[N_OVRS - SQX_NET] = "SELECT key, mode, principal_id, agency_id, reason, created"
	    " FROM generic_overrides ORDER BY key",
	[N_WL_PUT - SQX_NET] = "INSERT INTO warninglists(name, body, principal_id, created)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET body = excluded.body,"
	    " principal_id = excluded.principal_id, created = excluded.created",
	[N_WL_LIST - SQX_NET] = "SELECT name, body, principal_id, created FROM warninglists ORDER BY name",
	[N_WATCH_PUT - SQX_NET] = "INSERT INTO watches(id, agency_id, principal_id, kind, target, anchor,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[N_WATCH_DEL - SQX_NET] = "DELETE FROM watches WHERE id = ?1 AND principal_id = ?2",
	[N_WATCHES - SQX_NET] = "SELECT id, agency_id, principal_id, kind, target, anchor, created"
	    " FROM watches ORDER BY created, id",
	[N_HOOK_PUT - SQX_NET] = "INSERT INTO webhooks(id, agency_id, principal_id, url, secret, cursor,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[N_HOOK_DEL - SQX_NET] = "DELETE FROM webhooks WHERE id = ?1 AND agency_id = ?2",
	[N_HOOKS - SQX_NET] = "SELECT id, agency_id, principal_id, url, secret, cursor, created"
	    " FROM webhooks ORDER BY created, id",
	[N_HOOK_CURSOR - SQX_NET] = "UPDATE webhooks SET cursor = ?2 WHERE id = ?1 AND cursor < ?2",
	[N_DEAD_PUT - SQX_NET] = "INSERT OR REPLACE INTO webhook_dead(id, webhook_id, agency_id, alert_seq,"
	    " attempts, last_error, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[N_DEAD_LIST - SQX_NET] = "SELECT id, webhook_id, agency_id, alert_seq, attempts, last_error, created"
	    " FROM webhook_dead WHERE agency_id = ?1 ORDER BY created DESC, id LIMIT ?2",
	[N_ALERTS_LAST - SQX_NET] = "SELECT coalesce(max(seq), 0) FROM alerts WHERE agency_id = ?1"
	    " AND (principal_id IS NULL OR principal_id = ?2)",
	[N_SNAP_HEAD - SQX_NET] = "SELECT gen, format, rid, rseq, parts, bytes, hash, created"
	    " FROM net_snapshot WHERE one = 1",
	[N_SNAP_PART_PUT - SQX_NET] = "INSERT OR REPLACE INTO net_snapshot_parts(gen, part, data)"
	    " VALUES (?1, ?2, ?3)",
	[N_SNAP_PARTS - SQX_NET] = "SELECT part, data FROM net_snapshot_parts WHERE gen = ?1 ORDER BY part",
	[N_SNAP_HEAD_PUT - SQX_NET] = "INSERT OR REPLACE INTO net_snapshot(one, gen, format, rid, rseq, parts,"
	    " bytes, hash, created) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[N_SNAP_GC - SQX_NET] = "DELETE FROM net_snapshot_parts WHERE gen <> ?1",
	[N_XLAST - SQX_NET] = "SELECT coalesce(max(rid), 0) FROM xrecords",
	[N_DEAD_REDRIVE - SQX_NET] = "UPDATE webhook_dead SET redrive = 1 WHERE id = ?1 AND agency_id = ?2",
	[N_DEAD_PENDING - SQX_NET] = "SELECT id, webhook_id, agency_id, alert_seq, attempts, last_error, created"
	    " FROM webhook_dead WHERE redrive = 1 ORDER BY created, id LIMIT 50",
	[N_DEAD_DEL - SQX_NET] = "DELETE FROM webhook_dead WHERE id = ?1",
	[N_DEAD_FAILED - SQX_NET] = "UPDATE webhook_dead SET redrive = 0, attempts = attempts + 1,"
	    " last_error = ?2 WHERE id = ?1",
};

/* The one pattern of this file: get the cached statement, bind, step,
 * give it back (sqx_done resets it). */
static sqlite3_stmt *
nget(void *be, int id, const char *what, struct err *e)
{
	sqlite3_stmt *st = sqx_get(be, id, n_sql[id - SQX_NET]);

	if (st == NULL && e)
		sqx_err(be, SQLITE_ERROR, what, e);
	return st;
}

static void
bt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static const char *
ct(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static const char *
ct_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : ct(st, i);
}

/* Step a bound statement that returns no rows, and give it back. 0, or -1
 * with e; *changes (may be NULL) the rows it changed. */
static int
run(void *be, int id, sqlite3_stmt *st, const char *what, int *changes, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		sqx_err(be, rc, what, e);
	else if (changes)
		*changes = sqlite3_changes(sqx_db(be));
	sqx_done(be, id, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Run a statement with no parameters. */
static int
run0(void *be, int id, const char *what, struct err *e)
{
	sqlite3_stmt *st = nget(be, id, what, e);

	return st ? run(be, id, st, what, NULL, e) : -1;
}

/* Step a bound query, calling row(ctx, st) per row until it returns non
 * zero; give the statement back. 0 done, the callback's value, or -1. */
static int
rows(void *be, int id, sqlite3_stmt *st, int (*row)(void *ctx, sqlite3_stmt *st), void *ctx)
{
	int rc = 0, src;

	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = row(ctx, st)) != 0)
			break;
	if (rc == 0 && src != SQLITE_DONE)
		rc = -1;
	sqx_done(be, id, st);
	return rc;
}

struct cbctx {
	void *cb, *ctx;
};

static int
since_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct net_row r;
	int t, d;

	memset(&r, 0, sizeof(r));
	r.rid = sqlite3_column_int64(st, 0);
	r.id = ct(st, 1);
	r.agency_id = ct(st, 2);
	r.created_ms = sqlite3_column_int64(st, 3);
	/* Unknown values fail closed, as the store does: RED, silent. */
	t = tlp_parse(ct(st, 4));
	d = disclosure_parse(ct(st, 5));
	r.m.tlp = t < 0 ? TLP_RED : (enum tlp)t;
	r.m.disclosure = d < 0 ? DISC_SILENT : (enum disclosure)d;
	r.m.orcon = sqlite3_column_int(st, 6) != 0;
	if (markings_aud_from_text(&r.m, ct(st, 7)) == -1)
		r.m.naud = 0;
	r.scam_type = ct_or_null(st, 8);
	r.victim_country = ct_or_null(st, 9);
	r.occurred_at = ct_or_null(st, 10);
	r.currency = ct_or_null(st, 11);
	r.loss = sqlite3_column_int64(st, 12);
	r.selectors = ct(st, 13);
	return ((store_net_cb)c->cb)(c->ctx, &r);
}

static int
sqn_since(void *be, int64_t after, int limit, store_net_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_SINCE, "networks", NULL);
	struct cbctx c = { (void *)cb, ctx };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	return rows(be, N_SINCE, st, since_row, &c);
}

static int
sqn_retract(void *be, const char *report_id, const char *agency_id, const char *principal_id,
    int64_t now, int64_t *rid, struct err *e)
{
	static const int del[] = { N_DEL_MATCHES, N_DEL_POSTINGS, N_DEL_CONTENT, N_COUNTER_DEC };
	sqlite3_stmt *st;
	int src;

	if ((st = nget(be, N_RETRACT_FIND, "retraction", e)) == NULL)
		return -1;
	bt(st, 1, report_id);
	bt(st, 2, agency_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*rid = sqlite3_column_int64(st, 0);
	else if (src != SQLITE_DONE)
		sqx_err(be, src, "retraction", e);
	sqx_done(be, N_RETRACT_FIND, st);
	if (src != SQLITE_ROW)
		return src == SQLITE_DONE ? 1 : -1;
	if (run0(be, N_SP, "retraction", e) == -1)
		return -1;
	for (size_t i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		if ((st = nget(be, del[i], "retraction", e)) == NULL)
			goto fail;
		if (del[i] == N_DEL_MATCHES)
			bt(st, 1, report_id);
		else if (del[i] != N_COUNTER_DEC)
			sqlite3_bind_int64(st, 1, *rid);
		if (run(be, del[i], st, "retraction", NULL, e) == -1)
			goto fail;
	}
	if ((st = nget(be, N_RETRACT_PUT, "retraction", e)) == NULL)
		goto fail;
	bt(st, 1, report_id);
	sqlite3_bind_int64(st, 2, *rid);
	bt(st, 3, agency_id);
	bt(st, 4, principal_id);
	sqlite3_bind_int64(st, 5, now);
	if (run(be, N_RETRACT_PUT, st, "retraction", NULL, e) == -1)
		goto fail;
	return run0(be, N_SP_RELEASE, "retraction", e);
fail:
	run0(be, N_SP_ROLLBACK, "retraction", NULL);
	run0(be, N_SP_RELEASE, "retraction", NULL);
	return -1;
}

static int
retraction_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct retraction_row r;

	memset(&r, 0, sizeof(r));
	r.seq = sqlite3_column_int64(st, 0);
	str_copy(r.report_id, sizeof(r.report_id), ct(st, 1));
	r.rid = sqlite3_column_int64(st, 2);
	str_copy(r.agency_id, sizeof(r.agency_id), ct(st, 3));
	str_copy(r.principal_id, sizeof(r.principal_id), ct(st, 4));
	r.created_ms = sqlite3_column_int64(st, 5);
	return ((store_retraction_cb)c->cb)(c->ctx, &r);
}

static int
sqn_retractions(void *be, int64_t after, store_retraction_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_RETRACTIONS, "retractions", NULL);
	struct cbctx c = { (void *)cb, ctx };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	return rows(be, N_RETRACTIONS, st, retraction_row, &c);
}

static int
sqn_override_put(void *be, const struct override_row *o, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_OVR_PUT, "override", e);

	if (st == NULL)
		return -1;
	bt(st, 1, o->key);
	bt(st, 2, o->mode);
	bt(st, 3, o->principal_id);
	bt(st, 4, o->agency_id);
	bt(st, 5, o->reason);
	sqlite3_bind_int64(st, 6, o->created_ms);
	return run(be, N_OVR_PUT, st, "override", NULL, e);
}

static int
sqn_override_del(void *be, const char *key, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_OVR_DEL, "override", e);
	int changes = 0;

	if (st == NULL)
		return -1;
	bt(st, 1, key);
	if (run(be, N_OVR_DEL, st, "override", &changes, e) == -1)
		return -1;
	return changes > 0 ? 0 : 1;
}

static int
override_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct override_row o;

	memset(&o, 0, sizeof(o));
	str_copy(o.key, sizeof(o.key), ct(st, 0));
	str_copy(o.mode, sizeof(o.mode), ct(st, 1));
	str_copy(o.principal_id, sizeof(o.principal_id), ct(st, 2));
	str_copy(o.agency_id, sizeof(o.agency_id), ct(st, 3));
	o.reason = ct(st, 4);
	o.created_ms = sqlite3_column_int64(st, 5);
	return ((store_override_cb)c->cb)(c->ctx, &o);
}

static int
sqn_overrides(void *be, store_override_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_OVRS, "overrides", NULL);
	struct cbctx c = { (void *)cb, ctx };

	return st ? rows(be, N_OVRS, st, override_row, &c) : -1;
}

static int
sqn_wl_put(void *be, const char *name, const char *body, const char *principal_id, int64_t now,
    struct err *e)
{
	sqlite3_stmt *st = nget(be, N_WL_PUT, "warning list", e);

	if (st == NULL)
		return -1;
	bt(st, 1, name);
	bt(st, 2, body);
	bt(st, 3, principal_id);
	sqlite3_bind_int64(st, 4, now);
	return run(be, N_WL_PUT, st, "warning list", NULL, e);
}

static int
wl_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;

	return ((store_wl_cb)c->cb)(c->ctx, ct(st, 0), ct(st, 1), ct(st, 2), sqlite3_column_int64(st, 3));
}

static int
sqn_wl_list(void *be, store_wl_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_WL_LIST, "warning lists", NULL);
	struct cbctx c = { (void *)cb, ctx };

	return st ? rows(be, N_WL_LIST, st, wl_row, &c) : -1;
}

static int
sqn_watch_put(void *be, const struct watch_row *w, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_WATCH_PUT, "watch", e);

	if (st == NULL)
		return -1;
	bt(st, 1, w->id);
	bt(st, 2, w->agency_id);
	bt(st, 3, w->principal_id);
	bt(st, 4, w->kind);
	bt(st, 5, w->target);
	bt(st, 6, w->anchor);
	sqlite3_bind_int64(st, 7, w->created_ms);
	return run(be, N_WATCH_PUT, st, "watch", NULL, e);
}

static int
sqn_watch_del(void *be, const char *id, const char *principal_id, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_WATCH_DEL, "watch", e);
	int changes = 0;

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	bt(st, 2, principal_id);
	if (run(be, N_WATCH_DEL, st, "watch", &changes, e) == -1)
		return -1;
	return changes > 0 ? 0 : 1;
}

static int
watch_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct watch_row w;

	memset(&w, 0, sizeof(w));
	str_copy(w.id, sizeof(w.id), ct(st, 0));
	str_copy(w.agency_id, sizeof(w.agency_id), ct(st, 1));
	str_copy(w.principal_id, sizeof(w.principal_id), ct(st, 2));
	str_copy(w.kind, sizeof(w.kind), ct(st, 3));
	str_copy(w.target, sizeof(w.target), ct(st, 4));
	str_copy(w.anchor, sizeof(w.anchor), ct(st, 5));
	w.created_ms = sqlite3_column_int64(st, 6);
	return ((store_watch_cb)c->cb)(c->ctx, &w);
}

static int
sqn_watches(void *be, store_watch_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_WATCHES, "watches", NULL);
	struct cbctx c = { (void *)cb, ctx };

	return st ? rows(be, N_WATCHES, st, watch_row, &c) : -1;
}

static int
sqn_webhook_put(void *be, const struct webhook_row *w, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_HOOK_PUT, "webhook", e);

	if (st == NULL)
		return -1;
	bt(st, 1, w->id);
	bt(st, 2, w->agency_id);
	bt(st, 3, w->principal_id);
	bt(st, 4, w->url);
	bt(st, 5, w->secret);
	sqlite3_bind_int64(st, 6, w->cursor);
	sqlite3_bind_int64(st, 7, w->created_ms);
	return run(be, N_HOOK_PUT, st, "webhook", NULL, e);
}

static int
sqn_webhook_del(void *be, const char *id, const char *agency_id, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_HOOK_DEL, "webhook", e);
	int changes = 0;

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	bt(st, 2, agency_id);
	if (run(be, N_HOOK_DEL, st, "webhook", &changes, e) == -1)
		return -1;
	return changes > 0 ? 0 : 1;
}

static int
webhook_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct webhook_row w;

	memset(&w, 0, sizeof(w));
	str_copy(w.id, sizeof(w.id), ct(st, 0));
	str_copy(w.agency_id, sizeof(w.agency_id), ct(st, 1));
	str_copy(w.principal_id, sizeof(w.principal_id), ct(st, 2));
	str_copy(w.url, sizeof(w.url), ct(st, 3));
	str_copy(w.secret, sizeof(w.secret), ct(st, 4));
	w.cursor = sqlite3_column_int64(st, 5);
	w.created_ms = sqlite3_column_int64(st, 6);
	return ((store_webhook_cb)c->cb)(c->ctx, &w);
}

static int
sqn_webhooks(void *be, store_webhook_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_HOOKS, "webhooks", NULL);
	struct cbctx c = { (void *)cb, ctx };

	return st ? rows(be, N_HOOKS, st, webhook_row, &c) : -1;
}

static int
sqn_webhook_cursor(void *be, const char *id, int64_t cursor, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_HOOK_CURSOR, "webhook", e);

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	sqlite3_bind_int64(st, 2, cursor);
	return run(be, N_HOOK_CURSOR, st, "webhook", NULL, e);
}

static int
sqn_dead_put(void *be, const struct dead_row *d, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_DEAD_PUT, "dead letter", e);

	if (st == NULL)
		return -1;
	bt(st, 1, d->id);
	bt(st, 2, d->webhook_id);
	bt(st, 3, d->agency_id);
	sqlite3_bind_int64(st, 4, d->alert_seq);
	sqlite3_bind_int(st, 5, d->attempts);
	bt(st, 6, d->last_error);
	sqlite3_bind_int64(st, 7, d->created_ms);
	return run(be, N_DEAD_PUT, st, "dead letter", NULL, e);
}

static int
dead_row(void *ctx, sqlite3_stmt *st)
{
	struct cbctx *c = ctx;
	struct dead_row d;

	memset(&d, 0, sizeof(d));
	str_copy(d.id, sizeof(d.id), ct(st, 0));
	str_copy(d.webhook_id, sizeof(d.webhook_id), ct(st, 1));
	str_copy(d.agency_id, sizeof(d.agency_id), ct(st, 2));
	d.alert_seq = sqlite3_column_int64(st, 3);
	d.attempts = sqlite3_column_int(st, 4);
	d.last_error = ct(st, 5);
	d.created_ms = sqlite3_column_int64(st, 6);
	return ((store_dead_cb)c->cb)(c->ctx, &d);
}

static int
sqn_dead_list(void *be, const char *agency_id, int64_t limit, store_dead_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_DEAD_LIST, "dead letters", NULL);
	struct cbctx c = { (void *)cb, ctx };

	if (st == NULL)
		return -1;
	bt(st, 1, agency_id);
	sqlite3_bind_int64(st, 2, limit);
	return rows(be, N_DEAD_LIST, st, dead_row, &c);
}

static int
sqn_alerts_last(void *be, const char *agency_id, const char *principal_id, int64_t *seq)
{
	sqlite3_stmt *st = nget(be, N_ALERTS_LAST, "alerts", NULL);
	int src;

	if (st == NULL)
		return -1;
	bt(st, 1, agency_id);
	bt(st, 2, principal_id);
	src = sqlite3_step(st);
	*seq = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqx_done(be, N_ALERTS_LAST, st);
	return src == SQLITE_ROW ? 0 : -1;
}

/* ---- the network index's snapshot --------------------------------------- */

static int
sqn_snap_head(void *be, struct net_snap_head *h)
{
	sqlite3_stmt *st = nget(be, N_SNAP_HEAD, "snapshot", NULL);
	int src;

	if (st == NULL)
		return -1;
	memset(h, 0, sizeof(*h));
	if ((src = sqlite3_step(st)) == SQLITE_ROW) {
		h->gen = sqlite3_column_int64(st, 0);
		h->format = sqlite3_column_int(st, 1);
		h->rid = sqlite3_column_int64(st, 2);
		h->rseq = sqlite3_column_int64(st, 3);
		h->parts = sqlite3_column_int(st, 4);
		h->bytes = sqlite3_column_int64(st, 5);
		if (sqlite3_column_bytes(st, 6) == (int)sizeof(h->hash))
			memcpy(h->hash, sqlite3_column_blob(st, 6), sizeof(h->hash));
		h->created_ms = sqlite3_column_int64(st, 7);
	}
	sqx_done(be, N_SNAP_HEAD, st);
	return src == SQLITE_ROW ? 0 : src == SQLITE_DONE ? 1 : -1;
}

static int
sqn_snap_part_put(void *be, int64_t gen, int part, const void *data, size_t len, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_SNAP_PART_PUT, "snapshot", e);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, gen);
	sqlite3_bind_int(st, 2, part);
	sqlite3_bind_blob64(st, 3, data, len, SQLITE_STATIC);
	return run(be, N_SNAP_PART_PUT, st, "snapshot", NULL, e);
}

struct partctx {
	int (*cb)(void *, int, const void *, size_t);
	void *ctx;
};

static int
part_row(void *ctx, sqlite3_stmt *st)
{
	struct partctx *pc = ctx;

	return pc->cb(pc->ctx, sqlite3_column_int(st, 0), sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1));
}

static int
sqn_snap_parts(void *be, int64_t gen, int (*cb)(void *, int, const void *, size_t), void *ctx)
{
	sqlite3_stmt *st = nget(be, N_SNAP_PARTS, "snapshot", NULL);
	struct partctx pc = { cb, ctx };

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, gen);
	return rows(be, N_SNAP_PARTS, st, part_row, &pc);
}

static int
sqn_snap_commit(void *be, const struct net_snap_head *h, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_SNAP_HEAD_PUT, "snapshot", e);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, h->gen);
	sqlite3_bind_int(st, 2, h->format);
	sqlite3_bind_int64(st, 3, h->rid);
	sqlite3_bind_int64(st, 4, h->rseq);
	sqlite3_bind_int(st, 5, h->parts);
	sqlite3_bind_int64(st, 6, h->bytes);
	sqlite3_bind_blob(st, 7, h->hash, sizeof(h->hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, h->created_ms);
	if (run(be, N_SNAP_HEAD_PUT, st, "snapshot", NULL, e) == -1)
		return -1;
	if ((st = nget(be, N_SNAP_GC, "snapshot", e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, h->gen);
	return run(be, N_SNAP_GC, st, "snapshot", NULL, e);
}

static int
sqn_xrecords_last(void *be, int64_t *rid)
{
	sqlite3_stmt *st = nget(be, N_XLAST, "records", NULL);
	int src;

	if (st == NULL)
		return -1;
	src = sqlite3_step(st);
	*rid = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqx_done(be, N_XLAST, st);
	return src == SQLITE_ROW ? 0 : -1;
}

/* Dead letters asked for again: mark (1 when the agency has no such
 * letter), list the marked ones, and settle one (delivered: gone; failed
 * again: unmarked, its tries and error updated). */
static int
sqn_dead_redrive(void *be, const char *agency_id, const char *id, struct err *e)
{
	sqlite3_stmt *st = nget(be, N_DEAD_REDRIVE, "dead letter", e);
	int changes = 0;

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	bt(st, 2, agency_id);
	if (run(be, N_DEAD_REDRIVE, st, "dead letter", &changes, e) == -1)
		return -1;
	return changes > 0 ? 0 : 1;
}

static int
sqn_dead_pending(void *be, store_dead_cb cb, void *ctx)
{
	sqlite3_stmt *st = nget(be, N_DEAD_PENDING, "dead letters", NULL);
	struct cbctx c = { (void *)cb, ctx };

	return st ? rows(be, N_DEAD_PENDING, st, dead_row, &c) : -1;
}

static int
sqn_dead_settle(void *be, const char *id, const char *error, struct err *e)
{
	int qid = error ? N_DEAD_FAILED : N_DEAD_DEL;
	sqlite3_stmt *st = nget(be, qid, "dead letter", e);

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	if (error)
		bt(st, 2, error);
	return run(be, qid, st, "dead letter", NULL, e);
}

const struct store_net_ops sq_net_ops = {
	.since = sqn_since,
	.retract = sqn_retract,
	.retractions = sqn_retractions,
	.override_put = sqn_override_put,
	.override_del = sqn_override_del,
	.overrides = sqn_overrides,
	.wl_put = sqn_wl_put,
	.wl_list = sqn_wl_list,
	.watch_put = sqn_watch_put,
	.watch_del = sqn_watch_del,
	.watches = sqn_watches,
	.webhook_put = sqn_webhook_put,
	.webhook_del = sqn_webhook_del,
	.webhooks = sqn_webhooks,
	.webhook_cursor = sqn_webhook_cursor,
	.dead_put = sqn_dead_put,
	.dead_list = sqn_dead_list,
	.alerts_last = sqn_alerts_last,
	.snap_head = sqn_snap_head,
	.snap_part_put = sqn_snap_part_put,
	.snap_parts = sqn_snap_parts,
	.snap_commit = sqn_snap_commit,
	.xrecords_last = sqn_xrecords_last,
	.dead_redrive = sqn_dead_redrive,
	.dead_pending = sqn_dead_pending,
	.dead_settle = sqn_dead_settle,
};
