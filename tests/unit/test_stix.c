/* test_stix.c - STIX 2.1 (src/lib/stix.c): UUIDv5 ids against RFC 4122
 * vectors computed independently, the export mapping (TLP 2.0 ids, Simpul
 * markings, extension SCOs, indicators, sightings, report), the import of
 * simple patterns and observables, what is skipped and what is malformed
 * (named by object and field), and export -> import -> export keeping the
 * selectors, roles and markings. Bundles are validated against the OASIS
 * schemas by tests/stix/validate.mjs in the e2e suite. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix.h"

static json_t *
J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

static const char *REPORT =
    "[{\"id\": \"01JREPORT00000000000000001\", \"visibility\": \"full\", \"agency\": \"MY-NSRC\", \"version\": 1,"
    " \"created\": \"2026-11-28T01:02:03.004Z\", \"updated\": \"2026-11-28T01:02:03.004Z\","
    " \"reference\": \"NSRC-7\", \"scam_type\": \"investment\", \"status\": \"open\", \"reported_at\": \"2025-02-01\","
    " \"narrative\": \"Paid into a mule account.\", \"loss\": {\"amount\": 5000, \"currency\": \"MYR\"},"
    " \"markings\": {\"tlp\": \"AMBER+STRICT\", \"releasable_to\": [\"MEMBERS\", \"GB\"], \"disclosure\": \"hit\","
    "   \"orcon\": false, \"grading\": \"B2\"},"
    " \"selectors\": ["
    "  {\"type\": \"bank_account\", \"key\": \"bank_account:MY:MBBEMYKL:1234567890\", \"valid\": true, \"role\": \"mule_account\"},"
    "  {\"type\": \"phone\", \"key\": \"phone:+60123456789\", \"valid\": true, \"role\": \"scammer_contact\"},"
    "  {\"type\": \"crypto\", \"key\": \"crypto:eth:0x00000000dd0412366388639b1101544fff2dce8d\", \"valid\": true, \"role\": \"payment_destination\"},"
    "  {\"type\": \"url\", \"key\": \"url:https://evil.example.com/it's\", \"valid\": true, \"role\": \"phishing_site\"},"
    "  {\"type\": \"imei\", \"key\": \"imei:490154203237518\", \"valid\": true, \"role\": \"scammer_device\"}]}]";
static const char *AGENCIES = "{\"MY-NSRC\": {\"id\": \"MY-NSRC\", \"country\": \"MY\", \"kind\": \"asc\", \"name\": \"NSRC\"}}";

static json_t *
export(const char *reports)
{
	struct stix_out *b = stix_out_new();
	json_t *r = J(reports), *a = J(AGENCIES), *bundle;
	struct err e = {0};

	assert_int_equal(stix_add_reports(b, r, a, &e), 0);
	bundle = stix_bundle(b);
	stix_out_free(b);
	json_decref(r);
	json_decref(a);
	return bundle;
}

static const json_t *
find(const json_t *bundle, const char *type, int nth)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(bundle, "objects"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 && nth-- == 0)
			return o;
	return NULL;
}

static int
count(const json_t *bundle, const char *type)
{
	int n = 0;

	while (find(bundle, type, n))
		n++;
	return n;
}

static void
test_uuid5_ids(void **state)
{
	char id[128];

	(void)state;
	/* Python: uuid.uuid5(UUID("6b8fd7ed-3c0c-4b26-a55a-bde3ffd600b6"), "report|01M8GEQ9X5NB6EDD3CYBWBD8SY") */
	stix_id("report", "report|01M8GEQ9X5NB6EDD3CYBWBD8SY", id);
	assert_string_equal(id, "report--a6214cf8-e65c-5346-b0cd-3ad31f14d776");
	/* A name longer than one SHA-1 block. */
	{
		char name[201];
		memset(name, 'x', 200);
		name[200] = '\0';
		stix_id("x", name, id);
		assert_string_equal(id, "x--46c3a463-15a0-5dcf-b18d-bf5121db0c01");
	}
}

static void
test_export_mapping(void **state)
{
	json_t *b = export(REPORT);
	const json_t *o, *rep;
	size_t i;
	bool tlp = false, ours = false;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(b, "type")), "bundle");
	assert_int_equal(count(b, "report"), 1);
	assert_int_equal(count(b, "identity"), 1);
	assert_int_equal(count(b, "indicator"), 5);
	assert_int_equal(count(b, "sighting"), 5);
	assert_int_equal(count(b, "relationship"), 5);
	assert_int_equal(count(b, "extension-definition"), 0);   /* beside bundles, not in them */
	assert_non_null(find(b, "phone-number", 0));
	assert_non_null(find(b, "bank-account", 0));
	assert_non_null(find(b, "cryptocurrency-wallet", 0));
	assert_non_null(find(b, "simpul-selector", 0));
	/* The SCO id of the URL: STIX namespace over {"value": ...}. Python:
	 * uuid5(UUID("00abedb4-aa42-466c-9c01-fed23315a9b7"), '{"value":"https://evil.example.com/it\'s"}') */
	o = find(b, "url", 0);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "url--280e763a-7dfa-508c-aed1-2f29ffd62c90");
	/* The pattern escapes the quote. */
	json_array_foreach(json_object_get(b, "objects"), i, o) {
		const char *p = json_string_value(json_object_get(o, "pattern"));
		if (p && strstr(p, "url:value"))
			assert_string_equal(p, "[url:value = 'https://evil.example.com/it\\'s']");
		if (strcmp(json_string_value(json_object_get(o, "type")), "marking-definition") == 0) {
			if (strcmp(json_string_value(json_object_get(o, "id")),
			    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003") == 0)
				tlp = true;
			else
				ours = json_object_get(json_object_get(o, "extensions"),
				    "extension-definition--9b627d9c-f11a-43bd-81a8-d404779be6b1") != NULL;
		}
	}
	assert_true(tlp);
	assert_true(ours);
	rep = find(b, "report", 0);
	assert_string_equal(json_string_value(json_object_get(rep, "name")), "NSRC-7");
	assert_string_equal(json_string_value(json_object_get(rep, "description")), "Paid into a mule account.");
	assert_int_equal(json_array_size(json_object_get(rep, "object_refs")), 1 + 4 * 5);
	/* Same report, same ids: exporting twice gives the same objects. */
	{
		json_t *b2 = export(REPORT);
		assert_true(json_equal(json_object_get(b, "objects"), json_object_get(b2, "objects")));
		assert_false(json_equal(json_object_get(b, "id"), json_object_get(b2, "id")));
		json_decref(b2);
	}
	json_decref(b);
}

static json_t *
import_ok(const json_t *bundle)
{
	json_t *out = NULL;
	struct err e = {0};

	if (stix_to_reports(bundle, &out, &e) != 0)
		fail_msg("import: %s: %s", e.field, e.msg);
	return out;
}

static bool
has_sel(const json_t *sels, const char *type, const char *value, const char *role)
{
	const json_t *s;
	size_t i;

	json_array_foreach(sels, i, s)
		if (strcmp(json_string_value(json_object_get(s, "type")), type) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "value")), value) == 0 &&
		    (role == NULL || (json_object_get(s, "role") &&
		    strcmp(json_string_value(json_object_get(s, "role")), role) == 0)))
			return true;
	return false;
}

static void
test_round_trip_keeps_selectors_and_markings(void **state)
{
	json_t *b = export(REPORT), *out = import_ok(b);
	const json_t *r, *sels, *m;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 1);
	assert_int_equal(json_array_size(json_object_get(out, "skipped")), 0);
	r = json_array_get(json_object_get(out, "reports"), 0);
	sels = json_object_get(r, "selectors");
	assert_int_equal(json_array_size(sels), 5);
	assert_true(has_sel(sels, "bank_account", "1234567890", "mule_account"));
	assert_true(has_sel(sels, "phone", "+60123456789", "scammer_contact"));
	assert_true(has_sel(sels, "crypto", "0x00000000dd0412366388639b1101544fff2dce8d", "payment_destination"));
	assert_true(has_sel(sels, "url", "https://evil.example.com/it's", "phishing_site"));
	assert_true(has_sel(sels, "imei", "490154203237518", "scammer_device"));
	m = json_object_get(r, "markings");
	assert_string_equal(json_string_value(json_object_get(m, "tlp")), "AMBER+STRICT");
	assert_int_equal(json_array_size(json_object_get(m, "releasable_to")), 2);
	assert_string_equal(json_string_value(json_object_get(m, "grading")), "B2");
	assert_string_equal(json_string_value(json_object_get(r, "reference")), "NSRC-7");
	assert_string_equal(json_string_value(json_object_get(r, "scam_type")), "investment");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "loss"), "amount")), 5000);
	assert_string_equal(json_string_value(json_object_get(r, "narrative")), "Paid into a mule account.");
	json_decref(out);
	json_decref(b);
}

static void
test_third_party_bundle(void **state)
{
	/* No report object; TLP 1.0 WHITE; an OR pattern and a file hash
	 * (valid STIX, no Simpul meaning) are skipped, the rest imported. */
	json_t *b = J("{\"type\": \"bundle\", \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", \"objects\": ["
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--1d0092c5-5f74-4287-9642-33f4c354e56d\","
	    " \"pattern\": \"[domain-name:value = 'scam.example']\", \"pattern_type\": \"stix\","
	    " \"object_marking_refs\": [\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"]},"
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--2d0092c5-5f74-4287-9642-33f4c354e56d\","
	    " \"pattern\": \"[ipv4-addr:value = '10.0.0.1' OR ipv4-addr:value = '10.0.0.2']\", \"pattern_type\": \"stix\"},"
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--3d0092c5-5f74-4287-9642-33f4c354e56d\","
	    " \"pattern\": \"[file:hashes.'SHA-256' = 'aa']\", \"pattern_type\": \"stix\"},"
	    "{\"type\": \"email-addr\", \"spec_version\": \"2.1\", \"id\": \"email-addr--4d0092c5-5f74-4287-9642-33f4c354e56d\","
	    " \"value\": \"mule@example.com\"},"
	    "{\"type\": \"user-account\", \"spec_version\": \"2.1\", \"id\": \"user-account--5d0092c5-5f74-4287-9642-33f4c354e56d\","
	    " \"account_type\": \"telegram\", \"account_login\": \"scammer\"}]}");
	json_t *out = import_ok(b);
	const json_t *r, *sels;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 1);
	assert_int_equal(json_array_size(json_object_get(out, "skipped")), 2);
	r = json_array_get(json_object_get(out, "reports"), 0);
	sels = json_object_get(r, "selectors");
	assert_int_equal(json_array_size(sels), 3);
	assert_true(has_sel(sels, "domain", "scam.example", NULL));
	assert_true(has_sel(sels, "email", "mule@example.com", NULL));
	assert_true(has_sel(sels, "handle", "scammer", NULL));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "markings"), "tlp")), "CLEAR");
	json_decref(out);
	json_decref(b);
}

static void
import_err(const char *text, const char *field, const char *msg_part)
{
	json_t *b = J(text), *out = NULL;
	struct err e = {0};

	if (stix_to_reports(b, &out, &e) != -1)
		fail_msg("accepted: %s", text);
	assert_null(out);
	if (e.status != 400 || strcmp(e.field, field) != 0)
		fail_msg("%s: got %d \"%s\" %s", text, e.status, e.field, e.msg);
	if (strstr(e.msg, msg_part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg_part);
	json_decref(b);
}

static void
test_malformed_is_named(void **state)
{
	(void)state;
	import_err("{\"type\": \"bundel\", \"objects\": []}", "type", "bundle");
	import_err("{\"type\": \"bundle\", \"objects\": {}}", "objects", "objects");
	import_err("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"report--1\"}]}",
	    "objects[0]", "type--uuid");
	import_err("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--1\","
	    " \"pattern\": \"[url:value = 'http://x]\"}]}", "objects[0].pattern", "not closed");
	import_err("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--1\","
	    " \"pattern\": \"url:value = 'x'\"}]}", "objects[0].pattern", "starts with [");
	import_err("{\"type\": \"bundle\", \"objects\": [{\"type\": \"x\", \"id\": \"x--1\"},"
	    " {\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": \"[url:value = 'x' AND ]\"}]}",
	    "objects[1].pattern", "object path");
}

/* ---- persons, notices, networks ---------------------------------------- */

#define PROPS "extension-definition--9204e2b6-3a06-4c4f-88bc-419faf0db413"

static const char *PERSON =
    "[{\"id\": \"01JPERSON0000000000000001\", \"agency\": \"MY-NSRC\", \"version\": 2, \"ref\": \"P-1\","
    " \"created\": \"2026-11-28T01:02:03.004Z\", \"updated\": \"2026-11-28T02:02:03.004Z\","
    " \"names\": [{\"name\": \"Somchai Jaidee\", \"strength\": \"strong\", \"script\": \"Latn\"},"
    "   {\"name\": \"\\u0e2a\\u0e21\\u0e0a\\u0e32\\u0e22\", \"strength\": \"weak\", \"script\": \"Thai\"}],"
    " \"dob\": [\"1985-04\"], \"nationality\": [\"TH\"], \"role\": \"wanted\","
    " \"links\": {\"reports\": [\"01JREPORT00000000000000001\"], \"selectors\": [\"phone:+60123456789\"]},"
    " \"markings\": {\"tlp\": \"AMBER\", \"releasable_to\": [], \"disclosure\": \"silent\", \"orcon\": true}}]";
static const char *NOTICE =
    "[{\"id\": \"01JNOTICE0000000000000001\", \"agency\": \"MY-NSRC\", \"version\": 1,"
    " \"created\": \"2026-11-28T01:02:03.004Z\", \"updated\": \"2026-11-28T01:02:03.004Z\","
    " \"kind\": \"modus_operandi\", \"title\": \"Fake job adverts\", \"text\": \"Recruiters on Telegram.\","
    " \"subjects\": [{\"type\": \"person\", \"id\": \"01JPERSON0000000000000001\"},"
    "   {\"type\": \"person\", \"id\": \"01JPERSON0000000000000009\"},"
    "   {\"type\": \"document\", \"id\": \"01JDOC000000000000000000001\"},"
    "   {\"type\": \"selector\", \"key\": \"handle:telegram:recruit\"}],"
    " \"markings\": {\"tlp\": \"GREEN\", \"releasable_to\": [\"MEMBERS\"], \"disclosure\": \"hit\", \"orcon\": false}}]";

static const json_t *
find_rec(const json_t *bundle, const char *type, const char *record)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(bundle, "objects"), i, o) {
		const char *rec = json_string_value(json_object_get(json_object_get(json_object_get(o, "extensions"),
		    PROPS), "record"));
		if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 &&
		    (record == NULL || (rec && strcmp(rec, record) == 0)))
			return o;
	}
	return NULL;
}

static void
test_persons_and_notices_round_trip(void **state)
{
	struct stix_out *b = stix_out_new();
	json_t *p = J(PERSON), *nt = J(NOTICE), *a = J(AGENCIES), *bundle, *out = NULL;
	const json_t *id, *rep, *x, *imp;
	struct err e = {0};

	(void)state;
	assert_int_equal(stix_add_persons(b, p, a, &e), 0);
	assert_int_equal(stix_add_notices(b, nt, a, &e), 0);
	bundle = stix_bundle(b);
	stix_out_free(b);
	id = find_rec(bundle, "identity", "person");
	assert_non_null(id);
	assert_string_equal(json_string_value(json_object_get(id, "identity_class")), "individual");
	assert_string_equal(json_string_value(json_object_get(id, "name")), "Somchai Jaidee");
	assert_string_equal(json_string_value(json_array_get(json_object_get(id, "roles"), 0)), "wanted");
	assert_non_null(find_rec(bundle, "phone-number", NULL));        /* the linked selector */
	assert_non_null(find_rec(bundle, "relationship", NULL));        /* related-to */
	rep = find_rec(bundle, "report", "notice");
	assert_non_null(rep);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "report_types"), 0)), "attack-pattern");
	x = json_object_get(json_object_get(rep, "extensions"), PROPS);
	/* The person the bundle carries and the selector; not the person it
	 * does not carry, not the document. */
	assert_int_equal(json_array_size(json_object_get(x, "subjects")), 2);
	assert_int_equal(json_array_size(json_object_get(rep, "object_refs")), 3);   /* agency, person, SCO */

	assert_int_equal(stix_to_reports(bundle, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 0);   /* no leftovers */
	assert_int_equal(json_array_size(json_object_get(out, "persons")), 1);
	assert_int_equal(json_array_size(json_object_get(out, "notices")), 1);
	imp = json_object_get(json_array_get(json_object_get(out, "persons"), 0), "person");
	assert_int_equal(json_array_size(json_object_get(imp, "names")), 2);
	assert_null(json_object_get(json_array_get(json_object_get(imp, "names"), 0), "script"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(imp, "links"), "selectors"), 0)),
	    "phone:+60123456789");
	assert_null(json_object_get(json_object_get(imp, "links"), "reports"));   /* another node's ids */
	/* An empty audience travels as originator_only and comes back empty. */
	assert_int_equal(json_array_size(json_object_get(json_object_get(imp, "markings"), "releasable_to")), 0);
	assert_non_null(json_object_get(json_object_get(imp, "markings"), "releasable_to"));
	assert_true(json_is_true(json_object_get(json_object_get(imp, "markings"), "orcon")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(imp, "markings"), "disclosure")), "silent");
	imp = json_object_get(json_array_get(json_object_get(out, "notices"), 0), "notice");
	assert_string_equal(json_string_value(json_object_get(imp, "kind")), "modus_operandi");
	assert_string_equal(json_string_value(json_object_get(imp, "title")), "Fake job adverts");
	assert_string_equal(json_string_value(json_object_get(json_object_get(imp, "markings"), "tlp")), "GREEN");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(imp, "subjects"), 0), "ref")),
	    json_string_value(json_object_get(id, "id")));
	json_decref(out);
	json_decref(bundle);
	json_decref(p);
	json_decref(nt);
	json_decref(a);
}

static void
test_network_object_and_its_markings(void **state)
{
	static const char *TWO =
	    "[{\"id\": \"01JREPORT00000000000000001\", \"agency\": \"MY-NSRC\", \"version\": 1,"
	    "  \"created\": \"2026-11-28T01:00:00.000Z\", \"updated\": \"2026-11-28T01:00:00.000Z\", \"reference\": \"A\","
	    "  \"markings\": {\"tlp\": \"GREEN\", \"releasable_to\": [\"MEMBERS\", \"GB\"], \"disclosure\": \"hit\"},"
	    "  \"selectors\": [{\"type\": \"phone\", \"key\": \"phone:+60123456789\", \"valid\": true, \"role\": \"scammer_contact\"}]},"
	    " {\"id\": \"01JREPORT00000000000000002\", \"agency\": \"MY-NSRC\", \"version\": 1,"
	    "  \"created\": \"2026-11-28T02:00:00.000Z\", \"updated\": \"2026-11-28T03:00:00.000Z\", \"reference\": \"B\","
	    "  \"markings\": {\"tlp\": \"AMBER\", \"releasable_to\": [\"MEMBERS\"], \"disclosure\": \"silent\"},"
	    "  \"selectors\": [{\"type\": \"phone\", \"key\": \"phone:+60123456789\", \"valid\": true, \"role\": \"scammer_contact\"}]}]";
	struct stix_out *b = stix_out_new();
	json_t *r = J(TWO), *a = J(AGENCIES), *bundle, *out = NULL;
	const json_t *net, *m, *x;
	struct err e = {0};
	size_t i;
	int amber = 0;

	(void)state;
	assert_int_equal(stix_add_network(b, "net_0123456789abcdef", r, a, "MY-NSRC", &e), 0);
	bundle = stix_bundle(b);
	stix_out_free(b);
	net = find_rec(bundle, "report", "network");
	assert_non_null(net);
	assert_int_equal(json_array_size(json_object_get(net, "object_refs")), 2);
	assert_string_equal(json_string_value(json_object_get(net, "created")), "2026-11-28T01:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(net, "modified")), "2026-11-28T03:00:00.000Z");
	/* The most restrictive markings: AMBER, MEMBERS only, silent. */
	json_array_foreach(json_object_get(net, "object_marking_refs"), i, m) {
		const json_t *o;
		size_t k;
		if (strcmp(json_string_value(m), "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421") == 0)
			amber = 1;
		json_array_foreach(json_object_get(bundle, "objects"), k, o)
			if (strcmp(json_string_value(json_object_get(o, "id")), json_string_value(m)) == 0 &&
			    (x = json_object_get(json_object_get(o, "extensions"),
			    "extension-definition--9b627d9c-f11a-43bd-81a8-d404779be6b1")) != NULL) {
				assert_int_equal(json_array_size(json_object_get(x, "releasable_to")), 1);
				assert_string_equal(json_string_value(json_object_get(x, "disclosure")), "silent");
			}
	}
	assert_true(amber);
	/* On import the network object is skipped (derived); its reports come back. */
	assert_int_equal(stix_to_reports(bundle, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 2);
	assert_int_equal(json_array_size(json_object_get(out, "skipped")), 1);
	json_decref(out);
	json_decref(bundle);
	json_decref(r);
	json_decref(a);
}

static void
test_third_party_individual(void **state)
{
	/* An individual a report names is a person; an author is not. */
	json_t *in = J("{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": ["
	    " {\"type\": \"identity\", \"id\": \"identity--a\", \"name\": \"Analyst\", \"identity_class\": \"individual\"},"
	    " {\"type\": \"identity\", \"id\": \"identity--b\", \"name\": \"Li Wei\", \"identity_class\": \"individual\","
	    "  \"roles\": [\"suspect\"], \"created_by_ref\": \"identity--a\"},"
	    " {\"type\": \"report\", \"id\": \"report--1\", \"name\": \"R\", \"published\": \"2026-01-01T00:00:00Z\","
	    "  \"created_by_ref\": \"identity--a\", \"object_refs\": [\"identity--b\", \"domain-name--1\"]},"
	    " {\"type\": \"domain-name\", \"id\": \"domain-name--1\", \"value\": \"scam.example\"}]}");
	json_t *out = NULL, *p;
	struct err e = {0};

	(void)state;
	assert_int_equal(stix_to_reports(in, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "persons")), 1);
	p = json_object_get(json_array_get(json_object_get(out, "persons"), 0), "person");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "names"), 0)), "Li Wei");
	assert_string_equal(json_string_value(json_object_get(p, "role")), "suspect");
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 1);
	json_decref(out);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid5_ids),
		cmocka_unit_test(test_export_mapping),
		cmocka_unit_test(test_round_trip_keeps_selectors_and_markings),
		cmocka_unit_test(test_third_party_bundle),
		cmocka_unit_test(test_malformed_is_named),
		cmocka_unit_test(test_persons_and_notices_round_trip),
		cmocka_unit_test(test_network_object_and_its_markings),
		cmocka_unit_test(test_third_party_individual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
