/* store_sqlite_ppp.h - between store_sqlite.c and store_sqlite_ppp.c: the
 * partner-request migration and the backend functions for store_ppp.h. */
#ifndef SIMPUL_STORE_SQLITE_PPP_H
#define SIMPUL_STORE_SQLITE_PPP_H

#include <sqlite3.h>

#include "store_int.h"

extern const char mig_ppp[];
sqlite3 *sqx_db(void *be);   /* the backend state's connection */
int sq_req_put(void *be, const struct req_row *r, struct err *e);
int sq_req_update(void *be, const struct req_row *r, struct err *e);
int sq_req_get(void *be, const char *id, struct req_row *r);
int sq_req_list(void *be, const char *agency_id, bool open_only, store_req_cb cb, void *ctx);
int sq_req_event_put(void *be, const struct req_event *ev, struct err *e);
int sq_req_events(void *be, const char *request_id, store_req_event_cb cb, void *ctx);
int sq_clear_keys_since(void *be, int64_t after, int64_t *upto,
    int (*cb)(void *ctx, const char *key, size_t len), void *ctx);

#endif
