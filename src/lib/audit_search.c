/* audit_search.c - newest-first search of the audit chain with a bounded
 * scan per request (the chain grows without bound; a page never reads more
 * than SIMPUL_AUDIT_SCAN entries and says where to go on). */
#include <string.h>

#include "audit_search.h"
#include "core_int.h"
#include "policy.h"
#include "simpul_limits.h"
#include "store.h"

struct first_ctx {
	char agency[SIMPUL_MAX_AGENCY_ID + 1];
};

static int
first_cb(void *ctx, const struct audit_row *a)
{
	struct first_ctx *f = ctx;
	json_t *j = json_loads(a->entry, 0, NULL);
	const char *action = json_string_value(json_object_get(j, "action"));
	const char *object = json_string_value(json_object_get(j, "object"));

	if (action && object && strcmp(action, "node.init") == 0)
		str_copy(f->agency, sizeof(f->agency), object);
	json_decref(j);
	return 1;  /* only the first */
}

struct scan_ctx {
	const struct audit_query *q;
	const char *scope_agency;    /* NULL: every entry */
	int64_t     before;
	int64_t     scanned;
	json_t     *ring;            /* the newest matches, oldest first, at most limit */
	bool        dropped;         /* older matches fell out of the ring */
};

static bool
prefix(const char *s, const char *p)
{
	return p == NULL || *p == '\0' || (s && strncmp(s, p, strlen(p)) == 0);
}

static bool
same(const char *s, const char *want)
{
	return want == NULL || *want == '\0' || (s && strcmp(s, want) == 0);
}

static int
scan_cb(void *ctx, const struct audit_row *a)
{
	struct scan_ctx *s = ctx;
	const struct audit_query *q = s->q;
	json_t *j;
	char ts[32];

	if (a->seq >= s->before)
		return 1;
	s->scanned++;
	if (q->text && *q->text && strstr(a->entry, q->text) == NULL)
		return 0;
	if ((j = json_loads(a->entry, 0, NULL)) == NULL)
		return 0;
	if (!same(json_string_value(json_object_get(j, "agency")), s->scope_agency) ||
	    !same(json_string_value(json_object_get(j, "principal")), q->principal) ||
	    !same(json_string_value(json_object_get(j, "agency")), q->agency) ||
	    !prefix(json_string_value(json_object_get(j, "action")), q->action) ||
	    !prefix(json_string_value(json_object_get(j, "outcome")), q->outcome)) {
		json_decref(j);
		return 0;
	}
	time_iso(a->ts_ms, ts);
	json_array_append_new(s->ring, json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)a->seq, "ts", ts, "entry", j));
	if (json_array_size(s->ring) > (size_t)q->limit) {
		json_array_remove(s->ring, 0);
		s->dropped = true;
	}
	return 0;
}

int
node_audit_search(struct node *n, const struct reqctx *c, const struct audit_query *q,
    json_t **out, struct err *e)
{
	struct first_ctx first = {{0}};
	struct scan_ctx s = { .q = q };
	struct audit_row last;
	struct store *st;
	json_t *entries, *d;
	int64_t from, next;
	bool all;

	*out = NULL;
	if (!policy_may_audit(c->p)) {
		node_audit_refusal(n, c, "audit.search", NULL, 403, "the audit trail is for admins and auditors");
		err_set(e, 403, "", "searching the audit trail is for admin and auditor principals");
		return -1;
	}
	if (node_audit_flush(n, e) == -1 || (st = node_reader(n, e)) == NULL)
		return -1;
	if (store_read_begin(st, e) == -1)
		return -1;
	memset(&last, 0, sizeof(last));
	if (store_audit_last(st, &last, NULL) == -1 ||
	    store_audit_iter(st, 1, first_cb, &first) == -1) {
		store_read_end(st);
		err_set(e, 500, "", "could not read the audit trail");
		return -1;
	}
	all = c->p->role == ROLE_ADMIN || (first.agency[0] && strcmp(first.agency, c->p->agency.id) == 0);
	s.scope_agency = all ? NULL : c->p->agency.id;
	s.before = q->before > 0 && q->before <= last.seq + 1 ? q->before : last.seq + 1;
	from = s.before - SIMPUL_AUDIT_SCAN;
	if (from < 1)
		from = 1;
	s.ring = json_array();
	if (store_audit_iter(st, from, scan_cb, &s) == -1) {
		store_read_end(st);
		json_decref(s.ring);
		err_set(e, 500, "", "could not read the audit trail");
		return -1;
	}
	store_read_end(st);
	/* Newest first. */
	entries = json_array();
	for (size_t i = json_array_size(s.ring); i > 0; i--)
		json_array_append(entries, json_array_get(s.ring, i - 1));
	if (s.dropped)
		next = json_integer_value(json_object_get(json_array_get(s.ring, 0), "seq"));
	else
		next = from > 1 ? from : 0;
	json_decref(s.ring);
	*out = json_pack("{s:o, s:I, s:I, s:s}", "entries", entries, "scanned", (json_int_t)s.scanned,
	    "last", (json_int_t)last.seq, "scope", all ? "all" : "agency");
	json_object_set_new(*out, "next_before", next > 0 ? json_integer(next) : json_null());
	d = json_pack("{s:I, s:i}", "returned", (json_int_t)json_array_size(entries), "limit", q->limit);
	if (q->principal && *q->principal) json_object_set_new(d, "principal", json_string(q->principal));
	if (q->agency && *q->agency) json_object_set_new(d, "agency", json_string(q->agency));
	if (q->action && *q->action) json_object_set_new(d, "action", json_string(q->action));
	if (q->outcome && *q->outcome) json_object_set_new(d, "outcome", json_string(q->outcome));
	if (q->text && *q->text) json_object_set_new(d, "text", json_string(q->text));
	if (node_audit_read(n, c, "audit.search", NULL, "ok", d, NULL, 0) == -1) {
		json_decref(d);
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	json_decref(d);
	return 0;
}
