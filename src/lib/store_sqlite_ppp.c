/* store_sqlite_ppp.c - partner requests on SQLite (store_ppp.h): the
 * migration that adds them and their statements. Beside store_sqlite.c so
 * that the feature's SQL stays in one file; the connection comes from
 * sqx_db(). Requests are few (people send them), so statements are
 * prepared per call rather than cached. Every value is bound. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_ppp.h"

/* Appended to store_sqlite.c's migrations[]. Times are ms since the epoch,
 * 0 = not yet; amounts are minor units, NULL = none. */
const char mig_ppp[] =
"CREATE TABLE requests ("
"  id                 TEXT PRIMARY KEY,"
"  from_agency        TEXT NOT NULL REFERENCES agencies(id),"
"  from_principal     TEXT NOT NULL,"
"  partner            TEXT NOT NULL REFERENCES agencies(id),"
"  action             TEXT NOT NULL CHECK (action IN ('freeze', 'block', 'takedown', 'info')),"
"  status             TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'rejected',"
"                       'completed', 'withdrawn')),"
"  created            INTEGER NOT NULL,"
"  updated            INTEGER NOT NULL,"
"  due                INTEGER NOT NULL,"
"  first_report       INTEGER NOT NULL DEFAULT 0,"
"  answered           INTEGER NOT NULL DEFAULT 0,"
"  closed             INTEGER NOT NULL DEFAULT 0,"
"  overdue            INTEGER NOT NULL DEFAULT 0,"
"  escalated          INTEGER NOT NULL DEFAULT 0,"
"  frozen_amount      INTEGER CHECK (frozen_amount IS NULL OR frozen_amount >= 0),"
"  frozen_currency    TEXT CHECK (frozen_currency IS NULL OR length(frozen_currency) = 3),"
"  recovered_amount   INTEGER CHECK (recovered_amount IS NULL OR recovered_amount >= 0),"
"  recovered_currency TEXT CHECK (recovered_currency IS NULL OR length(recovered_currency) = 3),"
"  body               TEXT NOT NULL"
") WITHOUT ROWID;"
"CREATE INDEX requests_from ON requests(from_agency, created);"
"CREATE INDEX requests_partner ON requests(partner, created);"
"CREATE INDEX requests_open ON requests(status, due) WHERE status IN ('sent', 'accepted');"
"CREATE TABLE request_events ("
"  request_id   TEXT NOT NULL REFERENCES requests(id),"
"  seq          INTEGER NOT NULL,"
"  ts           INTEGER NOT NULL,"
"  status       TEXT NOT NULL,"
"  agency_id    TEXT NOT NULL DEFAULT '',"
"  principal_id TEXT NOT NULL DEFAULT '',"
"  note         TEXT,"
"  PRIMARY KEY (request_id, seq)"
") WITHOUT ROWID;"
/* A timeline is history: it is appended to, never changed. */
"CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events"
"  BEGIN SELECT RAISE(ABORT, 'request events are append-only'); END;"
"CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events"
"  BEGIN SELECT RAISE(ABORT, 'request events are append-only'); END;"
;

#define REQ_COLS "id, from_agency, from_principal, partner, action, status, created, updated," \
	" due, first_report, answered, closed, overdue, escalated, frozen_amount, frozen_currency," \
	" recovered_amount, recovered_currency, body"

static void
sqerr(sqlite3 *db, int rc, const char *what, struct err *e)
{
	int x = sqlite3_extended_errcode(db);

	if (x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE)
		err_set(e, 409, "id", "%s: already exists", what);
	else if (x == SQLITE_CONSTRAINT_FOREIGNKEY)
		err_set(e, 422, "", "%s: refers to an agency that does not exist", what);
	else if ((rc & 0xff) == SQLITE_CONSTRAINT)
		err_set(e, 422, "", "%s: invalid value (%s)", what, sqlite3_errmsg(db));
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		err_set(e, 503, "", "%s: database busy", what);
	else
		err_set(e, 500, "", "%s: database error: %s", what, sqlite3_errmsg(db));
}

static void
btext(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static void
bmoney(sqlite3_stmt *s, int i, int64_t amount, const char *currency)
{
	if (amount < 0 || currency == NULL || currency[0] == '\0') {
		sqlite3_bind_null(s, i);
		sqlite3_bind_null(s, i + 1);
	} else {
		sqlite3_bind_int64(s, i, amount);
		sqlite3_bind_text(s, i + 1, currency, -1, SQLITE_STATIC);
	}
}

static const char *
ctext(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* Columns of REQ_COLS into r; the body pointer borrows from the statement. */
static void
row_read(sqlite3_stmt *s, struct req_row *r)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->id, sizeof(r->id), ctext(s, 0));
	str_copy(r->from_agency, sizeof(r->from_agency), ctext(s, 1));
	str_copy(r->from_principal, sizeof(r->from_principal), ctext(s, 2));
	str_copy(r->partner, sizeof(r->partner), ctext(s, 3));
	str_copy(r->action, sizeof(r->action), ctext(s, 4));
	str_copy(r->status, sizeof(r->status), ctext(s, 5));
	r->created_ms = sqlite3_column_int64(s, 6);
	r->updated_ms = sqlite3_column_int64(s, 7);
	r->due_ms = sqlite3_column_int64(s, 8);
	r->first_report_ms = sqlite3_column_int64(s, 9);
	r->answered_ms = sqlite3_column_int64(s, 10);
	r->closed_ms = sqlite3_column_int64(s, 11);
	r->overdue_ms = sqlite3_column_int64(s, 12);
	r->escalated_ms = sqlite3_column_int64(s, 13);
	r->frozen_amount = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 14);
	str_copy(r->frozen_currency, sizeof(r->frozen_currency), ctext(s, 15));
	r->recovered_amount = sqlite3_column_type(s, 16) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 16);
	str_copy(r->recovered_currency, sizeof(r->recovered_currency), ctext(s, 17));
	r->body = (char *)ctext(s, 18);
}

static int
run_write(sqlite3 *db, sqlite3_stmt *s, const char *what, struct err *e)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE) {
		sqerr(db, rc, what, e);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
sq_req_put(void *be, const struct req_row *r, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "INSERT INTO requests(" REQ_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)", -1, &s, NULL) != SQLITE_OK) {
		sqerr(db, SQLITE_ERROR, "request", e);
		return -1;
	}
	btext(s, 1, r->id);
	btext(s, 2, r->from_agency);
	btext(s, 3, r->from_principal);
	btext(s, 4, r->partner);
	btext(s, 5, r->action);
	btext(s, 6, r->status);
	sqlite3_bind_int64(s, 7, r->created_ms);
	sqlite3_bind_int64(s, 8, r->updated_ms);
	sqlite3_bind_int64(s, 9, r->due_ms);
	sqlite3_bind_int64(s, 10, r->first_report_ms);
	sqlite3_bind_int64(s, 11, r->answered_ms);
	sqlite3_bind_int64(s, 12, r->closed_ms);
	sqlite3_bind_int64(s, 13, r->overdue_ms);
	sqlite3_bind_int64(s, 14, r->escalated_ms);
	bmoney(s, 15, r->frozen_amount, r->frozen_currency);
	bmoney(s, 17, r->recovered_amount, r->recovered_currency);
	btext(s, 19, r->body ? r->body : "{}");
	return run_write(db, s, "request", e);
}

int
sq_req_update(void *be, const struct req_row *r, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "UPDATE requests SET status = ?2, updated = ?3, answered = ?4,"
	    " closed = ?5, overdue = ?6, escalated = ?7, frozen_amount = ?8, frozen_currency = ?9,"
	    " recovered_amount = ?10, recovered_currency = ?11, body = ?12 WHERE id = ?1",
	    -1, &s, NULL) != SQLITE_OK) {
		sqerr(db, SQLITE_ERROR, "request", e);
		return -1;
	}
	btext(s, 1, r->id);
	btext(s, 2, r->status);
	sqlite3_bind_int64(s, 3, r->updated_ms);
	sqlite3_bind_int64(s, 4, r->answered_ms);
	sqlite3_bind_int64(s, 5, r->closed_ms);
	sqlite3_bind_int64(s, 6, r->overdue_ms);
	sqlite3_bind_int64(s, 7, r->escalated_ms);
	bmoney(s, 8, r->frozen_amount, r->frozen_currency);
	bmoney(s, 10, r->recovered_amount, r->recovered_currency);
	btext(s, 12, r->body ? r->body : "{}");
	if (run_write(db, s, "request", e) == -1)
		return -1;
	if (sqlite3_changes(db) != 1) {
		err_set(e, 404, "id", "no such request");
		return -1;
	}
	return 0;
}

int
sq_req_get(void *be, const char *id, struct req_row *r)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;
	int rc = -1, src;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(db, "SELECT " REQ_COLS " FROM requests WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	btext(s, 1, id);
	if ((src = sqlite3_step(s)) == SQLITE_ROW) {
		row_read(s, r);
		r->body = strdup(r->body);
		rc = r->body ? 0 : -1;
	} else if (src == SQLITE_DONE) {
		rc = 1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
sq_req_list(void *be, const char *agency_id, bool open_only, store_req_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;
	struct req_row r;
	int rc = 0, src;

	if (sqlite3_prepare_v2(db, "SELECT " REQ_COLS " FROM requests"
	    " WHERE (?1 IS NULL OR from_agency = ?1 OR partner = ?1)"
	    " AND (?2 = 0 OR status IN ('sent', 'accepted'))"
	    " ORDER BY created DESC, id DESC", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (agency_id)
		btext(s, 1, agency_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int(s, 2, open_only ? 1 : 0);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		row_read(s, &r);
		if ((rc = cb(ctx, &r)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(s);
	return rc;
}

int
sq_req_event_put(void *be, const struct req_event *ev, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "INSERT INTO request_events(request_id, seq, ts, status, agency_id,"
	    " principal_id, note) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM request_events"
	    " WHERE request_id = ?1), ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL) != SQLITE_OK) {
		sqerr(db, SQLITE_ERROR, "request event", e);
		return -1;
	}
	btext(s, 1, ev->request_id);
	sqlite3_bind_int64(s, 2, ev->ts_ms);
	btext(s, 3, ev->status);
	btext(s, 4, ev->agency_id);
	btext(s, 5, ev->principal_id);
	if (ev->note && *ev->note)
		btext(s, 6, ev->note);
	else
		sqlite3_bind_null(s, 6);
	return run_write(db, s, "request event", e);
}

int
sq_req_events(void *be, const char *request_id, store_req_event_cb cb, void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;
	struct req_event ev;
	int rc = 0, src;

	if (sqlite3_prepare_v2(db, "SELECT seq, ts, status, agency_id, principal_id, note"
	    " FROM request_events WHERE request_id = ?1 ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return -1;
	btext(s, 1, request_id);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		str_copy(ev.request_id, sizeof(ev.request_id), request_id);
		ev.seq = sqlite3_column_int64(s, 0);
		ev.ts_ms = sqlite3_column_int64(s, 1);
		str_copy(ev.status, sizeof(ev.status), ctext(s, 2));
		str_copy(ev.agency_id, sizeof(ev.agency_id), ctext(s, 3));
		str_copy(ev.principal_id, sizeof(ev.principal_id), ctext(s, 4));
		ev.note = sqlite3_column_type(s, 5) == SQLITE_NULL ? NULL : ctext(s, 5);
		if ((rc = cb(ctx, &ev)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(s);
	return rc;
}

int
sq_clear_keys_since(void *be, int64_t after, int64_t *upto,
    int (*cb)(void *ctx, const char *key, size_t len), void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *s = NULL;
	int64_t last = after;
	int rc = -1, src;

	/* The newest row first, so that the scan below is a bounded range of
	 * the rowid and the next call starts after it, CLEAR or not. */
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(rid), 0) FROM reports", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto out;
	last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (last > after) {
		if (sqlite3_prepare_v2(db, "SELECT p.key FROM reports r JOIN postings p ON p.report_rid = r.rid"
		    " WHERE r.rid > ?1 AND r.rid <= ?2 AND r.tlp = 'CLEAR' AND r.disclosure = 'hit'",
		    -1, &s, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int64(s, 2, last);
		while ((src = sqlite3_step(s)) == SQLITE_ROW)
			if (cb(ctx, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0)) != 0)
				goto out;
		if (src != SQLITE_DONE)
			goto out;
	}
	*upto = last < after ? after : last;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
