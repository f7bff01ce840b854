/* store_sqlite.c - the embedded storage backend: SQLite in WAL mode.
 *
 * All SQL of Simpul lives in this file. Every statement is prepared once per
 * connection (SQLITE_PREPARE_PERSISTENT) on first use and reset after it;
 * every value is bound, never spliced into SQL text. The schema is created
 * and upgraded by numbered migrations recorded in schema_version.
 * docs/internals/store.md describes the schema and its invariants. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_sqlite_ppp.h"   /* partner requests (issue 7) */
#include "store_sqlite_int.h"   /* persons, documents, notices (issue 3) */

/* The last migration; tests may stop earlier to build an older file. */
#define SQ_SCHEMA_LAST    ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)
#define SQ_SCHEMA_VERSION (sq_test_schema_limit > 0 && sq_test_schema_limit < SQ_SCHEMA_LAST ? \
	sq_test_schema_limit : SQ_SCHEMA_LAST)
int sq_test_schema_limit;
#include "store_sqlite_web.h"       /* web sign-in and the dashboard (issue 6) */
#include "store_sqlite_fmt.h"       /* TAXII status resources (issue 5) */

#define SQ_BUSY_MS        5000
/* Page cache per connection, in KiB (negative: SQLite's unit). Without mmap
 * (below) a page not in this cache is a pread(); the check path wants the
 * upper levels of postings and reports resident. */
#define SQ_CACHE_KIB      "-131072"
#define SQ_MMAP_BYTES     "0" /* no mmap: a growing file made every read transaction remap (munmap + TLB shootdowns) */
#define SQ_MMAP_BULK_BYTES "2147418112" /* SQLite's default ceiling */

/* ---- schema ------------------------------------------------------------ */

/* Version 1. Times are INTEGER milliseconds since the epoch (0 = none).
 * Markings are kept as their names so an auditor can read the file with the
 * sqlite3 shell. Report content (selectors, body) lives beside the report
 * row so that the rows the check path joins stay small and dense. */
static const char mig_1[] =
"CREATE TABLE meta ("
"  name  TEXT PRIMARY KEY,"
"  value TEXT NOT NULL"
") WITHOUT ROWID;"

/* Exact counts kept by the triggers below, so store_stats never scans. */
"CREATE TABLE counters ("
"  name TEXT PRIMARY KEY,"
"  n    INTEGER NOT NULL"
") WITHOUT ROWID;"
"INSERT INTO counters(name, n) VALUES ('reports', 0), ('postings', 0),"
"  ('distinct_keys', 0), ('matches', 0), ('alerts', 0);"

"CREATE TABLE agencies ("
"  id      TEXT PRIMARY KEY,"
"  country TEXT NOT NULL CHECK (length(country) = 2),"
"  kind    TEXT NOT NULL CHECK (kind IN ('police', 'asc', 'regulator', 'secretariat',"
"            'partner_le', 'bank', 'telco', 'platform', 'public')),"
"  name    TEXT NOT NULL DEFAULT '',"
"  created INTEGER NOT NULL"
") WITHOUT ROWID;"

"CREATE TABLE principals ("
"  id        TEXT PRIMARY KEY,"
"  agency_id TEXT NOT NULL REFERENCES agencies(id),"
"  role      TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'investigator',"
"              'supervisor', 'partner', 'auditor', 'public')),"
"  name      TEXT NOT NULL DEFAULT '',"
"  created   INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE INDEX principals_agency ON principals(agency_id);"

/* Only the hash of a token's secret half is stored. */
"CREATE TABLE tokens ("
"  id           TEXT PRIMARY KEY,"
"  principal_id TEXT NOT NULL REFERENCES principals(id),"
"  hash         BLOB NOT NULL CHECK (length(hash) = 32),"
"  created      INTEGER NOT NULL,"
"  expires      INTEGER NOT NULL DEFAULT 0,"
"  revoked      INTEGER NOT NULL DEFAULT 0,"
"  label        TEXT NOT NULL DEFAULT ''"
") WITHOUT ROWID;"
"CREATE INDEX tokens_principal ON tokens(principal_id);"

/* rid is the local row number: postings point at it (8 bytes, not a
 * 26-byte id) and its order is arrival order. */
"CREATE TABLE reports ("
"  rid         INTEGER PRIMARY KEY,"
"  id          TEXT NOT NULL UNIQUE,"
"  agency_id   TEXT NOT NULL REFERENCES agencies(id),"
"  contact_ref TEXT UNIQUE,"
"  reference   TEXT NOT NULL DEFAULT '',"
"  version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
"  created     INTEGER NOT NULL,"
"  updated     INTEGER NOT NULL,"
"  tlp         TEXT NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),"
"  disclosure  TEXT NOT NULL CHECK (disclosure IN ('hit', 'silent')),"
"  orcon       INTEGER NOT NULL CHECK (orcon IN (0, 1)),"
"  audience    TEXT NOT NULL DEFAULT '[]',"
"  grading     TEXT NOT NULL DEFAULT '',"
"  handling    TEXT NOT NULL DEFAULT '',"
"  review_at   INTEGER NOT NULL DEFAULT 0"
");"
"CREATE INDEX reports_agency ON reports(agency_id, created);"
"CREATE INDEX reports_review ON reports(review_at) WHERE review_at > 0;"

"CREATE TABLE report_content ("
"  rid       INTEGER PRIMARY KEY REFERENCES reports(rid) ON DELETE CASCADE,"
"  selectors TEXT NOT NULL DEFAULT '[]',"
"  body      TEXT NOT NULL DEFAULT '{}'"
");"

/* The selector index: one row per (key, report), clustered on key so a
 * lookup is one b-tree descent and the rows of a key are adjacent, in
 * arrival order. postings_report serves deletes (the cascade) and
 * store_keys_since. */
"CREATE TABLE postings ("
"  key        TEXT NOT NULL,"
"  report_rid INTEGER NOT NULL REFERENCES reports(rid) ON DELETE CASCADE,"
"  agency_id  TEXT NOT NULL,"
"  role       TEXT NOT NULL,"
"  valid      INTEGER NOT NULL CHECK (valid IN (0, 1)),"
"  derived    INTEGER NOT NULL CHECK (derived IN (0, 1)),"
"  PRIMARY KEY (key, report_rid)"
") WITHOUT ROWID;"
"CREATE INDEX postings_report ON postings(report_rid);"

"CREATE TABLE matches ("
"  id              TEXT PRIMARY KEY,"
"  key             TEXT NOT NULL,"
"  report_id       TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
"  agency_id       TEXT NOT NULL,"
"  other_report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
"  other_agency_id TEXT NOT NULL,"
"  created         INTEGER NOT NULL"
") WITHOUT ROWID;"
"CREATE INDEX matches_report ON matches(report_id);"
"CREATE INDEX matches_other ON matches(other_report_id);"

"CREATE TABLE alerts ("
"  seq          INTEGER PRIMARY KEY AUTOINCREMENT,"
"  id           TEXT NOT NULL UNIQUE,"
"  agency_id    TEXT NOT NULL REFERENCES agencies(id),"
"  principal_id TEXT REFERENCES principals(id),"
"  kind         TEXT NOT NULL,"
"  created      INTEGER NOT NULL,"
"  payload      TEXT NOT NULL DEFAULT '{}'"
");"
"CREATE INDEX alerts_agency ON alerts(agency_id, seq);"

/* The audit chain. Append-only: the triggers refuse UPDATE and DELETE and
 * any seq but last + 1 (defence in depth; the hash chain is the proof). */
"CREATE TABLE audit ("
"  seq   INTEGER PRIMARY KEY CHECK (seq >= 1),"
"  ts    INTEGER NOT NULL,"
"  entry TEXT NOT NULL,"
"  prev  TEXT NOT NULL CHECK (length(prev) = 64),"
"  hash  TEXT NOT NULL CHECK (length(hash) = 64)"
");"
"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'audit is append-only: UPDATE refused'); END;"
"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'audit is append-only: DELETE refused'); END;"
"CREATE TRIGGER audit_gapless BEFORE INSERT ON audit"
"  WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM audit), 0) + 1"
"  BEGIN SELECT RAISE(ABORT, 'audit seq must follow the last entry'); END;"

"CREATE TRIGGER reports_ins AFTER INSERT ON reports"
"  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'reports'; END;"
"CREATE TRIGGER reports_del AFTER DELETE ON reports"
"  BEGIN UPDATE counters SET n = n - 1 WHERE name = 'reports'; END;"
"CREATE TRIGGER postings_newkey BEFORE INSERT ON postings"
"  WHEN NOT EXISTS (SELECT 1 FROM postings WHERE key = NEW.key)"
"  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'distinct_keys'; END;"
"CREATE TRIGGER postings_ins AFTER INSERT ON postings"
"  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'postings'; END;"
"CREATE TRIGGER postings_del AFTER DELETE ON postings BEGIN"
"  UPDATE counters SET n = n - 1 WHERE name = 'postings';"
"  UPDATE counters SET n = n - 1 WHERE name = 'distinct_keys'"
"    AND NOT EXISTS (SELECT 1 FROM postings WHERE key = OLD.key);"
"  END;"
"CREATE TRIGGER matches_ins AFTER INSERT ON matches"
"  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'matches'; END;"
"CREATE TRIGGER matches_del AFTER DELETE ON matches"
"  BEGIN UPDATE counters SET n = n - 1 WHERE name = 'matches'; END;"
"CREATE TRIGGER alerts_ins AFTER INSERT ON alerts"
"  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'alerts'; END;"
"CREATE TRIGGER alerts_del AFTER DELETE ON alerts"
"  BEGIN UPDATE counters SET n = n - 1 WHERE name = 'alerts'; END;"
;

/* Version 2. The store counts inserts itself and adds them to `counters`
 * once per transaction: an AFTER INSERT trigger that updates a WITHOUT
 * ROWID table built an ephemeral table per fire, half the cost of an
 * imported report. Deletes stay counted by their triggers. */
static const char mig_2[] =
"DROP TRIGGER reports_ins;"
"DROP TRIGGER postings_newkey;"
"DROP TRIGGER postings_ins;"
"DROP TRIGGER matches_ins;"
"DROP TRIGGER alerts_ins;"
;

/* Persons, travel documents and notices (issue 3): one table of records
 * with the same markings columns as reports, a JSON body, and lookup keys
 * (document numbers) beside it. Acknowledgements of notices per agency. */
static const char mig_persons[] =
"CREATE TABLE xrecords ("
"  rid         INTEGER PRIMARY KEY,"
"  id          TEXT NOT NULL UNIQUE,"
"  kind        TEXT NOT NULL CHECK (kind IN ('person', 'document', 'notice')),"
"  agency_id   TEXT NOT NULL REFERENCES agencies(id),"
"  ref         TEXT NOT NULL DEFAULT '',"
"  contact_ref TEXT UNIQUE,"
"  version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
"  created     INTEGER NOT NULL,"
"  updated     INTEGER NOT NULL,"
"  tlp         TEXT NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),"
"  disclosure  TEXT NOT NULL CHECK (disclosure IN ('hit', 'silent')),"
"  orcon       INTEGER NOT NULL CHECK (orcon IN (0, 1)),"
"  audience    TEXT NOT NULL DEFAULT '[]',"
"  grading     TEXT NOT NULL DEFAULT '',"
"  handling    TEXT NOT NULL DEFAULT '',"
"  review_at   INTEGER NOT NULL DEFAULT 0,"
"  body        TEXT NOT NULL DEFAULT '{}'"
");"
"CREATE INDEX xrecords_kind ON xrecords(kind, rid);"
"CREATE INDEX xrecords_agency_ref ON xrecords(agency_id, kind, ref);"
"CREATE INDEX xrecords_review ON xrecords(review_at) WHERE review_at > 0;"
"CREATE TABLE xkeys ("
"  key TEXT NOT NULL,"
"  rid INTEGER NOT NULL REFERENCES xrecords(rid) ON DELETE CASCADE,"
"  PRIMARY KEY (key, rid)"
") WITHOUT ROWID;"
"CREATE INDEX xkeys_rid ON xkeys(rid);"
"CREATE TABLE notice_acks ("
"  notice_id    TEXT NOT NULL,"
"  agency_id    TEXT NOT NULL REFERENCES agencies(id),"
"  principal_id TEXT NOT NULL DEFAULT '',"
"  at           INTEGER NOT NULL,"
"  PRIMARY KEY (notice_id, agency_id)"
") WITHOUT ROWID;"
;

/* Formats (issue 5): the rows an import has taken in, by the
 * digest of their content (csvimport.c), so that importing the same file
 * again changes nothing. A row is claimed in the transaction that writes
 * its report: both commit or neither does. */
static const char mig_formats[] =
"CREATE TABLE import_rows ("
"  agency_id TEXT NOT NULL REFERENCES agencies(id),"
"  digest    BLOB NOT NULL CHECK (length(digest) = 32),"
"  report_id TEXT NOT NULL,"
"  created   INTEGER NOT NULL,"
"  PRIMARY KEY (agency_id, digest)"
") WITHOUT ROWID;"
;

/* migrations[v] takes the schema from v - 1 to v. Append, never edit. */
/* Web sign-in (issue 6): a username and an argon2id password hash per
 * principal. Sessions are tokens (label "web session", with an expiry). */
static const char mig_web[] =
"CREATE TABLE logins ("
"  username     TEXT PRIMARY KEY,"
"  principal_id TEXT NOT NULL UNIQUE REFERENCES principals(id),"
"  pwhash       TEXT NOT NULL,"
"  created      INTEGER NOT NULL,"
"  updated      INTEGER NOT NULL"
") WITHOUT ROWID;";

extern const char sq_mig_networks[];   /* store_sqlite_net.c */
extern const char sqf_mig_taxii[];     /* store_sqlite_fmt.c */
extern const char sq_mig_net_snapshot[];   /* store_sqlite_net.c */
static const char *const migrations[] = { NULL, mig_1, mig_2, mig_ppp, mig_persons, sq_mig_networks,
	mig_formats, mig_web, sqf_mig_taxii, sq_mig_net_snapshot };

/* ---- statements -------------------------------------------------------- */

enum qid {
	Q_BEGIN, Q_READ_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SP, Q_SP_RELEASE, Q_SP_ROLLBACK,
	Q_META_GET, Q_META_PUT,
	Q_AGENCY_PUT, Q_AGENCY_GET, Q_AGENCY_LIST,
	Q_PRINCIPAL_PUT, Q_PRINCIPAL_GET,
	Q_TOKEN_PUT, Q_TOKEN_GET, Q_TOKEN_REVOKE,
	Q_REPORT_PUT, Q_CONTENT_PUT, Q_POSTING_PUT, Q_REPORT_GET, Q_REPORT_BY_CONTACT,
	Q_POSTINGS, Q_KEYS, Q_KEYS_SINCE,
	Q_MATCH_PUT, Q_MATCHES,
	Q_ALERT_PUT, Q_ALERTS,
	Q_AUDIT_PUT, Q_AUDIT_MAX, Q_AUDIT_LAST, Q_AUDIT_ITER,
	Q_COUNTERS, Q_COUNT_AGENCIES, Q_COUNT_PRINCIPALS, Q_COUNTER_ADD, Q_KEY_EXISTS,
	Q_IMPORT_CLAIM, Q_IMPORT_SEEN, Q_REPORTS_AFTER,
	Q__N
};

#define REPORT_COLS \
	"r.id, r.agency_id, r.contact_ref, r.reference, r.version, r.created, r.updated," \
	" r.tlp, r.disclosure, r.orcon, r.audience, r.grading, r.handling, r.review_at," \
	" c.selectors, c.body FROM reports r JOIN report_content c ON c.rid = r.rid"

static const char *const q_sql[Q__N] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_READ_BEGIN] = "BEGIN DEFERRED",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SP] = "SAVEPOINT store_op",
	[Q_SP_RELEASE] = "RELEASE store_op",
	[Q_SP_ROLLBACK] = "ROLLBACK TO store_op",
	[Q_META_GET] = "SELECT value FROM meta WHERE name = ?1",
	[Q_META_PUT] = "INSERT INTO meta(name, value) VALUES (?1, ?2)"
	    " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	[Q_AGENCY_PUT] = "INSERT INTO agencies(id, country, kind, name, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_AGENCY_GET] = "SELECT id, country, kind, name FROM agencies WHERE id = ?1",
	[Q_AGENCY_LIST] = "SELECT id, country, kind, name FROM agencies ORDER BY id",
	[Q_PRINCIPAL_PUT] = "INSERT INTO principals(id, agency_id, role, name, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_PRINCIPAL_GET] = "SELECT p.id, p.role, p.name, a.id, a.country, a.kind, a.name"
	    " FROM principals p JOIN agencies a ON a.id = p.agency_id WHERE p.id = ?1",
	[Q_TOKEN_PUT] = "INSERT INTO tokens(id, principal_id, hash, created, expires, revoked, label)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_TOKEN_GET] = "SELECT t.id, t.principal_id, t.hash, t.created, t.expires, t.revoked, t.label,"
	    " p.role, p.name, a.id, a.country, a.kind, a.name"
	    " FROM tokens t JOIN principals p ON p.id = t.principal_id"
	    " JOIN agencies a ON a.id = p.agency_id WHERE t.id = ?1",
	/* The first revocation time is kept. */
	[Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked = CASE WHEN revoked = 0 THEN ?2 ELSE revoked END"
	    " WHERE id = ?1",
	[Q_REPORT_PUT] = "INSERT INTO reports(id, agency_id, contact_ref, reference, version, created,"
	    " updated, tlp, disclosure, orcon, audience, grading, handling, review_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[Q_CONTENT_PUT] = "INSERT INTO report_content(rid, selectors, body) VALUES (?1, ?2, ?3)",
	[Q_POSTING_PUT] = "INSERT INTO postings(key, report_rid, agency_id, role, valid, derived)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_REPORT_GET] = "SELECT " REPORT_COLS " WHERE r.id = ?1",
	[Q_REPORT_BY_CONTACT] = "SELECT " REPORT_COLS " WHERE r.contact_ref = ?1",
	/* The hot path: one descent into postings, then one rowid seek per posting. */
	[Q_POSTINGS] = "SELECT r.id, p.agency_id, p.role, r.reference, r.contact_ref, r.created,"
	    " p.derived, p.valid, r.tlp, r.disclosure, r.orcon, r.audience, r.grading, r.handling,"
	    " r.review_at FROM postings p JOIN reports r ON r.rid = p.report_rid"
	    " WHERE p.key = ?1 ORDER BY p.report_rid",
	[Q_KEYS] = "SELECT DISTINCT key FROM postings ORDER BY key",
	/* Keys of the reports stored after rid, in arrival order (the keyset filter). */
	[Q_KEYS_SINCE] = "SELECT p.key, r.disclosure, r.rid, r.agency_id, r.id,"
	    " r.tlp, r.disclosure, r.orcon, r.audience, r.grading, r.handling, r.review_at FROM reports r"
	    " JOIN postings p ON p.report_rid = r.rid WHERE r.rid > ?1 ORDER BY r.rid",
	[Q_MATCH_PUT] = "INSERT INTO matches(id, key, report_id, agency_id, other_report_id,"
	    " other_agency_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_MATCHES] = "SELECT id, key, report_id, agency_id, other_report_id, other_agency_id, created"
	    " FROM matches WHERE report_id = ?1 OR other_report_id = ?1 ORDER BY created, id",
	[Q_ALERT_PUT] = "INSERT INTO alerts(id, agency_id, principal_id, kind, created, payload)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_ALERTS] = "SELECT seq, id, agency_id, principal_id, kind, created, payload FROM alerts"
	    " WHERE agency_id = ?1 AND seq > ?2 AND (principal_id IS NULL OR principal_id = ?3)"
	    " ORDER BY seq LIMIT ?4",
	[Q_AUDIT_PUT] = "INSERT INTO audit(seq, ts, entry, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_AUDIT_MAX] = "SELECT coalesce(max(seq), 0) FROM audit",
	[Q_AUDIT_LAST] = "SELECT seq, ts, entry, prev, hash FROM audit ORDER BY seq DESC LIMIT 1",
	[Q_AUDIT_ITER] = "SELECT seq, ts, entry, prev, hash FROM audit WHERE seq >= ?1 ORDER BY seq",
	[Q_COUNTERS] = "SELECT name, n FROM counters",
	[Q_COUNTER_ADD] = "UPDATE counters SET n = n + ?2 WHERE name = ?1",
	[Q_KEY_EXISTS] = "SELECT 1 FROM postings WHERE key = ?1 LIMIT 1",
	[Q_COUNT_AGENCIES] = "SELECT count(*) FROM agencies",
	[Q_COUNT_PRINCIPALS] = "SELECT count(*) FROM principals",
	[Q_IMPORT_CLAIM] = "INSERT INTO import_rows(agency_id, digest, report_id, created)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[Q_IMPORT_SEEN] = "SELECT report_id FROM import_rows WHERE agency_id = ?1 AND digest = ?2",
	/* Feeds (TAXII): reports in local row order after a cursor. */
	[Q_REPORTS_AFTER] = "SELECT rid, id FROM reports WHERE rid > ?1 AND created > ?2 ORDER BY rid LIMIT ?3",
};

/* Counters the store keeps (table `counters`): inserts are counted here
 * during a transaction and added at its commit. */
enum { CN_REPORTS, CN_POSTINGS, CN_DISTINCT_KEYS, CN_MATCHES, CN_ALERTS, CN__N };
static const char *const cn_name[CN__N] = {
	"reports", "postings", "distinct_keys", "matches", "alerts"
};

struct sq {
	sqlite3      *db;
	int           flags;
	int           version;
	sqlite3_stmt *q[Q__N];
	int64_t       cn[CN__N];    /* inserts counted in the open transaction */
	sqlite3_stmt *xq[SQX_N];   /* store_sqlite_persons.c's statements */
};

/* The cached statement, or, when it is in use higher up the stack (a
 * callback calling back into the store), a one-off copy. */
static sqlite3_stmt *
q_get(struct sq *s, enum qid id)
{
	sqlite3_stmt *stmt = NULL;

	if (s->q[id] != NULL && !sqlite3_stmt_busy(s->q[id]))
		return s->q[id];
	if (sqlite3_prepare_v3(s->db, q_sql[id], -1,
	    s->q[id] == NULL ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, NULL) != SQLITE_OK) {
		sqlite3_finalize(stmt);
		return NULL;
	}
	if (s->q[id] == NULL)
		s->q[id] = stmt;
	return stmt;
}

static void
q_done(struct sq *s, enum qid id, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	if (stmt == s->q[id])
		sqlite3_reset(stmt);
	else
		sqlite3_finalize(stmt);
}

/* Map SQLite's result to the store's convention, with a message a person
 * can act on. Never includes bound values. */
static void
sq_err(struct sq *s, int rc, const char *what, struct err *e)
{
	int xrc = sqlite3_extended_errcode(s->db);
	const char *msg = sqlite3_errmsg(s->db);

	if (rc == SQLITE_ERROR || (rc & 0xff) == SQLITE_CONSTRAINT)
		rc = xrc;
	switch (rc) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		err_set(e, 409, "id", "%s: already exists (%s)", what, msg);
		break;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		err_set(e, 422, "", "%s: refers to an agency, principal or report that does not exist", what);
		break;
	case SQLITE_CONSTRAINT_TRIGGER:
		err_set(e, 409, "", "%s: %s", what, msg);
		break;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		err_set(e, 422, "", "%s: invalid value (%s)", what, msg);
		break;
	default:
		switch (rc & 0xff) {
		case SQLITE_BUSY:
		case SQLITE_LOCKED:
			err_set(e, 503, "", "%s: database busy: %s", what, msg);
			break;
		default:
			err_set(e, 500, "", "%s: database error: %s", what, msg);
			break;
		}
	}
}

static void
bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
	sqlite3_bind_text(stmt, i, v != NULL ? v : "", -1, SQLITE_STATIC);
}

static void
bind_text_or_null(sqlite3_stmt *stmt, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

static const char *
col_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	return t != NULL ? (const char *)t : "";
}

/* Run a statement that returns no rows. */
static int
q_exec(struct sq *s, enum qid id, const char *what, struct err *e)
{
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, id)) == NULL) {
		sq_err(s, SQLITE_ERROR, what, e);
		return -1;
	}
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE && src != SQLITE_ROW) {
		sq_err(s, src, what, e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, id, stmt);
	return rc;
}

/* ---- open, migrate, close --------------------------------------------- */

static bool
sq_accepts(const char *uri, const char **rest)
{
	if (strncmp(uri, "sqlite:", 7) == 0) {
		*rest = uri + 7;
		return **rest != '\0';
	}
	if (strstr(uri, "://") != NULL)
		return false;
	*rest = uri;
	return true;
}

static int
exec_sql(struct sq *s, const char *sql, const char *what, struct err *e)
{
	char *msg = NULL;
	int src;

	/* Fixed text only (pragmas, migrations): nothing here carries a value. */
	if ((src = sqlite3_exec(s->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		err_set(e, (src & 0xff) == SQLITE_BUSY ? 503 : 500, "", "%s: %s", what,
		    msg != NULL ? msg : sqlite3_errstr(src));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* One-off query of a single integer (open time only). */
static int
query_int(struct sq *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	*out = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/* 0 for a database with no table at all; -1 for one that is not ours. */
static int
read_version(struct sq *s, int *version, struct err *e)
{
	int64_t n = 0, v = 0;

	if (query_int(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
	    " AND name = 'schema_version'", &n) == -1) {
		err_set(e, 500, "db", "cannot read the database: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (n == 0) {
		if (query_int(s, "SELECT count(*) FROM sqlite_schema", &n) == -1 || n != 0) {
			err_set(e, 422, "db", "not a Simpul database (it has tables but no schema_version)");
			return -1;
		}
		*version = 0;
		return 0;
	}
	if (query_int(s, "SELECT coalesce(max(version), 0) FROM schema_version", &v) == -1) {
		err_set(e, 500, "db", "cannot read schema_version: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	*version = (int)v;
	return 0;
}

static int
migrate(struct sq *s, struct err *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, v, src;

	if (exec_sql(s, "BEGIN IMMEDIATE", "migration", e) == -1)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	if (read_version(s, &v, e) == -1)
		goto out;
	if (v > SQ_SCHEMA_VERSION) {
		err_set(e, 500, "db", "database schema version %d is newer than this program "
		    "(it knows up to version %d): upgrade Simpul", v, SQ_SCHEMA_VERSION);
		goto out;
	}
	if (v == 0 && exec_sql(s, "CREATE TABLE schema_version ("
	    "version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)", "migration", e) == -1)
		goto out;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO schema_version(version, applied)"
	    " VALUES (?1, ?2)", -1, &stmt, NULL) != SQLITE_OK) {
		sq_err(s, SQLITE_ERROR, "migration", e);
		goto out;
	}
	for (v = v + 1; v <= SQ_SCHEMA_VERSION; v++) {
		char what[48];

		snprintf(what, sizeof(what), "migration to schema version %d", v);
		if (exec_sql(s, migrations[v], what, e) == -1)
			goto out;
		sqlite3_bind_int(stmt, 1, v);
		sqlite3_bind_int64(stmt, 2, now_ms());
		if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
			sq_err(s, src, what, e);
			goto out;
		}
		sqlite3_reset(stmt);
	}
	if (exec_sql(s, "COMMIT", "migration", e) == -1)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc == -1 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void sq_close(void *be);

/* Before SQLite initialises: no global memory statistics (they take a
 * mutex on every allocation of every connection). */
static void
sq_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sq_open(const char *path, int flags, void **out, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq *s;
	int oflags = SQLITE_OPEN_NOMUTEX, src, rc = -1;

	pthread_once(&once, sq_global_init);
	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	s->flags = flags;
	if (flags & STORE_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if ((src = sqlite3_open_v2(path, &s->db, oflags, NULL)) != SQLITE_OK) {
		if ((src & 0xff) == SQLITE_CANTOPEN && !(flags & STORE_CREATE))
			err_set(e, 404, "db", "cannot open database %s: no such file "
			    "(create it with simpul init)", path);
		else
			err_set(e, 500, "db", "cannot open database %s: %s", path,
			    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, SQ_BUSY_MS);
	/* A bulk writer (the import) reads through a memory map (no copy per
	 * page read; it is the only connection of its process that reads, so
	 * remapping as the file grows is cheap) and does not re-check the
	 * foreign keys of rows it has just written or read itself. */
	if (exec_sql(s, (flags & STORE_BULK) ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON",
	    "open", e) == -1 ||
	    exec_sql(s, (flags & STORE_BULK) ? "PRAGMA mmap_size = " SQ_MMAP_BULK_BYTES :
	    "PRAGMA mmap_size = " SQ_MMAP_BYTES, "open", e) == -1 ||
	    exec_sql(s, "PRAGMA cache_size = " SQ_CACHE_KIB, "open", e) == -1 ||
	    exec_sql(s, "PRAGMA temp_store = MEMORY", "open", e) == -1)
		goto out;
	if (!(flags & STORE_READONLY)) {
		/* WAL is a property of the file; setting it again is a no-op. */
		sqlite3_stmt *stmt = NULL;
		bool wal = false;

		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) == SQLITE_OK &&
		    sqlite3_step(stmt) == SQLITE_ROW)
			wal = strcmp(col_text(stmt, 0), "wal") == 0;
		sqlite3_finalize(stmt);
		if (!wal) {
			err_set(e, 500, "db", "cannot switch database %s to WAL mode: %s", path,
			    sqlite3_errmsg(s->db));
			goto out;
		}
		if (exec_sql(s, (flags & STORE_SYNC_NORMAL) ? "PRAGMA synchronous = NORMAL" :
		    "PRAGMA synchronous = FULL", "open", e) == -1)
			goto out;
		if ((flags & STORE_NO_AUTOCHECKPOINT) &&
		    (exec_sql(s, "PRAGMA wal_autocheckpoint = 0", "open", e) == -1 ||
		    exec_sql(s, "PRAGMA journal_size_limit = 67108864", "open", e) == -1))
			goto out;
	}
	if (read_version(s, &s->version, e) == -1)
		goto out;
	if (s->version > SQ_SCHEMA_VERSION) {
		err_set(e, 500, "db", "database schema version %d is newer than this program "
		    "(it knows up to version %d): upgrade Simpul", s->version, SQ_SCHEMA_VERSION);
		goto out;
	}
	/* An empty file becomes a database only when asked (simpul init); an
	 * older database is upgraded by any program that opens it for writing
	 * (the migrations run in one transaction: all or nothing). */
	if (s->version < SQ_SCHEMA_VERSION) {
		if ((s->version == 0 && !(flags & STORE_CREATE)) || (flags & STORE_READONLY)) {
			err_set(e, 409, "db", "database schema version %d is older than %d: %s",
			    s->version, SQ_SCHEMA_VERSION, s->version == 0 ?
			    "create it with simpul init" : "open it for writing (simpul serve or import) to upgrade it");
			goto out;
		}
		if (migrate(s, e) == -1)
			goto out;
		s->version = SQ_SCHEMA_VERSION;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (s != NULL)
		sq_close(s);
	return rc;
}

static void
sq_close(void *be)
{
	struct sq *s = be;

	if (s == NULL)
		return;
	for (int i = 0; i < Q__N; i++)
		sqlite3_finalize(s->q[i]);
	for (int i = 0; i < SQX_N; i++)
		sqlite3_finalize(s->xq[i]);
	if (s->db != NULL) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (!(s->flags & STORE_READONLY) && s->version == SQ_SCHEMA_VERSION)
			sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close(s->db);
	}
	free(s);
}

static int
sq_schema_version(void *be)
{
	return ((struct sq *)be)->version;
}

/* ---- transactions ------------------------------------------------------ */

static int
sq_set_durable(void *be, bool full)
{
	struct sq *s = be;

	return sqlite3_exec(s->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int
sq_checkpoint(void *be)
{
	struct sq *s = be;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : -1;
}

static int
sq_begin(void *be, struct err *e)
{
	struct sq *s = be;

	if (s->flags & STORE_READONLY) {
		err_set(e, 500, "", "store_begin: the database is open read-only");
		return -1;
	}
	if (!sqlite3_get_autocommit(s->db)) {
		err_set(e, 500, "", "store_begin: a transaction is already open (nesting is not supported)");
		return -1;
	}
	/* IMMEDIATE takes the write lock now, so a writer never fails later on
	 * upgrading a read lock. */
	memset(s->cn, 0, sizeof(s->cn));
	return q_exec(s, Q_BEGIN, "begin", e);
}

/* Add the inserts counted in this transaction to `counters`, inside it. */
static int
cn_flush(struct sq *s, struct err *e)
{
	sqlite3_stmt *stmt;
	int src;

	for (int i = 0; i < CN__N; i++) {
		if (s->cn[i] == 0)
			continue;
		if ((stmt = q_get(s, Q_COUNTER_ADD)) == NULL) {
			sq_err(s, SQLITE_ERROR, "counters", e);
			return -1;
		}
		sqlite3_bind_text(stmt, 1, cn_name[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, s->cn[i]);
		src = sqlite3_step(stmt);
		q_done(s, Q_COUNTER_ADD, stmt);
		if (src != SQLITE_DONE) {
			sq_err(s, src, "counters", e);
			return -1;
		}
		s->cn[i] = 0;
	}
	return 0;
}

static int
sq_commit(void *be, struct err *e)
{
	struct sq *s = be;

	if (sqlite3_get_autocommit(s->db)) {
		err_set(e, 500, "", "store_commit: no transaction is open");
		return -1;
	}
	if (cn_flush(s, e) == -1)
		return -1;
	return q_exec(s, Q_COMMIT, "commit", e);
}

static int
sq_rollback(void *be)
{
	struct sq *s = be;

	memset(s->cn, 0, sizeof(s->cn));
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return q_exec(s, Q_ROLLBACK, "rollback", NULL);
}

static int
sq_read_begin(void *be, struct err *e)
{
	struct sq *s = be;

	if (!sqlite3_get_autocommit(s->db)) {
		err_set(e, 500, "", "store_read_begin: a transaction is already open");
		return -1;
	}
	/* The snapshot starts at the first read that follows. */
	return q_exec(s, Q_READ_BEGIN, "read_begin", e);
}

static int
sq_read_end(void *be)
{
	struct sq *s = be;

	if (sqlite3_get_autocommit(s->db))
		return 0;
	return q_exec(s, Q_COMMIT, "read_end", NULL);
}

/* A write of several statements outside a transaction is made atomic by a
 * savepoint (which opens one), with the counters it changed; inside the
 * caller's transaction it needs none: a failure there makes the caller
 * roll the whole transaction back (store.h). *sp tells op_end which. */
static int
op_begin(struct sq *s, bool *sp, struct err *e)
{
	*sp = sqlite3_get_autocommit(s->db) != 0;
	if (!*sp)
		return 0;
	memset(s->cn, 0, sizeof(s->cn));
	if (q_exec(s, Q_SP, "savepoint", e) == -1) {
		*sp = false;
		return -1;
	}
	return 0;
}

static int
op_end(struct sq *s, bool sp, bool ok, struct err *e)
{
	if (!sp)
		return ok ? 0 : -1;
	if (ok && cn_flush(s, e) == 0 && q_exec(s, Q_SP_RELEASE, "release", e) == 0)
		return 0;
	memset(s->cn, 0, sizeof(s->cn));
	q_exec(s, Q_SP_ROLLBACK, "rollback to savepoint", NULL);
	q_exec(s, Q_SP_RELEASE, "release", NULL);
	return -1;
}

/* ---- meta --------------------------------------------------------------- */

static int
sq_meta_get(void *be, const char *name, char *out, size_t outsz)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_META_GET)) == NULL)
		return -1;
	bind_text(stmt, 1, name);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW)
		goto out;
	if (str_copy(out, outsz, col_text(stmt, 0)) == -1)
		goto out;
	rc = 0;
out:
	q_done(s, Q_META_GET, stmt);
	return rc;
}

static int
sq_meta_put(void *be, const char *name, const char *value, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_META_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "meta", e);
		return -1;
	}
	bind_text(stmt, 1, name);
	bind_text(stmt, 2, value);
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "meta", e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, Q_META_PUT, stmt);
	return rc;
}

/* ---- agencies, principals, tokens -------------------------------------- */

static void
agency_from_row(sqlite3_stmt *stmt, int c, struct agency *a)
{
	int k;

	memset(a, 0, sizeof(*a));
	str_copy(a->id, sizeof(a->id), col_text(stmt, c));
	str_copy(a->country, sizeof(a->country), col_text(stmt, c + 1));
	k = agency_kind_parse(col_text(stmt, c + 2));
	a->kind = k >= 0 ? (enum agency_kind)k : AK_PUBLIC;
	str_copy(a->name, sizeof(a->name), col_text(stmt, c + 3));
}

static int
sq_agency_put(void *be, const struct agency *a, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if (a->id[0] == '\0') {
		err_set(e, 400, "id", "agency: an id is required");
		return -1;
	}
	if ((stmt = q_get(s, Q_AGENCY_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "agency", e);
		return -1;
	}
	bind_text(stmt, 1, a->id);
	bind_text(stmt, 2, a->country);
	bind_text(stmt, 3, agency_kind_name(a->kind));
	bind_text(stmt, 4, a->name);
	sqlite3_bind_int64(stmt, 5, now_ms());
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "agency", e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, Q_AGENCY_PUT, stmt);
	return rc;
}

static int
sq_agency_get(void *be, const char *id, struct agency *out)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_AGENCY_GET)) == NULL)
		return -1;
	bind_text(stmt, 1, id);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE)
		rc = 1;
	else if (src == SQLITE_ROW) {
		agency_from_row(stmt, 0, out);
		rc = 0;
	}
	q_done(s, Q_AGENCY_GET, stmt);
	return rc;
}

static int
sq_agency_list(void *be, int (*cb)(void *, const struct agency *), void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	struct agency a;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_AGENCY_LIST)) == NULL)
		return -1;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		agency_from_row(stmt, 0, &a);
		if ((rc = cb(ctx, &a)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_AGENCY_LIST, stmt);
	return rc;
}

static int
sq_principal_put(void *be, const struct principal *p, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if (p->id[0] == '\0' || p->agency.id[0] == '\0') {
		err_set(e, 400, "id", "principal: an id and an agency are required");
		return -1;
	}
	if ((stmt = q_get(s, Q_PRINCIPAL_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "principal", e);
		return -1;
	}
	bind_text(stmt, 1, p->id);
	bind_text(stmt, 2, p->agency.id);
	bind_text(stmt, 3, role_name(p->role));
	bind_text(stmt, 4, p->name);
	sqlite3_bind_int64(stmt, 5, now_ms());
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "principal", e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, Q_PRINCIPAL_PUT, stmt);
	return rc;
}

/* Columns: id, role, name, then the agency's four. */
static void
principal_from_row(sqlite3_stmt *stmt, int c, struct principal *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	str_copy(p->id, sizeof(p->id), col_text(stmt, c));
	r = role_parse(col_text(stmt, c + 1));
	p->role = r >= 0 ? (enum role)r : ROLE_PUBLIC;
	str_copy(p->name, sizeof(p->name), col_text(stmt, c + 2));
	agency_from_row(stmt, c + 3, &p->agency);
}

static int
sq_principal_get(void *be, const char *id, struct principal *out)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_PRINCIPAL_GET)) == NULL)
		return -1;
	bind_text(stmt, 1, id);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE)
		rc = 1;
	else if (src == SQLITE_ROW) {
		principal_from_row(stmt, 0, out);
		rc = 0;
	}
	q_done(s, Q_PRINCIPAL_GET, stmt);
	return rc;
}

static int
sq_token_put(void *be, const struct token_row *t, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if (t->id[0] == '\0' || t->principal_id[0] == '\0') {
		err_set(e, 400, "id", "token: an id and a principal are required");
		return -1;
	}
	if ((stmt = q_get(s, Q_TOKEN_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "token", e);
		return -1;
	}
	bind_text(stmt, 1, t->id);
	bind_text(stmt, 2, t->principal_id);
	sqlite3_bind_blob(stmt, 3, t->hash, sizeof(t->hash), SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, t->created_ms ? t->created_ms : now_ms());
	sqlite3_bind_int64(stmt, 5, t->expires_ms);
	sqlite3_bind_int64(stmt, 6, t->revoked_ms);
	bind_text(stmt, 7, t->label);
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "token", e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, Q_TOKEN_PUT, stmt);
	return rc;
}

static int
sq_token_get(void *be, const char *token_id, struct token_row *t, struct principal *p)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_TOKEN_GET)) == NULL)
		return -1;
	bind_text(stmt, 1, token_id);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW)
		goto out;
	if (t != NULL) {
		memset(t, 0, sizeof(*t));
		str_copy(t->id, sizeof(t->id), col_text(stmt, 0));
		str_copy(t->principal_id, sizeof(t->principal_id), col_text(stmt, 1));
		if (sqlite3_column_bytes(stmt, 2) != (int)sizeof(t->hash))
			goto out;
		memcpy(t->hash, sqlite3_column_blob(stmt, 2), sizeof(t->hash));
		t->created_ms = sqlite3_column_int64(stmt, 3);
		t->expires_ms = sqlite3_column_int64(stmt, 4);
		t->revoked_ms = sqlite3_column_int64(stmt, 5);
		str_copy(t->label, sizeof(t->label), col_text(stmt, 6));
	}
	if (p != NULL) {
		int r;

		memset(p, 0, sizeof(*p));
		str_copy(p->id, sizeof(p->id), col_text(stmt, 1));
		r = role_parse(col_text(stmt, 7));
		p->role = r >= 0 ? (enum role)r : ROLE_PUBLIC;
		str_copy(p->name, sizeof(p->name), col_text(stmt, 8));
		agency_from_row(stmt, 9, &p->agency);
	}
	rc = 0;
out:
	q_done(s, Q_TOKEN_GET, stmt);
	return rc;
}

static int
sq_token_revoke(void *be, const char *token_id, int64_t when_ms)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1;

	if ((stmt = q_get(s, Q_TOKEN_REVOKE)) == NULL)
		return -1;
	bind_text(stmt, 1, token_id);
	sqlite3_bind_int64(stmt, 2, when_ms > 0 ? when_ms : now_ms());
	if (sqlite3_step(stmt) == SQLITE_DONE)
		rc = sqlite3_changes(s->db) > 0 ? 0 : 1;
	q_done(s, Q_TOKEN_REVOKE, stmt);
	return rc;
}

/* ---- reports ------------------------------------------------------------ */

/* The audience column is the compact JSON array markings_aud_text writes.
 * Entries are audience names, country codes and agency ids (no quotes, no
 * escapes), so the check path reads it by hand; anything else goes to the
 * general parser. */
static void
aud_parse(struct markings *m, const char *text)
{
	const char *p = text, *b;
	size_t n;

	m->naud = 0;
	if (*p++ != '[')
		goto slow;
	if (*p == ']')
		return;
	for (;;) {
		if (*p++ != '"')
			goto slow;
		for (b = p; *p != '"' && *p != '\\' && *p != '\0'; p++)
			;
		n = (size_t)(p - b);
		if (*p != '"' || n > SIMPUL_MAX_AGENCY_ID || m->naud >= SIMPUL_MAX_AUDIENCE)
			goto slow;
		memcpy(m->aud[m->naud], b, n);
		m->aud[m->naud][n] = '\0';
		m->naud++;
		p++;
		if (*p == ']')
			return;
		if (*p++ != ',')
			goto slow;
	}
slow:
	if (markings_aud_from_text(m, text) == -1)
		m->naud = 0;
}

/* Markings from columns c .. c+6: tlp, disclosure, orcon, audience,
 * grading, handling, review_at. */
static void
markings_from_row(sqlite3_stmt *stmt, int c, struct markings *m)
{
	int t = tlp_parse(col_text(stmt, c)), d = disclosure_parse(col_text(stmt, c + 1));

	/* An unknown value can only come from a damaged file: fail closed. */
	m->tlp = t >= 0 ? (enum tlp)t : TLP_RED;
	m->disclosure = d >= 0 ? (enum disclosure)d : DISC_SILENT;
	m->orcon = sqlite3_column_int(stmt, c + 2) != 0;
	aud_parse(m, col_text(stmt, c + 3));
	str_copy(m->grading, sizeof(m->grading), col_text(stmt, c + 4));
	str_copy(m->handling, sizeof(m->handling), col_text(stmt, c + 5));
	m->review_at_ms = sqlite3_column_int64(stmt, c + 6);
}

static int
sels_load(struct report *r, const char *text)
{
	json_t *a = json_loads(text, 0, NULL), *o, *d, *v;
	size_t i, k;
	int rc = -1;

	if (!json_is_array(a))
		goto out;
	if (json_array_size(a) > 0 &&
	    (r->sel = calloc(json_array_size(a), sizeof(*r->sel))) == NULL)
		goto out;
	json_array_foreach(a, i, o) {
		struct rsel *rs = &r->sel[r->nsel];
		const char *str;

		if (!json_is_object(o))
			goto out;
		if ((str = json_string_value(json_object_get(o, "type"))) != NULL)
			str_copy(rs->type, sizeof(rs->type), str);
		if ((str = json_string_value(json_object_get(o, "key"))) != NULL)
			str_copy(rs->key, sizeof(rs->key), str);
		if ((str = json_string_value(json_object_get(o, "role"))) != NULL)
			str_copy(rs->role, sizeof(rs->role), str);
		if ((str = json_string_value(json_object_get(o, "flag"))) != NULL)
			str_copy(rs->flag, sizeof(rs->flag), str);
		rs->valid = json_is_true(json_object_get(o, "valid"));
		if ((d = json_object_get(o, "derived")) != NULL && json_is_array(d)) {
			json_array_foreach(d, k, v) {
				if (rs->nderived >= SIMPUL_MAX_DERIVED || !json_is_string(v))
					break;
				str_copy(rs->derived[rs->nderived++], sizeof(rs->derived[0]),
				    json_string_value(v));
			}
		}
		r->nsel++;
	}
	rc = 0;
out:
	json_decref(a);
	return rc;
}

static int
post_one(struct sq *s, sqlite3_stmt *stmt, const char *key, int64_t rid,
    const struct report *r, const struct rsel *rs, bool derived, struct err *e)
{
	sqlite3_stmt *ex;
	int src;

	/* Counted as a new distinct key when no posting holds it yet (the
	 * same leaf the insert then writes: no extra page read). */
	if ((ex = q_get(s, Q_KEY_EXISTS)) == NULL) {
		sq_err(s, SQLITE_ERROR, "posting", e);
		return -1;
	}
	bind_text(ex, 1, key);
	src = sqlite3_step(ex);
	q_done(s, Q_KEY_EXISTS, ex);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		sq_err(s, src, "posting", e);
		return -1;
	}
	if (src == SQLITE_DONE)
		s->cn[CN_DISTINCT_KEYS]++;
	bind_text(stmt, 1, key);
	sqlite3_bind_int64(stmt, 2, rid);
	bind_text(stmt, 3, r->agency_id);
	bind_text(stmt, 4, rs->role[0] ? rs->role : "unspecified");
	sqlite3_bind_int(stmt, 5, rs->valid ? 1 : 0);
	sqlite3_bind_int(stmt, 6, derived ? 1 : 0);
	src = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (src != SQLITE_DONE) {
		sq_err(s, src, "posting", e);
		return -1;
	}
	s->cn[CN_POSTINGS]++;
	return 0;
}

/* Has key been posted already for this report? The keys of selectors go
 * first, then derived keys, so a key both given and derived posts as given.
 * dk < 0: key is sel[si].key; otherwise it is sel[si].derived[dk]. */
static bool
key_posted(const struct report *r, size_t si, int dk, const char *key)
{
	for (size_t i = 0; i < r->nsel && (dk >= 0 || i < si); i++)
		if (strcmp(r->sel[i].key, key) == 0)
			return true;
	if (dk < 0)
		return false;
	for (size_t i = 0; i <= si && i < r->nsel; i++) {
		for (int k = 0; k < r->sel[i].nderived && k < SIMPUL_MAX_DERIVED; k++) {
			if (i == si && k >= dk)
				return false;
			if (strcmp(r->sel[i].derived[k], key) == 0)
				return true;
		}
	}
	return false;
}

static int
sq_report_put(void *be, const struct report *r, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt = NULL, *pst = NULL;
	char *aud = NULL, *sels = NULL, *body = NULL;
	int64_t rid, created;
	bool sp = false;
	int rc = -1, src;

	if (r->id[0] == '\0' || r->agency_id[0] == '\0') {
		err_set(e, 400, "id", "report: an id and an agency are required");
		return -1;
	}
	if ((aud = markings_aud_text(&r->m)) == NULL ||
	    (r->sels_text == NULL && (sels = report_sels_text(r)) == NULL) ||
	    (r->body_text == NULL &&
	    (body = r->body != NULL ? json_dumps(r->body, JSON_COMPACT) : strdup("{}")) == NULL)) {
		err_set(e, 500, "", "report: out of memory");
		goto out;
	}
	if (op_begin(s, &sp, e) == -1)
		goto out;

	if ((stmt = q_get(s, Q_REPORT_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "report", e);
		goto out;
	}
	created = r->created_ms ? r->created_ms : now_ms();
	bind_text(stmt, 1, r->id);
	bind_text(stmt, 2, r->agency_id);
	bind_text_or_null(stmt, 3, r->contact_ref);
	bind_text(stmt, 4, r->reference);
	sqlite3_bind_int64(stmt, 5, r->version > 0 ? r->version : 1);
	sqlite3_bind_int64(stmt, 6, created);
	sqlite3_bind_int64(stmt, 7, r->updated_ms ? r->updated_ms : created);
	bind_text(stmt, 8, tlp_name(r->m.tlp));
	bind_text(stmt, 9, disclosure_name(r->m.disclosure));
	sqlite3_bind_int(stmt, 10, r->m.orcon ? 1 : 0);
	bind_text(stmt, 11, aud);
	bind_text(stmt, 12, r->m.grading);
	bind_text(stmt, 13, r->m.handling);
	sqlite3_bind_int64(stmt, 14, r->m.review_at_ms);
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		sq_err(s, src, "report", e);
		q_done(s, Q_REPORT_PUT, stmt);
		goto out;
	}
	q_done(s, Q_REPORT_PUT, stmt);
	rid = sqlite3_last_insert_rowid(s->db);
	s->cn[CN_REPORTS]++;

	if ((stmt = q_get(s, Q_CONTENT_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "report", e);
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, rid);
	bind_text(stmt, 2, r->sels_text ? r->sels_text : sels);
	bind_text(stmt, 3, r->body_text ? r->body_text : body);
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		sq_err(s, src, "report", e);
		q_done(s, Q_CONTENT_PUT, stmt);
		goto out;
	}
	q_done(s, Q_CONTENT_PUT, stmt);

	if ((pst = q_get(s, Q_POSTING_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "posting", e);
		goto out;
	}
	for (size_t i = 0; i < r->nsel; i++) {
		const struct rsel *rs = &r->sel[i];

		if (rs->key[0] == '\0' || key_posted(r, i, -1, rs->key))
			continue;
		if (post_one(s, pst, rs->key, rid, r, rs, false, e) == -1)
			goto out;
	}
	for (size_t i = 0; i < r->nsel; i++) {
		const struct rsel *rs = &r->sel[i];

		for (int k = 0; k < rs->nderived && k < SIMPUL_MAX_DERIVED; k++) {
			if (rs->derived[k][0] == '\0' || key_posted(r, i, k, rs->derived[k]))
				continue;
			if (post_one(s, pst, rs->derived[k], rid, r, rs, true, e) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	q_done(s, Q_POSTING_PUT, pst);
	if (sp || rc == -1)
		rc = op_end(s, sp, rc == 0, e);
	free(aud);
	free(sels);
	free(body);
	return rc;
}

/* Columns as REPORT_COLS. */
static int
report_from_row(sqlite3_stmt *stmt, struct report *r)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->id, sizeof(r->id), col_text(stmt, 0));
	str_copy(r->agency_id, sizeof(r->agency_id), col_text(stmt, 1));
	str_copy(r->contact_ref, sizeof(r->contact_ref), col_text(stmt, 2));
	str_copy(r->reference, sizeof(r->reference), col_text(stmt, 3));
	r->version = sqlite3_column_int64(stmt, 4);
	r->created_ms = sqlite3_column_int64(stmt, 5);
	r->updated_ms = sqlite3_column_int64(stmt, 6);
	markings_from_row(stmt, 7, &r->m);
	if (sels_load(r, col_text(stmt, 14)) == -1)
		goto fail;
	if ((r->body = json_loads(col_text(stmt, 15), 0, NULL)) == NULL)
		goto fail;
	return 0;
fail:
	report_free(r);
	return -1;
}

static int
report_query(struct sq *s, enum qid id, const char *arg, struct report *r)
{
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, id)) == NULL)
		return -1;
	bind_text(stmt, 1, arg);
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE)
		rc = 1;
	else if (src == SQLITE_ROW)
		rc = report_from_row(stmt, r);
	q_done(s, id, stmt);
	return rc;
}

static int
sq_report_get(void *be, const char *id, struct report *r)
{
	return report_query(be, Q_REPORT_GET, id, r);
}

static int
sq_report_by_contact(void *be, const char *contact_ref, struct report *r)
{
	if (contact_ref == NULL || *contact_ref == '\0')
		return 1;
	return report_query(be, Q_REPORT_BY_CONTACT, contact_ref, r);
}

/* ---- the selector index ------------------------------------------------ */

static int
sq_postings(void *be, const char *key, store_posting_cb cb, void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	struct markings m;
	struct posting p;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_POSTINGS)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	p.key = key;
	p.m = &m;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		p.report_id = col_text(stmt, 0);
		p.agency_id = col_text(stmt, 1);
		p.role = col_text(stmt, 2);
		p.reference = col_text(stmt, 3);
		p.contact_ref = col_text(stmt, 4);
		p.created_ms = sqlite3_column_int64(stmt, 5);
		p.derived = sqlite3_column_int(stmt, 6) != 0;
		p.valid = sqlite3_column_int(stmt, 7) != 0;
		markings_from_row(stmt, 8, &m);
		if ((rc = cb(ctx, &p)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_POSTINGS, stmt);
	return rc;
}

static int
sq_keys_iter(void *be, int (*cb)(void *, const char *, size_t), void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_KEYS)) == NULL)
		return -1;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *k = col_text(stmt, 0);

		if ((rc = cb(ctx, k, (size_t)sqlite3_column_bytes(stmt, 0))) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_KEYS, stmt);
	return rc;
}

static int
sq_keys_since(void *be, int64_t after, store_keys_since_cb cb, void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_KEYS_SINCE)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, after);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *k = col_text(stmt, 0);
		bool silent = strcmp(col_text(stmt, 1), "silent") == 0;
		struct markings m;

		if (silent)
			markings_from_row(stmt, 5, &m);
		if ((rc = cb(ctx, k, (size_t)sqlite3_column_bytes(stmt, 0), col_text(stmt, 3),
		    silent ? &m : NULL, sqlite3_column_int64(stmt, 2), col_text(stmt, 4))) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_KEYS_SINCE, stmt);
	return rc;
}

/* ---- matches and alerts ------------------------------------------------- */

static int
sq_match_put(void *be, const struct match_row *m, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	char id[SIMPUL_ID_LEN + 1];
	bool sp;
	int rc = -1, src;

	if (m->id[0])
		str_copy(id, sizeof(id), m->id);
	else
		id_new(id);
	if (op_begin(s, &sp, e) == -1)
		return -1;
	if ((stmt = q_get(s, Q_MATCH_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "match", e);
		return op_end(s, sp, false, e);
	}
	bind_text(stmt, 1, id);
	bind_text(stmt, 2, m->key);
	bind_text(stmt, 3, m->report_id);
	bind_text(stmt, 4, m->agency_id);
	bind_text(stmt, 5, m->other_report_id);
	bind_text(stmt, 6, m->other_agency_id);
	sqlite3_bind_int64(stmt, 7, m->created_ms ? m->created_ms : now_ms());
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "match", e);
		goto out;
	}
	s->cn[CN_MATCHES]++;
	rc = 0;
out:
	q_done(s, Q_MATCH_PUT, stmt);
	return op_end(s, sp, rc == 0, e);
}

static int
sq_matches_for_report(void *be, const char *id, store_match_cb cb, void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	struct match_row m;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_MATCHES)) == NULL)
		return -1;
	bind_text(stmt, 1, id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&m, 0, sizeof(m));
		str_copy(m.id, sizeof(m.id), col_text(stmt, 0));
		str_copy(m.key, sizeof(m.key), col_text(stmt, 1));
		str_copy(m.report_id, sizeof(m.report_id), col_text(stmt, 2));
		str_copy(m.agency_id, sizeof(m.agency_id), col_text(stmt, 3));
		str_copy(m.other_report_id, sizeof(m.other_report_id), col_text(stmt, 4));
		str_copy(m.other_agency_id, sizeof(m.other_agency_id), col_text(stmt, 5));
		m.created_ms = sqlite3_column_int64(stmt, 6);
		if ((rc = cb(ctx, &m)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_MATCHES, stmt);
	return rc;
}

static int
sq_alert_put(void *be, const struct alert_row *a, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	char id[SIMPUL_ID_LEN + 1];
	bool sp;
	int rc = -1, src;

	if (a->agency_id[0] == '\0' || a->kind[0] == '\0') {
		err_set(e, 400, "agency", "alert: an agency and a kind are required");
		return -1;
	}
	if (a->id[0])
		str_copy(id, sizeof(id), a->id);
	else
		id_new(id);
	if (op_begin(s, &sp, e) == -1)
		return -1;
	if ((stmt = q_get(s, Q_ALERT_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "alert", e);
		return op_end(s, sp, false, e);
	}
	bind_text(stmt, 1, id);
	bind_text(stmt, 2, a->agency_id);
	bind_text_or_null(stmt, 3, a->principal_id);
	bind_text(stmt, 4, a->kind);
	sqlite3_bind_int64(stmt, 5, a->created_ms ? a->created_ms : now_ms());
	bind_text(stmt, 6, a->payload != NULL ? a->payload : "{}");
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "alert", e);
		goto out;
	}
	s->cn[CN_ALERTS]++;
	rc = 0;
out:
	q_done(s, Q_ALERT_PUT, stmt);
	return op_end(s, sp, rc == 0, e);
}

static int
sq_alerts_list(void *be, const char *agency_id, const char *principal_id, int64_t after_seq,
    int limit, store_alert_cb cb, void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	struct alert_row a;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_ALERTS)) == NULL)
		return -1;
	bind_text(stmt, 1, agency_id);
	sqlite3_bind_int64(stmt, 2, after_seq);
	bind_text_or_null(stmt, 3, principal_id);
	sqlite3_bind_int(stmt, 4, limit > 0 ? limit : -1);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.seq = sqlite3_column_int64(stmt, 0);
		str_copy(a.id, sizeof(a.id), col_text(stmt, 1));
		str_copy(a.agency_id, sizeof(a.agency_id), col_text(stmt, 2));
		str_copy(a.principal_id, sizeof(a.principal_id), col_text(stmt, 3));
		str_copy(a.kind, sizeof(a.kind), col_text(stmt, 4));
		a.created_ms = sqlite3_column_int64(stmt, 5);
		a.payload = col_text(stmt, 6);
		if ((rc = cb(ctx, &a)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_ALERTS, stmt);
	return rc;
}

/* ---- audit -------------------------------------------------------------- */

static int
sq_audit_append(void *be, const struct audit_row *a, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int64_t seq = a->seq;
	int rc = -1, src;

	if (seq <= 0) {
		if ((stmt = q_get(s, Q_AUDIT_MAX)) == NULL) {
			sq_err(s, SQLITE_ERROR, "audit", e);
			return -1;
		}
		if ((src = sqlite3_step(stmt)) == SQLITE_ROW)
			seq = sqlite3_column_int64(stmt, 0) + 1;
		q_done(s, Q_AUDIT_MAX, stmt);
		if (src != SQLITE_ROW) {
			sq_err(s, src, "audit", e);
			return -1;
		}
	}
	if ((stmt = q_get(s, Q_AUDIT_PUT)) == NULL) {
		sq_err(s, SQLITE_ERROR, "audit", e);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, seq);
	sqlite3_bind_int64(stmt, 2, a->ts_ms);
	bind_text(stmt, 3, a->entry);
	bind_text(stmt, 4, a->prev);
	bind_text(stmt, 5, a->hash);
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "audit", e);
		goto out;
	}
	rc = 0;
out:
	q_done(s, Q_AUDIT_PUT, stmt);
	return rc;
}

static void
audit_from_row(sqlite3_stmt *stmt, struct audit_row *a)
{
	a->seq = sqlite3_column_int64(stmt, 0);
	a->ts_ms = sqlite3_column_int64(stmt, 1);
	a->entry = col_text(stmt, 2);
	str_copy(a->prev, sizeof(a->prev), col_text(stmt, 3));
	str_copy(a->hash, sizeof(a->hash), col_text(stmt, 4));
}

static int
sq_audit_last(void *be, struct audit_row *out, char **entry_out)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if (entry_out != NULL)
		*entry_out = NULL;
	if ((stmt = q_get(s, Q_AUDIT_LAST)) == NULL)
		return -1;
	if ((src = sqlite3_step(stmt)) == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (src != SQLITE_ROW)
		goto out;
	audit_from_row(stmt, out);
	out->entry = NULL;
	if (entry_out != NULL) {
		if ((*entry_out = strdup(col_text(stmt, 2))) == NULL)
			goto out;
		out->entry = *entry_out;
	}
	rc = 0;
out:
	q_done(s, Q_AUDIT_LAST, stmt);
	return rc;
}

static int
sq_audit_iter(void *be, int64_t from_seq, store_audit_cb cb, void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	struct audit_row a;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_AUDIT_ITER)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, from_seq);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		audit_from_row(stmt, &a);
		if ((rc = cb(ctx, &a)) != 0)
			goto out;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
out:
	q_done(s, Q_AUDIT_ITER, stmt);
	return rc;
}

/* ---- statistics --------------------------------------------------------- */

static int
count_one(struct sq *s, enum qid id, int64_t *out)
{
	sqlite3_stmt *stmt;
	int rc = -1;

	if ((stmt = q_get(s, id)) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = 0;
	}
	q_done(s, id, stmt);
	return rc;
}

static int
sq_stats(void *be, struct store_stats *out)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	memset(out, 0, sizeof(*out));
	/* Small tables are counted; big ones read the store-kept counters,
	 * and the audit chain is gapless, so its size is its last seq. */
	if (count_one(s, Q_COUNT_AGENCIES, &out->agencies) == -1 ||
	    count_one(s, Q_COUNT_PRINCIPALS, &out->principals) == -1 ||
	    count_one(s, Q_AUDIT_MAX, &out->audit_entries) == -1)
		return -1;
	if ((stmt = q_get(s, Q_COUNTERS)) == NULL)
		return -1;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *n = col_text(stmt, 0);
		int64_t v = sqlite3_column_int64(stmt, 1);

		if (strcmp(n, "reports") == 0)
			out->reports = v;
		else if (strcmp(n, "postings") == 0)
			out->postings = v;
		else if (strcmp(n, "distinct_keys") == 0)
			out->distinct_keys = v;
		else if (strcmp(n, "matches") == 0)
			out->matches = v;
		else if (strcmp(n, "alerts") == 0)
			out->alerts = v;
	}
	rc = src == SQLITE_DONE ? 0 : -1;
	q_done(s, Q_COUNTERS, stmt);
	return rc;
}

/* ---- for the feature backends (store_sqlite_int.h and the others) ----- */

/* The connection: the one accessor the store_sqlite_<feature>.c files use. */
sqlite3 *
sqx_db(void *be)
{
	return ((struct sq *)be)->db;
}

sqlite3_stmt *
sqx_get(void *be, int id, const char *sql)
{
	struct sq *s = be;
	sqlite3_stmt *stmt = NULL;

	if (id < 0 || id >= SQX_N)
		return NULL;
	if (s->xq[id] != NULL && !sqlite3_stmt_busy(s->xq[id]))
		return s->xq[id];
	if (sqlite3_prepare_v3(s->db, sql, -1, s->xq[id] == NULL ? SQLITE_PREPARE_PERSISTENT : 0,
	    &stmt, NULL) != SQLITE_OK) {
		sqlite3_finalize(stmt);
		return NULL;
	}
	if (s->xq[id] == NULL)
		s->xq[id] = stmt;
	return stmt;
}

void
sqx_done(void *be, int id, sqlite3_stmt *stmt)
{
	struct sq *s = be;

	if (stmt == NULL)
		return;
	if (id >= 0 && id < SQX_N && stmt == s->xq[id])
		sqlite3_reset(stmt);
	else
		sqlite3_finalize(stmt);
}

void
sqx_err(void *be, int rc, const char *what, struct err *e)
{
	sq_err(be, rc, what, e);
}

void
sqx_markings_from_row(sqlite3_stmt *stmt, int c, struct markings *m)
{
	markings_from_row(stmt, c, m);
}

int
sqx_exec(void *be, const char *sql, const char *what, struct err *e)
{
	return exec_sql(be, sql, what, e);
}
extern const struct store_net_ops sq_net_ops;   /* store_sqlite_net.c */

/* ---- import rows (formats) --------------------------------------------- */

static int
sq_import_claim(void *be, const char *agency_id, const unsigned char digest[32],
    const char *report_id, struct err *e)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_IMPORT_CLAIM)) == NULL) {
		sq_err(s, SQLITE_ERROR, "import row", e);
		return -1;
	}
	bind_text(stmt, 1, agency_id);
	sqlite3_bind_blob(stmt, 2, digest, 32, SQLITE_STATIC);
	bind_text(stmt, 3, report_id);
	sqlite3_bind_int64(stmt, 4, now_ms());
	if ((src = sqlite3_step(stmt)) != SQLITE_DONE) {
		sq_err(s, src, "import row", e);
		goto out;
	}
	rc = sqlite3_changes(s->db) == 1 ? 1 : 0;
out:
	q_done(s, Q_IMPORT_CLAIM, stmt);
	return rc;
}

static int
sq_import_seen(void *be, const char *agency_id, const unsigned char digest[32],
    char report_id[SIMPUL_ID_LEN + 1])
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = -1, src;

	if ((stmt = q_get(s, Q_IMPORT_SEEN)) == NULL)
		return -1;
	bind_text(stmt, 1, agency_id);
	sqlite3_bind_blob(stmt, 2, digest, 32, SQLITE_STATIC);
	if ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (report_id)
			str_copy(report_id, SIMPUL_ID_LEN + 1, col_text(stmt, 0));
		rc = 1;
	} else if (src == SQLITE_DONE)
		rc = 0;
	q_done(s, Q_IMPORT_SEEN, stmt);
	return rc;
}

static int
sq_reports_after(void *be, int64_t after_rid, int64_t created_after_ms, int limit,
    int (*cb)(void *, int64_t rid, const char *id), void *ctx)
{
	struct sq *s = be;
	sqlite3_stmt *stmt;
	int rc = 0, src;

	if ((stmt = q_get(s, Q_REPORTS_AFTER)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, after_rid);
	sqlite3_bind_int64(stmt, 2, created_after_ms);
	sqlite3_bind_int(stmt, 3, limit);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		if (cb(ctx, sqlite3_column_int64(stmt, 0), col_text(stmt, 1)) != 0)
			break;
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = -1;
	q_done(s, Q_REPORTS_AFTER, stmt);
	return rc;
}

const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.accepts = sq_accepts,
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.set_durable = sq_set_durable,
	.checkpoint = sq_checkpoint,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.agency_put = sq_agency_put,
	.agency_get = sq_agency_get,
	.agency_list = sq_agency_list,
	.principal_put = sq_principal_put,
	.principal_get = sq_principal_get,
	.token_put = sq_token_put,
	.token_get = sq_token_get,
	.token_revoke = sq_token_revoke,
	.report_put = sq_report_put,
	.report_get = sq_report_get,
	.report_by_contact = sq_report_by_contact,
	.postings = sq_postings,
	.keys_iter = sq_keys_iter,
	.keys_since = sq_keys_since,
	.match_put = sq_match_put,
	.matches_for_report = sq_matches_for_report,
	.alert_put = sq_alert_put,
	.alerts_list = sq_alerts_list,
	.audit_append = sq_audit_append,
	.audit_last = sq_audit_last,
	.audit_iter = sq_audit_iter,
	.stats = sq_stats,
	.req_put = sq_req_put,
	.req_update = sq_req_update,
	.req_get = sq_req_get,
	.req_list = sq_req_list,
	.req_event_put = sq_req_event_put,
	.req_events = sq_req_events,
	.xrecord_put = sqx_xrecord_put,
	.xrecord_get = sqx_xrecord_get,
	.xrecord_iter = sqx_xrecord_iter,
	.xrecord_by_key = sqx_xrecord_by_key,
	.xrecord_delete = sqx_xrecord_delete,
	.xrecord_expired = sqx_xrecord_expired,
	.notice_ack = sqx_notice_ack,
	.notice_acked = sqx_notice_acked,
	.net = &sq_net_ops,
	.import_claim = sq_import_claim,
	.import_seen = sq_import_seen,
	.reports_after = sq_reports_after,
	.login_put = sqw_login_put,
	.login_get = sqw_login_get,
	.sessions_revoke = sqw_sessions_revoke,
	.report_facts = sqw_report_facts,
	.clear_keys_since = sq_clear_keys_since,
	.taxii_status_put = sqf_taxii_status_put,
	.taxii_status_get = sqf_taxii_status_get,
};

