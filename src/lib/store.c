/* store.c - the store interface: picks a backend by URI and dispatches every
 * call through its table of functions (OpenSMTPD's table_backend). Callers
 * never see which backend they talk to; a PostgreSQL backend is one more
 * entry in `backends`. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct store {
	const struct store_backend *be;
	void                       *state;
};

static const struct store_backend *const backends[] = {
	&store_backend_sqlite,
	NULL
};

int
store_open(const char *uri, int flags, struct store **out, struct err *e)
{
	struct store *st = NULL;
	const char *rest = NULL;
	int rc = -1;

	*out = NULL;
	if (uri == NULL || *uri == '\0') {
		err_set(e, 400, "db", "no database given");
		goto out;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	for (int i = 0; backends[i] != NULL; i++) {
		if (backends[i]->accepts(uri, &rest)) {
			st->be = backends[i];
			break;
		}
	}
	if (st->be == NULL) {
		err_set(e, 400, "db", "no storage backend for this database URI");
		goto out;
	}
	if (st->be->open(rest, flags, &st->state, e) == -1)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
out:
	free(st);
	return rc;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->be->close(st->state);
	free(st);
}

const char *
store_backend_name(const struct store *st)
{
	return st->be->name;
}

int
store_schema_version(struct store *st)
{
	return st->be->schema_version(st->state);
}

int
store_set_durable(struct store *st, bool full)
{
	return st->be->set_durable(st->state, full);
}

int
store_checkpoint(struct store *st)
{
	return st->be->checkpoint(st->state);
}

int
store_begin(struct store *st, struct err *e)
{
	return st->be->begin(st->state, e);
}

int
store_commit(struct store *st, struct err *e)
{
	return st->be->commit(st->state, e);
}

int
store_rollback(struct store *st)
{
	return st->be->rollback(st->state);
}

int
store_read_begin(struct store *st, struct err *e)
{
	return st->be->read_begin(st->state, e);
}

int
store_read_end(struct store *st)
{
	return st->be->read_end(st->state);
}

int
store_meta_get(struct store *st, const char *name, char *out, size_t outsz)
{
	return st->be->meta_get(st->state, name, out, outsz);
}

int
store_meta_put(struct store *st, const char *name, const char *value, struct err *e)
{
	return st->be->meta_put(st->state, name, value, e);
}

int
store_agency_put(struct store *st, const struct agency *a, struct err *e)
{
	return st->be->agency_put(st->state, a, e);
}

int
store_agency_get(struct store *st, const char *id, struct agency *out)
{
	return st->be->agency_get(st->state, id, out);
}

int
store_agency_list(struct store *st, int (*cb)(void *, const struct agency *), void *ctx)
{
	return st->be->agency_list(st->state, cb, ctx);
}

int
store_principal_put(struct store *st, const struct principal *p, struct err *e)
{
	return st->be->principal_put(st->state, p, e);
}

int
store_principal_get(struct store *st, const char *id, struct principal *out)
{
	return st->be->principal_get(st->state, id, out);
}

int
store_token_put(struct store *st, const struct token_row *t, struct err *e)
{
	return st->be->token_put(st->state, t, e);
}

int
store_token_get(struct store *st, const char *token_id, struct token_row *t, struct principal *p)
{
	return st->be->token_get(st->state, token_id, t, p);
}

int
store_token_revoke(struct store *st, const char *token_id, int64_t when_ms)
{
	return st->be->token_revoke(st->state, token_id, when_ms);
}

int
store_report_put(struct store *st, const struct report *r, struct err *e)
{
	return st->be->report_put(st->state, r, e);
}

int
store_report_get(struct store *st, const char *id, struct report *r)
{
	return st->be->report_get(st->state, id, r);
}

int
store_report_by_contact(struct store *st, const char *contact_ref, struct report *r)
{
	return st->be->report_by_contact(st->state, contact_ref, r);
}

int
store_postings(struct store *st, const char *key, store_posting_cb cb, void *ctx)
{
	return st->be->postings(st->state, key, cb, ctx);
}

int
store_keys_iter(struct store *st, int (*cb)(void *, const char *key, size_t len), void *ctx)
{
	return st->be->keys_iter(st->state, cb, ctx);
}

int
store_keys_since(struct store *st, int64_t after, store_keys_since_cb cb, void *ctx)
{
	return st->be->keys_since(st->state, after, cb, ctx);
}

int
store_match_put(struct store *st, const struct match_row *m, struct err *e)
{
	return st->be->match_put(st->state, m, e);
}

int
store_matches_for_report(struct store *st, const char *id, store_match_cb cb, void *ctx)
{
	return st->be->matches_for_report(st->state, id, cb, ctx);
}

int
store_alert_put(struct store *st, const struct alert_row *a, struct err *e)
{
	return st->be->alert_put(st->state, a, e);
}

int
store_alerts_list(struct store *st, const char *agency_id, const char *principal_id,
    int64_t after_seq, int limit, store_alert_cb cb, void *ctx)
{
	return st->be->alerts_list(st->state, agency_id, principal_id, after_seq, limit, cb, ctx);
}

int
store_audit_append(struct store *st, const struct audit_row *a, struct err *e)
{
	return st->be->audit_append(st->state, a, e);
}

int
store_audit_last(struct store *st, struct audit_row *out, char **entry_out)
{
	return st->be->audit_last(st->state, out, entry_out);
}

int
store_audit_iter(struct store *st, int64_t from_seq, store_audit_cb cb, void *ctx)
{
	return st->be->audit_iter(st->state, from_seq, cb, ctx);
}

int
store_stats(struct store *st, struct store_stats *out)
{
	return st->be->stats(st->state, out);
}

/* ---- partner requests (store_ppp.h) ------------------------------------- */

int
store_req_put(struct store *st, const struct req_row *r, struct err *e)
{
	return st->be->req_put(st->state, r, e);
}

int
store_req_update(struct store *st, const struct req_row *r, struct err *e)
{
	return st->be->req_update(st->state, r, e);
}

int
store_req_get(struct store *st, const char *id, struct req_row *r)
{
	return st->be->req_get(st->state, id, r);
}

void
req_row_free(struct req_row *r)
{
	free(r->body);
	r->body = NULL;
}

int
store_req_list(struct store *st, const char *agency_id, bool open_only, store_req_cb cb, void *ctx)
{
	return st->be->req_list(st->state, agency_id, open_only, cb, ctx);
}

int
store_req_event_put(struct store *st, const struct req_event *ev, struct err *e)
{
	return st->be->req_event_put(st->state, ev, e);
}

int
store_req_events(struct store *st, const char *request_id, store_req_event_cb cb, void *ctx)
{
	return st->be->req_events(st->state, request_id, cb, ctx);
}

/* ---- persons, documents, notices (store.h) ----------------------------- */

int
store_xrecord_put(struct store *st, const struct xrecord *x, const char *const *keys, size_t nkeys,
    struct err *e)
{
	return st->be->xrecord_put(st->state, x, keys, nkeys, e);
}

int
store_xrecord_get(struct store *st, const char *id, struct xrecord *out)
{
	return st->be->xrecord_get(st->state, id, out);
}

int
store_xrecord_iter(struct store *st, const char *kind, int64_t after_rid, store_xrecord_cb cb, void *ctx)
{
	return st->be->xrecord_iter(st->state, kind, after_rid, cb, ctx);
}

int
store_xrecord_by_key(struct store *st, const char *key, store_xrecord_cb cb, void *ctx)
{
	return st->be->xrecord_by_key(st->state, key, cb, ctx);
}

int
store_xrecord_delete(struct store *st, const char *id, struct err *e)
{
	return st->be->xrecord_delete(st->state, id, e);
}

int
store_xrecord_expired(struct store *st, const char *kind, int64_t now, store_xrecord_cb cb, void *ctx)
{
	return st->be->xrecord_expired(st->state, kind, now, cb, ctx);
}

int
store_notice_ack(struct store *st, const char *notice_id, const char *agency_id,
    const char *principal_id, int64_t at, struct err *e)
{
	return st->be->notice_ack(st->state, notice_id, agency_id, principal_id, at, e);
}

int
store_notice_acked(struct store *st, const char *notice_id, const char *agency_id, int64_t *at)
{
	return st->be->notice_acked(st->state, notice_id, agency_id, at);
}

const struct store_backend *
store_backend_of(struct store *st, void **state)
{
	*state = st->state;
	return st->be;
}

int
store_import_claim(struct store *st, const char *agency_id, const unsigned char digest[32],
    const char *report_id, struct err *e)
{
	return st->be->import_claim(st->state, agency_id, digest, report_id, e);
}

int
store_import_seen(struct store *st, const char *agency_id, const unsigned char digest[32],
    char report_id[SIMPUL_ID_LEN + 1])
{
	return st->be->import_seen(st->state, agency_id, digest, report_id);
}

int
store_reports_after(struct store *st, int64_t after_rid, int64_t created_after_ms, int limit,
    int (*cb)(void *, int64_t rid, const char *id), void *ctx)
{
	return st->be->reports_after(st->state, after_rid, created_after_ms, limit, cb, ctx);
}

int
store_login_put(struct store *st, const struct login_row *l, struct err *e)
{
	return st->be->login_put(st->state, l, e);
}

int
store_login_get(struct store *st, const char *username, struct login_row *l, struct principal *p)
{
	return st->be->login_get(st->state, username, l, p);
}

int
store_sessions_revoke(struct store *st, const char *principal_id, const char *label, int64_t when_ms)
{
	return st->be->sessions_revoke(st->state, principal_id, label, when_ms);
}

int
store_report_facts(struct store *st, int64_t limit, int (*cb)(void *, const struct report_fact *), void *ctx)
{
	return st->be->report_facts(st->state, limit, cb, ctx);
}

int
store_clear_keys_since(struct store *st, int64_t after, int64_t *upto,
    int (*cb)(void *ctx, const char *key, size_t len), void *ctx)
{
	return st->be->clear_keys_since(st->state, after, upto, cb, ctx);
}

int
store_taxii_status_put(struct store *st, const struct taxii_status_row *r, int64_t prune_before_ms,
    struct err *e)
{
	return st->be->taxii_status_put(st->state, r, prune_before_ms, e);
}

int
store_taxii_status_get(struct store *st, const char *id, struct taxii_status_row *out)
{
	return st->be->taxii_status_get(st->state, id, out);
}
