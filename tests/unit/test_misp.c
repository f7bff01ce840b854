/* test_misp.c - MISP event JSON (src/lib/misp.c): a third-party event with
 * plain attributes and the bank-account, phone-number, coin-address and
 * person objects; TLP tags and distribution levels to markings; what is
 * skipped; malformed events named by attribute; export -> import keeping
 * selectors, roles and markings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misp.h"

static json_t *
J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

static const json_t *
find_sel(const json_t *r, const char *type, const char *value)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r, "selectors"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "type")), type) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "value")), value) == 0)
			return s;
	return NULL;
}

static const char *
ss(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static const char *EVENT =
    "{\"Event\": {\"uuid\": \"5d0092c5-5f74-4287-9642-33f4c354e56d\", \"info\": \"Mule ring from CERT\","
    " \"date\": \"2025-03-01\", \"distribution\": \"1\", \"timestamp\": \"1700000000\","
    " \"Tag\": [{\"name\": \"tlp:white\"}, {\"name\": \"misp-galaxy:foo=\\\"bar\\\"\"}],"
    " \"Attribute\": ["
    "  {\"type\": \"phone-number\", \"category\": \"Other\", \"value\": \"+66812345678\"},"
    "  {\"type\": \"md5\", \"category\": \"Payload delivery\", \"value\": \"d41d8cd98f00b204e9800998ecf8427e\"},"
    "  {\"type\": \"domain\", \"value\": \"scam.example\", \"comment\": \"role=phishing_site\"},"
    "  {\"type\": \"ip-dst|port\", \"value\": \"10.0.0.1|443\"},"
    "  {\"type\": \"btc\", \"value\": \"1BoatSLRHtKNngkdXEeobR76b53LETtpyT\"}],"
    " \"Object\": ["
    "  {\"name\": \"bank-account\", \"Attribute\": [{\"object_relation\": \"account\", \"type\": \"bank-account-nr\","
    "    \"value\": \"1234567890\"}, {\"object_relation\": \"swift\", \"type\": \"bic\", \"value\": \"BKKBTHBK\"}]},"
    "  {\"name\": \"bank-account\", \"Attribute\": [{\"object_relation\": \"iban\", \"type\": \"iban\","
    "    \"value\": \"GB82WEST12345698765432\"}]},"
    "  {\"name\": \"coin-address\", \"Attribute\": [{\"object_relation\": \"address-crypto\", \"type\": \"text\","
    "    \"value\": \"0x00000000dd0412366388639b1101544fff2dce8d\"}, {\"object_relation\": \"symbol\", \"type\": \"text\","
    "    \"value\": \"ETH\"}]},"
    "  {\"name\": \"phone-number\", \"Attribute\": [{\"object_relation\": \"phone-number\", \"type\": \"phone-number\","
    "    \"value\": \"081 234 5679\"}, {\"object_relation\": \"country-code\", \"type\": \"text\", \"value\": \"TH\"}]},"
    "  {\"name\": \"person\", \"Attribute\": [{\"object_relation\": \"full-name\", \"type\": \"full-name\","
    "    \"value\": \"Somchai X\"}, {\"object_relation\": \"passport-number\", \"type\": \"passport-number\","
    "    \"value\": \"AA1234567\"}, {\"object_relation\": \"passport-country\", \"type\": \"passport-country\","
    "    \"value\": \"TH\"}, {\"object_relation\": \"e-mail\", \"type\": \"email-src\", \"value\": \"s@example.com\"}]},"
    "  {\"name\": \"file\", \"Attribute\": [{\"object_relation\": \"filename\", \"type\": \"filename\", \"value\": \"a.exe\"}]}"
    " ]}}";

static void
test_third_party_event(void **state)
{
	json_t *in = J(EVENT), *out = NULL;
	struct err e = {0};
	const json_t *r, *s, *m;

	(void)state;
	assert_int_equal(misp_to_reports(in, "MY", &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "reports")), 1);
	r = json_array_get(json_object_get(out, "reports"), 0);
	assert_string_equal(ss(r, "reference"), "Mule ring from CERT");
	assert_string_equal(ss(r, "reported_at"), "2025-03-01");
	m = json_object_get(r, "markings");
	assert_string_equal(ss(m, "tlp"), "CLEAR");   /* tlp:white */
	/* distribution 1 ("this community"): the importing agency's country. */
	assert_int_equal(json_array_size(json_object_get(m, "releasable_to")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "releasable_to"), 0)), "MY");
	assert_non_null(s = find_sel(r, "phone", "+66812345678"));
	assert_string_equal(ss(s, "role"), "scammer_contact");
	assert_non_null(s = find_sel(r, "domain", "scam.example"));
	assert_string_equal(ss(s, "role"), "phishing_site");
	assert_non_null(find_sel(r, "ip", "10.0.0.1"));
	assert_non_null(s = find_sel(r, "crypto", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"));
	assert_string_equal(ss(s, "chain"), "btc");
	assert_non_null(s = find_sel(r, "bank_account", "1234567890"));
	assert_string_equal(ss(s, "bank"), "BKKBTHBK");
	assert_string_equal(ss(s, "country"), "TH");   /* from the BIC */
	assert_string_equal(ss(s, "role"), "mule_account");
	assert_non_null(find_sel(r, "iban", "GB82WEST12345698765432"));
	assert_non_null(s = find_sel(r, "crypto", "0x00000000dd0412366388639b1101544fff2dce8d"));
	assert_string_equal(ss(s, "chain"), "eth");
	assert_non_null(s = find_sel(r, "phone", "081 234 5679"));
	assert_string_equal(ss(s, "country"), "TH");
	assert_non_null(s = find_sel(r, "passport", "AA1234567"));
	assert_string_equal(ss(s, "country"), "TH");
	assert_non_null(find_sel(r, "email", "s@example.com"));
	assert_int_equal(json_array_size(json_object_get(r, "selectors")), 10);
	/* md5 and the file object: said, not dropped silently. */
	assert_int_equal(json_array_size(json_object_get(out, "skipped")), 2);
	/* The person object with a name is also a person, with the event's markings. */
	assert_int_equal(json_array_size(json_object_get(out, "persons")), 1);
	{
		const json_t *p = json_object_get(json_array_get(json_object_get(out, "persons"), 0), "person");
		assert_true(json_is_string(json_array_get(json_object_get(p, "names"), 0)));
		assert_non_null(json_object_get(p, "markings"));
		assert_string_equal(ss(json_array_get(json_object_get(p, "documents"), 0), "type"), "passport");
	}
	assert_non_null(strstr(ss(r, "src_key"), "5d0092c5-5f74-4287-9642-33f4c354e56d|1700000000"));
	json_decref(out);
	json_decref(in);
}

static void
distribution_case(const char *dist, int naud, const char *first)
{
	char text[300];
	json_t *in, *out = NULL;
	struct err e = {0};
	const json_t *aud;

	snprintf(text, sizeof(text), "{\"Event\": {\"info\": \"x\", \"distribution\": %s, \"Attribute\":"
	    " [{\"type\": \"domain\", \"value\": \"a.example\"}]}}", dist);
	in = J(text);
	assert_int_equal(misp_to_reports(in, "TH", &out, &e), 0);
	aud = json_object_get(json_object_get(json_array_get(json_object_get(out, "reports"), 0), "markings"),
	    "releasable_to");
	assert_int_equal(json_array_size(aud), naud);
	if (first)
		assert_string_equal(json_string_value(json_array_get(aud, 0)), first);
	json_decref(out);
	json_decref(in);
}

static void
test_distribution_levels(void **state)
{
	(void)state;
	distribution_case("\"0\"", 0, NULL);       /* your organisation only: the importer only */
	distribution_case("1", 1, "TH");           /* this community */
	distribution_case("\"2\"", 1, "ALL_LE");   /* connected communities */
	distribution_case("\"3\"", 2, "ALL_LE");   /* all communities: + PRIVATE, TLP:CLEAR */
	distribution_case("\"4\"", 0, NULL);       /* a sharing group we cannot know: the importer only */
}

static void
malformed(const char *text, const char *field)
{
	json_t *in = J(text), *out = NULL;
	struct err e = {0};

	if (misp_to_reports(in, "MY", &out, &e) != -1)
		fail_msg("accepted: %s", text);
	assert_null(out);
	if (e.status != 400 || strcmp(e.field, field) != 0)
		fail_msg("%s: got %d \"%s\" %s", text, e.status, e.field, e.msg);
	json_decref(in);
}

static void
test_malformed_is_named(void **state)
{
	(void)state;
	malformed("{\"something\": 1}", "Event");
	malformed("{\"Event\": {\"info\": \"x\", \"Attribute\": [{\"type\": \"domain\", \"value\": \"a\"},"
	    " {\"type\": \"domain\"}]}}", "Event.Attribute[1]");
	malformed("{\"Event\": {\"info\": \"x\", \"Object\": [{\"name\": \"bank-account\"}]}}", "Event.Object[0]");
	malformed("{\"Event\": {\"info\": \"x\", \"Object\": [{\"name\": \"bank-account\", \"Attribute\":"
	    " [{\"object_relation\": \"account\"}]}]}}", "Event.Object[0].Attribute[0]");
	malformed("{\"response\": [{\"Event\": {\"info\": \"ok\"}}, {\"Event\": 5}]}", "response[1].Event");
}

static void
test_export_then_import(void **state)
{
	json_t *reports = J("[{\"id\": \"01JREPORT00000000000000001\", \"agency\": \"MY-NSRC\","
	    " \"created\": \"2026-11-28T01:02:03.004Z\", \"updated\": \"2026-11-28T01:02:03.004Z\","
	    " \"reference\": \"NSRC-7\", \"scam_type\": \"investment\", \"reported_at\": \"2025-02-01\","
	    " \"narrative\": \"Paid.\", \"loss\": {\"amount\": 5000, \"currency\": \"MYR\"},"
	    " \"markings\": {\"tlp\": \"AMBER\", \"releasable_to\": [\"MEMBERS\", \"PRIVATE\"], \"disclosure\": \"silent\","
	    "   \"orcon\": true, \"grading\": \"B2\"},"
	    " \"selectors\": ["
	    "  {\"key\": \"bank_account:MY:MBBEMYKL:1234567890\", \"role\": \"mule_account\"},"
	    "  {\"key\": \"handle:telegram:scammer\", \"role\": \"scammer_contact\"},"
	    "  {\"key\": \"crypto:trx:TXYZ\", \"role\": \"payment_destination\"}]}]");
	json_t *agencies = J("{\"MY-NSRC\": {\"name\": \"NSRC\"}}"), *ev = misp_events(reports, agencies), *out = NULL;
	const json_t *r, *m, *s;
	struct err e = {0};

	(void)state;
	assert_string_equal(ss(json_object_get(ev, "Event"), "distribution"), "0");   /* orcon */
	assert_int_equal(misp_to_reports(ev, "SG", &out, &e), 0);
	r = json_array_get(json_object_get(out, "reports"), 0);
	assert_string_equal(ss(r, "reference"), "NSRC-7");
	assert_string_equal(ss(r, "scam_type"), "investment");
	assert_string_equal(ss(r, "narrative"), "Paid.");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "loss"), "amount")), 5000);
	m = json_object_get(r, "markings");
	assert_string_equal(ss(m, "tlp"), "AMBER");
	assert_string_equal(ss(m, "disclosure"), "silent");
	assert_true(json_is_true(json_object_get(m, "orcon")));
	assert_int_equal(json_array_size(json_object_get(m, "releasable_to")), 2);
	assert_non_null(s = find_sel(r, "bank_account", "1234567890"));
	assert_string_equal(ss(s, "bank"), "MBBEMYKL");
	assert_string_equal(ss(s, "country"), "MY");
	assert_non_null(s = find_sel(r, "handle", "scammer"));
	assert_string_equal(ss(s, "platform"), "telegram");
	assert_string_equal(ss(s, "role"), "scammer_contact");
	assert_non_null(s = find_sel(r, "crypto", "TXYZ"));
	assert_string_equal(ss(s, "chain"), "trx");
	assert_int_equal(json_array_size(json_object_get(out, "skipped")), 0);
	json_decref(out);
	json_decref(ev);
	json_decref(agencies);
	json_decref(reports);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_third_party_event),
		cmocka_unit_test(test_distribution_levels),
		cmocka_unit_test(test_malformed_is_named),
		cmocka_unit_test(test_export_then_import),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
