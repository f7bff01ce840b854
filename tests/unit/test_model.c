/* test_model.c - enums, agency and role rules, markings and report parsing
 * (src/lib/model.c). Fact tables here are written from DESIGN.md §2 and the
 * issue, not from model.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "normalise.h"

static json_t *
J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

/* ---- enums ------------------------------------------------------------- */

static void
enum_round_trips(void **state)
{
	(void)state;
	const char *kinds[] = { "police", "asc", "regulator", "secretariat", "partner_le",
		"bank", "telco", "platform", "public" };
	const char *roles[] = { "admin", "analyst", "investigator", "supervisor", "partner",
		"auditor", "public" };
	const char *tlps[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" };

	assert_int_equal(AK__N, 9);
	for (int i = 0; i < AK__N; i++) {
		assert_string_equal(agency_kind_name((enum agency_kind)i), kinds[i]);
		assert_int_equal(agency_kind_parse(kinds[i]), i);
	}
	assert_int_equal(ROLE__N, 7);
	for (int i = 0; i < ROLE__N; i++) {
		assert_string_equal(role_name((enum role)i), roles[i]);
		assert_int_equal(role_parse(roles[i]), i);
	}
	assert_int_equal(TLP__N, 5);
	for (int i = 0; i < TLP__N; i++) {
		assert_string_equal(tlp_name((enum tlp)i), tlps[i]);
		assert_int_equal(tlp_parse(tlps[i]), i);
	}
	assert_string_equal(disclosure_name(DISC_HIT), "hit");
	assert_string_equal(disclosure_name(DISC_SILENT), "silent");
	assert_int_equal(disclosure_parse("hit"), DISC_HIT);
	assert_int_equal(disclosure_parse("silent"), DISC_SILENT);

	/* Out of range names never index past the tables. */
	assert_string_equal(agency_kind_name(AK__N), "?");
	assert_string_equal(agency_kind_name((enum agency_kind)-1), "?");
	assert_string_equal(role_name(ROLE__N), "?");
	assert_string_equal(tlp_name(TLP__N), "?");
	assert_string_equal(disclosure_name(DISC__N), "?");
	/* Unknown, NULL, near misses. */
	assert_int_equal(agency_kind_parse("cartel"), -1);
	assert_int_equal(agency_kind_parse(NULL), -1);
	assert_int_equal(agency_kind_parse(""), -1);
	assert_int_equal(agency_kind_parse("police "), -1);
	assert_int_equal(role_parse("root"), -1);
	assert_int_equal(role_parse(NULL), -1);
	assert_int_equal(disclosure_parse("loud"), -1);
	assert_int_equal(disclosure_parse(NULL), -1);
	assert_int_equal(disclosure_parse("HIT "), -1);
}

static void
tlp_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(tlp_parse("TLP:AMBER"), TLP_AMBER);
	assert_int_equal(tlp_parse("tlp:amber"), TLP_AMBER);
	assert_int_equal(tlp_parse("amber"), TLP_AMBER);
	assert_int_equal(tlp_parse("white"), TLP_CLEAR);
	assert_int_equal(tlp_parse("WHITE"), TLP_CLEAR);
	assert_int_equal(tlp_parse("TLP:WHITE"), TLP_CLEAR);
	assert_int_equal(tlp_parse("clear"), TLP_CLEAR);
	assert_int_equal(tlp_parse("green"), TLP_GREEN);
	assert_int_equal(tlp_parse("amber+strict"), TLP_AMBER_STRICT);
	assert_int_equal(tlp_parse("TLP:AMBER+STRICT"), TLP_AMBER_STRICT);
	assert_int_equal(tlp_parse("Red"), TLP_RED);
	assert_int_equal(tlp_parse("TLP:RED"), TLP_RED);
	assert_int_equal(tlp_parse(NULL), -1);
	assert_int_equal(tlp_parse(""), -1);
	assert_int_equal(tlp_parse("TLP:"), -1);
	assert_int_equal(tlp_parse("purple"), -1);
	assert_int_equal(tlp_parse("AMBER STRICT"), -1);
	assert_int_equal(tlp_parse("AMBER "), -1);
	assert_int_equal(tlp_parse("TLP:TLP:RED"), -1);
	assert_int_equal(tlp_parse("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAMBER"), -1);
}

/* ---- kinds, countries, roles, ids --------------------------------------- */

static void
kind_classes(void **state)
{
	(void)state;
	/* kind: LE?, private? */
	static const struct { enum agency_kind k; bool le, priv; } t[] = {
		{ AK_POLICE, true, false }, { AK_ASC, true, false }, { AK_REGULATOR, true, false },
		{ AK_SECRETARIAT, true, false }, { AK_PARTNER_LE, true, false },
		{ AK_BANK, false, true }, { AK_TELCO, false, true }, { AK_PLATFORM, false, true },
		{ AK_PUBLIC, false, false },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(kind_is_le(t[i].k), t[i].le);
		assert_int_equal(kind_is_private(t[i].k), t[i].priv);
	}
	assert_false(kind_is_le(AK__N));
	assert_false(kind_is_private(AK__N));
}

static void
countries(void **state)
{
	(void)state;
	const char *members[] = { "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN" };
	const char *others[] = { "GB", "US", "AU", "CN", "JP", "TL", "IN", "ZZ", "NB", "MS", NULL };

	for (int i = 0; i < 10; i++) {
		assert_true(country_valid(members[i]));
		assert_true(country_is_member(members[i]));
	}
	for (int i = 0; others[i]; i++) {
		assert_true(country_valid(others[i]));
		assert_false(country_is_member(others[i]));
	}
	/* Forms that are not country codes. */
	const char *bad[] = { "my", "My", "M", "", "MYS", "M1", "1M", "M ", " M", "\xc3\x89S", NULL };
	for (int i = 0; bad[i]; i++) {
		assert_false(country_valid(bad[i]));
		assert_false(country_is_member(bad[i]));
	}
	assert_false(country_valid(NULL));
	assert_false(country_is_member(NULL));
	assert_false(country_is_member("MYX"));
}

static void
role_kind_matrix(void **state)
{
	(void)state;
	/* rows: roles admin analyst investigator supervisor partner auditor public;
	 * cols: police asc regulator secretariat partner_le bank telco platform public */
	static const char *const m[ROLE__N] = {
		"11111111" "0",   /* admin: every kind but public */
		"11111000" "0",   /* analyst: law enforcement, partner_le included */
		"11111000" "0",   /* investigator */
		"11111000" "0",   /* supervisor */
		"00000111" "0",   /* partner: banks, telcos, platforms */
		"11111111" "0",   /* auditor */
		"00000000" "1",   /* public */
	};
	for (int r = 0; r < ROLE__N; r++)
		for (int k = 0; k < AK__N; k++)
			if (role_valid_for_kind((enum role)r, (enum agency_kind)k) != (m[r][k] == '1'))
				fail_msg("role %s kind %s: expected %c", role_name((enum role)r),
				    agency_kind_name((enum agency_kind)k), m[r][k]);
	assert_false(role_valid_for_kind(ROLE__N, AK_POLICE));
	assert_false(role_valid_for_kind((enum role)-1, AK_POLICE));
}

static void
agency_ids(void **state)
{
	char s[80];

	(void)state;
	const char *good[] = { "MY-NSRC", "TH-AOC", "abc", "SG.SPF", "uk_nca", "1BANK", "a-_.", NULL };
	const char *bad[] = { "", "a", "ab", "MY", "-abc", "_abc", ".abc", "a b", "a/b", "a:b",
		"a\tb", "ab\xc3\xa9", "abc\n", "a\"b", "a,b", "a+b", NULL };
	for (int i = 0; good[i]; i++)
		if (!agency_id_valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (int i = 0; bad[i]; i++)
		if (agency_id_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	memset(s, 'A', 64);
	s[64] = '\0';
	assert_true(agency_id_valid(s));
	s[64] = 'A';
	s[65] = '\0';
	assert_false(agency_id_valid(s));
	assert_int_equal(SIMPUL_MAX_AGENCY_ID, 64);
}

/* ---- markings -------------------------------------------------------- */

static int
mparse(const char *text, struct markings *m, struct err *e)
{
	json_t *j = text ? J(text) : NULL;
	int rc;

	err_clear(e);
	rc = markings_parse(j, m, e);
	json_decref(j);
	return rc;
}

static void
markings_defaults(void **state)
{
	struct markings m;
	struct err e;

	(void)state;
	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(mparse(NULL, &m, &e), 0);
	assert_int_equal(m.tlp, TLP_AMBER);
	assert_int_equal(m.disclosure, DISC_HIT);
	assert_false(m.orcon);
	assert_int_equal(m.naud, 0);
	assert_string_equal(m.grading, "");
	assert_string_equal(m.handling, "");
	assert_true(m.review_at_ms == 0);
	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(mparse("null", &m, &e), 0);
	assert_int_equal(m.tlp, TLP_AMBER);
	assert_int_equal(m.naud, 0);
	assert_int_equal(mparse("{}", &m, &e), 0);
	assert_int_equal(m.tlp, TLP_AMBER);
	assert_int_equal(m.disclosure, DISC_HIT);
	assert_int_equal(m.naud, 0);
}

static void
markings_full(void **state)
{
	struct markings m, m2;
	struct err e;
	json_t *j;
	char *aud;

	(void)state;
	assert_int_equal(mparse("{\"tlp\":\"TLP:RED\",\"releasable_to\":[\"MEMBERS\",\"GB\",\"MY-NSRC\",\"ALL_LE\",\"PRIVATE\"],"
	    "\"disclosure\":\"silent\",\"orcon\":true,\"grading\":\"B2\",\"handling\":\"H2\",\"review_at\":\"2030-01-01\"}",
	    &m, &e), 0);
	assert_int_equal(m.tlp, TLP_RED);
	assert_int_equal(m.disclosure, DISC_SILENT);
	assert_true(m.orcon);
	assert_int_equal(m.naud, 5);
	assert_string_equal(m.aud[0], "MEMBERS");
	assert_string_equal(m.aud[1], "GB");
	assert_string_equal(m.aud[2], "MY-NSRC");
	assert_string_equal(m.aud[3], "ALL_LE");
	assert_string_equal(m.aud[4], "PRIVATE");
	assert_string_equal(m.grading, "B2");
	assert_string_equal(m.handling, "H2");
	assert_true(m.review_at_ms == 1893456000000LL);   /* 2030-01-01T00:00:00Z */

	/* Rendered and parsed back: the same markings. */
	j = markings_json(&m);
	assert_string_equal(json_string_value(json_object_get(j, "tlp")), "RED");
	assert_string_equal(json_string_value(json_object_get(j, "review_at")), "2030-01-01");
	assert_int_equal(markings_parse(j, &m2, &e), 0);
	json_decref(j);
	assert_int_equal(m2.tlp, m.tlp);
	assert_int_equal(m2.disclosure, m.disclosure);
	assert_int_equal(m2.orcon, m.orcon);
	assert_int_equal(m2.naud, m.naud);
	for (int i = 0; i < m.naud; i++)
		assert_string_equal(m2.aud[i], m.aud[i]);
	assert_true(m2.review_at_ms == m.review_at_ms);

	/* The audience as stored text and back. */
	aud = markings_aud_text(&m);
	assert_string_equal(aud, "[\"MEMBERS\",\"GB\",\"MY-NSRC\",\"ALL_LE\",\"PRIVATE\"]");
	memset(&m2, 0, sizeof(m2));
	assert_int_equal(markings_aud_from_text(&m2, aud), 0);
	free(aud);
	assert_int_equal(m2.naud, 5);
	assert_string_equal(m2.aud[2], "MY-NSRC");
	assert_int_equal(markings_aud_from_text(&m2, "not json"), -1);
	assert_int_equal(m2.naud, 0);
	assert_int_equal(markings_aud_from_text(&m2, "{}"), -1);

	/* review_at as milliseconds. */
	assert_int_equal(mparse("{\"review_at\": 1893456000000}", &m, &e), 0);
	assert_true(m.review_at_ms == 1893456000000LL);
}

static void
markings_errors_name_the_field(void **state)
{
	struct markings m;
	struct err e;
	static const struct { const char *in, *field; } t[] = {
		{ "[]", "markings" },
		{ "\"AMBER\"", "markings" },
		{ "{\"tlp\":\"PURPLE\"}", "markings.tlp" },
		{ "{\"tlp\":2}", "markings.tlp" },
		{ "{\"tlp\":null}", "markings.tlp" },
		{ "{\"disclosure\":\"loud\"}", "markings.disclosure" },
		{ "{\"disclosure\":true}", "markings.disclosure" },
		{ "{\"orcon\":\"yes\"}", "markings.orcon" },
		{ "{\"orcon\":1}", "markings.orcon" },
		{ "{\"releasable_to\":\"MEMBERS\"}", "markings.releasable_to" },
		{ "{\"releasable_to\":[\"th\"]}", "markings.releasable_to" },
		{ "{\"releasable_to\":[\"MEMBERS\", 5]}", "markings.releasable_to" },
		{ "{\"releasable_to\":[\"ab\"]}", "markings.releasable_to" },
		{ "{\"releasable_to\":[\"\"]}", "markings.releasable_to" },
		{ "{\"releasable_to\":[\"a b c\"]}", "markings.releasable_to" },
		{ "{\"releasable_to\":[null]}", "markings.releasable_to" },
		{ "{\"grading\":\"G1\"}", "markings.grading" },
		{ "{\"grading\":\"A7\"}", "markings.grading" },
		{ "{\"grading\":\"B22\"}", "markings.grading" },
		{ "{\"grading\":3}", "markings.grading" },
		{ "{\"handling\":\"H 2\"}", "markings.handling" },
		{ "{\"handling\":\"\"}", "markings.handling" },
		{ "{\"handling\":\"H2H2H2H2\"}", "markings.handling" },
		{ "{\"review_at\":\"2030-02-30\"}", "markings.review_at" },
		{ "{\"review_at\":\"2030\"}", "markings.review_at" },
		{ "{\"review_at\":\"next year\"}", "markings.review_at" },
		{ "{\"review_at\":0}", "markings.review_at" },
		{ "{\"review_at\":-5}", "markings.review_at" },
		{ "{\"review_at\":1.5}", "markings.review_at" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (mparse(t[i].in, &m, &e) != -1)
			fail_msg("accepted %s", t[i].in);
		assert_int_equal(e.status, 400);
		if (strcmp(e.field, t[i].field) != 0)
			fail_msg("%s: field %s, expected %s", t[i].in, e.field, t[i].field);
		assert_true(strlen(e.msg) > 0);
	}
}

/* A misspelt marking must not be silently dropped: {"disclosur":"silent"}
 * would otherwise store a record as disclosure "hit", revealing to outsiders
 * a record its originator meant to keep silent. */
static void
markings_unknown_field_refused(void **state)
{
	struct markings m;
	struct err e;

	(void)state;
	assert_int_equal(mparse("{\"tlp\":\"AMBER\",\"disclosur\":\"silent\"}", &m, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "markings.disclosur");
	assert_int_equal(mparse("{\"releaseable_to\":[\"MY-NSRC\"]}", &m, &e), -1);
	assert_string_equal(e.field, "markings.releaseable_to");
}

static void
markings_audience_duplicates_and_limit(void **state)
{
	struct markings m;
	struct err e;
	struct sbuf b;

	(void)state;
	assert_int_equal(mparse("{\"releasable_to\":[\"MEMBERS\",\"MY\",\"MEMBERS\",\"MY-NSRC\",\"MY\"]}", &m, &e), 0);
	assert_int_equal(m.naud, 3);
	assert_string_equal(m.aud[0], "MEMBERS");
	assert_string_equal(m.aud[1], "MY");
	assert_string_equal(m.aud[2], "MY-NSRC");

	/* 32 distinct audiences: accepted; 33: refused. */
	sbuf_init(&b, 1 << 16);
	sbuf_adds(&b, "{\"releasable_to\":[");
	for (int i = 0; i < SIMPUL_MAX_AUDIENCE; i++)
		sbuf_printf(&b, "%s\"AG-%02d\"", i ? "," : "", i);
	sbuf_adds(&b, "]}");
	assert_int_equal(mparse(b.ptr, &m, &e), 0);
	assert_int_equal(m.naud, 32);
	assert_string_equal(m.aud[31], "AG-31");
	sbuf_reset(&b);
	sbuf_adds(&b, "{\"releasable_to\":[");
	for (int i = 0; i < SIMPUL_MAX_AUDIENCE + 1; i++)
		sbuf_printf(&b, "%s\"AG-%02d\"", i ? "," : "", i);
	sbuf_adds(&b, "]}");
	assert_int_equal(mparse(b.ptr, &m, &e), -1);
	assert_string_equal(e.field, "markings.releasable_to");
	sbuf_free(&b);
	/* An agency id of the full 64 characters survives intact. */
	assert_int_equal(mparse("{\"releasable_to\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\"]}", &m, &e), 0);
	assert_int_equal(strlen(m.aud[0]), 64);
	assert_int_equal(m.aud[0][63], 'B');
}

/* ---- reports ------------------------------------------------------------ */

static const char example_report[] =
    "{\"reference\":\"TH-AOC-2026-000123\",\"occurred_at\":\"2026-11-20\",\"scam_type\":\"investment\","
    "\"loss\":{\"amount\":1250000,\"currency\":\"THB\"},\"victim_country\":\"TH\",\"narrative\":\"...\","
    "\"selectors\":[{\"type\":\"phone\",\"value\":\"+60 12-345 6789\",\"role\":\"scammer_contact\"},"
    "{\"type\":\"bank_account\",\"value\":\"5123 4567 8901\",\"country\":\"MY\",\"bank\":\"MBBEMYKL\",\"role\":\"mule_account\"}],"
    "\"markings\":{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"],\"disclosure\":\"hit\",\"orcon\":false}}";

static int
rparse(json_t *j, const char *cc, struct report *r, struct err *e)
{
	int rc;

	err_clear(e);
	rc = report_parse(j, cc, r, e);
	json_decref(j);
	if (rc == -1) {
		assert_null(r->sel);
		assert_null(r->body);
		assert_int_equal(r->nsel, 0);
		assert_int_not_equal(e->status, 0);
	}
	return rc;
}

static void
report_example_parses(void **state)
{
	struct report r;
	struct err e;
	json_t *b, *s;

	(void)state;
	assert_int_equal(rparse(J(example_report), "TH", &r, &e), 0);
	assert_int_equal(r.nsel, 2);
	assert_string_equal(r.sel[0].key, "phone:+60123456789");
	assert_string_equal(r.sel[0].type, "phone");
	assert_string_equal(r.sel[0].role, "scammer_contact");
	assert_true(r.sel[0].valid);
	assert_string_equal(r.sel[1].key, "bank_account:MY:MBBEMYKL:512345678901");
	assert_string_equal(r.sel[1].role, "mule_account");
	assert_true(r.sel[1].valid);
	assert_string_equal(r.reference, "TH-AOC-2026-000123");
	assert_int_equal(r.m.tlp, TLP_AMBER);
	assert_int_equal(r.m.naud, 1);
	assert_string_equal(r.m.aud[0], "MEMBERS");
	assert_int_equal(r.m.disclosure, DISC_HIT);
	assert_false(r.m.orcon);
	b = r.body;
	assert_non_null(b);
	assert_string_equal(json_string_value(json_object_get(b, "reference")), "TH-AOC-2026-000123");
	assert_string_equal(json_string_value(json_object_get(b, "occurred_at")), "2026-11-20");
	assert_string_equal(json_string_value(json_object_get(b, "scam_type")), "investment");
	assert_string_equal(json_string_value(json_object_get(b, "victim_country")), "TH");
	assert_string_equal(json_string_value(json_object_get(b, "narrative")), "...");
	assert_string_equal(json_string_value(json_object_get(b, "status")), "open");
	assert_true(json_integer_value(json_object_get(json_object_get(b, "loss"), "amount")) == 1250000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "loss"), "currency")), "THB");
	/* The body keeps what was given beside the canonical key. */
	s = json_array_get(json_object_get(b, "selectors"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "value")), "+60 12-345 6789");
	assert_string_equal(json_string_value(json_object_get(s, "key")), "phone:+60123456789");
	s = json_array_get(json_object_get(b, "selectors"), 1);
	assert_string_equal(json_string_value(json_object_get(s, "bank")), "MBBEMYKL");
	assert_string_equal(json_string_value(json_object_get(s, "country")), "MY");
	/* Markings are not duplicated into the body. */
	assert_null(json_object_get(b, "markings"));
	report_free(&r);
	assert_null(r.body);
	assert_null(r.sel);
}

static void
report_minimal_and_optional_parts(void **state)
{
	struct report r;
	struct err e;

	(void)state;
	assert_int_equal(rparse(J("{}"), "MY", &r, &e), 0);
	assert_int_equal(r.nsel, 0);
	assert_int_equal(json_array_size(json_object_get(r.body, "selectors")), 0);
	assert_string_equal(json_string_value(json_object_get(r.body, "status")), "open");
	assert_int_equal(r.m.tlp, TLP_AMBER);
	report_free(&r);

	assert_int_equal(rparse(J("{\"status\":\"closed\",\"reported_at\":\"2026-11\",\"loss\":null,"
	    "\"victim\":{\"name\":\"Somchai\",\"phone\":\"+66812345678\"},"
	    "\"selectors\":[{\"type\":\"url\",\"value\":\"https://Shop.Example.com.my/x#frag\"}]}"),
	    "MY", &r, &e), 0);
	assert_string_equal(json_string_value(json_object_get(r.body, "status")), "closed");
	assert_string_equal(json_string_value(json_object_get(r.body, "reported_at")), "2026-11");
	assert_null(json_object_get(r.body, "loss"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.body, "victim"), "name")), "Somchai");
	assert_string_equal(r.sel[0].key, "url:https://shop.example.com.my/x");
	assert_string_equal(r.sel[0].role, "unspecified");
	assert_int_equal(r.sel[0].nderived, 1);
	assert_string_equal(r.sel[0].derived[0], "domain:example.com.my");
	report_free(&r);

	/* Not an object. */
	assert_int_equal(rparse(J("[]"), "MY", &r, &e), -1);
	assert_int_equal(e.status, 400);
}

static void
report_national_phone_in_default_country(void **state)
{
	struct report r;
	struct err e;
	const char *in = "{\"selectors\":[{\"type\":\"phone\",\"value\":\"012-345 6789\"},"
	    "{\"type\":\"phone\",\"value\":\"081 234 5678\",\"country\":\"TH\"}]}";

	(void)state;
	assert_int_equal(rparse(J(in), "MY", &r, &e), 0);
	assert_string_equal(r.sel[0].key, "phone:+60123456789");
	assert_true(r.sel[0].valid);
	assert_string_equal(r.sel[1].key, "phone:+66812345678");   /* given country wins */
	report_free(&r);
	/* Read in Thailand, the same digits are a Thai number or invalid, never Malaysian. */
	assert_int_equal(rparse(J(in), "TH", &r, &e), 0);
	assert_string_not_equal(r.sel[0].key, "phone:+60123456789");
	report_free(&r);
	/* No default country: kept, flagged invalid, not guessed. */
	assert_int_equal(rparse(J(in), NULL, &r, &e), 0);
	assert_false(r.sel[0].valid);
	assert_string_equal(r.sel[0].key, "phone_raw:0123456789");
	assert_true(strlen(r.sel[0].flag) > 0);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(json_object_get(r.body, "selectors"), 0), "flag")), r.sel[0].flag);
	report_free(&r);
}

struct rcase {
	const char *in;
	int         status;
	const char *field;
};

static void
run_rcases(const struct rcase *t, size_t n)
{
	struct report r;
	struct err e;

	for (size_t i = 0; i < n; i++) {
		if (rparse(J(t[i].in), "MY", &r, &e) != -1) {
			report_free(&r);
			fail_msg("accepted %s", t[i].in);
		}
		if (e.status != t[i].status || strcmp(e.field, t[i].field) != 0)
			fail_msg("%s: got %d %s (%s), expected %d %s", t[i].in, e.status, e.field,
			    e.msg, t[i].status, t[i].field);
	}
}

static void
report_errors_name_the_field(void **state)
{
	(void)state;
	static const struct rcase t[] = {
		{ "{\"colour\":\"red\"}", 400, "colour" },
		{ "{\"reference\":\"x\",\"Reference\":\"y\"}", 400, "Reference" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\",\"xxx\":1}]}", 400, "selectors[0].xxx" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"},{\"type\":\"phone\",\"value\":\"1\",\"colour\":\"x\"}]}", 400, "selectors[1].colour" },
		{ "{\"selectors\":{}}", 400, "selectors" },
		{ "{\"selectors\":[\"phone:+60123456789\"]}", 400, "selectors[0]" },
		{ "{\"selectors\":[{\"value\":\"+60123456789\"}]}", 400, "selectors[0].type" },
		{ "{\"selectors\":[{\"type\":\"phone\"}]}", 400, "selectors[0].value" },
		{ "{\"selectors\":[{\"type\":\"pager\",\"value\":\"1\"}]}", 400, "selectors[0].type" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":5}]}", 400, "selectors[0].value" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":\"1\",\"country\":\"my\"}]}", 400, "selectors[0].country" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":\"1\",\"country\":\"MYS\"}]}", 400, "selectors[0].country" },
		{ "{\"selectors\":[{\"type\":\"phone\",\"value\":\"1\",\"role\":\"Mule Account\"}]}", 400, "selectors[0].role" },
		{ "{\"occurred_at\":\"2026-02-30\"}", 400, "occurred_at" },
		{ "{\"occurred_at\":\"20/11/2026\"}", 400, "occurred_at" },
		{ "{\"occurred_at\":\"1850-01-01\"}", 400, "occurred_at" },
		{ "{\"occurred_at\":20261120}", 400, "occurred_at" },
		{ "{\"reported_at\":\"yesterday\"}", 400, "reported_at" },
		{ "{\"scam_type\":\"Investment\"}", 400, "scam_type" },
		{ "{\"scam_type\":\"\"}", 400, "scam_type" },
		{ "{\"status\":\"OPEN\"}", 400, "status" },
		{ "{\"loss\":5}", 400, "loss" },
		{ "{\"loss\":{\"amount\":-1,\"currency\":\"THB\"}}", 400, "loss.amount" },
		{ "{\"loss\":{\"amount\":12.5,\"currency\":\"THB\"}}", 400, "loss.amount" },
		{ "{\"loss\":{\"amount\":\"100\",\"currency\":\"THB\"}}", 400, "loss.amount" },
		{ "{\"loss\":{\"currency\":\"THB\"}}", 400, "loss.amount" },
		{ "{\"loss\":{\"amount\":100,\"currency\":\"thb\"}}", 400, "loss.currency" },
		{ "{\"loss\":{\"amount\":100,\"currency\":\"THBX\"}}", 400, "loss.currency" },
		{ "{\"loss\":{\"amount\":100,\"currency\":\"TH\"}}", 400, "loss.currency" },
		{ "{\"loss\":{\"amount\":100}}", 400, "loss.currency" },
		{ "{\"loss\":{\"amount\":100,\"currency\":\"THB\",\"fx\":1}}", 400, "loss" },
		{ "{\"victim_country\":\"th\"}", 400, "victim_country" },
		{ "{\"victim_country\":\"THA\"}", 400, "victim_country" },
		{ "{\"victim_country\":\"T\"}", 400, "victim_country" },
		{ "{\"victim_country\":66}", 400, "victim_country" },
		{ "{\"victim\":\"Somchai\"}", 400, "victim" },
		{ "{\"reference\":[\"x\"]}", 400, "reference" },
		{ "{\"reference\":\"TH\\u0001AOC\"}", 400, "reference" },
		{ "{\"reference\":\"TH\\u007fAOC\"}", 400, "reference" },
		{ "{\"reference\":\"TH\\u0000AOC\"}", 400, "reference" },
		{ "{\"narrative\":\"bell\\u0007\"}", 400, "narrative" },
		{ "{\"markings\":{\"tlp\":\"PURPLE\"}}", 400, "markings.tlp" },
		{ "{\"markings\":{\"releasable_to\":[\"th\"]}}", 400, "markings.releasable_to" },
	};
	run_rcases(t, sizeof(t) / sizeof(t[0]));
}

static void
report_invalid_utf8_refused(void **state)
{
	struct report r;
	struct err e;
	json_t *j;

	(void)state;
	/* jansson refuses invalid UTF-8 when parsing text; a caller holding a
	 * json_t built without checks must still be refused. */
	j = json_object();
	json_object_set_new(j, "reference", json_stringn_nocheck("TH-\xc0\xafX", 6));
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_string_equal(e.field, "reference");
	j = json_object();
	json_object_set_new(j, "narrative", json_stringn_nocheck("ok \xed\xa0\x80", 6));
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_string_equal(e.field, "narrative");
	j = J("{\"selectors\":[{\"type\":\"phone\"}]}");
	json_object_set_new(json_array_get(json_object_get(j, "selectors"), 0), "value",
	    json_stringn_nocheck("\xff\xfe", 2));
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_string_equal(e.field, "selectors[0].value");
	/* Tab, newline and carriage return are text. */
	assert_int_equal(rparse(J("{\"narrative\":\"a\\tb\\nc\\r\\n\"}"), "TH", &r, &e), 0);
	report_free(&r);
}

static void
report_size_limits(void **state)
{
	struct report r;
	struct err e;
	char *big;
	json_t *j, *sels;

	(void)state;
	/* Narrative: exactly 64 KiB accepted, one byte more refused. */
	big = malloc(SIMPUL_MAX_TEXT + 2);
	memset(big, 'n', SIMPUL_MAX_TEXT + 1);
	big[SIMPUL_MAX_TEXT + 1] = '\0';
	j = json_object();
	json_object_set_new(j, "narrative", json_stringn(big, SIMPUL_MAX_TEXT));
	assert_int_equal(rparse(j, "TH", &r, &e), 0);
	assert_int_equal(json_string_length(json_object_get(r.body, "narrative")), SIMPUL_MAX_TEXT);
	report_free(&r);
	j = json_object();
	json_object_set_new(j, "narrative", json_stringn(big, SIMPUL_MAX_TEXT + 1));
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "narrative");
	/* Reference: 256 bytes accepted, 257 refused. */
	j = json_object();
	json_object_set_new(j, "reference", json_stringn(big, SIMPUL_MAX_SHORT));
	assert_int_equal(rparse(j, "TH", &r, &e), 0);
	assert_int_equal(strlen(r.reference), SIMPUL_MAX_SHORT);
	report_free(&r);
	j = json_object();
	json_object_set_new(j, "reference", json_stringn(big, SIMPUL_MAX_SHORT + 1));
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_string_equal(e.field, "reference");
	/* Selector value over SIMPUL_MAX_VALUE_LEN. */
	j = json_pack("{s:[{s:s, s:s%}]}", "selectors", "type", "phone", "value", big,
	    (size_t)SIMPUL_MAX_VALUE_LEN + 1);
	assert_int_equal(rparse(j, "TH", &r, &e), -1);
	assert_string_equal(e.field, "selectors[0].value");
	free(big);

	/* 200 selectors accepted; 201 refused with 413 naming "selectors". */
	for (int total = SIMPUL_MAX_SELECTORS; total <= SIMPUL_MAX_SELECTORS + 1; total++) {
		j = json_object();
		sels = json_array();
		for (int i = 0; i < total; i++) {
			char v[32];
			snprintf(v, sizeof(v), "+6012%07d", 1000000 + i);
			json_array_append_new(sels, json_pack("{s:s, s:s}", "type", "phone", "value", v));
		}
		json_object_set_new(j, "selectors", sels);
		if (total == SIMPUL_MAX_SELECTORS) {
			assert_int_equal(rparse(j, "MY", &r, &e), 0);
			assert_int_equal(r.nsel, SIMPUL_MAX_SELECTORS);
			assert_string_equal(r.sel[199].key, "phone:+60121000199");
			report_free(&r);
		} else {
			assert_int_equal(rparse(j, "MY", &r, &e), -1);
			assert_int_equal(e.status, 413);
			assert_string_equal(e.field, "selectors");
		}
	}
}

/* An error deep in the list leaves nothing allocated (ASan checks the leak)
 * and names the index. */
static void
report_late_selector_error(void **state)
{
	json_t *j = json_object(), *sels = json_array();
	struct report r;
	struct err e;

	(void)state;
	for (int i = 0; i < 50; i++)
		json_array_append_new(sels, json_pack("{s:s, s:s}", "type", "phone", "value", "+60123456789"));
	json_array_append_new(sels, json_pack("{s:s, s:s}", "type", "fax", "value", "1"));
	json_object_set_new(j, "selectors", sels);
	assert_int_equal(rparse(j, "MY", &r, &e), -1);
	assert_string_equal(e.field, "selectors[50].type");
}

static int
group_setup(void **state)
{
	(void)state;
	return normalise_init() == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enum_round_trips),
		cmocka_unit_test(tlp_parse_forms),
		cmocka_unit_test(kind_classes),
		cmocka_unit_test(countries),
		cmocka_unit_test(role_kind_matrix),
		cmocka_unit_test(agency_ids),
		cmocka_unit_test(markings_defaults),
		cmocka_unit_test(markings_full),
		cmocka_unit_test(markings_errors_name_the_field),
		cmocka_unit_test(markings_unknown_field_refused),
		cmocka_unit_test(markings_audience_duplicates_and_limit),
		cmocka_unit_test(report_example_parses),
		cmocka_unit_test(report_minimal_and_optional_parts),
		cmocka_unit_test(report_national_phone_in_default_country),
		cmocka_unit_test(report_errors_name_the_field),
		cmocka_unit_test(report_invalid_utf8_refused),
		cmocka_unit_test(report_size_limits),
		cmocka_unit_test(report_late_selector_error),
	};
	return cmocka_run_group_tests_name("model", tests, group_setup, NULL);
}
