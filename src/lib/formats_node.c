/* formats_node.c - the exchange formats' side of the node (formats_node.h):
 * exports of networks, persons and notices through the policy gate, the
 * import of persons and notices from STIX bundles, TAXII status resources.
 * Reaches the core only through core_int.h: the per-thread reader, the one
 * write transaction, the audit path. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "formats_node.h"
#include "networks.h"
#include "node_net.h"
#include "persons.h"
#include "policy.h"
#include "simpul_limits.h"

static void
agency_put(struct store *st, json_t *agencies, const char *id)
{
	struct agency a;

	if (json_object_get(agencies, id) != NULL || store_agency_get(st, id, &a) != 0)
		return;
	json_object_set_new(agencies, a.id, json_pack("{s:s, s:s, s:s, s:s}", "id", a.id, "country", a.country,
	    "kind", agency_kind_name(a.kind), "name", a.name));
}

static int
refuse(struct node *n, const struct reqctx *c, const char *action, const char *object, int status,
    const char *field, const char *why, struct err *e)
{
	err_set(e, status, field, "%s", why);
	node_audit_refusal(n, c, action, object, status, why);
	return -1;
}

/* ---- networks ------------------------------------------------------------ */

static size_t
uf_find(size_t *up, size_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

int
node_export_network(struct node *n, const struct reqctx *c, const char *net_id, const char *format,
    json_t **reports_out, json_t **agencies_out, json_t **info_out, struct err *e)
{
	struct store *st;
	json_t *ids = NULL, *all = json_array(), *keys = json_object(), *out = NULL, *agencies = NULL, *named, *d;
	size_t *up = NULL, *size = NULL, best = 0, i, nall;
	const json_t *v;
	char why[160];
	int rc;

	*reports_out = *agencies_out = *info_out = NULL;
	if (c->p == NULL || c->p->role == ROLE_PUBLIC || c->p->agency.kind == AK_PUBLIC) {
		rc = refuse(n, c, "network.export", net_id, 403, "", "the public has no access to networks", e);
		goto out;
	}
	if ((rc = node_network_members(n, c->p, net_id, &ids, e)) == -1)
		goto out;
	if (rc == 1) {
		snprintf(why, sizeof(why), "no network %.40s that you may see", net_id);
		rc = refuse(n, c, "network.export", net_id, 404, "network", why, e);
		goto out;
	}
	rc = -1;
	if ((st = node_reader(n, e)) == NULL)
		goto out;
	/* The members p may share onward. */
	json_array_foreach(ids, i, v) {
		struct report r;
		struct record_meta meta;

		memset(&r, 0, sizeof(r));
		if (store_report_get(st, json_string_value(v), &r) != 0)
			continue;
		meta.agency_id = r.agency_id;
		meta.m = &r.m;
		if (policy_decide(c->p, &meta, USE_ONWARD) == POLICY_FULL)
			json_array_append_new(all, node_report_render(c->p, &r, POLICY_FULL));
		report_free(&r);
	}
	nall = json_array_size(all);
	if (nall == 0) {
		snprintf(why, sizeof(why), "network %.40s holds no report that you may share onward", net_id);
		rc = refuse(n, c, "network.export", net_id, 404, "network", why, e);
		goto out;
	}
	/* Their parts, linked through their own strong, linking selectors. */
	up = calloc(nall, sizeof(*up));
	size = calloc(nall, sizeof(*size));
	if (up == NULL || size == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	for (i = 0; i < nall; i++) {
		up[i] = i;
		size[i] = 1;
	}
	json_array_foreach(all, i, v) {
		const json_t *s;
		size_t k;
		json_array_foreach(json_object_get(v, "selectors"), k, s) {
			const char *key = json_string_value(json_object_get(s, "key"));
			const char *type = json_string_value(json_object_get(s, "type"));
			const char *role = json_string_value(json_object_get(s, "role"));
			const json_t *at;
			if (key == NULL || type == NULL ||
			    !net_edge_strong(type, json_is_true(json_object_get(s, "valid")), role ? role : "") ||
			    !node_key_links(n, key))
				continue;
			if ((at = json_object_get(keys, key)) == NULL) {
				json_object_set_new(keys, key, json_integer((json_int_t)i));
				continue;
			}
			size_t a = uf_find(up, i), b = uf_find(up, (size_t)json_integer_value(at));
			if (a != b) {
				if (size[a] < size[b]) {
					size_t t = a;
					a = b;
					b = t;
				}
				up[b] = a;
				size[a] += size[b];
			}
		}
	}
	/* The largest part; on a tie, the one holding the earliest report id
	 * (ids are time-ordered). */
	for (i = 0; i < nall; i++) {
		size_t r = uf_find(up, i), br = uf_find(up, best);
		if (size[r] > size[br] || (size[r] == size[br] && r != br &&
		    strcmp(json_string_value(json_object_get(json_array_get(all, i), "id")),
		    json_string_value(json_object_get(json_array_get(all, best), "id"))) < 0))
			best = i;
	}
	out = json_array();
	agencies = json_object();
	named = json_array();
	best = uf_find(up, best);
	for (i = 0; i < nall; i++) {
		json_t *r = json_array_get(all, i);
		if (uf_find(up, i) != best)
			continue;
		json_array_append(out, r);
		json_array_append_new(named, json_string(json_string_value(json_object_get(r, "id"))));
		agency_put(st, agencies, json_string_value(json_object_get(r, "agency")));
	}
	agency_put(st, agencies, c->p->agency.id);
	d = json_pack("{s:s, s:o, s:I}", "format", format, "reports", named, "withheld",
	    (json_int_t)(json_array_size(ids) - json_array_size(out)));
	if (node_audit_read(n, c, "network.export", net_id, "ok", d, NULL, 0) == -1) {
		json_decref(d);
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	json_decref(d);
	*info_out = json_pack("{s:s, s:I, s:I}", "network", net_id, "reports", (json_int_t)json_array_size(out),
	    "withheld", (json_int_t)(json_array_size(ids) - json_array_size(out)));
	*reports_out = out;
	*agencies_out = agencies;
	out = agencies = NULL;
	rc = 0;
out:
	free(up);
	free(size);
	json_decref(ids);
	json_decref(all);
	json_decref(keys);
	json_decref(out);
	json_decref(agencies);
	return rc;
}

/* ---- persons and notices ---------------------------------------------------- */

static bool
may_read_persons(const struct principal *p)
{
	return kind_is_le(p->agency.kind) && p->role != ROLE_PUBLIC && p->role != ROLE_PARTNER &&
	    p->role != ROLE_AUDITOR && role_valid_for_kind(p->role, p->agency.kind);
}

/* A person or a notice as an exporter takes it (persons.c renders the same
 * fields for GET; the name index's normalised forms stay home). */
static json_t *
xrecord_render(const struct xrecord *x)
{
	json_t *b = json_loads(x->body, 0, NULL), *o, *v;
	const char *k;
	char t[32];

	o = json_pack("{s:s, s:s, s:I}", "id", x->id, "agency", x->agency_id, "version", (json_int_t)x->version);
	if (x->ref[0] && strcmp(x->kind, "person") == 0)
		json_object_set_new(o, "ref", json_string(x->ref));
	json_object_foreach(b, k, v) {
		if (strcmp(k, "norm_version") == 0)
			continue;
		if (strcmp(k, "names") == 0) {
			json_t *nn = json_array(), *n1;
			size_t i;
			json_array_foreach(v, i, n1) {
				json_t *cp = json_deep_copy(n1);
				json_object_del(cp, "norm");
				json_array_append_new(nn, cp);
			}
			json_object_set_new(o, "names", nn);
		} else
			json_object_set(o, k, v);
	}
	json_decref(b);
	time_iso(x->created_ms, t);
	json_object_set_new(o, "created", json_string(t));
	time_iso(x->updated_ms, t);
	json_object_set_new(o, "updated", json_string(t));
	json_object_set_new(o, "markings", markings_json(&x->m));
	return o;
}

/* 0 and *x filled (free((char *)x->body)) when the record is of kind and p
 * may share it onward; 1 otherwise; -1 on a read error. */
static int
xrecord_onward(struct store *st, const struct principal *p, const char *kind, const char *id, struct xrecord *x)
{
	struct record_meta meta;
	int found;

	memset(x, 0, sizeof(*x));
	found = strlen(id) == SIMPUL_ID_LEN ? store_xrecord_get(st, id, x) : 1;
	if (found != 0)
		return found;
	meta.agency_id = x->agency_id;
	meta.m = &x->m;
	if (strcmp(x->kind, kind) != 0 || policy_decide(p, &meta, USE_ONWARD) != POLICY_FULL) {
		free((char *)x->body);
		x->body = NULL;
		return 1;
	}
	return 0;
}

int
node_export_records(struct node *n, const struct reqctx *c, const char *kind, const char *const *ids,
    size_t nids, const char *format, json_t **persons_out, json_t **notices_out, json_t **agencies_out,
    struct err *e)
{
	bool person = strcmp(kind, "person") == 0;
	const char *action = person ? "person.export" : "notice.export";
	json_t *persons = json_array(), *notices = json_array(), *agencies = json_object(), *named = json_array();
	json_t *seen = json_object(), *d;
	struct store *st;
	char why[160];
	int rc = -1;

	*persons_out = *notices_out = *agencies_out = NULL;
	if (c->p == NULL || (person ? !may_read_persons(c->p) : c->p->role == ROLE_PUBLIC ||
	    c->p->agency.kind == AK_PUBLIC || !role_valid_for_kind(c->p->role, c->p->agency.kind))) {
		refuse(n, c, action, NULL, 403, "", person ? "persons are for law-enforcement principals" :
		    "notices need an agency principal", e);
		goto out;
	}
	if (nids == 0 || nids > SIMPUL_MAX_EXPORT_REPORTS) {
		snprintf(why, sizeof(why), "name 1 to %d %ss to export", SIMPUL_MAX_EXPORT_REPORTS, kind);
		refuse(n, c, action, NULL, 400, kind, why, e);
		goto out;
	}
	if ((st = node_reader(n, e)) == NULL)
		goto out;
	for (size_t i = 0; i < nids; i++) {
		struct xrecord x;
		int f = xrecord_onward(st, c->p, kind, ids[i], &x);
		if (f == -1) {
			err_set(e, 500, "", "could not read the %s", kind);
			goto out;
		}
		if (f == 1) {
			/* Unknown, not for you, hit-only and orcon look the same. */
			snprintf(why, sizeof(why), "no %s %.40s that you may export", kind, ids[i]);
			refuse(n, c, action, ids[i], 404, kind, why, e);
			goto out;
		}
		if (json_object_get(seen, x.id) == NULL) {
			json_object_set_new(seen, x.id, json_true());
			json_array_append_new(person ? persons : notices, xrecord_render(&x));
			json_array_append_new(named, json_string(x.id));
			agency_put(st, agencies, x.agency_id);
		}
		free((char *)x.body);
	}
	/* A notice's person subjects travel with it when p may export them. */
	if (!person && may_read_persons(c->p)) {
		const json_t *nt, *s;
		size_t i, k;
		json_array_foreach(notices, i, nt)
			json_array_foreach(json_object_get(nt, "subjects"), k, s) {
				const char *t = json_string_value(json_object_get(s, "type"));
				const char *pid = json_string_value(json_object_get(s, "id"));
				struct xrecord x;
				if (t == NULL || strcmp(t, "person") != 0 || pid == NULL || json_object_get(seen, pid))
					continue;
				if (xrecord_onward(st, c->p, "person", pid, &x) != 0)
					continue;
				json_object_set_new(seen, x.id, json_true());
				json_array_append_new(persons, xrecord_render(&x));
				agency_put(st, agencies, x.agency_id);
				free((char *)x.body);
			}
	}
	d = json_pack("{s:s, s:O, s:I}", "format", format, person ? "persons" : "notices", named, "persons",
	    (json_int_t)json_array_size(persons));
	rc = node_audit_read(n, c, action, nids == 1 ? ids[0] : NULL, "ok", d, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	*persons_out = persons;
	*notices_out = notices;
	*agencies_out = agencies;
	persons = notices = agencies = NULL;
	rc = 0;
out:
	json_decref(persons);
	json_decref(notices);
	json_decref(agencies);
	json_decref(named);
	json_decref(seen);
	return rc;
}

/* ---- import of persons and notices ---------------------------------------- */

static const char *const notice_kinds[] = { "wanted_person", "modus_operandi", "warning", NULL };

static void
bad_record(json_t *errs, const char *object, const char *field, const char *reason)
{
	if (json_array_size(errs) < SIMPUL_MAX_CSV_ISSUES)
		json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "object", object ? object : "", "field",
		    field ? field : "", "reason", reason));
}

size_t
node_check_records(const json_t *persons, const json_t *notices, json_t *errs)
{
	const json_t *it;
	size_t i, bad = 0;

	if (json_array_size(persons) + json_array_size(notices) > SIMPUL_MAX_STIX_RECORDS) {
		bad_record(errs, "", "objects", "a bundle may hold at most 1000 persons and notices");
		return 1;
	}
	json_array_foreach(persons, i, it) {
		const char *sid = json_string_value(json_object_get(it, "stix_id"));
		struct markings m;
		struct err e = { 0 };
		json_t *body = NULL;
		if (person_parse(json_object_get(it, "person"), &body, &m, &e) == -1) {
			bad++;
			bad_record(errs, sid, e.field, e.msg);
		}
		json_decref(body);
	}
	json_array_foreach(notices, i, it) {
		const char *sid = json_string_value(json_object_get(it, "stix_id"));
		const json_t *nt = json_object_get(it, "notice");
		const char *kind = json_string_value(json_object_get(nt, "kind"));
		const char *title = json_string_value(json_object_get(nt, "title"));
		struct markings m;
		struct err e = { 0 };
		bool ok = false;
		for (int k = 0; kind && notice_kinds[k]; k++)
			ok = ok || strcmp(kind, notice_kinds[k]) == 0;
		if (!ok) {
			bad++;
			bad_record(errs, sid, "kind", "a notice's kind is wanted_person, modus_operandi or warning");
		} else if (title == NULL || *title == '\0') {
			bad++;
			bad_record(errs, sid, "title", "a notice needs a title (the report's name)");
		} else if (markings_parse(json_object_get(nt, "markings"), &m, &e) == -1) {
			bad++;
			bad_record(errs, sid, e.field, e.msg);
		}
	}
	return bad;
}

static void
record_digest(const json_t *it, unsigned char d[32])
{
	char k[300];

	snprintf(k, sizeof(k), "stix|%.120s|%.60s", json_string_value(json_object_get(it, "stix_id")) ?
	    json_string_value(json_object_get(it, "stix_id")) : "",
	    json_string_value(json_object_get(it, "stix_modified")) ?
	    json_string_value(json_object_get(it, "stix_modified")) : "");
	crypto_generichash(d, 32, (const unsigned char *)k, strlen(k), NULL, 0);
}

static int
claim(struct node *n, const char *agency_id, const unsigned char d[32], const char *id, struct err *e)
{
	int rc;

	if (node_write_begin(n, e) == -1)
		return -1;
	rc = store_import_claim(node_writer(n), agency_id, d, id, e) == -1 ? -1 : 0;
	return node_write_end(n, rc, e);
}

int
node_import_records(struct node *n, const struct reqctx *c, const json_t *persons, const json_t *notices,
    struct records_stats *st, struct err *e)
{
	json_t *map = json_object();   /* STIX id -> local person id */
	const json_t *it;
	size_t i;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	json_array_foreach(persons, i, it) {
		unsigned char d[32];
		char local[SIMPUL_ID_LEN + 1];
		const char *sid = json_string_value(json_object_get(it, "stix_id"));
		json_t *out = NULL;
		int seen;

		record_digest(it, d);
		if ((seen = node_import_seen(n, c->p->agency.id, d, local, e)) == -1)
			goto out;
		if (seen == 1) {
			st->duplicates++;
			json_object_set_new(map, sid ? sid : "", json_string(local));
			continue;
		}
		if (node_person_create(n, c, json_object_get(it, "person"), &out, e) == -1) {
			char f[sizeof(e->field)];
			str_copy(f, sizeof(f), e->field);
			snprintf(e->field, sizeof(e->field), "persons[%zu]%s%.40s", i, f[0] ? "." : "", f);
			goto out;
		}
		str_copy(local, sizeof(local), json_string_value(json_object_get(out, "id")));
		json_decref(out);
		/* A crash between the write and the claim imports the person again
		 * on the next run (a duplicate, never a loss). */
		if (claim(n, c->p->agency.id, d, local, e) == -1)
			goto out;
		json_object_set_new(map, sid ? sid : "", json_string(local));
		st->persons++;
	}
	json_array_foreach(notices, i, it) {
		unsigned char d[32];
		char local[SIMPUL_ID_LEN + 1];
		json_t *nt = json_deep_copy(json_object_get(it, "notice")), *subj = json_array(), *out = NULL;
		const json_t *s;
		size_t k;
		int seen;

		record_digest(it, d);
		if ((seen = node_import_seen(n, c->p->agency.id, d, NULL, e)) == -1) {
			json_decref(nt);
			json_decref(subj);
			goto out;
		}
		if (seen == 1) {
			st->duplicates++;
			json_decref(nt);
			json_decref(subj);
			continue;
		}
		json_array_foreach(json_object_get(nt, "subjects"), k, s) {
			const char *t = json_string_value(json_object_get(s, "type"));
			const char *ref = json_string_value(json_object_get(s, "ref"));
			const char *pid;
			if (t && strcmp(t, "selector") == 0)
				json_array_append_new(subj, json_pack("{s:s, s:O}", "type", "selector", "key",
				    json_object_get(s, "key")));
			else if (t && strcmp(t, "person") == 0 && ref &&
			    (pid = json_string_value(json_object_get(map, ref))) != NULL)
				json_array_append_new(subj, json_pack("{s:s, s:s}", "type", "person", "id", pid));
			else
				st->dropped_subjects++;
		}
		json_object_set_new(nt, "subjects", subj);
		rc = node_notice_create(n, c, nt, &out, e);
		json_decref(nt);
		if (rc == -1) {
			char f[sizeof(e->field)];
			str_copy(f, sizeof(f), e->field);
			snprintf(e->field, sizeof(e->field), "notices[%zu]%s%.40s", i, f[0] ? "." : "", f);
			goto out;
		}
		rc = -1;
		str_copy(local, sizeof(local), json_string_value(json_object_get(out, "id")));
		json_decref(out);
		if (claim(n, c->p->agency.id, d, local, e) == -1)
			goto out;
		st->notices++;
	}
	rc = 0;
out:
	json_decref(map);
	return rc;
}

/* ---- TAXII status resources ------------------------------------------------ */

int
node_taxii_status_put(struct node *n, const struct reqctx *c, const char *collection, const json_t *status,
    struct err *e)
{
	struct taxii_status_row row;
	char *text;
	json_t *d;
	int rc;

	memset(&row, 0, sizeof(row));
	str_copy(row.id, sizeof(row.id), json_string_value(json_object_get(status, "id")));
	str_copy(row.principal_id, sizeof(row.principal_id), c->p->id);
	str_copy(row.agency_id, sizeof(row.agency_id), c->p->agency.id);
	row.created_ms = now_ms();
	if ((text = json_dumps(status, JSON_COMPACT)) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	row.body = text;
	if (node_write_begin(n, e) == -1) {
		free(text);
		return -1;
	}
	rc = store_taxii_status_put(node_writer(n), &row,
	    row.created_ms - (int64_t)SIMPUL_TAXII_STATUS_DAYS * 86400 * 1000, e);
	if (rc == 0) {
		d = json_pack("{s:s, s:s, s:O*, s:O*}", "collection", collection, "status", row.id,
		    "success_count", json_object_get(status, "success_count"), "failure_count",
		    json_object_get(status, "failure_count"));
		rc = node_audit_write(n, c, "taxii.add", collection, "ok", d, e);
		json_decref(d);
	}
	free(text);
	return node_write_end(n, rc, e);
}

int
node_taxii_status_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	struct taxii_status_row row;
	struct store *st;
	int found;

	*out = NULL;
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	found = strlen(id) < sizeof(row.id) ? store_taxii_status_get(st, id, &row) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the status");
		return -1;
	}
	/* Another principal's status and an unknown one look the same. */
	if (found == 1 || strcmp(row.principal_id, c->p->id) != 0 ||
	    strcmp(row.agency_id, c->p->agency.id) != 0 ||
	    (*out = json_loads(row.body, 0, NULL)) == NULL) {
		if (found == 0)
			free((char *)row.body);
		return refuse(n, c, "taxii.status", id, 404, "status", "no such status resource", e);
	}
	free((char *)row.body);
	if (node_audit_read(n, c, "taxii.status", id, "ok", NULL, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	return 0;
}

/* ---- TAXII: the notices collection -------------------------------------- */

struct nfeed {
	struct store           *st;
	const struct principal *p;
	int64_t                 added_after_ms;
	int                     limit;
	size_t                  scanned;
	int64_t                 last;
	bool                    more;
	json_t                 *notices, *persons, *agencies, *seen;
};

static int
nfeed_cb(void *ctx, const struct xrecord *x)
{
	struct nfeed *f = ctx;
	struct record_meta meta = { x->agency_id, &x->m };
	json_t *o;

	if ((int)json_array_size(f->notices) == f->limit || f->scanned == SIMPUL_MAX_FEED_SCAN) {
		f->more = true;
		return 1;
	}
	f->scanned++;
	f->last = x->rid;
	if (x->created_ms <= f->added_after_ms || policy_decide(f->p, &meta, USE_ONWARD) != POLICY_FULL)
		return 0;
	o = xrecord_render(x);
	json_object_set_new(o, "rid", json_integer(x->rid));
	json_array_append_new(f->notices, o);
	agency_put(f->st, f->agencies, x->agency_id);
	return 0;
}

int
node_export_notice_feed(struct node *n, const struct reqctx *c, int64_t after_rid, int64_t added_after_ms,
    int limit, json_t **notices_out, json_t **persons_out, json_t **agencies_out, int64_t *last_rid,
    bool *more, struct err *e)
{
	struct nfeed f = { .p = c->p, .added_after_ms = added_after_ms, .limit = limit, .last = after_rid };
	const json_t *nt, *s;
	json_t *d;
	size_t i, k;
	int rc;

	*notices_out = *persons_out = *agencies_out = NULL;
	*more = false;
	if ((f.st = node_reader(n, e)) == NULL)
		return -1;
	f.notices = json_array();
	f.persons = json_array();
	f.agencies = json_object();
	f.seen = json_object();
	if (store_read_begin(f.st, e) == -1)
		goto fail;
	rc = store_xrecord_iter(f.st, "notice", after_rid, nfeed_cb, &f);
	/* The persons they name, for a principal who may read persons. */
	if (rc != -1 && may_read_persons(c->p))
		json_array_foreach(f.notices, i, nt)
			json_array_foreach(json_object_get(nt, "subjects"), k, s) {
				const char *t = json_string_value(json_object_get(s, "type"));
				const char *pid = json_string_value(json_object_get(s, "id"));
				struct xrecord x;
				if (t == NULL || strcmp(t, "person") != 0 || pid == NULL || json_object_get(f.seen, pid))
					continue;
				if (xrecord_onward(f.st, c->p, "person", pid, &x) != 0)
					continue;
				json_object_set_new(f.seen, x.id, json_true());
				json_array_append_new(f.persons, xrecord_render(&x));
				agency_put(f.st, f.agencies, x.agency_id);
				free((char *)x.body);
			}
	store_read_end(f.st);
	if (rc == -1) {
		err_set(e, 500, "", "could not read notices");
		goto fail;
	}
	d = json_pack("{s:s, s:I, s:I}", "collection", "notices", "after", (json_int_t)after_rid, "notices",
	    (json_int_t)json_array_size(f.notices));
	rc = node_audit_read(n, c, "taxii.objects", "notices", "ok", d, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto fail;
	}
	json_decref(f.seen);
	*notices_out = f.notices;
	*persons_out = f.persons;
	*agencies_out = f.agencies;
	*last_rid = f.last;
	*more = f.more;
	return 0;
fail:
	json_decref(f.notices);
	json_decref(f.persons);
	json_decref(f.agencies);
	json_decref(f.seen);
	return -1;
}
