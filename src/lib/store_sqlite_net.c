/* store_sqlite_net.c - the SQL of networks, generic-value rules, watchlists
 * and webhooks (store_net.h) for the SQLite backend. Every value is bound;
 * these statements are rare (background refresh, administration), so each
 * call prepares its statement and finalises it. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_net.h"

sqlite3 *sqx_db(void *be);   /* store_sqlite.c */

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

static void
xerr(sqlite3 *db, int rc, const char *what, struct err *e)
{
	int x = sqlite3_extended_errcode(db);

	if (e == NULL)
		return;
	if (x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE)
		err_set(e, 409, "id", "%s: already exists", what);
	else if (x == SQLITE_CONSTRAINT_FOREIGNKEY)
		err_set(e, 422, "", "%s: refers to an agency or principal that does not exist", what);
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		err_set(e, 503, "", "%s: database busy", what);
	else
		err_set(e, 500, "", "%s: database error: %s", what, sqlite3_errmsg(db));
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql, const char *what, struct err *e)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		xerr(db, SQLITE_ERROR, what, e);
		sqlite3_finalize(st);
		return NULL;
	}
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

/* Step a statement that returns no rows; finalises it. */
static int
run(sqlite3 *db, sqlite3_stmt *st, const char *what, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		xerr(db, rc, what, e);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int
sqn_since(void *be, int64_t after, int limit, store_net_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT r.rid, r.id, r.agency_id, r.created, r.tlp, r.disclosure, r.orcon,"
	    " r.audience, json_extract(c.body, '$.scam_type'), json_extract(c.body, '$.victim_country'),"
	    " json_extract(c.body, '$.occurred_at'), json_extract(c.body, '$.loss.currency'),"
	    " json_extract(c.body, '$.loss.amount'), c.selectors"
	    " FROM reports r JOIN report_content c ON c.rid = r.rid WHERE r.rid > ?1 ORDER BY r.rid LIMIT ?2",
	    "networks", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
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
		if ((rc = cb(ctx, &r)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_retract(void *be, const char *report_id, const char *agency_id, const char *principal_id,
    int64_t now, int64_t *rid, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st;
	int src;
	static const char *const del[] = {
		"DELETE FROM matches WHERE report_id = ?2 OR other_report_id = ?2",
		"DELETE FROM postings WHERE report_rid = ?1",
		"DELETE FROM report_content WHERE rid = ?1",
		"UPDATE counters SET n = n - 1 WHERE name = 'reports'",
		NULL
	};

	if ((st = prep(db, "SELECT r.rid FROM reports r JOIN report_content c ON c.rid = r.rid"
	    " WHERE r.id = ?1 AND r.agency_id = ?2", "retraction", e)) == NULL)
		return -1;
	bt(st, 1, report_id);
	bt(st, 2, agency_id);
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (src == SQLITE_DONE)
			return 1;
		xerr(db, src, "retraction", e);
		return -1;
	}
	*rid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "SAVEPOINT retract", NULL, NULL, NULL) != SQLITE_OK) {
		xerr(db, SQLITE_ERROR, "retraction", e);
		return -1;
	}
	for (int i = 0; del[i]; i++) {
		if ((st = prep(db, del[i], "retraction", e)) == NULL)
			goto fail;
		if (sqlite3_bind_parameter_count(st) >= 1)
			sqlite3_bind_int64(st, 1, *rid);
		if (sqlite3_bind_parameter_count(st) >= 2)
			bt(st, 2, report_id);
		if (run(db, st, "retraction", e) == -1)
			goto fail;
	}
	if ((st = prep(db, "INSERT INTO retractions(report_id, rid, agency_id, principal_id, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)", "retraction", e)) == NULL)
		goto fail;
	bt(st, 1, report_id);
	sqlite3_bind_int64(st, 2, *rid);
	bt(st, 3, agency_id);
	bt(st, 4, principal_id);
	sqlite3_bind_int64(st, 5, now);
	if (run(db, st, "retraction", e) == -1)
		goto fail;
	sqlite3_exec(db, "RELEASE retract", NULL, NULL, NULL);
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK TO retract", NULL, NULL, NULL);
	sqlite3_exec(db, "RELEASE retract", NULL, NULL, NULL);
	return -1;
}

static int
sqn_retractions(void *be, int64_t after, store_retraction_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT seq, report_id, rid, agency_id, principal_id, created"
	    " FROM retractions WHERE seq > ?1 ORDER BY seq", "retractions", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct retraction_row r;
		memset(&r, 0, sizeof(r));
		r.seq = sqlite3_column_int64(st, 0);
		str_copy(r.report_id, sizeof(r.report_id), ct(st, 1));
		r.rid = sqlite3_column_int64(st, 2);
		str_copy(r.agency_id, sizeof(r.agency_id), ct(st, 3));
		str_copy(r.principal_id, sizeof(r.principal_id), ct(st, 4));
		r.created_ms = sqlite3_column_int64(st, 5);
		if ((rc = cb(ctx, &r)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_override_put(void *be, const struct override_row *o, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "INSERT INTO generic_overrides(key, mode, principal_id, agency_id, reason,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(key) DO UPDATE SET mode = excluded.mode,"
	    " principal_id = excluded.principal_id, agency_id = excluded.agency_id, reason = excluded.reason,"
	    " created = excluded.created", "override", e);

	if (st == NULL)
		return -1;
	bt(st, 1, o->key);
	bt(st, 2, o->mode);
	bt(st, 3, o->principal_id);
	bt(st, 4, o->agency_id);
	bt(st, 5, o->reason);
	sqlite3_bind_int64(st, 6, o->created_ms);
	return run(db, st, "override", e);
}

static int
sqn_override_del(void *be, const char *key, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "DELETE FROM generic_overrides WHERE key = ?1", "override", e);

	if (st == NULL)
		return -1;
	bt(st, 1, key);
	if (run(db, st, "override", e) == -1)
		return -1;
	return sqlite3_changes(db) > 0 ? 0 : 1;
}

static int
sqn_overrides(void *be, store_override_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT key, mode, principal_id, agency_id, reason, created"
	    " FROM generic_overrides ORDER BY key", "overrides", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct override_row o;
		memset(&o, 0, sizeof(o));
		str_copy(o.key, sizeof(o.key), ct(st, 0));
		str_copy(o.mode, sizeof(o.mode), ct(st, 1));
		str_copy(o.principal_id, sizeof(o.principal_id), ct(st, 2));
		str_copy(o.agency_id, sizeof(o.agency_id), ct(st, 3));
		o.reason = ct(st, 4);
		o.created_ms = sqlite3_column_int64(st, 5);
		if ((rc = cb(ctx, &o)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_wl_put(void *be, const char *name, const char *body, const char *principal_id, int64_t now,
    struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "INSERT INTO warninglists(name, body, principal_id, created)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET body = excluded.body,"
	    " principal_id = excluded.principal_id, created = excluded.created", "warning list", e);

	if (st == NULL)
		return -1;
	bt(st, 1, name);
	bt(st, 2, body);
	bt(st, 3, principal_id);
	sqlite3_bind_int64(st, 4, now);
	return run(db, st, "warning list", e);
}

static int
sqn_wl_list(void *be, store_wl_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT name, body, principal_id, created FROM warninglists ORDER BY name",
	    "warning lists", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cb(ctx, ct(st, 0), ct(st, 1), ct(st, 2), sqlite3_column_int64(st, 3))) != 0)
			goto out;
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_watch_put(void *be, const struct watch_row *w, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "INSERT INTO watches(id, agency_id, principal_id, kind, target, anchor,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", "watch", e);

	if (st == NULL)
		return -1;
	bt(st, 1, w->id);
	bt(st, 2, w->agency_id);
	bt(st, 3, w->principal_id);
	bt(st, 4, w->kind);
	bt(st, 5, w->target);
	bt(st, 6, w->anchor);
	sqlite3_bind_int64(st, 7, w->created_ms);
	return run(db, st, "watch", e);
}

static int
sqn_watch_del(void *be, const char *id, const char *principal_id, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "DELETE FROM watches WHERE id = ?1 AND principal_id = ?2", "watch", e);

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	bt(st, 2, principal_id);
	if (run(db, st, "watch", e) == -1)
		return -1;
	return sqlite3_changes(db) > 0 ? 0 : 1;
}

static int
sqn_watches(void *be, store_watch_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT id, agency_id, principal_id, kind, target, anchor, created"
	    " FROM watches ORDER BY created, id", "watches", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct watch_row w;
		memset(&w, 0, sizeof(w));
		str_copy(w.id, sizeof(w.id), ct(st, 0));
		str_copy(w.agency_id, sizeof(w.agency_id), ct(st, 1));
		str_copy(w.principal_id, sizeof(w.principal_id), ct(st, 2));
		str_copy(w.kind, sizeof(w.kind), ct(st, 3));
		str_copy(w.target, sizeof(w.target), ct(st, 4));
		str_copy(w.anchor, sizeof(w.anchor), ct(st, 5));
		w.created_ms = sqlite3_column_int64(st, 6);
		if ((rc = cb(ctx, &w)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_webhook_put(void *be, const struct webhook_row *w, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "INSERT INTO webhooks(id, agency_id, principal_id, url, secret, cursor,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", "webhook", e);

	if (st == NULL)
		return -1;
	bt(st, 1, w->id);
	bt(st, 2, w->agency_id);
	bt(st, 3, w->principal_id);
	bt(st, 4, w->url);
	bt(st, 5, w->secret);
	sqlite3_bind_int64(st, 6, w->cursor);
	sqlite3_bind_int64(st, 7, w->created_ms);
	return run(db, st, "webhook", e);
}

static int
sqn_webhook_del(void *be, const char *id, const char *agency_id, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "DELETE FROM webhooks WHERE id = ?1 AND agency_id = ?2", "webhook", e);

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	bt(st, 2, agency_id);
	if (run(db, st, "webhook", e) == -1)
		return -1;
	return sqlite3_changes(db) > 0 ? 0 : 1;
}

static int
sqn_webhooks(void *be, store_webhook_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT id, agency_id, principal_id, url, secret, cursor, created"
	    " FROM webhooks ORDER BY created, id", "webhooks", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct webhook_row w;
		memset(&w, 0, sizeof(w));
		str_copy(w.id, sizeof(w.id), ct(st, 0));
		str_copy(w.agency_id, sizeof(w.agency_id), ct(st, 1));
		str_copy(w.principal_id, sizeof(w.principal_id), ct(st, 2));
		str_copy(w.url, sizeof(w.url), ct(st, 3));
		str_copy(w.secret, sizeof(w.secret), ct(st, 4));
		w.cursor = sqlite3_column_int64(st, 5);
		w.created_ms = sqlite3_column_int64(st, 6);
		if ((rc = cb(ctx, &w)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_webhook_cursor(void *be, const char *id, int64_t cursor, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "UPDATE webhooks SET cursor = ?2 WHERE id = ?1 AND cursor < ?2",
	    "webhook", e);

	if (st == NULL)
		return -1;
	bt(st, 1, id);
	sqlite3_bind_int64(st, 2, cursor);
	return run(db, st, "webhook", e);
}

static int
sqn_dead_put(void *be, const struct dead_row *d, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "INSERT OR REPLACE INTO webhook_dead(id, webhook_id, agency_id, alert_seq,"
	    " attempts, last_error, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", "dead letter", e);

	if (st == NULL)
		return -1;
	bt(st, 1, d->id);
	bt(st, 2, d->webhook_id);
	bt(st, 3, d->agency_id);
	sqlite3_bind_int64(st, 4, d->alert_seq);
	sqlite3_bind_int(st, 5, d->attempts);
	bt(st, 6, d->last_error);
	sqlite3_bind_int64(st, 7, d->created_ms);
	return run(db, st, "dead letter", e);
}

static int
sqn_dead_list(void *be, const char *agency_id, int64_t limit, store_dead_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT id, webhook_id, agency_id, alert_seq, attempts, last_error, created"
	    " FROM webhook_dead WHERE agency_id = ?1 ORDER BY created DESC, id LIMIT ?2", "dead letters", NULL);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	bt(st, 1, agency_id);
	sqlite3_bind_int64(st, 2, limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct dead_row d;
		memset(&d, 0, sizeof(d));
		str_copy(d.id, sizeof(d.id), ct(st, 0));
		str_copy(d.webhook_id, sizeof(d.webhook_id), ct(st, 1));
		str_copy(d.agency_id, sizeof(d.agency_id), ct(st, 2));
		d.alert_seq = sqlite3_column_int64(st, 3);
		d.attempts = sqlite3_column_int(st, 4);
		d.last_error = ct(st, 5);
		d.created_ms = sqlite3_column_int64(st, 6);
		if ((rc = cb(ctx, &d)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sqn_alerts_last(void *be, const char *agency_id, const char *principal_id, int64_t *seq)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *st = prep(db, "SELECT coalesce(max(seq), 0) FROM alerts WHERE agency_id = ?1"
	    " AND (principal_id IS NULL OR principal_id = ?2)", "alerts", NULL);
	int src;

	if (st == NULL)
		return -1;
	bt(st, 1, agency_id);
	bt(st, 2, principal_id);
	src = sqlite3_step(st);
	*seq = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return src == SQLITE_ROW ? 0 : -1;
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
};
