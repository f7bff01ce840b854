/* store_int.h - what a storage backend provides (OpenSMTPD's table_backend).
 *
 * store.c owns `struct store` and dispatches every public store_* call
 * through the backend's table of functions; a backend (store_sqlite.c, later
 * store_pg.c) sees only its own state. Each function has the contract of the
 * store.h function of the same name, with `void *be` in place of the store. */
#ifndef SIMPUL_STORE_INT_H
#define SIMPUL_STORE_INT_H

#include "store.h"
#include "store_ppp.h"
#include "store_net.h"

struct store_backend {
	const char *name;
	/* Does this backend serve uri? Sets *rest to the backend-specific part. */
	bool (*accepts)(const char *uri, const char **rest);
	int  (*open)(const char *rest, int flags, void **be, struct err *e);
	void (*close)(void *be);
	int  (*schema_version)(void *be);

	int  (*set_durable)(void *be, bool full);
	int  (*checkpoint)(void *be);
	int  (*begin)(void *be, struct err *e);
	int  (*commit)(void *be, struct err *e);
	int  (*rollback)(void *be);
	int  (*read_begin)(void *be, struct err *e);
	int  (*read_end)(void *be);

	int  (*meta_get)(void *be, const char *name, char *out, size_t outsz);
	int  (*meta_put)(void *be, const char *name, const char *value, struct err *e);

	int  (*agency_put)(void *be, const struct agency *a, struct err *e);
	int  (*agency_get)(void *be, const char *id, struct agency *out);
	int  (*agency_list)(void *be, int (*cb)(void *, const struct agency *), void *ctx);

	int  (*principal_put)(void *be, const struct principal *p, struct err *e);
	int  (*principal_get)(void *be, const char *id, struct principal *out);

	int  (*token_put)(void *be, const struct token_row *t, struct err *e);
	int  (*token_get)(void *be, const char *token_id, struct token_row *t, struct principal *p);
	int  (*token_revoke)(void *be, const char *token_id, int64_t when_ms);

	int  (*report_put)(void *be, const struct report *r, struct err *e);
	int  (*report_get)(void *be, const char *id, struct report *r);
	int  (*report_by_contact)(void *be, const char *contact_ref, struct report *r);

	int  (*postings)(void *be, const char *key, store_posting_cb cb, void *ctx);
	int  (*keys_iter)(void *be, int (*cb)(void *, const char *, size_t), void *ctx);
	int  (*keys_since)(void *be, int64_t after, store_keys_since_cb cb, void *ctx);

	int  (*match_put)(void *be, const struct match_row *m, struct err *e);
	int  (*matches_for_report)(void *be, const char *id, store_match_cb cb, void *ctx);

	int  (*alert_put)(void *be, const struct alert_row *a, struct err *e);
	int  (*alerts_list)(void *be, const char *agency_id, const char *principal_id,
	         int64_t after_seq, int limit, store_alert_cb cb, void *ctx);

	int  (*audit_append)(void *be, const struct audit_row *a, struct err *e);
	int  (*audit_last)(void *be, struct audit_row *out, char **entry_out);
	int  (*audit_iter)(void *be, int64_t from_seq, store_audit_cb cb, void *ctx);

	int  (*stats)(void *be, struct store_stats *out);

	/* partner requests (store_ppp.h) */
	int  (*req_put)(void *be, const struct req_row *r, struct err *e);
	int  (*req_update)(void *be, const struct req_row *r, struct err *e);
	int  (*req_get)(void *be, const char *id, struct req_row *r);
	int  (*req_list)(void *be, const char *agency_id, bool open_only, store_req_cb cb, void *ctx);
	int  (*req_event_put)(void *be, const struct req_event *ev, struct err *e);
	int  (*req_events)(void *be, const char *request_id, store_req_event_cb cb, void *ctx);
	int  (*xrecord_put)(void *be, const struct xrecord *x, const char *const *keys, size_t nkeys, struct err *e);
	int  (*xrecord_get)(void *be, const char *id, struct xrecord *out);
	int  (*xrecord_iter)(void *be, const char *kind, int64_t after_rid, store_xrecord_cb cb, void *ctx);
	int  (*xrecord_by_key)(void *be, const char *key, store_xrecord_cb cb, void *ctx);
	int  (*xrecord_delete)(void *be, const char *id, struct err *e);
	int  (*xrecord_expired)(void *be, const char *kind, int64_t now, store_xrecord_cb cb, void *ctx);
	int  (*notice_ack)(void *be, const char *notice_id, const char *agency_id, const char *principal_id,
	         int64_t at, struct err *e);
	int  (*notice_acked)(void *be, const char *notice_id, const char *agency_id, int64_t *at);
	/* Networks, generic values, watchlists, webhooks (store_net.h). */
	const struct store_net_ops *net;
	int  (*import_claim)(void *be, const char *agency_id, const unsigned char digest[32],
	         const char *report_id, struct err *e);
	int  (*import_seen)(void *be, const char *agency_id, const unsigned char digest[32],
	         char report_id[SIMPUL_ID_LEN + 1]);
	int  (*reports_after)(void *be, int64_t after_rid, int64_t created_after_ms, int limit,
	         int (*cb)(void *, int64_t rid, const char *id), void *ctx);
	int  (*login_put)(void *be, const struct login_row *l, struct err *e);
	int  (*login_get)(void *be, const char *username, struct login_row *l, struct principal *p);
	int  (*sessions_revoke)(void *be, const char *principal_id, const char *label, int64_t when_ms);
	int  (*report_facts)(void *be, int64_t limit, int (*cb)(void *, const struct report_fact *), void *ctx);
	int  (*clear_keys_since)(void *be, int64_t after, int64_t *upto,
	         int (*cb)(void *ctx, const char *key, size_t len), void *ctx);	int  (*taxii_status_put)(void *be, const struct taxii_status_row *r, int64_t prune_before_ms,
	         struct err *e);
	int  (*taxii_status_get)(void *be, const char *id, struct taxii_status_row *out);
};

/* The backend and its state behind a store (for feature tables such as
 * store_net.c). */
const struct store_backend *store_backend_of(struct store *st, void **state);

extern const struct store_backend store_backend_sqlite;
/* Tests only: migrate no further than this version (0: to the last), to
 * build a file of an older version and test its upgrade. */
extern int sq_test_schema_limit;

#endif
