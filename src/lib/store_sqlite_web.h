/* store_sqlite_web.h - the SQLite backend's web sign-in tables (logins;
 * sessions are rows of tokens). Private to the SQLite backend. */
#ifndef SIMPUL_STORE_SQLITE_WEB_H
#define SIMPUL_STORE_SQLITE_WEB_H

#include <sqlite3.h>

#include "store.h"

sqlite3 *sqx_db(void *be);
int sqw_login_put(void *be, const struct login_row *l, struct err *e);
int sqw_login_get(void *be, const char *username, struct login_row *l, struct principal *p);
int sqw_sessions_revoke(void *be, const char *principal_id, const char *label, int64_t when_ms);
int sqw_report_facts(void *be, int64_t limit, int (*cb)(void *, const struct report_fact *), void *ctx);

#endif
