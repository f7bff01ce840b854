/* stix.c - STIX 2.1 export and import (stix.h).
 *
 * Export, per report (docs/internals/formats.md has the full mapping):
 *   agency          -> identity (created_by_ref of everything it reported)
 *   report          -> report (object_refs: everything below), Simpul's
 *                      fields in the "Simpul properties" extension
 *   selector        -> an observable (SCO) and an indicator with a simple
 *                      pattern over it, linked by a based-on relationship;
 *                      the report's agency sighted the indicator (sighting,
 *                      with the selector's role)
 *   markings        -> the FIRST TLP 2.0 marking-definition, and one
 *                      marking-definition carrying Simpul's other markings
 *                      in the "Simpul markings" extension
 *   phone, bank account, crypto wallet, and selectors STIX has no object
 *   for -> SCOs of new types, each declared by an extension-definition.
 * Ids are UUIDv5: SCOs in the STIX namespace over their id-contributing
 * properties (as the specification says), everything else in Simpul's
 * namespace over the Simpul id, so exporting twice gives the same ids. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simpul_limits.h"
#include "stix.h"

/* ---- UUIDv5 (RFC 4122 §4.3: SHA-1, FIPS 180-4) ------------------------ */

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char buf[64];
	size_t   n;
};

static uint32_t
rol(uint32_t x, int k)
{
	return (x << k) | (x >> (32 - k));
}

static void
sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4];
	for (int i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol(b, 30); b = a; a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e;
}

static void
sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };

	memset(s, 0, sizeof(*s));
	memcpy(s->h, h0, sizeof(h0));
}

static void
sha1_update(struct sha1 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (n > 0) {
		size_t k = 64 - s->n < n ? 64 - s->n : n;
		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p += k;
		n -= k;
		if (s->n == 64) {
			sha1_block(s, s->buf);
			s->n = 0;
		}
	}
}

static void
sha1_final(struct sha1 *s, unsigned char out[20])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, lenb[8];

	sha1_update(s, &pad, 1);
	while (s->n != 56)
		sha1_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, lenb, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

/* The STIX 2.1 namespace for SCO ids (specification §2.9), and Simpul's. */
static const unsigned char STIX_NS[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
	0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
static const unsigned char SIMPUL_NS[16] = { 0x6b, 0x8f, 0xd7, 0xed, 0x3c, 0x0c, 0x4b, 0x26,
	0xa5, 0x5a, 0xbd, 0xe3, 0xff, 0xd6, 0x00, 0xb6 };

static void
uuid_text(const unsigned char u[16], char out[37])
{
	static const char hx[] = "0123456789abcdef";
	int k = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hx[u[i] >> 4];
		out[k++] = hx[u[i] & 15];
	}
	out[k] = '\0';
}

static void
uuid5(const unsigned char ns[16], const char *name, char out[37])
{
	struct sha1 s;
	unsigned char h[20];

	sha1_init(&s);
	sha1_update(&s, ns, 16);
	sha1_update(&s, name, strlen(name));
	sha1_final(&s, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	uuid_text(h, out);
}

void
stix_id(const char *type, const char *name, char out[128])
{
	char u[37];

	uuid5(SIMPUL_NS, name, u);
	snprintf(out, 128, "%.80s--%s", type, u);
}

/* An SCO id: the STIX namespace over the canonical JSON of its
 * id-contributing properties (sorted keys, no spaces; the values here are
 * ASCII or UTF-8 text without escapes that JCS would write differently). */
static void
sco_id(const char *type, const json_t *contrib, char out[128])
{
	char *text = json_dumps(contrib, JSON_COMPACT | JSON_SORT_KEYS);
	char u[37];

	uuid5(STIX_NS, text ? text : "", u);
	free(text);
	snprintf(out, 128, "%.80s--%s", type, u);
}

/* ---- fixed objects ------------------------------------------------------ */

#define FIXED_TIME "2026-11-01T00:00:00.000Z"
#define SIMPUL_IDENTITY   "identity--b3f9ea23-d580-423e-b7c2-76b8d2f8e7e6"
#define EXT_PROPS  "extension-definition--9204e2b6-3a06-4c4f-88bc-419faf0db413"
#define EXT_MARK   "extension-definition--9b627d9c-f11a-43bd-81a8-d404779be6b1"
#define EXT_PHONE  "extension-definition--88e02a8a-a459-4c75-b2b6-05056d85ffa1"
#define EXT_BANK   "extension-definition--9a2d3a6e-55c0-466b-814c-b3afb8b5ec87"
#define EXT_WALLET "extension-definition--5607011a-daec-40c0-865d-b24440c1d0d4"
#define EXT_SEL    "extension-definition--1c13a98f-4a5f-47a4-bb67-604797eb3642"

static const struct {
	const char *name, *id, *value;
} tlp2[] = {
	{ "TLP:CLEAR", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear" },
	{ "TLP:GREEN", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green" },
	{ "TLP:AMBER", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber" },
	{ "TLP:AMBER+STRICT", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict" },
	{ "TLP:RED", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red" },
};

static const struct {
	const char *id, *name, *sco, *desc;
} extdefs[] = {
	{ EXT_PROPS, "Simpul properties", NULL,
	  "Simpul's fields of a report, an agency (identity), an indicator and a sighting: record id, "
	  "reference, scam type, status, dates, loss, victim country, agency id, kind and country, "
	  "selector key and role; of a person (identity of class individual, record person: names, "
	  "dob, nationality, gender, role, documents, links, source), a notice (report, record notice: "
	  "notice_kind, subjects) and a network (report, record network: network_id)." },
	{ EXT_MARK, "Simpul markings", NULL,
	  "Handling markings beyond TLP on a marking-definition: releasable_to (audiences MEMBERS, "
	  "ALL_LE, PRIVATE, country codes, agency ids; or originator_only true for an empty audience), "
	  "disclosure (hit|silent), orcon, grading, handling, review_at." },
	{ EXT_PHONE, "phone-number", "phone-number",
	  "A telephone number: number (E.164 when valid, else the digits as given), valid." },
	{ EXT_BANK, "bank-account", "bank-account",
	  "A bank account: account_number, bank (bank code or BIC8), country (ISO 3166-1), or iban." },
	{ EXT_WALLET, "cryptocurrency-wallet", "cryptocurrency-wallet",
	  "A crypto-currency wallet: address, chain (btc, eth for every EVM chain, trx, ...)." },
	{ EXT_SEL, "simpul-selector", "simpul-selector",
	  "Any other Simpul selector (e-mail, IMEI, national id, passport, invalid values): "
	  "selector_type and key (Simpul's canonical type:value)." },
};

static json_t *
extension_definition(int i)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "type", "extension-definition", "spec_version", "2.1", "id", extdefs[i].id,
	    "created", FIXED_TIME, "modified", FIXED_TIME, "created_by_ref", SIMPUL_IDENTITY,
	    "name", extdefs[i].name, "description", extdefs[i].desc,
	    "schema", "https://simpul.invalid/docs/internals/formats.md (Simpul, docs/internals/formats.md: STIX)",
	    "version", "1.0.0");

	json_object_set_new(o, "extension_types",
	    json_pack("[s]", extdefs[i].sco ? "new-sco" : "property-extension"));
	return o;
}

/* ---- the builder -------------------------------------------------------- */

struct stix_out {
	json_t *objects;   /* array, in order */
	json_t *seen;      /* id -> true */
};

struct stix_out *
stix_out_new(void)
{
	struct stix_out *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->objects = json_array();
	b->seen = json_object();
	return b;
}

void
stix_out_free(struct stix_out *b)
{
	if (b == NULL)
		return;
	json_decref(b->objects);
	json_decref(b->seen);
	free(b);
}

/* Add o (reference stolen) unless an object with its id is there. */
static void
put(struct stix_out *b, json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "id"));

	if (id == NULL || json_object_get(b->seen, id) != NULL) {
		json_decref(o);
		return;
	}
	json_object_set_new(b->seen, id, json_true());
	json_array_append_new(b->objects, o);
}

static bool
has(struct stix_out *b, const char *id)
{
	return json_object_get(b->seen, id) != NULL;
}

/* The extension definitions travel beside the bundles, not in them: the
 * official bundle schema (common/bundle.json) checks an object of a type it
 * does not list against "exactly one of" core.json and
 * cyber-observable-core.json, and an extension-definition satisfies both,
 * so no bundle holding one validates. stix_extension_definitions() gives
 * them (GET /api/v1/export/stix/extensions, docs/internals/formats.md). */
static void
put_extdef(struct stix_out *b, const char *id)
{
	(void)b;
	(void)id;
}

json_t *
stix_extension_definitions(void)
{
	json_t *a = json_array();

	json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
	    "spec_version", "2.1", "id", SIMPUL_IDENTITY, "created", FIXED_TIME, "modified", FIXED_TIME,
	    "name", "Simpul", "identity_class", "system",
	    "description", "The Simpul crime-intelligence node software: author of the Simpul STIX extensions."));
	for (size_t i = 0; i < sizeof(extdefs) / sizeof(extdefs[0]); i++)
		json_array_append_new(a, extension_definition((int)i));
	return a;
}

/* {EXT: {"extension_type": type, ...props}} */
static json_t *
ext(struct stix_out *b, const char *id, const char *type, json_t *props)
{
	json_t *x = props ? props : json_object();

	put_extdef(b, id);
	json_object_set_new(x, "extension_type", json_string(type));
	return json_pack("{s:o}", id, x);
}

static const char *
tlp_marking(struct stix_out *b, const char *tlp)
{
	for (size_t i = 0; i < sizeof(tlp2) / sizeof(tlp2[0]); i++)
		if (strcmp(tlp2[i].name + 4, tlp) == 0) {
			if (!has(b, tlp2[i].id))
				put(b, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
				    "marking-definition", "spec_version", "2.1", "id", tlp2[i].id, "name", tlp2[i].name,
				    "created", "2022-10-01T00:00:00.000Z", "extensions", STIX_TLP2_EXTENSION,
				    "extension_type", "property-extension", "tlp_2_0", tlp2[i].value));
			return tlp2[i].id;
		}
	return NULL;
}

/* The marking-definition of Simpul's markings beyond TLP; its id. */
static void
simpul_marking(struct stix_out *b, const json_t *m, char id[128])
{
	json_t *x = json_object(), *v;
	char *canon, name[400];
	const json_t *aud = json_object_get(m, "releasable_to");
	size_t i;
	int k = 0;

	/* STIX lists are never empty: an empty audience (the originator only)
	 * travels as "originator_only". */
	if (json_array_size(aud) > 0)
		json_object_set(x, "releasable_to", (json_t *)aud);
	else
		json_object_set_new(x, "originator_only", json_true());
	json_object_set(x, "disclosure", json_object_get(m, "disclosure") ? json_object_get(m, "disclosure") :
	    json_string("hit"));
	json_object_set_new(x, "orcon", json_boolean(json_is_true(json_object_get(m, "orcon"))));
	if ((v = json_object_get(m, "grading")) && json_string_length(v))
		json_object_set(x, "grading", v);
	if ((v = json_object_get(m, "handling")) && json_string_length(v))
		json_object_set(x, "handling", v);
	if ((v = json_object_get(m, "review_at")) && json_is_string(v))
		json_object_set(x, "review_at", v);
	canon = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS);
	{
		char nm[600];
		snprintf(nm, sizeof(nm), "markings|%s", canon ? canon : "");
		stix_id("marking-definition", nm, id);
	}
	free(canon);
	if (has(b, id)) {
		json_decref(x);
		return;
	}
	k = snprintf(name, sizeof(name), "Simpul: releasable to ");
	if (json_array_size(aud) == 0)
		k += snprintf(name + k, sizeof(name) - (size_t)k, "the originator only");
	json_array_foreach(aud, i, v)
		if (k < (int)sizeof(name) - 80)
			k += snprintf(name + k, sizeof(name) - (size_t)k, "%s%s", i ? ", " : "", json_string_value(v));
	snprintf(name + k, sizeof(name) - (size_t)k, "; disclosure %s%s",
	    json_string_value(json_object_get(x, "disclosure")),
	    json_is_true(json_object_get(x, "orcon")) ? "; ORCON" : "");
	put(b, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "type", "marking-definition", "spec_version",
	    "2.1", "id", id, "name", name, "created", FIXED_TIME, "extensions",
	    ext(b, EXT_MARK, "property-extension", x)));
}

static const char *
sector(const char *kind)
{
	if (strcmp(kind, "bank") == 0)
		return "financial-services";
	if (strcmp(kind, "telco") == 0)
		return "telecommunications";
	if (strcmp(kind, "platform") == 0)
		return "technology";
	if (strcmp(kind, "public") == 0)
		return NULL;
	return "government-national";
}

static void
identity(struct stix_out *b, const json_t *a, const char *agency_id, char id[128])
{
	char nm[200];
	json_t *o;
	const char *name = json_string_value(json_object_get(a, "name"));
	const char *kind = json_string_value(json_object_get(a, "kind"));
	const char *cc = json_string_value(json_object_get(a, "country"));

	snprintf(nm, sizeof(nm), "agency|%s", agency_id);
	stix_id("identity", nm, id);
	if (has(b, id))
		return;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version", "2.1",
	    "id", id, "created", FIXED_TIME, "modified", FIXED_TIME,
	    "name", name && *name ? name : agency_id, "identity_class", "organization");
	if (kind && sector(kind))
		json_object_set_new(o, "sectors", json_pack("[s]", sector(kind)));
	json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension",
	    json_pack("{s:s, s:s?, s:s?}", "agency_id", agency_id, "agency_kind", kind, "country", cc)));
	put(b, o);
}

/* ---- selectors ---------------------------------------------------------- */

/* Append s to a STIX pattern string literal ('...' with \\ and \' escaped). */
static void
lit(struct sbuf *p, const char *s)
{
	sbuf_addc(p, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sbuf_addc(p, '\\');
		sbuf_addc(p, *s);
	}
	sbuf_addc(p, '\'');
}

/* The SCO and the pattern of a canonical key. */
static json_t *
selector_sco(struct stix_out *b, const char *key, struct sbuf *pat, bool valid)
{
	const char *colon = strchr(key, ':');
	char type[32], buf[SIMPUL_MAX_KEY_LEN + 1];
	const char *rest;
	json_t *o = NULL, *contrib;
	char id[128];
	const char *stype;

	if (colon == NULL || (size_t)(colon - key) >= sizeof(type))
		return NULL;
	memcpy(type, key, (size_t)(colon - key));
	type[colon - key] = '\0';
	rest = colon + 1;
	str_copy(buf, sizeof(buf), rest);
	sbuf_addc(pat, '[');
	if (strcmp(type, "phone") == 0 && valid) {
		stype = "phone-number";
		contrib = json_pack("{s:s}", "number", rest);
		sbuf_adds(pat, "phone-number:number = ");
		lit(pat, rest);
		o = json_pack("{s:s}", "number", rest);
		json_object_set_new(o, "extensions", ext(b, EXT_PHONE, "new-sco", NULL));
	} else if (strcmp(type, "bank_account") == 0) {
		/* CC:BANK:DIGITS */
		char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 == NULL || c2 == NULL)
			goto other;
		*c1 = *c2 = '\0';
		stype = "bank-account";
		contrib = json_pack("{s:s, s:s, s:s}", "account_number", c2 + 1, "bank", c1 + 1, "country", buf);
		sbuf_adds(pat, "bank-account:account_number = ");
		lit(pat, c2 + 1);
		sbuf_adds(pat, " AND bank-account:bank = ");
		lit(pat, c1 + 1);
		sbuf_adds(pat, " AND bank-account:country = ");
		lit(pat, buf);
		o = json_deep_copy(contrib);
		json_object_set_new(o, "extensions", ext(b, EXT_BANK, "new-sco", NULL));
	} else if (strcmp(type, "iban") == 0) {
		stype = "bank-account";
		contrib = json_pack("{s:s}", "iban", rest);
		sbuf_adds(pat, "bank-account:iban = ");
		lit(pat, rest);
		o = json_deep_copy(contrib);
		json_object_set_new(o, "extensions", ext(b, EXT_BANK, "new-sco", NULL));
	} else if (strcmp(type, "crypto") == 0) {
		char *c1 = strchr(buf, ':');
		if (c1 == NULL)
			goto other;
		*c1 = '\0';
		stype = "cryptocurrency-wallet";
		contrib = json_pack("{s:s, s:s}", "address", c1 + 1, "chain", buf);
		sbuf_adds(pat, "cryptocurrency-wallet:address = ");
		lit(pat, c1 + 1);
		sbuf_adds(pat, " AND cryptocurrency-wallet:chain = ");
		lit(pat, buf);
		o = json_deep_copy(contrib);
		json_object_set_new(o, "extensions", ext(b, EXT_WALLET, "new-sco", NULL));
	} else if ((strcmp(type, "url") == 0 || strcmp(type, "domain") == 0 ||
	    strcmp(type, "email") == 0 || strcmp(type, "ip") == 0) && valid) {
		stype = strcmp(type, "url") == 0 ? "url" : strcmp(type, "domain") == 0 ? "domain-name" :
		    strcmp(type, "email") == 0 ? "email-addr" : strchr(rest, ':') ? "ipv6-addr" : "ipv4-addr";
		contrib = json_pack("{s:s}", "value", rest);
		sbuf_printf(pat, "%s:value = ", stype);
		lit(pat, rest);
		o = json_deep_copy(contrib);
	} else if ((strcmp(type, "ewallet") == 0 || strcmp(type, "handle") == 0) && strchr(rest, ':')) {
		char *c1 = strchr(buf, ':'), at[64];
		bool ew = type[0] == 'e';
		*c1 = '\0';
		snprintf(at, sizeof(at), "%s%.40s", ew ? "ewallet-" : "", buf);
		stype = "user-account";
		contrib = json_pack("{s:s, s:s}", "account_type", at, ew ? "user_id" : "account_login", c1 + 1);
		sbuf_adds(pat, "user-account:account_type = ");
		lit(pat, at);
		sbuf_printf(pat, " AND user-account:%s = ", ew ? "user_id" : "account_login");
		lit(pat, c1 + 1);
		o = json_deep_copy(contrib);
	} else {
other:
		sbuf_reset(pat);
		sbuf_addc(pat, '[');
		stype = "simpul-selector";
		contrib = json_pack("{s:s}", "key", key);
		sbuf_adds(pat, "simpul-selector:key = ");
		lit(pat, key);
		o = json_pack("{s:s, s:s}", "key", key, "selector_type", type);
		json_object_set_new(o, "extensions", ext(b, EXT_SEL, "new-sco", NULL));
	}
	sbuf_addc(pat, ']');
	sco_id(stype, contrib, id);
	json_decref(contrib);
	json_object_set_new(o, "type", json_string(stype));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	return o;
}

/* ---- reports ------------------------------------------------------------ */

static const char *
sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
add_report(struct stix_out *b, const json_t *r, const json_t *agencies, struct err *e)
{
	const char *rid = sget(r, "id"), *agency = sget(r, "agency");
	const char *created = sget(r, "created"), *updated = sget(r, "updated");
	const json_t *m = json_object_get(r, "markings"), *sels = json_object_get(r, "selectors"), *s;
	char ident[128], mark[128], rep[128], nm[800];
	const char *tlp;
	json_t *refs, *marks, *props, *o;
	size_t i;

	if (rid == NULL || agency == NULL || created == NULL || updated == NULL || !json_is_object(m)) {
		err_set(e, 500, "", "a report to export lacks its id, agency, times or markings");
		return -1;
	}
	identity(b, json_object_get(agencies, agency), agency, ident);
	if ((tlp = tlp_marking(b, sget(m, "tlp") ? sget(m, "tlp") : "AMBER")) == NULL) {
		err_set(e, 500, "", "report %s: unknown TLP", rid);
		return -1;
	}
	simpul_marking(b, m, mark);
	marks = json_pack("[s, s]", tlp, mark);
	refs = json_pack("[s]", ident);
	snprintf(nm, sizeof(nm), "report|%s", rid);
	stix_id("report", nm, rep);

	json_array_foreach(sels, i, s) {
		const char *key = sget(s, "key"), *role = sget(s, "role");
		struct sbuf pat;
		char ind[128], rel[128], sig[128];
		json_t *sco;

		if (key == NULL)
			continue;
		sbuf_init(&pat, 4 * SIMPUL_MAX_KEY_LEN);
		if ((sco = selector_sco(b, key, &pat, json_is_true(json_object_get(s, "valid")))) == NULL) {
			sbuf_free(&pat);
			continue;
		}
		json_object_set(sco, "object_marking_refs", marks);
		snprintf(nm, sizeof(nm), "indicator|%s|%s", agency, key);
		stix_id("indicator", nm, ind);
		snprintf(nm, sizeof(nm), "based-on|%s|%s", ind, sget(sco, "id"));
		stix_id("relationship", nm, rel);
		snprintf(nm, sizeof(nm), "sighting|%s|%s", rid, key);
		stix_id("sighting", nm, sig);
		json_array_append_new(refs, json_string(ind));
		json_array_append_new(refs, json_string(sget(sco, "id")));
		json_array_append_new(refs, json_string(rel));
		json_array_append_new(refs, json_string(sig));
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:O}",
		    "type", "indicator", "spec_version", "2.1", "id", ind, "created", created,
		    "modified", updated, "created_by_ref", ident, "name", key, "pattern", pat.ptr,
		    "pattern_type", "stix", "indicator_types",
		    role && strncmp(role, "victim", 6) == 0 ? "compromised" : "malicious-activity",
		    "valid_from", created, "object_marking_refs", marks);
		json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension",
		    json_pack("{s:s}", "selector_key", key)));
		put(b, o);
		put(b, sco);
		put(b, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "type", "relationship",
		    "spec_version", "2.1", "id", rel, "created", created, "modified", updated,
		    "created_by_ref", ident, "relationship_type", "based-on", "source_ref", ind,
		    "target_ref", json_string_value(json_array_get(refs, json_array_size(refs) - 3)),
		    "object_marking_refs", marks));
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[s], s:O}",
		    "type", "sighting", "spec_version", "2.1", "id", sig, "created", created,
		    "modified", updated, "created_by_ref", ident, "first_seen", created, "last_seen", created,
		    "count", 1, "sighting_of_ref", ind, "where_sighted_refs", ident,
		    "object_marking_refs", marks);
		json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension",
		    json_pack("{s:s, s:s, s:s}", "selector_key", key, "role", role ? role : "unspecified",
		    "report_id", rid)));
		put(b, o);
		sbuf_free(&pat);
	}

	props = json_pack("{s:s, s:s, s:I}", "report_id", rid, "agency_id", agency, "version",
	    json_integer_value(json_object_get(r, "version")));
	{
		static const char *const keep[] = { "reference", "scam_type", "status", "occurred_at",
			"reported_at", "victim_country", "loss", NULL };
		for (int k = 0; keep[k]; k++)
			if (json_object_get(r, keep[k]))
				json_object_set(props, keep[k], json_object_get(r, keep[k]));
	}
	snprintf(nm, sizeof(nm), "%s", sget(r, "reference") ? sget(r, "reference") : rid);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:o, s:o}", "type", "report",
	    "spec_version", "2.1", "id", rep, "created", created, "modified", updated,
	    "created_by_ref", ident, "name", nm, "published", created, "report_types", "threat-report",
	    "object_refs", refs, "object_marking_refs", marks);
	if (sget(r, "narrative"))
		json_object_set(o, "description", json_object_get(r, "narrative"));
	json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension", props));
	put(b, o);
	return 0;
}

int
stix_add_reports(struct stix_out *b, const json_t *reports, const json_t *agencies, struct err *e)
{
	const json_t *r;
	size_t i;

	json_array_foreach(reports, i, r)
		if (add_report(b, r, agencies, e) == -1)
			return -1;
	return 0;
}

/* ---- persons, notices, networks ----------------------------------------- */

/* The object_marking_refs of a record's markings: its TLP 2.0 marking and
 * the marking-definition of Simpul's other markings. */
static json_t *
marks_of(struct stix_out *b, const json_t *m, const char *what, struct err *e)
{
	const char *tlp = sget(m, "tlp");
	const char *t;
	char mark[128];

	if (!json_is_object(m) || (t = tlp_marking(b, tlp ? tlp : "AMBER")) == NULL) {
		err_set(e, 500, "", "%s: no markings or an unknown TLP", what);
		return NULL;
	}
	simpul_marking(b, m, mark);
	return json_pack("[s, s]", t, mark);
}

/* A selector's observable (with marks), put once; its id into id. */
static int
put_sco(struct stix_out *b, const char *key, json_t *marks, char id[128])
{
	struct sbuf pat;
	json_t *sco;

	sbuf_init(&pat, 4 * SIMPUL_MAX_KEY_LEN);
	sco = selector_sco(b, key, &pat, strncmp(key, "phone_raw:", 10) != 0);
	sbuf_free(&pat);
	if (sco == NULL)
		return -1;
	str_copy(id, 128, sget(sco, "id"));
	json_object_set(sco, "object_marking_refs", marks);
	put(b, sco);
	return 0;
}

/* STIX forbids empty lists (and properties.json empty dictionaries): set
 * o[k] from v leaving out empty arrays and objects, one level down too. */
static void
set_nonempty(json_t *o, const char *k, const json_t *v)
{
	if (json_is_array(v) && json_array_size(v) == 0)
		return;
	if (json_is_object(v)) {
		json_t *c = json_object();
		const char *kk;
		json_t *vv;
		json_object_foreach((json_t *)v, kk, vv)
			if (!((json_is_array(vv) && json_array_size(vv) == 0) || (json_is_object(vv) && json_object_size(vv) == 0)))
				json_object_set(c, kk, vv);
		if (json_object_size(c))
			json_object_set_new(o, k, c);
		else
			json_decref(c);
		return;
	}
	json_object_set(o, k, (json_t *)v);
}

static int
add_person(struct stix_out *b, const json_t *p, const json_t *agencies, struct err *e)
{
	const char *pid = sget(p, "id"), *agency = sget(p, "agency");
	const char *created = sget(p, "created"), *updated = sget(p, "updated");
	const json_t *names = json_object_get(p, "names"), *links, *k;
	const char *name = sget(json_array_get(names, 0), "name");
	char ident[128], sid[128], nm[400];
	json_t *marks, *props, *o;
	size_t i;

	if (pid == NULL || agency == NULL || created == NULL || updated == NULL || name == NULL) {
		err_set(e, 500, "", "a person to export lacks its id, agency, times or name");
		return -1;
	}
	identity(b, json_object_get(agencies, agency), agency, ident);
	if ((marks = marks_of(b, json_object_get(p, "markings"), pid, e)) == NULL)
		return -1;
	snprintf(nm, sizeof(nm), "person|%s", pid);
	stix_id("identity", nm, sid);
	props = json_pack("{s:s, s:s, s:s, s:I}", "record", "person", "person_id", pid, "agency_id", agency,
	    "version", json_integer_value(json_object_get(p, "version")));
	{
		static const char *const keep[] = { "ref", "names", "dob", "nationality", "gender", "role",
			"documents", "links", "source", NULL };
		for (int j = 0; keep[j]; j++)
			if (json_object_get(p, keep[j]))
				set_nonempty(props, keep[j], json_object_get(p, keep[j]));
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "type", "identity", "spec_version", "2.1",
	    "id", sid, "created", created, "modified", updated, "created_by_ref", ident, "name", name,
	    "identity_class", "individual", "object_marking_refs", marks);
	if (sget(p, "role"))
		json_object_set_new(o, "roles", json_pack("[s]", sget(p, "role")));
	json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension", props));
	put(b, o);
	/* Linked selectors: the observable, related to the person. */
	links = json_object_get(json_object_get(p, "links"), "selectors");
	json_array_foreach(links, i, k) {
		char sco[128], rel[128];
		if (!json_is_string(k) || put_sco(b, json_string_value(k), marks, sco) == -1)
			continue;
		snprintf(nm, sizeof(nm), "related-to|%s|%s", sid, sco);
		stix_id("relationship", nm, rel);
		put(b, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "type", "relationship",
		    "spec_version", "2.1", "id", rel, "created", created, "modified", updated,
		    "created_by_ref", ident, "relationship_type", "related-to", "source_ref", sid,
		    "target_ref", sco, "object_marking_refs", marks));
	}
	json_decref(marks);
	return 0;
}

int
stix_add_persons(struct stix_out *b, const json_t *persons, const json_t *agencies, struct err *e)
{
	const json_t *p;
	size_t i;

	json_array_foreach(persons, i, p)
		if (add_person(b, p, agencies, e) == -1)
			return -1;
	return 0;
}

static int
add_notice(struct stix_out *b, const json_t *nt, const json_t *agencies, struct err *e)
{
	const char *nid = sget(nt, "id"), *agency = sget(nt, "agency"), *kind = sget(nt, "kind");
	const char *created = sget(nt, "created"), *updated = sget(nt, "updated"), *title = sget(nt, "title");
	const json_t *s;
	char ident[128], rep[128], nm[400];
	json_t *marks, *refs, *subj, *o;
	size_t i;

	if (nid == NULL || agency == NULL || created == NULL || updated == NULL || title == NULL || kind == NULL) {
		err_set(e, 500, "", "a notice to export lacks its id, agency, kind, title or times");
		return -1;
	}
	identity(b, json_object_get(agencies, agency), agency, ident);
	if ((marks = marks_of(b, json_object_get(nt, "markings"), nid, e)) == NULL)
		return -1;
	refs = json_pack("[s]", ident);
	subj = json_array();
	json_array_foreach(json_object_get(nt, "subjects"), i, s) {
		const char *t = sget(s, "type");
		char id[128];
		if (t && strcmp(t, "person") == 0 && sget(s, "id")) {
			/* Only a person the bundle carries (one the exporter may share). */
			snprintf(nm, sizeof(nm), "person|%s", sget(s, "id"));
			stix_id("identity", nm, id);
			if (!has(b, id))
				continue;
			json_array_append_new(refs, json_string(id));
			json_array_append_new(subj, json_pack("{s:s, s:s}", "type", "person", "ref", id));
		} else if (t && strcmp(t, "selector") == 0 && sget(s, "key") &&
		    put_sco(b, sget(s, "key"), marks, id) == 0) {
			json_array_append_new(refs, json_string(id));
			json_array_append_new(subj, json_pack("{s:s, s:s, s:s}", "type", "selector", "key", sget(s, "key"),
			    "ref", id));
		}
		/* Documents do not travel (issuing-country records). */
	}
	snprintf(nm, sizeof(nm), "notice|%s", nid);
	stix_id("report", nm, rep);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:o, s:O}", "type", "report",
	    "spec_version", "2.1", "id", rep, "created", created, "modified", updated, "created_by_ref", ident,
	    "name", title, "published", created, "report_types",
	    strcmp(kind, "wanted_person") == 0 ? "threat-actor" : strcmp(kind, "modus_operandi") == 0 ?
	    "attack-pattern" : "threat-report", "object_refs", refs, "object_marking_refs", marks);
	if (sget(nt, "text") && *sget(nt, "text"))
		json_object_set(o, "description", json_object_get(nt, "text"));
	{
		json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:I}", "record", "notice", "notice_id", nid, "agency_id",
		    agency, "notice_kind", kind, "version", json_integer_value(json_object_get(nt, "version")));
		set_nonempty(x, "subjects", subj);
		json_decref(subj);
		json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension", x));
	}
	put(b, o);
	json_decref(marks);
	return 0;
}

int
stix_add_notices(struct stix_out *b, const json_t *notices, const json_t *agencies, struct err *e)
{
	const json_t *nt;
	size_t i;

	json_array_foreach(notices, i, nt)
		if (add_notice(b, nt, agencies, e) == -1)
			return -1;
	return 0;
}

static int
tlp_rank(const char *t)
{
	static const char *const order[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL };

	for (int i = 0; t && order[i]; i++)
		if (strcmp(t, order[i]) == 0)
			return i;
	return 4;
}

/* The markings of a grouping of records: the most restrictive TLP, the
 * audiences every record names (a TLP:CLEAR record restricts nothing),
 * silent if any is silent, orcon if any is. */
static json_t *
combined_markings(const json_t *records)
{
	const json_t *r;
	json_t *aud = NULL;
	const char *tlp = "CLEAR";
	bool silent = false, orcon = false;
	size_t i;

	json_array_foreach(records, i, r) {
		const json_t *m = json_object_get(r, "markings"), *a;
		const char *t = sget(m, "tlp");
		size_t k;
		if (tlp_rank(t) > tlp_rank(tlp))
			tlp = t ? t : "RED";
		if (sget(m, "disclosure") == NULL || strcmp(sget(m, "disclosure"), "hit") != 0)
			silent = true;
		if (json_is_true(json_object_get(m, "orcon")))
			orcon = true;
		if (t && strcmp(t, "CLEAR") == 0)
			continue;
		if (aud == NULL) {
			aud = json_deep_copy(json_object_get(m, "releasable_to"));
			if (aud == NULL)
				aud = json_array();
			continue;
		}
		for (k = json_array_size(aud); k-- > 0;) {
			const char *x = json_string_value(json_array_get(aud, k));
			bool in = false;
			size_t q;
			json_array_foreach(json_object_get(m, "releasable_to"), q, a)
				if (x && json_is_string(a) && strcmp(json_string_value(a), x) == 0)
					in = true;
			if (!in)
				json_array_remove(aud, k);
		}
	}
	return json_pack("{s:s, s:o, s:s, s:b}", "tlp", tlp, "releasable_to", aud ? aud : json_array(),
	    "disclosure", silent ? "silent" : "hit", "orcon", orcon);
}

int
stix_add_network(struct stix_out *b, const char *net_id, const json_t *reports, const json_t *agencies,
    const char *exporter, struct err *e)
{
	const json_t *r;
	const char *first = NULL, *last = NULL;
	char ident[128], gid[128], nm[400];
	json_t *refs, *marks, *m, *o;
	size_t i;

	if (json_array_size(reports) == 0) {
		err_set(e, 500, "", "a network to export holds no report");
		return -1;
	}
	refs = json_array();
	json_array_foreach(reports, i, r) {
		char rep[128];
		const char *c = sget(r, "created"), *u = sget(r, "updated");
		if (add_report(b, r, agencies, e) == -1) {
			json_decref(refs);
			return -1;
		}
		snprintf(nm, sizeof(nm), "report|%s", sget(r, "id"));
		stix_id("report", nm, rep);
		json_array_append_new(refs, json_string(rep));
		if (c && (first == NULL || strcmp(c, first) < 0))
			first = c;
		if (u && (last == NULL || strcmp(u, last) > 0))
			last = u;
	}
	identity(b, json_object_get(agencies, exporter), exporter, ident);
	m = combined_markings(reports);
	marks = marks_of(b, m, net_id, e);
	json_decref(m);
	if (marks == NULL) {
		json_decref(refs);
		return -1;
	}
	/* A report of reports, not a grouping: the official bundle schema does
	 * not list grouping, and checks it as a custom object against "exactly
	 * one of" core.json and cyber-observable-core.json, which it satisfies
	 * both, so no bundle with a grouping validates (as extension-definitions). */
	snprintf(nm, sizeof(nm), "network|%s|%s", net_id, exporter);
	stix_id("report", nm, gid);
	snprintf(nm, sizeof(nm), "Simpul network %s", net_id);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:o, s:o}", "type", "report",
	    "spec_version", "2.1", "id", gid, "created", first ? first : FIXED_TIME, "modified",
	    last && first && strcmp(last, first) >= 0 ? last : first ? first : FIXED_TIME, "created_by_ref", ident,
	    "name", nm, "description", "Reports linked by shared strong selectors (a Simpul network), as far as "
	    "the exporting agency may share them onward", "published", last ? last : FIXED_TIME,
	    "report_types", "campaign", "object_refs", refs, "object_marking_refs", marks);
	json_object_set_new(o, "extensions", ext(b, EXT_PROPS, "property-extension",
	    json_pack("{s:s, s:s, s:I}", "record", "network", "network_id", net_id, "reports",
	    (json_int_t)json_array_size(reports))));
	put(b, o);
	return 0;
}

json_t *
stix_bundle(struct stix_out *b)
{
	unsigned char u[16];
	char id[64], t[37];

	randombytes_buf(u, sizeof(u));
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	uuid_text(u, t);
	snprintf(id, sizeof(id), "bundle--%s", t);
	return json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", id, "objects", b->objects);
}

/* ---- import ------------------------------------------------------------- */

/* TLP 1.0 marking-definitions (STIX 2.1 §7.2.1.4): WHITE is TLP 2.0 CLEAR. */
static const struct {
	const char *id, *tlp;
} tlp1[] = {
	{ "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "CLEAR" },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "GREEN" },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "AMBER" },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "RED" },
};

struct imp {
	const json_t *objs;     /* the bundle's objects */
	json_t       *byid;     /* id -> index (integer) */
	json_t       *used;     /* ids of indicators/SCOs some report took */
	json_t       *role;     /* indicator id -> role (from sightings) */
	json_t       *skipped;  /* [{"object","reason"}] */
	json_t       *named;    /* ids some report or grouping refers to */
	struct err   *e;
};

static const json_t *
obj(struct imp *im, const char *id)
{
	const json_t *i = json_object_get(im->byid, id ? id : "");

	return i ? json_array_get(im->objs, (size_t)json_integer_value(i)) : NULL;
}

static int
idx(struct imp *im, const char *id)
{
	const json_t *i = json_object_get(im->byid, id ? id : "");

	return i ? (int)json_integer_value(i) : -1;
}

static void
skip(struct imp *im, const char *id, const char *why)
{
	if (json_array_size(im->skipped) < 1000)
		json_array_append_new(im->skipped, json_pack("{s:s, s:s}", "object", id ? id : "", "reason", why));
}

/* Markings of an object from its object_marking_refs. */
static json_t *
import_markings(struct imp *im, const json_t *o)
{
	json_t *m = json_object();
	const json_t *refs = json_object_get(o, "object_marking_refs"), *r;
	size_t i;

	json_array_foreach(refs, i, r) {
		const char *id = json_string_value(r);
		const json_t *md, *x;
		if (id == NULL)
			continue;
		for (size_t k = 0; k < sizeof(tlp2) / sizeof(tlp2[0]); k++)
			if (strcmp(id, tlp2[k].id) == 0)
				json_object_set_new(m, "tlp", json_string(tlp2[k].name + 4));
		for (size_t k = 0; k < sizeof(tlp1) / sizeof(tlp1[0]); k++)
			if (strcmp(id, tlp1[k].id) == 0)
				json_object_set_new(m, "tlp", json_string(tlp1[k].tlp));
		if ((md = obj(im, id)) == NULL)
			continue;
		if ((x = json_object_get(json_object_get(md, "extensions"), EXT_MARK)) != NULL) {
			static const char *const keys[] = { "releasable_to", "disclosure", "orcon", "grading",
				"handling", "review_at", NULL };
			for (int k = 0; keys[k]; k++)
				if (json_object_get(x, keys[k]))
					json_object_set(m, keys[k], json_object_get(x, keys[k]));
			if (json_is_true(json_object_get(x, "originator_only")))
				json_object_set_new(m, "releasable_to", json_array());
		}
		if ((x = json_object_get(json_object_get(md, "extensions"), STIX_TLP2_EXTENSION)) != NULL) {
			const char *t = json_string_value(json_object_get(x, "tlp_2_0"));
			char up[16];
			size_t n;
			if (t && (n = strlen(t)) < sizeof(up)) {
				for (size_t k = 0; k <= n; k++)
					up[k] = (char)toupper((unsigned char)t[k]);
				json_object_set_new(m, "tlp", json_string(up));
			}
		}
	}
	return m;
}

/* A selector from an object type and its (property -> value) pairs. NULL
 * with *why when Simpul has no selector for it. */
static json_t *
selector_of(const char *type, const json_t *p, const char **why)
{
	const char *v;

#define P(k) json_string_value(json_object_get(p, k))
	*why = NULL;
	if (strcmp(type, "phone-number") == 0 && (v = P("number")))
		return json_pack("{s:s, s:s}", "type", "phone", "value", v);
	if (strcmp(type, "bank-account") == 0) {
		if ((v = P("iban")))
			return json_pack("{s:s, s:s}", "type", "iban", "value", v);
		if ((v = P("account_number")))
			return json_pack("{s:s, s:s, s:s?, s:s?}", "type", "bank_account", "value", v,
			    "bank", P("bank"), "country", P("country"));
	}
	if (strcmp(type, "cryptocurrency-wallet") == 0 && (v = P("address")))
		return json_pack("{s:s, s:s, s:s?}", "type", "crypto", "value", v, "chain", P("chain"));
	if ((v = P("value")) != NULL) {
		if (strcmp(type, "url") == 0)
			return json_pack("{s:s, s:s}", "type", "url", "value", v);
		if (strcmp(type, "domain-name") == 0)
			return json_pack("{s:s, s:s}", "type", "domain", "value", v);
		if (strcmp(type, "email-addr") == 0)
			return json_pack("{s:s, s:s}", "type", "email", "value", v);
		if (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0)
			return json_pack("{s:s, s:s}", "type", "ip", "value", v);
	}
	if (strcmp(type, "user-account") == 0 && (v = P("account_type"))) {
		if (strncmp(v, "ewallet-", 8) == 0 && P("user_id"))
			return json_pack("{s:s, s:s, s:s}", "type", "ewallet", "value", P("user_id"), "provider", v + 8);
		if (P("account_login"))
			return json_pack("{s:s, s:s, s:s}", "type", "handle", "value", P("account_login"), "platform", v);
	}
	if (strcmp(type, "simpul-selector") == 0 && (v = P("key")) && strchr(v, ':')) {
		char t[32];
		size_t n = (size_t)(strchr(v, ':') - v);
		if (n < sizeof(t)) {
			memcpy(t, v, n);
			t[n] = '\0';
			if (strcmp(t, "phone_raw") == 0)
				str_copy(t, sizeof(t), "phone");
			return json_pack("{s:s, s:s}", "type", t, "value", v + n + 1);
		}
	}
#undef P
	*why = "no Simpul selector for this observable or pattern";
	return NULL;
}

/* Parse a simple STIX pattern: [type:prop = 'v' (AND type:prop = 'v')*].
 * 1 and *type/props filled; 0 a valid pattern beyond that subset (*why);
 * -1 malformed (*why). */
static int
pattern_parse(const char *s, char *type, size_t typesz, json_t *props, const char **why)
{
	const char *p = s;

	type[0] = '\0';
	while (*p == ' ')
		p++;
	if (*p++ != '[') {
		*why = "a pattern starts with [";
		return -1;
	}
	for (;;) {
		char t[64], prop[128], val[SIMPUL_MAX_VALUE_LEN * 2 + 1];
		size_t n = 0;

		while (*p == ' ')
			p++;
		while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '_') && n < sizeof(t) - 1)
			t[n++] = *p++;
		t[n] = '\0';
		if (n == 0 || *p != ':') {
			*why = "expected an object path type:property";
			return -1;
		}
		p++;
		n = 0;
		while (*p && (isalnum((unsigned char)*p) || *p == '_') && n < sizeof(prop) - 1)
			prop[n++] = *p++;
		prop[n] = '\0';
		if (n == 0) {
			*why = "expected a property after the type";
			return -1;
		}
		if (*p == '.' || *p == '[') {
			*why = "nested object paths are not supported";
			return 0;
		}
		while (*p == ' ')
			p++;
		if (*p != '=' || p[1] == '=') {
			*why = "only the = comparison is supported";
			return *p == '!' || *p == '<' || *p == '>' || strncmp(p, "LIKE", 4) == 0 ||
			    strncmp(p, "MATCHES", 7) == 0 || strncmp(p, "IN", 2) == 0 || strncmp(p, "NOT", 3) == 0 ||
			    strncmp(p, "ISSUBSET", 8) == 0 || strncmp(p, "ISSUPERSET", 10) == 0 ? 0 : -1;
		}
		p++;
		while (*p == ' ')
			p++;
		if (*p != '\'') {
			*why = "only string literals ('...') are supported";
			return isdigit((unsigned char)*p) || *p == 't' || *p == 'f' || *p == 'h' || *p == 'b' ? 0 : -1;
		}
		p++;
		n = 0;
		while (*p && *p != '\'') {
			if (*p == '\\') {
				p++;
				if (*p != '\'' && *p != '\\') {
					*why = "a backslash in a string escapes only ' and \\";
					return -1;
				}
			}
			if (n == sizeof(val) - 1) {
				*why = "a string literal is too long";
				return -1;
			}
			val[n++] = *p++;
		}
		if (*p != '\'') {
			*why = "a string literal is not closed";
			return -1;
		}
		p++;
		val[n] = '\0';
		if (type[0] == '\0')
			str_copy(type, typesz, t);
		else if (strcmp(type, t) != 0) {
			*why = "comparisons over more than one object type";
			return 0;
		}
		if (!utf8_valid(val, n)) {
			*why = "a string literal is not UTF-8";
			return -1;
		}
		json_object_set_new(props, prop, json_string(val));
		while (*p == ' ')
			p++;
		if (*p == ']') {
			p++;
			while (*p == ' ')
				p++;
			if (*p != '\0') {
				*why = "several observation expressions (or qualifiers) are not supported";
				return 0;
			}
			return 1;
		}
		if (strncmp(p, "AND ", 4) == 0) {
			p += 4;
			continue;
		}
		if (strncmp(p, "OR ", 3) == 0) {
			*why = "OR is not supported";
			return 0;
		}
		*why = "expected AND or ] after a comparison";
		return -1;
	}
}

static const char *const sco_types[] = { "phone-number", "bank-account", "cryptocurrency-wallet", "url",
	"domain-name", "email-addr", "ipv4-addr", "ipv6-addr", "user-account", "simpul-selector", NULL };

static bool
is_sco(const char *t)
{
	for (int i = 0; sco_types[i]; i++)
		if (strcmp(t, sco_types[i]) == 0)
			return true;
	return false;
}

/* The selector of an indicator or SCO; NULL when it has none (skipped, or
 * -1 in *rc with im->e set when malformed). */
static json_t *
selector_from(struct imp *im, const json_t *o, int *rc)
{
	const char *type = json_string_value(json_object_get(o, "type")), *id = json_string_value(json_object_get(o, "id"));
	const char *why = NULL;
	json_t *sel = NULL;

	*rc = 0;
	if (strcmp(type, "indicator") == 0) {
		const char *pt = json_string_value(json_object_get(o, "pattern_type"));
		const char *pat = json_string_value(json_object_get(o, "pattern"));
		char t[64];
		json_t *props;
		int pr;
		if (pt && strcmp(pt, "stix") != 0) {
			skip(im, id, "pattern_type is not stix");
			return NULL;
		}
		if (pat == NULL) {
			err_set(im->e, 400, "", "objects[%d] (%.80s): an indicator needs a pattern", idx(im, id), id);
			*rc = -1;
			return NULL;
		}
		props = json_object();
		if ((pr = pattern_parse(pat, t, sizeof(t), props, &why)) == -1) {
			char f[64];
			snprintf(f, sizeof(f), "objects[%d].pattern", idx(im, id));
			err_set(im->e, 400, f, "%s (%.80s): %s", f, id, why);
			*rc = -1;
		} else if (pr == 0)
			skip(im, id, why);
		else if ((sel = selector_of(t, props, &why)) == NULL)
			skip(im, id, why);
		json_decref(props);
		if (sel) {
			const char *role = json_string_value(json_object_get(im->role, id));
			if (role)
				json_object_set_new(sel, "role", json_string(role));
		}
		return sel;
	}
	if ((sel = selector_of(type, o, &why)) == NULL)
		skip(im, id, why);
	return sel;
}

/* Add sel to sels once: an indicator and the observable it is based on
 * give the same selector (the indicator's carries the role). */
static int
add_selector(json_t *sels, json_t *seen, json_t *sel)
{
	json_t *bare = json_deep_copy(sel), *had;
	char *k;
	int rc = 0;

	json_object_del(bare, "role");
	k = json_dumps(bare, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(bare);
	if (k == NULL) {
		json_decref(sel);
	} else if ((had = json_object_get(seen, k)) != NULL) {
		if (json_object_get(had, "role") == NULL && json_object_get(sel, "role") != NULL)
			json_object_set(had, "role", json_object_get(sel, "role"));
		json_decref(sel);
	} else if (json_array_size(sels) >= SIMPUL_MAX_SELECTORS) {
		json_decref(sel);
		rc = -1;
	} else {
		json_object_set(seen, k, sel);
		json_array_append_new(sels, sel);
	}
	free(k);
	return rc;
}

/* Walk a report's or grouping's object_refs (and the indicators of its
 * sightings, the SCOs of its observed-data) into selectors. */
static int
collect(struct imp *im, const json_t *refs, json_t *sels, json_t *seen, int depth)
{
	const json_t *r;
	size_t i;

	json_array_foreach(refs, i, r) {
		const char *id = json_string_value(r);
		const json_t *o = obj(im, id);
		const char *type;
		json_t *sel;
		int rc;

		if (o == NULL || (type = json_string_value(json_object_get(o, "type"))) == NULL)
			continue;
		if (strcmp(type, "sighting") == 0 && depth == 0) {
			json_t *one = json_pack("[s?]", json_string_value(json_object_get(o, "sighting_of_ref")));
			rc = collect(im, one, sels, seen, 1);
			json_decref(one);
			if (rc == -1)
				return -1;
			continue;
		}
		if (strcmp(type, "observed-data") == 0 && depth == 0) {
			if (collect(im, json_object_get(o, "object_refs"), sels, seen, 1) == -1)
				return -1;
			continue;
		}
		if (strcmp(type, "indicator") != 0 && !is_sco(type))
			continue;
		/* An indicator and the SCO it is based on give the same selector;
		 * add_selector keeps one. */
		sel = selector_from(im, o, &rc);
		if (rc == -1)
			return -1;
		json_object_set_new(im->used, id, json_true());
		if (sel && add_selector(sels, seen, sel) == -1) {
			err_set(im->e, 413, "object_refs", "a report would hold more than %d selectors", SIMPUL_MAX_SELECTORS);
			return -1;
		}
	}
	return 0;
}

static void
date_of(const char *ts, char out[11])
{
	out[0] = '\0';
	if (ts && strlen(ts) >= 10 && ts[4] == '-' && ts[7] == '-') {
		memcpy(out, ts, 10);
		out[10] = '\0';
	}
}

/* Short text from a STIX string (cut at a UTF-8 boundary), or NULL. */
static json_t *
short_text(const char *s, size_t max)
{
	char buf[SIMPUL_MAX_SHORT + 1];

	if (s == NULL || *s == '\0')
		return NULL;
	str_copy(buf, max + 1 < sizeof(buf) ? max + 1 : sizeof(buf), s);
	while (*buf && !utf8_valid(buf, strlen(buf)))
		buf[strlen(buf) - 1] = '\0';
	return *buf ? json_string(buf) : NULL;
}

static bool
person_role_ok(const char *r)
{
	static const char *const roles[] = { "wanted", "suspect", "victim_of_trafficking", "missing",
		"sanctioned", "witness", "other", NULL };

	for (int i = 0; r && roles[i]; i++)
		if (strcmp(r, roles[i]) == 0)
			return true;
	return false;
}

/* An identity of class individual: a person when it carries Simpul's
 * person fields or a report names it (an author is not a person). */
static int
import_person(struct imp *im, const json_t *o, json_t *persons)
{
	const json_t *x = json_object_get(json_object_get(o, "extensions"), EXT_PROPS), *v, *rel;
	const char *id = sget(o, "id");
	json_t *p, *names;
	size_t i;

	if (!(sget(x, "record") && strcmp(sget(x, "record"), "person") == 0) && !json_object_get(im->named, id))
		return 0;
	p = json_pack("{s:o}", "markings", import_markings(im, o));
	names = json_array();
	json_array_foreach(json_object_get(x, "names"), i, v) {
		json_t *nm = json_object();
		static const char *const keep[] = { "name", "strength", "kind", NULL };
		for (int k = 0; keep[k]; k++)
			if (json_object_get(v, keep[k]))
				json_object_set(nm, keep[k], json_object_get(v, keep[k]));
		json_array_append_new(names, nm);
	}
	if (json_array_size(names) == 0 && sget(o, "name"))
		json_array_append_new(names, json_string(sget(o, "name")));
	json_object_set_new(p, "names", names);
	if (x != NULL && sget(x, "record") && strcmp(sget(x, "record"), "person") == 0) {
		static const char *const keep[] = { "ref", "dob", "nationality", "gender", "role", "documents",
			"source", NULL };
		for (int k = 0; keep[k]; k++)
			if (json_object_get(x, keep[k]))
				json_object_set(p, keep[k], json_object_get(x, keep[k]));
		/* Linked reports are another node's ids; linked selectors travel. */
		if ((v = json_object_get(json_object_get(x, "links"), "selectors")) && json_array_size(v))
			json_object_set_new(p, "links", json_pack("{s:O}", "selectors", v));
	} else {
		const char *r = json_string_value(json_array_get(json_object_get(o, "roles"), 0));
		json_t *ref = short_text(sget(o, "name"), SIMPUL_MAX_SHORT);
		if (person_role_ok(r))
			json_object_set_new(p, "role", json_string(r));
		if (ref)
			json_object_set_new(p, "ref", ref);
		if (sget(o, "description") && json_object_get(p, "source") == NULL) {
			json_t *src = short_text(sget(o, "description"), SIMPUL_MAX_SHORT);
			if (src)
				json_object_set_new(p, "source", src);
		}
	}
	/* The observables related to it are its, not a report's. */
	json_array_foreach(im->objs, i, rel)
		if (strcmp(sget(rel, "type"), "relationship") == 0 && sget(rel, "source_ref") &&
		    strcmp(sget(rel, "source_ref"), id) == 0 && sget(rel, "target_ref"))
			json_object_set_new(im->used, sget(rel, "target_ref"), json_true());
	json_array_append_new(persons, json_pack("{s:o, s:s, s:s}", "person", p, "stix_id", id, "stix_modified",
	    sget(o, "modified") ? sget(o, "modified") : ""));
	return 0;
}

/* A report with "record": "notice": a notice, its subjects from the
 * extension (persons by STIX id, mapped by the importer; selectors by key). */
static int
import_notice(struct imp *im, const json_t *o, const json_t *x, json_t *notices)
{
	const char *id = sget(o, "id"), *kind = sget(x, "notice_kind");
	const json_t *s, *r;
	json_t *subj = json_array(), *nt, *title;
	size_t i;

	json_array_foreach(json_object_get(x, "subjects"), i, s) {
		const char *t = sget(s, "type");
		if (t && strcmp(t, "person") == 0 && sget(s, "ref"))
			json_array_append_new(subj, json_pack("{s:s, s:s}", "type", "person", "ref", sget(s, "ref")));
		else if (t && strcmp(t, "selector") == 0 && sget(s, "key"))
			json_array_append_new(subj, json_pack("{s:s, s:s}", "type", "selector", "key", sget(s, "key")));
	}
	json_array_foreach(json_object_get(o, "object_refs"), i, r)
		if (json_is_string(r))
			json_object_set_new(im->used, json_string_value(r), json_true());
	title = short_text(sget(o, "name"), SIMPUL_MAX_SHORT);
	nt = json_pack("{s:s, s:o, s:o}", "kind", kind ? kind : "", "subjects", subj, "markings",
	    import_markings(im, o));
	if (title)
		json_object_set_new(nt, "title", title);
	if (sget(o, "description"))
		json_object_set(nt, "text", json_object_get(o, "description"));
	json_array_append_new(notices, json_pack("{s:o, s:s, s:s}", "notice", nt, "stix_id", id, "stix_modified",
	    sget(o, "modified") ? sget(o, "modified") : ""));
	return 0;
}

int
stix_to_reports(const json_t *bundle, json_t **reports_out, struct err *e)
{
	struct imp im = { .e = e };
	const json_t *o;
	json_t *reports = json_array(), *rest_sels = json_array(), *rest_seen = json_object();
	json_t *rest_marks = NULL, *persons = json_array(), *notices = json_array();
	size_t i;
	int rc = -1;

	*reports_out = NULL;
	im.byid = json_object();
	im.used = json_object();
	im.role = json_object();
	im.skipped = json_array();
	if (!json_is_object(bundle) || strcmp(json_string_value(json_object_get(bundle, "type")) ?
	    json_string_value(json_object_get(bundle, "type")) : "", "bundle") != 0) {
		err_set(e, 400, "type", "a STIX bundle is an object with \"type\": \"bundle\"");
		goto out;
	}
	im.objs = json_object_get(bundle, "objects");
	if (!json_is_array(im.objs)) {
		err_set(e, 400, "objects", "the bundle has no objects array");
		goto out;
	}
	if (json_array_size(im.objs) > SIMPUL_MAX_STIX_OBJECTS) {
		err_set(e, 413, "objects", "a bundle holds at most %d objects here", SIMPUL_MAX_STIX_OBJECTS);
		goto out;
	}
	json_array_foreach(im.objs, i, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *id = json_string_value(json_object_get(o, "id"));
		char f[32];
		snprintf(f, sizeof(f), "objects[%zu]", i);
		if (!json_is_object(o) || type == NULL || id == NULL || strncmp(id, type, strlen(type)) != 0 ||
		    strncmp(id + strlen(type), "--", 2) != 0) {
			err_set(e, 400, f, "%s: every object needs a type and an id \"type--uuid\"", f);
			goto out;
		}
		json_object_set_new(im.byid, id, json_integer((json_int_t)i));
	}
	im.named = json_object();
	json_array_foreach(im.objs, i, o) {
		const json_t *r;
		size_t k;
		if (strcmp(sget(o, "type"), "report") != 0 && strcmp(sget(o, "type"), "grouping") != 0)
			continue;
		json_array_foreach(json_object_get(o, "object_refs"), k, r)
			if (json_is_string(r))
				json_object_set_new(im.named, json_string_value(r), json_true());
	}
	/* Roles from Simpul's sightings. */
	json_array_foreach(im.objs, i, o) {
		const json_t *x = json_object_get(json_object_get(o, "extensions"), EXT_PROPS);
		const char *of = json_string_value(json_object_get(o, "sighting_of_ref"));
		const char *role = json_string_value(json_object_get(x, "role"));
		if (of && role)
			json_object_set_new(im.role, of, json_string(role));
	}
	json_array_foreach(im.objs, i, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		const json_t *x;
		json_t *r, *sels, *seen;
		char d[11];
		if (strcmp(type, "report") != 0 && strcmp(type, "grouping") != 0)
			continue;
		x = json_object_get(json_object_get(o, "extensions"), EXT_PROPS);
		if (sget(x, "record") && strcmp(sget(x, "record"), "network") == 0) {
			/* Networks are derived: the reports re-form it from their selectors. */
			skip(&im, sget(o, "id"), "a Simpul network is derived from its reports' shared selectors");
			continue;
		}
		if (sget(x, "record") && strcmp(sget(x, "record"), "notice") == 0) {
			if (import_notice(&im, o, x, notices) == -1)
				goto out;
			continue;
		}
		sels = json_array();
		seen = json_object();
		if (collect(&im, json_object_get(o, "object_refs"), sels, seen, 0) == -1) {
			json_decref(sels);
			json_decref(seen);
			goto out;
		}
		json_decref(seen);
		r = json_pack("{s:o, s:o}", "selectors", sels, "markings", import_markings(&im, o));
		x = json_object_get(json_object_get(o, "extensions"), EXT_PROPS);
		if (x != NULL) {
			static const char *const keep[] = { "reference", "scam_type", "status", "occurred_at",
				"reported_at", "victim_country", "loss", NULL };
			for (int k = 0; keep[k]; k++)
				if (json_object_get(x, keep[k]))
					json_object_set(r, keep[k], json_object_get(x, keep[k]));
		} else {
			const char *name = json_string_value(json_object_get(o, "name"));
			if (name) {
				char ref[SIMPUL_MAX_SHORT + 1];
				str_copy(ref, sizeof(ref), name);   /* may cut a UTF-8 sequence: */
				while (!utf8_valid(ref, strlen(ref)))
					ref[strlen(ref) - 1] = '\0';
				json_object_set_new(r, "reference", json_string(ref));
			}
			date_of(json_string_value(json_object_get(o, "published")), d);
			if (d[0])
				json_object_set_new(r, "reported_at", json_string(d));
		}
		if (json_object_get(o, "description"))
			json_object_set(r, "narrative", json_object_get(o, "description"));
		json_object_set_new(r, "stix_id", json_string(json_string_value(json_object_get(o, "id"))));
		{
			const char *mod = json_string_value(json_object_get(o, "modified"));
			json_object_set_new(r, "stix_modified", json_string(mod ? mod : ""));
		}
		json_array_append_new(reports, r);
	}
	/* Individuals: persons (with Simpul's person fields, or named by a report). */
	json_array_foreach(im.objs, i, o) {
		if (strcmp(sget(o, "type"), "identity") != 0 || sget(o, "identity_class") == NULL ||
		    strcmp(sget(o, "identity_class"), "individual") != 0)
			continue;
		if (import_person(&im, o, persons) == -1)
			goto out;
	}
	/* Indicators and observables no report took: one report of their own. */
	json_array_foreach(im.objs, i, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *id = json_string_value(json_object_get(o, "id"));
		json_t *sel;
		int src;
		if ((strcmp(type, "indicator") != 0 && !is_sco(type)) || json_object_get(im.used, id))
			continue;
		/* An SCO an indicator of the rest is based on is the same selector. */
		sel = selector_from(&im, o, &src);
		if (src == -1)
			goto out;
		if (sel == NULL)
			continue;
		if (rest_marks == NULL && json_object_get(o, "object_marking_refs"))
			rest_marks = import_markings(&im, o);
		if (add_selector(rest_sels, rest_seen, sel) == -1) {
			err_set(e, 413, "objects", "more than %d indicators and observables outside any report",
			    SIMPUL_MAX_SELECTORS);
			goto out;
		}
	}
	if (json_array_size(rest_sels)) {
		char ref[128];
		snprintf(ref, sizeof(ref), "STIX %.100s", json_string_value(json_object_get(bundle, "id")) ?
		    json_string_value(json_object_get(bundle, "id")) : "bundle");
		json_array_append_new(reports, json_pack("{s:s, s:O, s:o, s:s, s:s}", "reference", ref,
		    "selectors", rest_sels, "markings", rest_marks ? rest_marks : json_object(), "stix_id",
		    ref + 5, "stix_modified", ""));
		rest_marks = NULL;
	}
	*reports_out = json_pack("{s:O, s:O, s:O, s:O}", "reports", reports, "skipped", im.skipped,
	    "persons", persons, "notices", notices);
	rc = 0;
out:
	json_decref(rest_marks);
	json_decref(persons);
	json_decref(notices);
	json_decref(rest_sels);
	json_decref(rest_seen);
	json_decref(reports);
	json_decref(im.byid);
	json_decref(im.used);
	json_decref(im.role);
	json_decref(im.skipped);
	json_decref(im.named);
	return rc;
}

/* ---- an import source over stix_to_reports' output --------------------- */

static int
stix_src_next(void *ctx, struct import_item *it, struct err *e)
{
	struct stix_src *s = ctx;
	json_t *r;
	char k[300];

	(void)e;
	if (s->i >= json_array_size(s->reports))
		return 0;
	r = json_deep_copy(json_array_get(s->reports, s->i++));
	snprintf(k, sizeof(k), "stix|%.120s|%.60s", json_string_value(json_object_get(r, "stix_id")) ?
	    json_string_value(json_object_get(r, "stix_id")) : "",
	    json_string_value(json_object_get(r, "stix_modified")) ?
	    json_string_value(json_object_get(r, "stix_modified")) : "");
	crypto_generichash(it->digest, 32, (const unsigned char *)k, strlen(k), NULL, 0);
	it->has_digest = true;
	json_object_del(r, "stix_id");
	json_object_del(r, "stix_modified");
	it->report = r;
	it->line = s->i;
	it->bytes = s->i;
	return 1;
}

void
stix_source(struct stix_src *s, const json_t *reports, struct import_source *src)
{
	s->reports = reports;
	s->i = 0;
	src->next = stix_src_next;
	src->ctx = s;
}
