/* store_sqlite_persons.c - SQL for persons, travel documents and notices
 * (issue 3), on the connection of store_sqlite.c. Statements are cached per
 * connection through sqx_get; every value is bound. */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

enum {
	X_SP, X_SP_RELEASE, X_SP_ROLLBACK, X_DELETE, X_PUT, X_KEY_PUT, X_GET, X_ITER, X_BY_KEY,
	X_EXPIRED, X_ACK, X_ACKED,
};

#define XCOLS "rid, id, kind, agency_id, ref, contact_ref, version, created, updated," \
	" tlp, disclosure, orcon, audience, grading, handling, review_at, body"

static const char *const x_sql[] = {
	[X_SP] = "SAVEPOINT xrecord_op",
	[X_SP_RELEASE] = "RELEASE xrecord_op",
	[X_SP_ROLLBACK] = "ROLLBACK TO xrecord_op",
	[X_DELETE] = "DELETE FROM xrecords WHERE id = ?1",
	[X_PUT] = "INSERT INTO xrecords(id, kind, agency_id, ref, contact_ref, version, created, updated,"
	    " tlp, disclosure, orcon, audience, grading, handling, review_at, body)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[X_KEY_PUT] = "INSERT OR IGNORE INTO xkeys(key, rid) VALUES (?1, ?2)",
	[X_GET] = "SELECT " XCOLS " FROM xrecords WHERE id = ?1",
	[X_ITER] = "SELECT " XCOLS " FROM xrecords WHERE kind = ?1 AND rid > ?2 ORDER BY rid",
	[X_BY_KEY] = "SELECT x.rid, x.id, x.kind, x.agency_id, x.ref, x.contact_ref, x.version, x.created,"
	    " x.updated, x.tlp, x.disclosure, x.orcon, x.audience, x.grading, x.handling, x.review_at,"
	    " x.body FROM xkeys k JOIN xrecords x ON x.rid = k.rid WHERE k.key = ?1 ORDER BY k.rid",
	[X_EXPIRED] = "SELECT " XCOLS " FROM xrecords WHERE review_at > 0 AND review_at <= ?2 AND kind = ?1"
	    " ORDER BY review_at",
	[X_ACK] = "INSERT OR IGNORE INTO notice_acks(notice_id, agency_id, principal_id, at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[X_ACKED] = "SELECT at FROM notice_acks WHERE notice_id = ?1 AND agency_id = ?2",
};

static sqlite3_stmt *
xget(void *be, int id)
{
	return sqx_get(be, id, x_sql[id]);
}

static int
xsimple(void *be, int id, const char *what, struct err *e)
{
	sqlite3_stmt *st = xget(be, id);
	int rc;

	if (st == NULL) {
		sqx_err(be, SQLITE_ERROR, what, e);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		sqx_err(be, rc, what, e);
	sqx_done(be, id, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
btext(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

int
sqx_xrecord_put(void *be, const struct xrecord *x, const char *const *keys, size_t nkeys, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char *aud = NULL;
	int64_t rid;
	int rc = -1, src;

	if (xsimple(be, X_SP, "record", e) == -1)
		return -1;
	if ((st = xget(be, X_DELETE)) == NULL)
		goto fail;
	btext(st, 1, x->id);
	src = sqlite3_step(st);
	sqx_done(be, X_DELETE, st);
	if (src != SQLITE_DONE) {
		sqx_err(be, src, "record", e);
		goto undo;
	}
	if ((aud = markings_aud_text(&x->m)) == NULL || (st = xget(be, X_PUT)) == NULL)
		goto fail;
	btext(st, 1, x->id);
	btext(st, 2, x->kind);
	btext(st, 3, x->agency_id);
	btext(st, 4, x->ref);
	if (x->contact_ref[0])
		btext(st, 5, x->contact_ref);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, x->version > 0 ? x->version : 1);
	sqlite3_bind_int64(st, 7, x->created_ms);
	sqlite3_bind_int64(st, 8, x->updated_ms);
	btext(st, 9, tlp_name(x->m.tlp));
	btext(st, 10, disclosure_name(x->m.disclosure));
	sqlite3_bind_int(st, 11, x->m.orcon ? 1 : 0);
	btext(st, 12, aud);
	btext(st, 13, x->m.grading);
	btext(st, 14, x->m.handling);
	sqlite3_bind_int64(st, 15, x->m.review_at_ms);
	btext(st, 16, x->body ? x->body : "{}");
	src = sqlite3_step(st);
	sqx_done(be, X_PUT, st);
	if (src != SQLITE_DONE) {
		sqx_err(be, src, "record", e);
		goto undo;
	}
	rid = sqlite3_last_insert_rowid(sqx_db(be));
	for (size_t i = 0; i < nkeys; i++) {
		if ((st = xget(be, X_KEY_PUT)) == NULL)
			goto fail;
		btext(st, 1, keys[i]);
		sqlite3_bind_int64(st, 2, rid);
		src = sqlite3_step(st);
		sqx_done(be, X_KEY_PUT, st);
		if (src != SQLITE_DONE) {
			sqx_err(be, src, "record key", e);
			goto undo;
		}
	}
	rc = xsimple(be, X_SP_RELEASE, "record", e);
	free(aud);
	return rc;
fail:
	sqx_err(be, SQLITE_ERROR, "record", e);
undo:
	free(aud);
	xsimple(be, X_SP_ROLLBACK, "record", NULL);
	xsimple(be, X_SP_RELEASE, "record", NULL);
	return -1;
}

static int
xfrom_row(sqlite3_stmt *st, struct xrecord *x, bool copy_body)
{
	const unsigned char *b;

	memset(x, 0, sizeof(*x));
	x->rid = sqlite3_column_int64(st, 0);
	str_copy(x->id, sizeof(x->id), (const char *)sqlite3_column_text(st, 1));
	str_copy(x->kind, sizeof(x->kind), (const char *)sqlite3_column_text(st, 2));
	str_copy(x->agency_id, sizeof(x->agency_id), (const char *)sqlite3_column_text(st, 3));
	str_copy(x->ref, sizeof(x->ref), (const char *)sqlite3_column_text(st, 4));
	if ((b = sqlite3_column_text(st, 5)) != NULL)
		str_copy(x->contact_ref, sizeof(x->contact_ref), (const char *)b);
	x->version = sqlite3_column_int64(st, 6);
	x->created_ms = sqlite3_column_int64(st, 7);
	x->updated_ms = sqlite3_column_int64(st, 8);
	sqx_markings_from_row(st, 9, &x->m);
	b = sqlite3_column_text(st, 16);
	if (copy_body) {
		if ((x->body = strdup(b ? (const char *)b : "{}")) == NULL)
			return -1;
	} else
		x->body = b ? (const char *)b : "{}";
	return 0;
}

int
sqx_xrecord_get(void *be, const char *id, struct xrecord *out)
{
	sqlite3_stmt *st = xget(be, X_GET);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	btext(st, 1, id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		rc = xfrom_row(st, out, true);
	else if (src == SQLITE_DONE)
		rc = 1;
	sqx_done(be, X_GET, st);
	return rc;
}

static int
xrun(void *be, int id, sqlite3_stmt *st, store_xrecord_cb cb, void *ctx)
{
	struct xrecord x;
	int src, rc = 0;

	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		xfrom_row(st, &x, false);
		if ((rc = cb(ctx, &x)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = -1;
	sqx_done(be, id, st);
	return rc;
}

int
sqx_xrecord_iter(void *be, const char *kind, int64_t after_rid, store_xrecord_cb cb, void *ctx)
{
	sqlite3_stmt *st = xget(be, X_ITER);

	if (st == NULL)
		return -1;
	btext(st, 1, kind);
	sqlite3_bind_int64(st, 2, after_rid);
	return xrun(be, X_ITER, st, cb, ctx);
}

int
sqx_xrecord_by_key(void *be, const char *key, store_xrecord_cb cb, void *ctx)
{
	sqlite3_stmt *st = xget(be, X_BY_KEY);

	if (st == NULL)
		return -1;
	btext(st, 1, key);
	return xrun(be, X_BY_KEY, st, cb, ctx);
}

int
sqx_xrecord_expired(void *be, const char *kind, int64_t now, store_xrecord_cb cb, void *ctx)
{
	sqlite3_stmt *st = xget(be, X_EXPIRED);

	if (st == NULL)
		return -1;
	btext(st, 1, kind);
	sqlite3_bind_int64(st, 2, now);
	return xrun(be, X_EXPIRED, st, cb, ctx);
}

int
sqx_xrecord_delete(void *be, const char *id, struct err *e)
{
	sqlite3_stmt *st = xget(be, X_DELETE);
	int src;

	if (st == NULL) {
		sqx_err(be, SQLITE_ERROR, "record delete", e);
		return -1;
	}
	btext(st, 1, id);
	src = sqlite3_step(st);
	sqx_done(be, X_DELETE, st);
	if (src != SQLITE_DONE) {
		sqx_err(be, src, "record delete", e);
		return -1;
	}
	return sqlite3_changes(sqx_db(be)) > 0 ? 0 : 1;
}

int
sqx_notice_ack(void *be, const char *notice_id, const char *agency_id, const char *principal_id,
    int64_t at, struct err *e)
{
	sqlite3_stmt *st = xget(be, X_ACK);
	int src;

	if (st == NULL) {
		sqx_err(be, SQLITE_ERROR, "acknowledgement", e);
		return -1;
	}
	btext(st, 1, notice_id);
	btext(st, 2, agency_id);
	btext(st, 3, principal_id);
	sqlite3_bind_int64(st, 4, at);
	src = sqlite3_step(st);
	sqx_done(be, X_ACK, st);
	if (src != SQLITE_DONE) {
		sqx_err(be, src, "acknowledgement", e);
		return -1;
	}
	return 0;
}

int
sqx_notice_acked(void *be, const char *notice_id, const char *agency_id, int64_t *at)
{
	sqlite3_stmt *st = xget(be, X_ACKED);
	int rc = -1, src;

	if (st == NULL)
		return -1;
	btext(st, 1, notice_id);
	btext(st, 2, agency_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (at) *at = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (src == SQLITE_DONE)
		rc = 1;
	sqx_done(be, X_ACKED, st);
	return rc;
}
