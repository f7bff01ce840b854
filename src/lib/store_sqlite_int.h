/* store_sqlite_int.h - what store_sqlite.c lends its feature files
 * (store_sqlite_<feature>.c): the connection, a per-connection cache of
 * prepared statements, the error mapping and the markings columns. SQL
 * stays inside the store_sqlite*.c files. */
#ifndef SIMPUL_STORE_SQLITE_INT_H
#define SIMPUL_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

#define SQX_N 64   /* statements the feature files may cache per connection */
/* Each feature file's ids start at its base: persons 0..15, networks 16.. */
#define SQX_NET 16

sqlite3      *sqx_db(void *be);
/* The cached statement id (0 .. SQX_N-1) for sql, or a one-off copy when
 * the cached one is busy; give it back with sqx_done. */
sqlite3_stmt *sqx_get(void *be, int id, const char *sql);
void          sqx_done(void *be, int id, sqlite3_stmt *stmt);
void          sqx_err(void *be, int rc, const char *what, struct err *e);
/* Markings from columns c .. c+6: tlp, disclosure, orcon, audience,
 * grading, handling, review_at. */
void          sqx_markings_from_row(sqlite3_stmt *stmt, int c, struct markings *m);
int           sqx_exec(void *be, const char *sql, const char *what, struct err *e);

/* store_sqlite_persons.c */
int sqx_xrecord_put(void *be, const struct xrecord *x, const char *const *keys, size_t nkeys, struct err *e);
int sqx_xrecord_get(void *be, const char *id, struct xrecord *out);
int sqx_xrecord_iter(void *be, const char *kind, int64_t after_rid, store_xrecord_cb cb, void *ctx);
int sqx_xrecord_by_key(void *be, const char *key, store_xrecord_cb cb, void *ctx);
int sqx_xrecord_delete(void *be, const char *id, struct err *e);
int sqx_xrecord_expired(void *be, const char *kind, int64_t now, store_xrecord_cb cb, void *ctx);
int sqx_notice_ack(void *be, const char *notice_id, const char *agency_id, const char *principal_id,
    int64_t at, struct err *e);
int sqx_notice_acked(void *be, const char *notice_id, const char *agency_id, int64_t *at);

#endif
