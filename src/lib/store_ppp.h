/* store_ppp.h - storage of partner requests (freeze, block, takedown,
 * information) and their timelines: the rows ppp.c reads and writes through
 * store.h. SQL in store_sqlite_ppp.c. Contract as in store.h: 0 ok, 1 not
 * found, -1 error with e filled. */
#ifndef SIMPUL_STORE_PPP_H
#define SIMPUL_STORE_PPP_H

#include <stdbool.h>
#include <stdint.h>

#include "simpul_limits.h"
#include "util.h"

struct store;

/* One request as stored. Amounts are minor units; amount -1 = none. */
struct req_row {
	char     id[SIMPUL_ID_LEN + 1];
	char     from_agency[SIMPUL_MAX_AGENCY_ID + 1];
	char     from_principal[SIMPUL_ID_LEN + 1];
	char     partner[SIMPUL_MAX_AGENCY_ID + 1];
	char     action[16];            /* freeze, block, takedown, info */
	char     status[16];            /* sent, accepted, rejected, completed, withdrawn */
	int64_t  created_ms, updated_ms;
	int64_t  due_ms;                /* the SLA deadline */
	int64_t  first_report_ms;       /* earliest creation of a referenced report; 0 = none */
	int64_t  answered_ms;           /* the partner's first answer; 0 = none */
	int64_t  closed_ms;             /* completed, rejected or withdrawn; 0 = open */
	int64_t  overdue_ms, escalated_ms; /* when the alerts were raised; 0 = not yet */
	int64_t  frozen_amount;
	char     frozen_currency[4];
	int64_t  recovered_amount;
	char     recovered_currency[4];
	char    *body;                  /* JSON text: selectors, reports, note, answer; see ppp.c */
};
typedef int (*store_req_cb)(void *ctx, const struct req_row *r);  /* non-zero stops */

/* One change of state, in order (seq 1, 2, ...). */
struct req_event {
	char        request_id[SIMPUL_ID_LEN + 1];
	int64_t     seq, ts_ms;
	char        status[16];         /* the state entered, or "overdue", "escalated" */
	char        agency_id[SIMPUL_MAX_AGENCY_ID + 1];   /* empty: the node itself */
	char        principal_id[SIMPUL_ID_LEN + 1];
	const char *note;               /* may be NULL */
};
typedef int (*store_req_event_cb)(void *ctx, const struct req_event *ev);

int  store_req_put(struct store *st, const struct req_row *r, struct err *e);
/* Updates the mutable columns (status, times, amounts, body) of r->id. */
int  store_req_update(struct store *st, const struct req_row *r, struct err *e);
/* r->body is malloc'd: free with req_row_free. */
int  store_req_get(struct store *st, const char *id, struct req_row *r);
void req_row_free(struct req_row *r);
/* Requests sent or received by agency_id (NULL: all), newest first;
 * open_only: status sent or accepted. r->body valid during the callback. */
int  store_req_list(struct store *st, const char *agency_id, bool open_only,
    store_req_cb cb, void *ctx);
int  store_req_event_put(struct store *st, const struct req_event *ev, struct err *e);
int  store_req_events(struct store *st, const char *request_id, store_req_event_cb cb, void *ctx);
/* The keys of the reports stored after local row `after` that are TLP:CLEAR
 * and not silent (the public check's filter), in arrival order; *upto is set
 * to the last report row looked at (pass it as `after` next time). */
int  store_clear_keys_since(struct store *st, int64_t after, int64_t *upto,
    int (*cb)(void *ctx, const char *key, size_t len), void *ctx);

#endif
