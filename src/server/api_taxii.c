/* api_taxii.c - a TAXII 2.1 server under /taxii2/ (OASIS TAXII 2.1 §4-5).
 *
 *   GET  /taxii2/                                      discovery
 *   GET  /taxii2/api/                                  the API root
 *   GET  /taxii2/api/collections/                      one per audience the principal is in
 *   GET  /taxii2/api/collections/{id}/                 one collection
 *   GET  /taxii2/api/collections/{id}/objects/         added_after, limit, next, match[type|id|version]
 *   POST /taxii2/api/collections/{id}/objects/         the principal's own collection: import (status resource)
 *   GET  /taxii2/api/collections/{id}/objects/{oid}/   one object (all its versions: one)
 *   GET  /taxii2/api/collections/{id}/objects/{oid}/versions/
 *   GET  /taxii2/api/collections/{id}/manifest/
 *   GET  /taxii2/api/status/{id}/                      a POST's status (stored; the poster only)
 *
 * Collections: "own" (the reports the principal's agency originated),
 * one per audience of releasable_to the agency belongs to (MEMBERS, ALL_LE,
 * PRIVATE, its country, its agency id), and "Notices" (the notices released
 * to the principal, with the persons they name: node_export_notice_feed);
 * a report collection holds the reports
 * released to that audience that the principal may share onward
 * (node_export_feed: the policy gate, USE_ONWARD, and one audit entry per
 * page), as STIX objects (stix.c). An object's date_added is its report's
 * creation time. Errors are TAXII error resources (title, description,
 * http_status) with the field at fault in details. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats_node.h"
#include "policy.h"
#include "server.h"
#include "simpul_limits.h"
#include "stix.h"

#define TAXII_MT "application/taxii+json;version=2.1"
#define STIX_MT  "application/stix+json;version=2.1"
#define ROOT     "/taxii2/api/"

static void
taxii_error(struct api_resp *resp, int status, const char *field, const char *desc)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "title", status == 404 ? "Not Found" : status == 403 ?
	    "Forbidden" : status == 406 ? "Not Acceptable" : status >= 500 ? "Internal Error" : "Bad Request",
	    "description", desc ? desc : "", "http_status", "");
	char st[8];

	snprintf(st, sizeof(st), "%d", status);
	json_object_set_new(j, "http_status", json_string(st));
	if (field && *field)
		json_object_set_new(j, "details", json_pack("{s:s}", "field", field));
	resp->status = status;
	resp->content_type = TAXII_MT;
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	json_decref(j);
}

static void
taxii_reply(struct api_resp *resp, int status, json_t *j)
{
	resp->status = status;
	resp->content_type = TAXII_MT;
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->len = resp->body ? strlen(resp->body) : 0;
	if (resp->body == NULL)
		taxii_error(resp, 500, NULL, "could not render the answer");
}

/* ---- collections ------------------------------------------------------- */

struct coll {
	char id[40];
	char aud[SIMPUL_MAX_AGENCY_ID + 8];   /* releasable_to entry; own: the agency id */
	bool own;
	bool notices;                         /* the notices collection */
	char title[160];
};

static void
coll_id(const char *kind, const char *aud, char out[40])
{
	char name[128], id[128];

	snprintf(name, sizeof(name), "collection|%s|%s", kind, aud);
	stix_id("c", name, id);
	str_copy(out, 40, id + 3);
}

static int
collections(const struct principal *p, struct coll *c, int max)
{
	const char *auds[5] = { AUD_MEMBERS, AUD_ALL_LE, AUD_PRIVATE, p->agency.country, p->agency.id };
	int n = 0;

	memset(c, 0, sizeof(*c) * (size_t)max);
	coll_id("own", p->agency.id, c[n].id);
	str_copy(c[n].aud, sizeof(c[n].aud), p->agency.id);
	c[n].own = true;
	snprintf(c[n].title, sizeof(c[n].title), "Reports of %s", p->agency.id);
	n++;
	for (int i = 0; i < 5 && n < max; i++) {
		struct markings m;
		memset(&m, 0, sizeof(m));
		m.naud = 1;
		str_copy(m.aud[0], sizeof(m.aud[0]), auds[i]);
		if (p->role == ROLE_PUBLIC || !policy_in_audience(&p->agency, &m))
			continue;
		coll_id("aud", auds[i], c[n].id);
		str_copy(c[n].aud, sizeof(c[n].aud), auds[i]);
		c[n].own = false;
		c[n].notices = false;
		snprintf(c[n].title, sizeof(c[n].title), "Reports releasable to %s", auds[i]);
		n++;
	}
	/* Notices (wanted persons, modi operandi, warnings) released to the
	 * agency, for every agency principal (GET /api/v1/notices's rule). */
	if (n < max && p->role != ROLE_PUBLIC && p->agency.kind != AK_PUBLIC && role_valid_for_kind(p->role,
	    p->agency.kind)) {
		coll_id("notices", "", c[n].id);
		str_copy(c[n].aud, sizeof(c[n].aud), "notices");
		c[n].own = false;
		c[n].notices = true;
		snprintf(c[n].title, sizeof(c[n].title), "Notices");
		n++;
	}
	return n;
}

static json_t *
coll_json(const struct principal *p, const struct coll *c)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", c->id, "title", c->title,
	    "description", c->own ? "The reports this agency originated, as STIX 2.1" : c->notices ?
	    "Notices of every agency released to you that you may share onward (and the persons they name), "
	    "as STIX 2.1" :
	    "Reports of every agency released to this audience that you may share onward, as STIX 2.1",
	    "can_read", true, "can_write", c->own && policy_may_write(p), "media_types", STIX_MT);
}

/* ---- objects ------------------------------------------------------------ */

/* RFC 3339 UTC timestamp to ms; -1 if not one. */
static int64_t
ts_ms(const char *s)
{
	struct tm tm;
	int64_t frac = 0, scale = 100;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return -1;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
			return -1;
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
	tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
	tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	if (strcmp(p, "Z") != 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return (int64_t)timegm(&tm) * 1000 + frac;
}

/* Does v (a comma-separated list, or NULL) admit s? */
static bool
admits(const char *v, const char *s)
{
	size_t n = strlen(s);
	const char *p = v;

	if (v == NULL || *v == '\0')
		return true;
	while (p && *p) {
		const char *c = strchr(p, ',');
		size_t k = c ? (size_t)(c - p) : strlen(p);
		if (k == n && strncmp(p, s, n) == 0)
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static const char *
version_of(const json_t *o, const char *date_added)
{
	const char *v = json_string_value(json_object_get(o, "modified"));

	if (v == NULL)
		v = json_string_value(json_object_get(o, "created"));
	return v ? v : date_added;
}

struct page {
	const char *mtype, *mid, *mversion;
	int         limit;       /* objects in the page */
	int         reports;     /* reports one feed call may return */
	json_t     *objects;     /* [{"o": object, "added": date_added}] */
	bool        more;
	char        next[48];
};

/* A notice's objects: the persons it names that the page carries, then it. */
static int
notice_objects(struct stix_out *b, const json_t *notice, const json_t *persons, const json_t *agencies,
    struct err *e)
{
	json_t *mine = json_array(), *one = json_pack("[O]", notice);
	const json_t *s, *p;
	size_t i, k;
	int rc;

	json_array_foreach(json_object_get(notice, "subjects"), i, s)
		json_array_foreach(persons, k, p)
			if (json_string_value(json_object_get(s, "id")) && json_string_value(json_object_get(p, "id")) &&
			    strcmp(json_string_value(json_object_get(s, "id")), json_string_value(json_object_get(p, "id"))) == 0)
				json_array_append(mine, (json_t *)p);
	rc = stix_add_persons(b, mine, agencies, e) == -1 ? -1 : stix_add_notices(b, one, agencies, e);
	json_decref(mine);
	json_decref(one);
	return rc;
}

/* Fill pg from the collection, starting at cursor (rid, skip). */
static int
page_fill(const struct api_req *r, const struct reqctx *c, const struct coll *col, int64_t rid0,
    int64_t skip, int64_t added_after, struct page *pg, struct err *e)
{
	json_t *reports = NULL, *agencies = NULL, *rids = NULL, *persons = NULL, *seen = json_object();
	const json_t *rep;
	bool more;
	size_t i;
	int rc = -1;

	pg->objects = json_array();
	pg->more = false;
	if (col->notices) {
		int64_t last = 0;
		const json_t *nt;
		if (node_export_notice_feed(r->n, c, rid0 - 1, added_after, pg->reports, &reports, &persons,
		    &agencies, &last, &more, e) == -1)
			goto out;
		rids = json_array();
		json_array_foreach(reports, i, nt)
			json_array_append(rids, json_object_get(nt, "rid"));
		json_object_set_new(agencies, "", json_integer(last));
	} else if (node_export_feed(r->n, c, col->own ? NULL : col->aud, rid0 - 1, added_after, pg->reports,
	    &reports, &agencies, &rids, &more, e) == -1)
		goto out;
	json_array_foreach(reports, i, rep) {
		struct stix_out *b = stix_out_new();
		json_t *one = json_pack("[O]", rep), *bundle = NULL;
		const json_t *o;
		int64_t rid = json_integer_value(json_array_get(rids, i));
		const char *added = json_string_value(json_object_get(rep, "created"));
		size_t k;
		int64_t pos = 0;

		if (b == NULL || (col->notices ? notice_objects(b, rep, persons, agencies, e) :
		    stix_add_reports(b, one, agencies, e)) == -1 || (bundle = stix_bundle(b)) == NULL) {
			stix_out_free(b);
			json_decref(one);
			goto out;
		}
		json_array_foreach(json_object_get(bundle, "objects"), k, o) {
			const char *type = json_string_value(json_object_get(o, "type"));
			const char *id = json_string_value(json_object_get(o, "id"));
			const char *ver = version_of(o, added);
			if (!admits(pg->mtype, type) || !admits(pg->mid, id))
				continue;
			if (pg->mversion && strcmp(pg->mversion, "all") != 0 && strcmp(pg->mversion, "last") != 0 &&
			    strcmp(pg->mversion, "first") != 0 && !admits(pg->mversion, ver))
				continue;
			/* pos: the object's place among this report's objects that pass
			 * the filters; the cursor "rid.pos" resumes there. */
			int64_t at = pos++;
			if (rid == rid0 && at < skip)
				continue;
			if ((int)json_array_size(pg->objects) == pg->limit) {
				pg->more = true;
				snprintf(pg->next, sizeof(pg->next), "%lld.%lld", (long long)rid, (long long)at);
				break;
			}
			if (json_object_get(seen, id) == NULL) {   /* identities, markings: once a page */
				json_object_set_new(seen, id, json_true());
				json_array_append_new(pg->objects, json_pack("{s:O, s:s}", "o", o, "added", added));
			}
		}
		stix_out_free(b);
		json_decref(one);
		json_decref(bundle);
		if (pg->more)
			break;
	}
	if (!pg->more && more) {
		pg->more = true;
		snprintf(pg->next, sizeof(pg->next), "%lld.0",
		    (long long)json_integer_value(json_object_get(agencies, "")) + 1);
	}
	rc = 0;
out:
	json_decref(seen);
	json_decref(reports);
	json_decref(agencies);
	json_decref(rids);
	json_decref(persons);
	return rc;
}

static void
date_headers(struct api_resp *resp, const json_t *objs)
{
	const char *first = NULL, *last = NULL;
	const json_t *o;
	size_t i;

	json_array_foreach(objs, i, o) {
		const char *a = json_string_value(json_object_get(o, "added"));
		if (first == NULL || strcmp(a, first) < 0)
			first = a;
		if (last == NULL || strcmp(a, last) > 0)
			last = a;
	}
	if (first) {
		resp->xname[0] = "X-TAXII-Date-Added-First";
		str_copy(resp->xval[0], sizeof(resp->xval[0]), first);
		resp->xname[1] = "X-TAXII-Date-Added-Last";
		str_copy(resp->xval[1], sizeof(resp->xval[1]), last);
	}
}

/* GET objects/, manifest/, objects/{oid}/, objects/{oid}/versions/ */
static void
objects_get(const struct api_req *r, const struct reqctx *c, const struct coll *col, const char *oid,
    int what /* 0 objects, 1 manifest, 2 versions */, struct api_resp *resp)
{
	struct page pg = { 0 };
	struct err e = { 0 };
	const char *v;
	int64_t rid0 = 1, skip = 0, added_after = 0, lim = 100;
	json_t *out;
	const json_t *o;
	size_t i;

	pg.mtype = r->arg(r->conn, "match[type]");
	pg.mid = oid ? oid : r->arg(r->conn, "match[id]");
	pg.mversion = r->arg(r->conn, "match[version]");
	/* Every object here is STIX 2.1: match[spec_version] admits all or none. */
	if ((v = r->arg(r->conn, "match[spec_version]")) != NULL && !admits(v, "2.1"))
		pg.mtype = "-";
	if ((v = r->arg(r->conn, "limit")) != NULL && (parse_i64(v, strlen(v), &lim) == -1 || lim < 1)) {
		taxii_error(resp, 400, "limit", "limit must be a positive integer");
		return;
	}
	if (lim > SIMPUL_MAX_TAXII_PAGE)
		lim = SIMPUL_MAX_TAXII_PAGE;   /* TAXII: the server may return fewer */
	pg.limit = (int)lim;
	/* A listing needs at most one report per object; a lookup by id looks
	 * through many reports for few objects. */
	pg.reports = oid || pg.mid || pg.mtype ? SIMPUL_MAX_TAXII_PAGE : pg.limit;
	if ((v = r->arg(r->conn, "added_after")) != NULL && (added_after = ts_ms(v)) < 0) {
		taxii_error(resp, 400, "added_after", "added_after must be a timestamp such as 2026-01-01T00:00:00.000Z");
		return;
	}
	if ((v = r->arg(r->conn, "next")) != NULL) {
		const char *dot = strchr(v, '.');
		if (dot == NULL || parse_i64(v, (size_t)(dot - v), &rid0) == -1 || rid0 < 1 ||
		    parse_i64(dot + 1, strlen(dot + 1), &skip) == -1 || skip < 0) {
			taxii_error(resp, 400, "next", "next must be the value a previous page gave");
			return;
		}
	}
	for (int round = 0;; round++) {
		if (page_fill(r, c, col, rid0, skip, added_after, &pg, &e) == -1) {
			taxii_error(resp, e.status ? e.status : 500, e.field, e.msg);
			json_decref(pg.objects);
			return;
		}
		/* One object by id: go on through the collection until it shows
		 * (bounded); a listing answers page by page. */
		if (oid == NULL || json_array_size(pg.objects) || !pg.more || round == 20)
			break;
		{
			const char *dot = strchr(pg.next, '.');
			if (dot == NULL || parse_i64(pg.next, (size_t)(dot - pg.next), &rid0) == -1 ||
			    parse_i64(dot + 1, strlen(dot + 1), &skip) == -1)
				break;
		}
		json_decref(pg.objects);
		pg.objects = NULL;
	}
	if (oid && json_array_size(pg.objects) == 0 && !pg.more) {
		taxii_error(resp, 404, "id", "no such object in this collection");
		json_decref(pg.objects);
		return;
	}
	out = json_object();
	if (what == 0) {
		json_t *a = json_array();
		json_array_foreach(pg.objects, i, o)
			json_array_append(a, json_object_get(o, "o"));
		if (json_array_size(a))
			json_object_set_new(out, "objects", a);
		else
			json_decref(a);
	} else if (what == 1) {
		json_t *a = json_array();
		json_array_foreach(pg.objects, i, o) {
			const json_t *so = json_object_get(o, "o");
			const char *added = json_string_value(json_object_get(o, "added"));
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "id",
			    json_string_value(json_object_get(so, "id")), "date_added", added,
			    "version", version_of(so, added), "media_type", STIX_MT));
		}
		if (json_array_size(a))
			json_object_set_new(out, "objects", a);
		else
			json_decref(a);
	} else {
		json_t *a = json_array();
		json_array_foreach(pg.objects, i, o)
			json_array_append_new(a, json_string(version_of(json_object_get(o, "o"),
			    json_string_value(json_object_get(o, "added")))));
		json_object_set_new(out, "versions", a);
	}
	json_object_set_new(out, "more", json_boolean(pg.more));
	if (pg.more)
		json_object_set_new(out, "next", json_string(pg.next));
	taxii_reply(resp, 200, out);
	date_headers(resp, pg.objects);
	json_decref(out);
	json_decref(pg.objects);
}

/* POST objects/: an envelope of STIX objects, imported as the agency's. */
static void
objects_post(const struct api_req *r, const struct reqctx *c, const struct coll *col, struct api_resp *resp)
{
	json_error_t je;
	json_t *env, *bundle = NULL, *conv = NULL, *status = NULL, *succ, *fail;
	struct err e = { 0 };
	const json_t *o, *objs;
	size_t i;
	char t[32], sid[128], name[64];
	unsigned char rnd[16];

	if (!col->own || !policy_may_write(c->p)) {
		node_audit_refusal(r->n, c, "taxii.add", col->id, 403, "not writable for this principal");
		taxii_error(resp, 403, NULL, "you may add objects only to your own agency's collection, "
		    "and only with a role that may file reports");
		return;
	}
	if ((env = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		char msg[200];
		snprintf(msg, sizeof(msg), "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
		node_audit_refusal(r->n, c, "taxii.add", col->id, 400, "malformed envelope");
		taxii_error(resp, 400, "body", msg);
		return;
	}
	objs = json_object_get(env, "objects");
	if (!json_depth_ok(env, 64) || !json_is_array(objs)) {
		node_audit_refusal(r->n, c, "taxii.add", col->id, 400, "malformed envelope");
		taxii_error(resp, 400, "objects", "the body must be an envelope {\"objects\": [...]}");
		json_decref(env);
		return;
	}
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, 8, name);
	bundle = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", "bundle--00000000-0000-4000-8000-000000000000",
	    "objects", objs);
	if (stix_to_reports(bundle, &conv, &e) == -1) {
		node_audit_refusal(r->n, c, "taxii.add", col->id, e.status, e.msg);
		taxii_error(resp, e.status ? e.status : 400, e.field, e.msg);
		goto out;
	}
	{
		/* Every report is checked before anything is written. */
		const json_t *rep;
		json_array_foreach(json_object_get(conv, "reports"), i, rep) {
			json_t *cp = json_deep_copy(rep);
			struct report rr;
			json_object_del(cp, "stix_id");
			json_object_del(cp, "stix_modified");
			if (report_parse(cp, c->p->agency.country, &rr, &e) == -1) {
				char f[160], msg[700];
				snprintf(f, sizeof(f), "reports[%zu].%s", i, e.field);
				snprintf(msg, sizeof(msg), "%s (from %.120s): %s", f,
				    json_string_value(json_object_get(rep, "stix_id")), e.msg);
				json_decref(cp);
				node_audit_refusal(r->n, c, "taxii.add", col->id, 400, msg);
				taxii_error(resp, 400, f, msg);
				goto out;
			}
			report_free(&rr);
			json_decref(cp);
		}
	}
	/* Persons and notices: law enforcement only; the others are failures. */
	if (kind_is_le(c->p->agency.kind)) {
		json_t *errs = json_array();
		if (node_check_records(json_object_get(conv, "persons"), json_object_get(conv, "notices"), errs) > 0) {
			const json_t *e0 = json_array_get(errs, 0);
			char msg[700];
			snprintf(msg, sizeof(msg), "%.120s: %.80s: %.400s", json_string_value(json_object_get(e0, "object")),
			    json_string_value(json_object_get(e0, "field")), json_string_value(json_object_get(e0, "reason")));
			node_audit_refusal(r->n, c, "taxii.add", col->id, 400, msg);
			taxii_error(resp, 400, json_string_value(json_object_get(e0, "field")), msg);
			json_decref(errs);
			goto out;
		}
		json_decref(errs);
	} else {
		const json_t *it;
		const char *const lists[] = { "persons", "notices" };
		for (int l = 0; l < 2; l++)
			json_array_foreach(json_object_get(conv, lists[l]), i, it)
				json_array_append_new(json_object_get(conv, "skipped"), json_pack("{s:O, s:s}", "object",
				    json_object_get(it, "stix_id"), "reason", "persons and notices are for law-enforcement agencies"));
		json_object_set_new(conv, "persons", json_array());
		json_object_set_new(conv, "notices", json_array());
	}
	{
		struct stix_src ss;
		struct import_source src;
		struct import_stats st;
		stix_source(&ss, json_object_get(conv, "reports"), &src);
		if (node_import_source(r->n, c->p->agency.id, &src, 0, NULL, NULL, &st, &e) == -1) {
			taxii_error(resp, e.status ? e.status : 500, e.field, e.msg);
			goto out;
		}
		struct records_stats rs;
		if (node_import_records(r->n, c, json_object_get(conv, "persons"), json_object_get(conv, "notices"),
		    &rs, &e) == -1) {
			taxii_error(resp, e.status ? e.status : 500, e.field, e.msg);
			goto out;
		}
	}
	succ = json_array();
	fail = json_array();
	json_array_foreach(objs, i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		const json_t *sk;
		size_t k;
		const char *why = NULL;
		json_array_foreach(json_object_get(conv, "skipped"), k, sk)
			if (strcmp(json_string_value(json_object_get(sk, "object")), id) == 0)
				why = json_string_value(json_object_get(sk, "reason"));
		if (why)
			json_array_append_new(fail, json_pack("{s:s, s:s}", "id", id, "message", why));
		else
			json_array_append_new(succ, json_pack("{s:s, s:s}", "id", id, "version",
			    version_of(o, "")));
	}
	time_iso(now_ms(), t);
	stix_id("s", name, sid);
	status = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:o, s:I}", "id", sid + 3, "status", "complete",
	    "request_timestamp", t, "total_count", (json_int_t)json_array_size(objs),
	    "success_count", (json_int_t)json_array_size(succ), "successes", succ,
	    "failure_count", (json_int_t)json_array_size(fail), "failures", fail, "pending_count", (json_int_t)0);
	/* Stored with the post's audit entry ("taxii.add"), so that GET
	 * status/{id}/ answers the poster after a restart too. The import's
	 * own entries name the agency's import principal; this one, who posted. */
	if (node_taxii_status_put(r->n, c, col->aud, status, &e) == -1) {
		taxii_error(resp, 500, NULL, e.msg);
		goto out;
	}
	taxii_reply(resp, 202, status);
out:
	json_decref(status);
	json_decref(conv);
	json_decref(bundle);
	json_decref(env);
}

/* ---- routing ------------------------------------------------------------ */

static bool
accept_ok(const char *a)
{
	return a == NULL || *a == '\0' || strstr(a, "application/taxii+json") || strstr(a, "*/*") ||
	    strstr(a, "application/*") || strstr(a, "application/json");
}

void
api_taxii(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct coll cols[8];
	int ncol = collections(c->p, cols, 8);
	struct err e = { 0 };
	json_t *out;
	const char *p;
	bool post = strcmp(r->method, "POST") == 0;

	if (!accept_ok(r->accept)) {
		taxii_error(resp, 406, "Accept", "this server speaks application/taxii+json;version=2.1");
		return;
	}
	if (strcmp(tail, "") == 0 && !post) {
		if (node_audit_access(r->n, c, "taxii.discovery", NULL, &e) == -1) {
			taxii_error(resp, 500, NULL, e.msg);
			return;
		}
		out = json_pack("{s:s, s:s, s:s, s:[s]}", "title", "Simpul TAXII 2.1", "description",
		    "STIX 2.1 reports of this Simpul node, by audience", "default", ROOT, "api_roots", ROOT);
		taxii_reply(resp, 200, out);
		json_decref(out);
		return;
	}
	if (strncmp(tail, "api/", 4) != 0) {
		taxii_error(resp, 404, NULL, "no such TAXII endpoint (the API root is " ROOT ")");
		return;
	}
	p = tail + 4;
	if (*p == '\0' && !post) {
		if (node_audit_access(r->n, c, "taxii.root", NULL, &e) == -1) {
			taxii_error(resp, 500, NULL, e.msg);
			return;
		}
		out = json_pack("{s:s, s:[s], s:I}", "title", "Simpul", "versions", TAXII_MT,
		    "max_content_length", (json_int_t)SIMPUL_MAX_BODY);
		taxii_reply(resp, 200, out);
		json_decref(out);
		return;
	}
	if (strcmp(p, "collections/") == 0 && !post) {
		json_t *a = json_array();
		for (int i = 0; i < ncol; i++)
			json_array_append_new(a, coll_json(c->p, &cols[i]));
		if (node_audit_access(r->n, c, "taxii.collections", NULL, &e) == -1) {
			json_decref(a);
			taxii_error(resp, 500, NULL, e.msg);
			return;
		}
		out = json_pack("{s:o}", "collections", a);
		taxii_reply(resp, 200, out);
		json_decref(out);
		return;
	}
	if (strncmp(p, "status/", 7) == 0 && !post) {
		char sid[64];
		const char *q = p + 7, *s2 = strchr(q, '/');
		if (s2 == NULL || strcmp(s2, "/") != 0 || (size_t)(s2 - q) >= sizeof(sid) || s2 == q) {
			taxii_error(resp, 404, "status", "no such status resource");
			return;
		}
		memcpy(sid, q, (size_t)(s2 - q));
		sid[s2 - q] = '\0';
		if (node_taxii_status_get(r->n, c, sid, &out, &e) == -1) {
			taxii_error(resp, e.status ? e.status : 500, e.field, e.msg);
			return;
		}
		taxii_reply(resp, 200, out);
		json_decref(out);
		return;
	}
	if (strncmp(p, "collections/", 12) == 0) {
		const char *cid = p + 12, *slash = strchr(cid, '/');
		const struct coll *col = NULL;
		const char *rest;

		if (slash == NULL) {
			taxii_error(resp, 404, NULL, "TAXII URLs end with /");
			return;
		}
		for (int i = 0; i < ncol; i++)
			if ((size_t)(slash - cid) == strlen(cols[i].id) && strncmp(cid, cols[i].id, strlen(cols[i].id)) == 0)
				col = &cols[i];
		if (col == NULL) {
			/* Unknown and not-yours look the same. */
			node_audit_refusal(r->n, c, "taxii.collection", NULL, 404, "no such collection for this principal");
			taxii_error(resp, 404, "collection", "no such collection");
			return;
		}
		rest = slash + 1;
		if (*rest == '\0' && !post) {
			if (node_audit_access(r->n, c, "taxii.collection", col->aud, &e) == -1) {
				taxii_error(resp, 500, NULL, e.msg);
				return;
			}
			out = coll_json(c->p, col);
			taxii_reply(resp, 200, out);
			json_decref(out);
			return;
		}
		if (strcmp(rest, "objects/") == 0) {
			if (post)
				objects_post(r, c, col, resp);
			else
				objects_get(r, c, col, NULL, 0, resp);
			return;
		}
		if (strcmp(rest, "manifest/") == 0 && !post) {
			objects_get(r, c, col, NULL, 1, resp);
			return;
		}
		if (strncmp(rest, "objects/", 8) == 0 && !post) {
			char oid[160];
			const char *o = rest + 8, *s2 = strchr(o, '/');
			if (s2 && (size_t)(s2 - o) < sizeof(oid)) {
				memcpy(oid, o, (size_t)(s2 - o));
				oid[s2 - o] = '\0';
				if (strcmp(s2, "/") == 0) {
					objects_get(r, c, col, oid, 0, resp);
					return;
				}
				if (strcmp(s2, "/versions/") == 0) {
					objects_get(r, c, col, oid, 2, resp);
					return;
				}
			}
		}
	}
	taxii_error(resp, post ? 405 : 404, NULL, "no such TAXII endpoint");
}
