/* misp.c - MISP event JSON in and out (misp.h).
 *
 * Export: a report is an event (info = reference, date = reported_at,
 * uuid = UUIDv5 of the report id, Orgc = the agency). Selectors become MISP
 * objects where a template exists (bank-account, phone-number, coin-address)
 * and plain attributes otherwise (url, domain, email, ip-dst); the rest
 * (handles, e-wallets, IMEI, ids) are "text" attributes whose comment
 * carries the Simpul key. Each attribute's comment carries the role
 * ("role=mule_account"). Markings are a tlp: tag, a MISP distribution level
 * and "simpul:" tags for what MISP has no field for.
 *
 * Import: the same, plus what MISP users send: plain attributes of the
 * selector types, the bank-account, phone-number, coin-address and person
 * objects, tlp: tags and distribution levels (docs/internals/formats.md has
 * the table). What has no Simpul meaning (hashes, free text, person names)
 * is listed as skipped, never silently dropped. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "misp.h"
#include "simpul_limits.h"
#include "stix.h"

static const char *
sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
uuid_of(const char *name, char out[40])
{
	char id[128];

	stix_id("x", name, id);
	str_copy(out, 40, id + 3);
}

/* ---- export ------------------------------------------------------------- */

static json_t *
attr(const char *type, const char *category, const char *value, const char *relation, const char *comment,
    const char *seed)
{
	char u[40], nm[700];
	json_t *a;

	snprintf(nm, sizeof(nm), "misp-attr|%s|%s|%s|%s", seed, relation ? relation : "", type, value);
	uuid_of(nm, u);
	a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "uuid", u, "type", type, "category", category,
	    "value", value, "to_ids", true, "comment", comment ? comment : "");
	if (relation)
		json_object_set_new(a, "object_relation", json_string(relation));
	return a;
}

static json_t *
object(const char *name, const char *seed, json_t *attrs)
{
	static const struct {
		const char *name, *uuid;
		int version;
	} tpl[] = {
		{ "bank-account", "b4712203-95a8-4883-80e9-b566f5df11c9", 3 },
		{ "phone-number", "c4b5a67c-63d2-11ec-90d6-0242ac120003", 1 },
		{ "coin-address", "d0e6997e-78da-4815-a6a1-cfc1c1cb8a46", 7 },
	};
	char u[40], nm[700];
	json_t *o;

	snprintf(nm, sizeof(nm), "misp-object|%s|%s", seed, name);
	uuid_of(nm, u);
	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "uuid", u, "name", name, "meta-category", "financial",
	    "description", name, "Attribute", attrs);
	for (size_t i = 0; i < sizeof(tpl) / sizeof(tpl[0]); i++)
		if (strcmp(tpl[i].name, name) == 0) {
			json_object_set_new(o, "template_uuid", json_string(tpl[i].uuid));
			json_object_set_new(o, "template_version", json_sprintf("%d", tpl[i].version));
		}
	if (strcmp(name, "phone-number") == 0)
		json_object_set_new(o, "meta-category", json_string("misc"));
	return o;
}

static bool
is_bic(const char *s)
{
	size_t n = strlen(s);

	if (n != 8 && n != 11)
		return false;
	for (size_t i = 0; i < 6; i++)
		if (!isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* MISP distribution for markings (docs/internals/formats.md). */
static int
distribution(const json_t *m)
{
	const char *tlp = sget(m, "tlp");
	const json_t *aud = json_object_get(m, "releasable_to"), *a;
	size_t i;
	int d = 1;

	if (tlp && strcmp(tlp, "CLEAR") == 0)
		return 3;
	if (json_array_size(aud) == 0 || json_is_true(json_object_get(m, "orcon")) ||
	    (tlp && (strcmp(tlp, "RED") == 0 || strcmp(tlp, "AMBER+STRICT") == 0)))
		return 0;
	json_array_foreach(aud, i, a)
		if (strcmp(json_string_value(a), "ALL_LE") == 0 || strcmp(json_string_value(a), "PRIVATE") == 0)
			d = 2;
	return d;
}

static void
tag(json_t *tags, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tag(json_t *tags, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(tags, json_pack("{s:s}", "name", buf));
}

static json_t *
event(const json_t *r, const json_t *agencies)
{
	const char *rid = sget(r, "id"), *agency = sget(r, "agency");
	const json_t *m = json_object_get(r, "markings"), *sels = json_object_get(r, "selectors"), *s, *a;
	const json_t *ag = json_object_get(agencies, agency ? agency : "");
	json_t *ev, *tags = json_array(), *attrs = json_array(), *objs = json_array();
	char u[40], ou[40], nm[200], date[11], tlp[20];
	size_t i;

	snprintf(nm, sizeof(nm), "report|%s", rid);
	uuid_of(nm, u);
	snprintf(nm, sizeof(nm), "agency|%s", agency);
	uuid_of(nm, ou);
	str_copy(date, sizeof(date), sget(r, "reported_at") ? sget(r, "reported_at") : sget(r, "created"));
	snprintf(tlp, sizeof(tlp), "tlp:%s", sget(m, "tlp") ? sget(m, "tlp") : "AMBER");
	for (char *p = tlp; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	json_array_append_new(tags, json_pack("{s:s}", "name", tlp));
	json_array_foreach(json_object_get(m, "releasable_to"), i, a)
		tag(tags, "simpul:releasable-to=\"%s\"", json_string_value(a));
	tag(tags, "simpul:disclosure=\"%s\"", sget(m, "disclosure") ? sget(m, "disclosure") : "hit");
	if (json_is_true(json_object_get(m, "orcon")))
		tag(tags, "simpul:orcon=\"true\"");
	if (sget(m, "grading") && *sget(m, "grading"))
		tag(tags, "simpul:grading=\"%s\"", sget(m, "grading"));
	if (sget(m, "handling") && *sget(m, "handling"))
		tag(tags, "simpul:handling=\"%s\"", sget(m, "handling"));
	if (sget(m, "review_at"))
		tag(tags, "simpul:review-at=\"%s\"", sget(m, "review_at"));
	if (sget(r, "scam_type"))
		tag(tags, "simpul:scam-type=\"%s\"", sget(r, "scam_type"));
	if (sget(r, "status"))
		tag(tags, "simpul:status=\"%s\"", sget(r, "status"));
	if (sget(r, "occurred_at"))
		tag(tags, "simpul:occurred-at=\"%s\"", sget(r, "occurred_at"));
	if (sget(r, "victim_country"))
		tag(tags, "simpul:victim-country=\"%s\"", sget(r, "victim_country"));
	if ((a = json_object_get(r, "loss")) != NULL)
		tag(tags, "simpul:loss=\"%lld %s\"", (long long)json_integer_value(json_object_get(a, "amount")),
		    sget(a, "currency"));
	if (sget(r, "narrative"))
		json_array_append_new(attrs, attr("text", "Other", sget(r, "narrative"), NULL, "simpul:narrative", rid));

	json_array_foreach(sels, i, s) {
		const char *key = sget(s, "key"), *role = sget(s, "role"), *colon;
		char comment[80], buf[SIMPUL_MAX_KEY_LEN + 1], seed[SIMPUL_MAX_KEY_LEN + 40];
		if (key == NULL || (colon = strchr(key, ':')) == NULL)
			continue;
		snprintf(comment, sizeof(comment), "role=%s", role ? role : "unspecified");
		snprintf(seed, sizeof(seed), "%s|%s", rid, key);
		str_copy(buf, sizeof(buf), colon + 1);
		if (strncmp(key, "bank_account:", 13) == 0) {
			char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			json_t *oa = json_array();
			if (c1 && c2) {
				*c1 = *c2 = '\0';
				json_array_append_new(oa, attr("bank-account-nr", "Financial fraud", c2 + 1, "account",
				    comment, seed));
				json_array_append_new(oa, is_bic(c1 + 1) ?
				    attr("bic", "Financial fraud", c1 + 1, "swift", comment, seed) :
				    attr("text", "Financial fraud", c1 + 1, "institution-code", comment, seed));
				json_array_append_new(oa, attr("text", "Other", buf, "text",
				    "simpul:country", seed));
			} else
				json_array_append_new(oa, attr("bank-account-nr", "Financial fraud", buf, "account",
				    comment, seed));
			json_array_append_new(objs, object("bank-account", seed, oa));
		} else if (strncmp(key, "iban:", 5) == 0) {
			json_array_append_new(objs, object("bank-account", seed, json_pack("[o]",
			    attr("iban", "Financial fraud", buf, "iban", comment, seed))));
		} else if (strncmp(key, "phone:", 6) == 0) {
			json_array_append_new(objs, object("phone-number", seed, json_pack("[o]",
			    attr("phone-number", "Other", buf, "phone-number", comment, seed))));
		} else if (strncmp(key, "crypto:", 7) == 0 && strchr(buf, ':')) {
			char *c1 = strchr(buf, ':'), sym[24];
			*c1 = '\0';
			str_copy(sym, sizeof(sym), buf);
			for (char *p = sym; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			json_array_append_new(objs, object("coin-address", seed, json_pack("[o, o]",
			    attr(strcmp(sym, "BTC") == 0 ? "btc" : "text", "Financial fraud", c1 + 1,
			    strcmp(sym, "BTC") == 0 ? "address" : "address-crypto", comment, seed),
			    attr("text", "Other", sym, "symbol", comment, seed))));
		} else if (strncmp(key, "url:", 4) == 0) {
			json_array_append_new(attrs, attr("url", "Network activity", buf, NULL, comment, seed));
		} else if (strncmp(key, "domain:", 7) == 0) {
			json_array_append_new(attrs, attr("domain", "Network activity", buf, NULL, comment, seed));
		} else if (strncmp(key, "email:", 6) == 0) {
			json_array_append_new(attrs, attr("email", "Payload delivery", buf, NULL, comment, seed));
		} else if (strncmp(key, "ip:", 3) == 0) {
			json_array_append_new(attrs, attr("ip-dst", "Network activity", buf, NULL, comment, seed));
		} else {
			char c2[SIMPUL_MAX_KEY_LEN + 80];
			snprintf(c2, sizeof(c2), "%s; simpul-key=%s", comment, key);
			json_array_append_new(attrs, attr("text", "Other", key, NULL, c2, seed));
		}
	}
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:s}, s:o, s:o, s:o}", "uuid", u,
	    "info", sget(r, "reference") ? sget(r, "reference") : rid, "date", date,
	    "distribution", "", "threat_level_id", "2", "analysis", "0", "published", false,
	    "Orgc", "uuid", ou, "name", ag && sget(ag, "name") ? sget(ag, "name") : agency,
	    "Tag", tags, "Attribute", attrs, "Object", objs);
	json_object_set_new(ev, "distribution", json_sprintf("%d", distribution(m)));
	{
		char ts[32];
		snprintf(ts, sizeof(ts), "%s", sget(r, "updated") ? sget(r, "updated") : "");
		json_object_set_new(ev, "simpul_updated", json_string(ts));
	}
	json_object_set_new(ev, "simpul_report_id", json_string(rid));
	return json_pack("{s:o}", "Event", ev);
}

json_t *
misp_events(const json_t *reports, const json_t *agencies)
{
	const json_t *r;
	json_t *arr;
	size_t i;

	if (json_array_size(reports) == 1)
		return event(json_array_get(reports, 0), agencies);
	arr = json_array();
	json_array_foreach(reports, i, r)
		json_array_append_new(arr, event(r, agencies));
	return json_pack("{s:o}", "response", arr);
}

/* ---- import ------------------------------------------------------------- */

struct mctx {
	const char   *country;
	json_t       *skipped;
	json_t       *persons;   /* person objects with a name: persons (persons.c) */
	const json_t *marks;     /* the current event's markings */
	const char   *evkey;     /* the current event's uuid and timestamp */
	struct err   *e;
};

static void
mskip(struct mctx *m, const char *where, const char *why)
{
	if (json_array_size(m->skipped) < 1000)
		json_array_append_new(m->skipped, json_pack("{s:s, s:s}", "object", where, "reason", why));
}

/* "role=x" (and "simpul-key=type:value") out of a comment. */
static void
comment_get(const char *c, const char *name, char *out, size_t outsz)
{
	const char *p;
	size_t n = strlen(name);

	out[0] = '\0';
	for (p = c; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			size_t k = strcspn(p + n + 1, ";");
			if (k >= outsz)
				k = outsz - 1;
			memcpy(out, p + n + 1, k);
			out[k] = '\0';
			return;
		}
	}
}

static const char *
default_role(const char *type)
{
	if (strcmp(type, "bank_account") == 0 || strcmp(type, "iban") == 0)
		return "mule_account";
	if (strcmp(type, "crypto") == 0)
		return "payment_destination";
	if (strcmp(type, "url") == 0 || strcmp(type, "domain") == 0)
		return "phishing_site";
	if (strcmp(type, "phone") == 0 || strcmp(type, "email") == 0)
		return "scammer_contact";
	return NULL;
}

static json_t *
sel(const char *type, const char *value, const char *comment)
{
	char role[48];
	json_t *s = json_pack("{s:s, s:s}", "type", type, "value", value);

	comment_get(comment ? comment : "", "role", role, sizeof(role));
	if (role[0])
		json_object_set_new(s, "role", json_string(role));
	else if (default_role(type))
		json_object_set_new(s, "role", json_string(default_role(type)));
	return s;
}

/* A plain attribute to a selector; NULL (skipped) when it has none. */
static json_t *
attr_selector(struct mctx *m, const json_t *a, const char *where)
{
	const char *type = sget(a, "type"), *value = sget(a, "value"), *comment = sget(a, "comment");
	char key[SIMPUL_MAX_KEY_LEN + 1];
	static const struct {
		const char *misp, *ours;
	} plain[] = {
		{ "phone-number", "phone" }, { "iban", "iban" }, { "bank-account-nr", "bank_account" },
		{ "url", "url" }, { "link", "url" }, { "uri", "url" }, { "domain", "domain" }, { "hostname", "domain" },
		{ "email", "email" }, { "email-src", "email" }, { "email-dst", "email" }, { "ip-src", "ip" },
		{ "ip-dst", "ip" }, { "passport-number", "passport" }, { "identity-card-number", "national_id" },
	};

	comment_get(comment ? comment : "", "simpul-key", key, sizeof(key));
	if (key[0] && strchr(key, ':')) {
		char t[32];
		size_t n = (size_t)(strchr(key, ':') - key);
		if (n < sizeof(t)) {
			memcpy(t, key, n);
			t[n] = '\0';
			if (strcmp(t, "phone_raw") == 0)
				str_copy(t, sizeof(t), "phone");
			if ((strcmp(t, "handle") == 0 || strcmp(t, "ewallet") == 0) && strchr(key + n + 1, ':')) {
				/* platform:handle, provider:id */
				char pf[48];
				const char *v2 = key + n + 1, *c2 = strchr(v2, ':');
				json_t *s2;
				if ((size_t)(c2 - v2) < sizeof(pf)) {
					memcpy(pf, v2, (size_t)(c2 - v2));
					pf[c2 - v2] = '\0';
					s2 = sel(t, c2 + 1, comment);
					json_object_set_new(s2, t[0] == 'h' ? "platform" : "provider", json_string(pf));
					return s2;
				}
			}
			return sel(t, key + n + 1, comment);
		}
	}
	if (strcmp(type, "btc") == 0 || strcmp(type, "xmr") == 0) {
		json_t *s = sel("crypto", value, comment);
		json_object_set_new(s, "chain", json_string(type));
		return s;
	}
	if (strcmp(type, "ip-dst|port") == 0 || strcmp(type, "ip-src|port") == 0) {
		char ip[80];
		size_t n = strcspn(value, "|");
		if (n >= sizeof(ip))
			n = sizeof(ip) - 1;
		memcpy(ip, value, n);
		ip[n] = '\0';
		return sel("ip", ip, comment);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(type, plain[i].misp) == 0)
			return sel(plain[i].ours, value, comment);
	mskip(m, where, "no Simpul selector for this attribute type");
	return NULL;
}

/* The object's attribute with object_relation rel. */
static const json_t *
orel(const json_t *o, const char *rel)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(o, "Attribute"), i, a)
		if (sget(a, "object_relation") && strcmp(sget(a, "object_relation"), rel) == 0)
			return a;
	return NULL;
}

static int
push(json_t *sels, json_t *s, struct mctx *m)
{
	if (s == NULL)
		return 0;
	if (json_array_size(sels) >= SIMPUL_MAX_SELECTORS) {
		json_decref(s);
		err_set(m->e, 413, "Event", "an event would give more than %d selectors", SIMPUL_MAX_SELECTORS);
		return -1;
	}
	json_array_append_new(sels, s);
	return 0;
}

/* "A B C" of the given relations' values, into out. */
static void
join_rels(const json_t *o, const char *const *rels, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; rels[i]; i++) {
		const json_t *a = orel(o, rels[i]);
		const char *v = a ? sget(a, "value") : NULL;
		if (v == NULL || *v == '\0')
			continue;
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? " " : "", v);
		if (n >= outsz)
			break;
	}
}

static bool
doc_ok(const char *v)
{
	size_t n = 0;

	for (; *v; v++) {
		if (isalnum((unsigned char)*v))
			n++;
		else if (*v != ' ' && *v != '-')
			return false;
	}
	return n > 0 && n <= 20;
}

/* A MISP person object with a name as a person (the shape of POST
 * /api/v1/persons), with the event's markings. What person_parse would
 * refuse (a date that is not YYYY[-MM[-DD]], a nationality that is not
 * ISO 3166 alpha-2, a document number that is not 1-20 letters and digits)
 * is left out and said, so that one odd value does not stop the event. */
static void
misp_person(struct mctx *m, const json_t *o, const char *where)
{
	static const char *const full[] = { "full-name", NULL };
	static const char *const parts[] = { "first-name", "middle-name", "last-name", NULL };
	char name[400], key[300];
	const json_t *a;
	const char *v;
	json_t *p, *names = json_array(), *docs = json_array();
	size_t i;

	join_rels(o, full, name, sizeof(name));
	if (name[0] == '\0')
		join_rels(o, parts, name, sizeof(name));
	while (name[0] && !utf8_valid(name, strlen(name)))
		name[strlen(name) - 1] = '\0';
	if (name[0] == '\0') {
		json_decref(names);
		json_decref(docs);
		return;
	}
	json_array_append_new(names, json_string(name));
	json_array_foreach(json_object_get(o, "Attribute"), i, a)
		if (sget(a, "object_relation") && strcmp(sget(a, "object_relation"), "alias") == 0 &&
		    (v = sget(a, "value")) && *v && json_array_size(names) < 16)
			json_array_append_new(names, json_pack("{s:s, s:s}", "name", v, "kind", "alias"));
	p = json_pack("{s:o, s:O}", "names", names, "markings", m->marks);
	if ((a = orel(o, "date-of-birth")) && (v = sget(a, "value"))) {
		size_t n = strlen(v);
		bool ok = (n == 4 || n == 7 || n == 10);
		for (size_t k = 0; ok && k < n; k++)
			ok = (k == 4 || k == 7) ? v[k] == '-' : isdigit((unsigned char)v[k]);
		if (ok)
			json_object_set_new(p, "dob", json_string(v));
		else
			mskip(m, where, "date-of-birth is not YYYY, YYYY-MM or YYYY-MM-DD: left out of the person");
	}
	if ((a = orel(o, "nationality")) && (v = sget(a, "value"))) {
		if (strlen(v) == 2 && isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]))
			json_object_set_new(p, "nationality", json_pack("[s]", v));
		else
			mskip(m, where, "nationality is not an ISO 3166-1 alpha-2 code: left out of the person");
	}
	if ((a = orel(o, "gender")) && (v = sget(a, "value"))) {
		if (strcasecmp(v, "male") == 0 || strcasecmp(v, "female") == 0)
			json_object_set_new(p, "gender", json_string(tolower((unsigned char)v[0]) == 'm' ? "male" : "female"));
	}
	if ((a = orel(o, "role")) && (v = sget(a, "value"))) {
		static const char *const roles[] = { "wanted", "suspect", "victim_of_trafficking", "missing",
			"sanctioned", "witness", NULL };
		for (int k = 0; roles[k]; k++)
			if (strcasecmp(v, roles[k]) == 0)
				json_object_set_new(p, "role", json_string(roles[k]));
	}
	if ((a = orel(o, "passport-number")) && (v = sget(a, "value"))) {
		if (doc_ok(v)) {
			json_t *d = json_pack("{s:s, s:s}", "number", v, "type", "passport");
			const json_t *c = orel(o, "passport-country");
			const char *cc = c ? sget(c, "value") : NULL;
			if (cc && (strlen(cc) == 2 || strlen(cc) == 3))
				json_object_set_new(d, "country", json_string(cc));
			json_array_append_new(docs, d);
		} else
			mskip(m, where, "passport-number is not 1 to 20 letters and digits: left out of the person");
	}
	if ((a = orel(o, "identity-card-number")) && (v = sget(a, "value")) && doc_ok(v))
		json_array_append_new(docs, json_pack("{s:s, s:s}", "number", v, "type", "id_card"));
	if (json_array_size(docs))
		json_object_set(p, "documents", docs);
	json_decref(docs);
	if ((a = orel(o, "text")) && (v = sget(a, "value")) && strlen(v) <= SIMPUL_MAX_SHORT && utf8_valid(v, strlen(v)))
		json_object_set_new(p, "source", json_string(v));
	snprintf(key, sizeof(key), "%.200s|%.60s", m->evkey ? m->evkey : "", sget(o, "uuid") ? sget(o, "uuid") : where);
	json_array_append_new(m->persons, json_pack("{s:o, s:s, s:s}", "person", p, "stix_id", key,
	    "stix_modified", "misp"));
}

static int
object_selectors(struct mctx *m, const json_t *o, const char *where, json_t *sels)
{
	const char *name = sget(o, "name");
	const json_t *a, *b;
	json_t *s;

	if (name == NULL)
		return 0;
	if (strcmp(name, "bank-account") == 0) {
		if ((a = orel(o, "iban")) && sget(a, "value") &&
		    push(sels, sel("iban", sget(a, "value"), sget(a, "comment")), m) == -1)
			return -1;
		if ((a = orel(o, "account")) && sget(a, "value")) {
			const char *bank = NULL, *cc = NULL;
			if ((b = orel(o, "swift")) && sget(b, "value"))
				bank = sget(b, "value");
			else if ((b = orel(o, "institution-code")) && sget(b, "value"))
				bank = sget(b, "value");
			if ((b = orel(o, "text")) && sget(b, "comment") && strcmp(sget(b, "comment"), "simpul:country") == 0)
				cc = sget(b, "value");
			s = sel("bank_account", sget(a, "value"), sget(a, "comment"));
			if (bank)
				json_object_set_new(s, "bank", json_string(bank));
			if (cc && strlen(cc) == 2)
				json_object_set_new(s, "country", json_string(cc));
			else if (bank && is_bic(bank)) {
				char bc[3] = { bank[4], bank[5], 0 };
				json_object_set_new(s, "country", json_string(bc));
			}
			if (push(sels, s, m) == -1)
				return -1;
		}
		return 0;
	}
	if (strcmp(name, "phone-number") == 0) {
		if ((a = orel(o, "phone-number")) && sget(a, "value")) {
			s = sel("phone", sget(a, "value"), sget(a, "comment"));
			if ((b = orel(o, "country-code")) && sget(b, "value") && strlen(sget(b, "value")) == 2 &&
			    isupper((unsigned char)sget(b, "value")[0]))
				json_object_set_new(s, "country", json_string(sget(b, "value")));
			return push(sels, s, m);
		}
		return 0;
	}
	if (strcmp(name, "coin-address") == 0) {
		const char *addr = NULL, *com = NULL;
		if ((a = orel(o, "address")) || (a = orel(o, "address-crypto")) || (a = orel(o, "address-xmr"))) {
			addr = sget(a, "value");
			com = sget(a, "comment");
		}
		if (addr) {
			s = sel("crypto", addr, com);
			if ((b = orel(o, "symbol")) && sget(b, "value")) {
				char ch[24];
				str_copy(ch, sizeof(ch), sget(b, "value"));
				for (char *p = ch; *p; p++)
					*p = (char)tolower((unsigned char)*p);
				json_object_set_new(s, "chain", json_string(ch));
			} else if (orel(o, "address-xmr"))
				json_object_set_new(s, "chain", json_string("xmr"));
			return push(sels, s, m);
		}
		return 0;
	}
	if (strcmp(name, "person") == 0) {
		if ((a = orel(o, "phone-number")) && sget(a, "value") &&
		    push(sels, sel("phone", sget(a, "value"), sget(a, "comment")), m) == -1)
			return -1;
		if ((a = orel(o, "e-mail")) && sget(a, "value") &&
		    push(sels, sel("email", sget(a, "value"), sget(a, "comment")), m) == -1)
			return -1;
		if ((a = orel(o, "passport-number")) && sget(a, "value")) {
			s = sel("passport", sget(a, "value"), sget(a, "comment"));
			if ((b = orel(o, "passport-country")) && sget(b, "value") && strlen(sget(b, "value")) == 2)
				json_object_set_new(s, "country", json_string(sget(b, "value")));
			if (push(sels, s, m) == -1)
				return -1;
		}
		if ((a = orel(o, "identity-card-number")) && sget(a, "value")) {
			s = sel("national_id", sget(a, "value"), sget(a, "comment"));
			if ((b = orel(o, "nationality")) && sget(b, "value") && strlen(sget(b, "value")) == 2)
				json_object_set_new(s, "country", json_string(sget(b, "value")));
			if (push(sels, s, m) == -1)
				return -1;
		}
		/* With a name, the object is also a person (imported by
		 * law-enforcement agencies, persons.c). */
		if (orel(o, "full-name") || orel(o, "first-name") || orel(o, "last-name"))
			misp_person(m, o, where);
		return 0;
	}
	mskip(m, where, "no Simpul mapping for this MISP object");
	return 0;
}

/* "simpul:name=\"value\"" */
static bool
stag(const char *t, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	size_t k;

	if (strncmp(t, "simpul:", 7) != 0 || strncmp(t + 7, name, n) != 0 || t[7 + n] != '=' || t[8 + n] != '"')
		return false;
	k = strlen(t + 9 + n);
	if (k == 0 || t[9 + n + k - 1] != '"' || k > outsz)
		return false;
	memcpy(out, t + 9 + n, k - 1);
	out[k - 1] = '\0';
	return true;
}

static int
one_event(struct mctx *m, const json_t *ev, const char *where, json_t *reports)
{
	json_t *r = json_object(), *sels = json_array(), *mk = json_object(), *aud = json_array();
	const json_t *t, *a, *o;
	const char *info = sget(ev, "info"), *date = sget(ev, "date"), *dist = sget(ev, "distribution");
	char v[300], w[160], key[400];
	size_t i;
	bool have_tlp = false, have_aud = false;
	int dl = -1;

	if (!json_is_object(ev)) {
		err_set(m->e, 400, where, "%s must be a MISP event object", where);
		goto fail;
	}
	if (json_is_integer(json_object_get(ev, "distribution")))
		dl = (int)json_integer_value(json_object_get(ev, "distribution"));
	else if (dist && strlen(dist) == 1 && isdigit((unsigned char)dist[0]))
		dl = dist[0] - '0';
	json_array_foreach(json_object_get(ev, "Tag"), i, t) {
		const char *n = sget(t, "name");
		if (n == NULL)
			continue;
		if (strncasecmp(n, "tlp:", 4) == 0) {
			char up[16];
			size_t k = strlen(n + 4);
			if (k < sizeof(up)) {
				for (size_t j = 0; j <= k; j++)
					up[j] = (char)toupper((unsigned char)n[4 + j]);
				if (strcmp(up, "WHITE") == 0)
					str_copy(up, sizeof(up), "CLEAR");
				json_object_set_new(mk, "tlp", json_string(up));
				have_tlp = true;
			}
		} else if (stag(n, "releasable-to", v, sizeof(v))) {
			json_array_append_new(aud, json_string(v));
			have_aud = true;
		} else if (stag(n, "disclosure", v, sizeof(v)))
			json_object_set_new(mk, "disclosure", json_string(v));
		else if (stag(n, "orcon", v, sizeof(v)))
			json_object_set_new(mk, "orcon", json_boolean(strcmp(v, "true") == 0));
		else if (stag(n, "grading", v, sizeof(v)))
			json_object_set_new(mk, "grading", json_string(v));
		else if (stag(n, "handling", v, sizeof(v)))
			json_object_set_new(mk, "handling", json_string(v));
		else if (stag(n, "review-at", v, sizeof(v)))
			json_object_set_new(mk, "review_at", json_string(v));
		else if (stag(n, "scam-type", v, sizeof(v)))
			json_object_set_new(r, "scam_type", json_string(v));
		else if (stag(n, "status", v, sizeof(v)))
			json_object_set_new(r, "status", json_string(v));
		else if (stag(n, "occurred-at", v, sizeof(v)))
			json_object_set_new(r, "occurred_at", json_string(v));
		else if (stag(n, "victim-country", v, sizeof(v)))
			json_object_set_new(r, "victim_country", json_string(v));
		else if (stag(n, "loss", v, sizeof(v))) {
			char cur[8];
			int64_t amt;
			char *sp = strchr(v, ' ');
			if (sp && strlen(sp + 1) < sizeof(cur)) {
				str_copy(cur, sizeof(cur), sp + 1);
				*sp = '\0';
				if (parse_i64(v, strlen(v), &amt) == 0)
					json_object_set_new(r, "loss", json_pack("{s:I, s:s}", "amount", (json_int_t)amt,
					    "currency", cur));
			}
		}
	}
	/* MISP distribution levels (docs/internals/formats.md). */
	if (!have_aud) {
		if (dl == 1)
			json_array_append_new(aud, json_string(m->country));
		else if (dl == 2)
			json_array_append_new(aud, json_string("ALL_LE"));
		else if (dl == 3) {
			json_array_append_new(aud, json_string("ALL_LE"));
			json_array_append_new(aud, json_string("PRIVATE"));
		}
	}
	if (!have_tlp && dl == 3)
		json_object_set_new(mk, "tlp", json_string("CLEAR"));
	json_object_set(mk, "releasable_to", aud);
	json_object_set_new(r, "markings", mk);
	mk = NULL;
	if (info) {
		char ref[SIMPUL_MAX_SHORT + 1];
		str_copy(ref, sizeof(ref), info);
		while (!utf8_valid(ref, strlen(ref)))
			ref[strlen(ref) - 1] = '\0';
		json_object_set_new(r, "reference", json_string(ref));
	}
	if (date && strlen(date) == 10)
		json_object_set_new(r, "reported_at", json_string(date));
	json_array_foreach(json_object_get(ev, "Attribute"), i, a) {
		const char *type = sget(a, "type"), *value = sget(a, "value");
		snprintf(w, sizeof(w), "%s.Attribute[%zu]", where, i);
		if (!json_is_object(a) || type == NULL || value == NULL) {
			err_set(m->e, 400, w, "%s needs a type and a value (strings)", w);
			goto fail;
		}
		if (strcmp(type, "text") == 0 && sget(a, "comment") && strcmp(sget(a, "comment"), "simpul:narrative") == 0) {
			json_object_set_new(r, "narrative", json_string(value));
			continue;
		}
		if (push(sels, attr_selector(m, a, w), m) == -1)
			goto fail;
	}
	snprintf(key, sizeof(key), "misp|%.60s|%.60s", sget(ev, "uuid") ? sget(ev, "uuid") : (info ? info : ""),
	    sget(ev, "timestamp") ? sget(ev, "timestamp") : (sget(ev, "simpul_updated") ? sget(ev, "simpul_updated") : ""));
	m->marks = json_object_get(r, "markings");
	m->evkey = key;
	json_array_foreach(json_object_get(ev, "Object"), i, o) {
		const json_t *oa;
		size_t k;
		snprintf(w, sizeof(w), "%s.Object[%zu]", where, i);
		if (!json_is_object(o) || !json_is_array(json_object_get(o, "Attribute"))) {
			err_set(m->e, 400, w, "%s needs a name and an Attribute array", w);
			goto fail;
		}
		json_array_foreach(json_object_get(o, "Attribute"), k, oa)
			if (!json_is_object(oa) || sget(oa, "value") == NULL || sget(oa, "object_relation") == NULL) {
				char w2[200];
				snprintf(w2, sizeof(w2), "%s.Attribute[%zu]", w, k);
				err_set(m->e, 400, w2, "%s needs an object_relation and a value (strings)", w2);
				goto fail;
			}
		if (object_selectors(m, o, w, sels) == -1)
			goto fail;
	}
	json_object_set_new(r, "selectors", sels);
	sels = NULL;
	snprintf(key, sizeof(key), "misp|%.60s|%.60s", sget(ev, "uuid") ? sget(ev, "uuid") : (info ? info : ""),
	    sget(ev, "timestamp") ? sget(ev, "timestamp") : (sget(ev, "simpul_updated") ? sget(ev, "simpul_updated") : ""));
	json_object_set_new(r, "src_key", json_string(key));
	json_array_append_new(reports, r);
	json_decref(aud);
	return 0;
fail:
	json_decref(r);
	json_decref(sels);
	json_decref(mk);
	json_decref(aud);
	return -1;
}

int
misp_to_reports(const json_t *in, const char *country, json_t **out, struct err *e)
{
	struct mctx m = { .country = country, .skipped = json_array(), .persons = json_array(), .e = e };
	json_t *reports = json_array();
	const json_t *resp, *x;
	size_t i;

	*out = NULL;
	if (!json_is_object(in)) {
		err_set(e, 400, "", "MISP input must be a JSON object ({\"Event\": ...})");
		goto fail;
	}
	if ((resp = json_object_get(in, "response")) != NULL) {
		if (!json_is_array(resp) || json_array_size(resp) > 1000) {
			err_set(e, 400, "response", "response must be an array of at most 1000 events");
			goto fail;
		}
		json_array_foreach(resp, i, x) {
			char w[64];
			snprintf(w, sizeof(w), "response[%zu].Event", i);
			if (one_event(&m, json_object_get(x, "Event"), w, reports) == -1)
				goto fail;
		}
	} else if (json_object_get(in, "Event")) {
		if (one_event(&m, json_object_get(in, "Event"), "Event", reports) == -1)
			goto fail;
	} else if (json_object_get(in, "info") || json_object_get(in, "Attribute")) {
		if (one_event(&m, in, "Event", reports) == -1)
			goto fail;
	} else {
		err_set(e, 400, "Event", "no MISP event here: expected {\"Event\": {...}}");
		goto fail;
	}
	*out = json_pack("{s:o, s:o, s:o}", "reports", reports, "skipped", m.skipped, "persons", m.persons);
	return 0;
fail:
	json_decref(reports);
	json_decref(m.skipped);
	json_decref(m.persons);
	return -1;
}
