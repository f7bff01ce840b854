/* store_sqlite_fmt.c - TAXII 2.1 status resources on SQLite (one row per
 * POST of objects; read back by the principal that posted). A POST is
 * rare next to the read paths: statements are prepared per call. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "store_sqlite_fmt.h"
#include "store_sqlite_int.h"

/* migrations[] (store_sqlite.c): the status resources, by id. */
const char sqf_mig_taxii[] =
"CREATE TABLE taxii_status ("
"  id           TEXT PRIMARY KEY,"
"  principal_id TEXT NOT NULL,"
"  agency_id    TEXT NOT NULL,"
"  created      INTEGER NOT NULL,"
"  body         TEXT NOT NULL"
") WITHOUT ROWID;"
"CREATE INDEX taxii_status_created ON taxii_status(created);";

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) {
		if (e)
			err_set(e, 500, "", "TAXII status store: %s", sqlite3_errmsg(db));
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return -1;
	}
	return 0;
}

int
sqf_taxii_status_put(void *be, const struct taxii_status_row *r, int64_t prune_before_ms, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	int rc = -1;

	/* Old statuses go first (bounded: the index on created). */
	if (prepare(db, "DELETE FROM taxii_status WHERE created < ?1", &stmt, e) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, prune_before_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		err_set(e, 500, "", "TAXII status store: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	if (prepare(db, "INSERT INTO taxii_status(id, principal_id, agency_id, created, body)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)", &stmt, e) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->principal_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, r->agency_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, r->created_ms);
	sqlite3_bind_text(stmt, 5, r->body, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = 0;
	else
		err_set(e, 500, "", "TAXII status store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

int
sqf_taxii_status_get(void *be, const char *id, struct taxii_status_row *out)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	int src, rc = -1;

	memset(out, 0, sizeof(*out));
	if (prepare(db, "SELECT id, principal_id, agency_id, created, body FROM taxii_status WHERE id = ?1",
	    &stmt, NULL) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE)
		rc = 1;
	else if (src == SQLITE_ROW) {
		const unsigned char *t;
		str_copy(out->id, sizeof(out->id), (const char *)sqlite3_column_text(stmt, 0));
		str_copy(out->principal_id, sizeof(out->principal_id), (const char *)sqlite3_column_text(stmt, 1));
		str_copy(out->agency_id, sizeof(out->agency_id), (const char *)sqlite3_column_text(stmt, 2));
		out->created_ms = sqlite3_column_int64(stmt, 3);
		t = sqlite3_column_text(stmt, 4);
		out->body = strdup(t ? (const char *)t : "{}");
		rc = out->body ? 0 : -1;
	}
	sqlite3_finalize(stmt);
	return rc;
}
