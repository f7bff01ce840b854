/* store_sqlite_web.c - logins (username -> principal, argon2id hash) and
 * revocation of a principal's web sessions, on SQLite. Sign-in is rare:
 * statements are prepared per call rather than cached. */
#include <string.h>

#include "model.h"
#include "store_sqlite_web.h"

static const char *
text_at(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	return t ? (const char *)t : "";
}

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct err *e)
{
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) {
		err_set(e, 500, "", "login store: %s", sqlite3_errmsg(db));
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return -1;
	}
	return 0;
}

int
sqw_login_put(void *be, const struct login_row *l, struct err *e)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	int64_t now = l->updated_ms ? l->updated_ms : now_ms();
	int src, rc = -1;

	/* A username belongs to one principal for good: the update applies
	 * only when the principal is the same. */
	if (prepare(db, "INSERT INTO logins(username, principal_id, pwhash, created, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(username) DO UPDATE SET"
	    " pwhash = excluded.pwhash, updated = excluded.updated"
	    " WHERE logins.principal_id = excluded.principal_id", &stmt, e) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, l->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, l->principal_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, l->pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, now);
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		if ((src & 0xff) == SQLITE_CONSTRAINT)
			err_set(e, 409, "username", "this principal already has a user name, or the principal does not exist");
		else
			err_set(e, 500, "", "login store: %s", sqlite3_errmsg(db));
	} else if (sqlite3_changes(db) == 0) {
		err_set(e, 409, "username", "the user name %.64s belongs to another principal", l->username);
	} else {
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int
sqw_login_get(void *be, const char *username, struct login_row *l, struct principal *p)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	int src, rc = -1, r, k;

	if (prepare(db, "SELECT l.username, l.principal_id, l.pwhash, l.created, l.updated,"
	    " p.role, p.name, a.id, a.country, a.kind, a.name FROM logins l"
	    " JOIN principals p ON p.id = l.principal_id JOIN agencies a ON a.id = p.agency_id"
	    " WHERE l.username = ?1", &stmt, NULL) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, username, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW)
		goto out;
	if (l != NULL) {
		memset(l, 0, sizeof(*l));
		str_copy(l->username, sizeof(l->username), text_at(stmt, 0));
		str_copy(l->principal_id, sizeof(l->principal_id), text_at(stmt, 1));
		if (str_copy(l->pwhash, sizeof(l->pwhash), text_at(stmt, 2)) == -1)
			goto out;
		l->created_ms = sqlite3_column_int64(stmt, 3);
		l->updated_ms = sqlite3_column_int64(stmt, 4);
	}
	if (p != NULL) {
		memset(p, 0, sizeof(*p));
		str_copy(p->id, sizeof(p->id), text_at(stmt, 1));
		r = role_parse(text_at(stmt, 5));
		p->role = r >= 0 ? (enum role)r : ROLE_PUBLIC;
		str_copy(p->name, sizeof(p->name), text_at(stmt, 6));
		str_copy(p->agency.id, sizeof(p->agency.id), text_at(stmt, 7));
		str_copy(p->agency.country, sizeof(p->agency.country), text_at(stmt, 8));
		k = agency_kind_parse(text_at(stmt, 9));
		p->agency.kind = k >= 0 ? (enum agency_kind)k : AK_PUBLIC;
		str_copy(p->agency.name, sizeof(p->agency.name), text_at(stmt, 10));
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
sqw_sessions_revoke(void *be, const char *principal_id, const char *label, int64_t when_ms)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	int rc;

	if (prepare(db, "UPDATE tokens SET revoked = ?3 WHERE principal_id = ?1 AND label = ?2"
	    " AND revoked = 0", &stmt, NULL) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, principal_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, when_ms);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(stmt);
	return rc;
}

/* The dashboard's facts of the newest reports: the markings the gate needs
 * and the few body members it counts, read by SQLite's JSON functions. */
int
sqw_report_facts(void *be, int64_t limit, int (*cb)(void *, const struct report_fact *), void *ctx)
{
	sqlite3 *db = sqx_db(be);
	sqlite3_stmt *stmt;
	struct markings m;
	struct report_fact f;
	int src, rc = 0, t, d;

	if (prepare(db, "SELECT r.agency_id, a.country, r.tlp, r.disclosure, r.orcon, r.audience, r.created,"
	    " json_extract(c.body, '$.occurred_at'), json_extract(c.body, '$.scam_type'),"
	    " json_extract(c.body, '$.victim_country'), json_extract(c.body, '$.loss.currency'),"
	    " json_extract(c.body, '$.loss.amount')"
	    " FROM reports r JOIN report_content c ON c.rid = r.rid JOIN agencies a ON a.id = r.agency_id"
	    " ORDER BY r.rid DESC LIMIT ?1", &stmt, NULL) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, limit);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&m, 0, sizeof(m));
		t = tlp_parse(text_at(stmt, 2));
		d = disclosure_parse(text_at(stmt, 3));
		/* Fail closed on a value only a damaged file can hold. */
		m.tlp = t >= 0 ? (enum tlp)t : TLP_RED;
		m.disclosure = d >= 0 ? (enum disclosure)d : DISC_SILENT;
		m.orcon = sqlite3_column_int(stmt, 4) != 0;
		if (markings_aud_from_text(&m, text_at(stmt, 5)) == -1) {
			m.naud = 0;
			m.tlp = TLP_RED;
		}
		f.agency_id = text_at(stmt, 0);
		f.agency_country = text_at(stmt, 1);
		f.m = &m;
		f.created_ms = sqlite3_column_int64(stmt, 6);
		f.occurred_at = text_at(stmt, 7);
		f.scam_type = text_at(stmt, 8);
		f.victim_country = text_at(stmt, 9);
		f.currency = text_at(stmt, 10);
		f.loss = sqlite3_column_int64(stmt, 11);
		if ((rc = cb(ctx, &f)) != 0)
			break;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(stmt);
	return rc < 0 ? -1 : 0;
}
