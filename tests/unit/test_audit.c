/* test_audit.c - the audit hash chain: link hashes against an independent
 * BLAKE2b (Python's hashlib), the canonical entry text, the export format
 * and the offline verifier, and every kind of tampering naming the first bad
 * entry. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define NLINKS 10

/* ---- helpers ---- */

/* A failed expectation shows the message it got. */
static void
expect_msg(const struct err *e, const char *want)
{
	if (strstr(e->msg, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", e->msg, want);
}

static void
fill_principal(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	str_copy(p->id, sizeof(p->id), "01JDTESTPRINCIPAL000000000");
	str_copy(p->agency.id, sizeof(p->agency.id), "MY-NSRC");
	str_copy(p->agency.country, sizeof(p->agency.country), "MY");
	p->agency.kind = AK_ASC;
	p->role = ROLE_ANALYST;
}

/* An in-memory chain built the way audit_append builds one. */
struct mem_chain {
	int              n;
	struct audit_row rows[NLINKS];
	char            *text[NLINKS];
};

static void
mem_chain_build(struct mem_chain *mc)
{
	struct principal p;
	struct audit_event ev;
	struct err e;
	char obj[32];
	const char *prev = AUDIT_ZERO_HASH;

	fill_principal(&p);
	memset(mc, 0, sizeof(*mc));
	for (int i = 0; i < NLINKS; i++) {
		snprintf(obj, sizeof(obj), "R%d", i + 1);
		memset(&ev, 0, sizeof(ev));
		ev.who = i % 3 == 0 ? NULL : &p;
		ev.action = "report.read";
		ev.purpose = "investigation";
		ev.case_ref = "CASE-7";
		ev.object = obj;
		ev.outcome = "ok";
		mc->text[i] = audit_entry_text(&ev, i + 1, 1764302820000 + i, &e);
		assert_non_null(mc->text[i]);
		mc->rows[i].seq = i + 1;
		mc->rows[i].ts_ms = 1764302820000 + i;
		mc->rows[i].entry = mc->text[i];
		str_copy(mc->rows[i].prev, sizeof(mc->rows[i].prev), prev);
		audit_link_hash(prev, mc->text[i], strlen(mc->text[i]), mc->rows[i].hash);
		prev = mc->rows[i].hash;
		mc->n++;
	}
}

static void
mem_chain_free(struct mem_chain *mc)
{
	for (int i = 0; i < mc->n; i++)
		free(mc->text[i]);
}

/* A log as an array of lines (without newlines), for tampering. */
struct lines {
	int   n;
	char *l[64];
};

static void
lines_from_text(struct lines *ls, const char *text)
{
	const char *p = text, *nl;

	memset(ls, 0, sizeof(*ls));
	while (*p != '\0' && (nl = strchr(p, '\n')) != NULL) {
		assert_true(ls->n < 64);
		ls->l[ls->n++] = strndup(p, (size_t)(nl - p));
		p = nl + 1;
	}
	assert_int_equal(*p, '\0');
}

static void
lines_free(struct lines *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->l[i]);
	ls->n = 0;
}

static void
lines_delete(struct lines *ls, int i)
{
	free(ls->l[i]);
	memmove(&ls->l[i], &ls->l[i + 1], (size_t)(ls->n - i - 1) * sizeof(ls->l[0]));
	ls->n--;
}

static void
lines_insert(struct lines *ls, int i, const char *s)
{
	memmove(&ls->l[i + 1], &ls->l[i], (size_t)(ls->n - i) * sizeof(ls->l[0]));
	ls->l[i] = strdup(s);
	ls->n++;
}

/* Replace the first `from` in line i with `to`; the test fails if absent. */
static void
line_replace(struct lines *ls, int i, const char *from, const char *to)
{
	char *p = strstr(ls->l[i], from), *n;
	size_t a, fl = strlen(from), tl = strlen(to), len = strlen(ls->l[i]);

	if (p == NULL)
		fail_msg("line %d has no \"%s\": %s", i, from, ls->l[i]);
	a = (size_t)(p - ls->l[i]);
	n = malloc(len - fl + tl + 1);
	assert_non_null(n);
	memcpy(n, ls->l[i], a);
	memcpy(n + a, to, tl);
	memcpy(n + a + tl, p + fl, len - a - fl + 1);
	free(ls->l[i]);
	ls->l[i] = n;
}

/* Export the chain into lines. */
static void
mem_chain_export(const struct mem_chain *mc, struct lines *ls)
{
	struct err e;
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	assert_non_null(f);
	for (int i = 0; i < mc->n; i++)
		assert_int_equal(audit_export_row(f, &mc->rows[i], &e), 0);
	assert_int_equal(audit_export_trailer(f, mc->n, mc->n ? mc->rows[mc->n - 1].hash :
	    AUDIT_ZERO_HASH, &e), 0);
	fclose(f);
	lines_from_text(ls, buf);
	free(buf);
}

/* Verify lines as a log file. */
static int
verify_lines(const struct lines *ls, struct audit_check *c, struct err *e)
{
	FILE *f = tmpfile();
	int rc;

	assert_non_null(f);
	for (int i = 0; i < ls->n; i++)
		fprintf(f, "%s\n", ls->l[i]);
	rewind(f);
	err_clear(e);
	rc = audit_verify_log_ex(f, c, e);
	fclose(f);
	return rc;
}

/* ---- link hash and entry text ---- */

static void
test_link_hash_vectors(void **state)
{
	char h[65];

	(void)state;
	/* Expected values from Python: hashlib.blake2b(prev + entry, digest_size=32). */
	audit_link_hash(AUDIT_ZERO_HASH, "", 0, h);
	assert_string_equal(h, "89eb0d6a8a691dae2cd15ed0369931ce0a949ecafa5c3f93f8121833646e15c3");
	audit_link_hash(AUDIT_ZERO_HASH, "{\"seq\":1}", 9, h);
	assert_string_equal(h, "61f8334817fe69c538f6e594a95dedd2fbe28c05eaeefdcde4d10c2483e64802");
	audit_link_hash("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    "{\"a\":\"\xc3\xa9\xe6\x9d\xb1\"}", 13, h);
	assert_string_equal(h, "1b61bfba799247497bb424c66fbe30baff833984beffd71c0259ea4df063905a");
}

static void
test_entry_text_canonical(void **state)
{
	struct principal p;
	struct audit_event ev;
	struct err e;
	char *t;

	(void)state;
	fill_principal(&p);
	memset(&ev, 0, sizeof(ev));
	ev.who = &p;
	ev.action = "check";
	ev.purpose = "fraud";
	ev.case_ref = "C-1";
	ev.object = "phone:+60123456789";
	ev.outcome = "hit";
	ev.detail = json_pack("{s:i,s:s}", "z", 2, "a", "b");
	t = audit_entry_text(&ev, 42, 1764302820123, &e);
	assert_non_null(t);
	assert_string_equal(t,
	    "{\"action\":\"check\",\"agency\":\"MY-NSRC\",\"case\":\"C-1\","
	    "\"detail\":{\"a\":\"b\",\"z\":2},\"object\":\"phone:+60123456789\","
	    "\"outcome\":\"hit\",\"principal\":\"01JDTESTPRINCIPAL000000000\","
	    "\"purpose\":\"fraud\",\"role\":\"analyst\",\"seq\":42,"
	    "\"ts\":\"2025-11-28T04:07:00.123Z\"}");
	free(t);
	/* The caller's detail is borrowed, not consumed. */
	assert_int_equal(ev.detail->refcount, 1);
	json_decref(ev.detail);

	/* The system, no detail, missing strings as null. */
	memset(&ev, 0, sizeof(ev));
	ev.action = "node.start";
	t = audit_entry_text(&ev, 1, 0, &e);
	assert_non_null(t);
	assert_string_equal(t,
	    "{\"action\":\"node.start\",\"agency\":null,\"case\":null,\"object\":null,"
	    "\"outcome\":null,\"principal\":\"system\",\"purpose\":null,\"role\":null,"
	    "\"seq\":1,\"ts\":\"1970-01-01T00:00:00.000Z\"}");
	free(t);

	/* Invalid UTF-8 from a caller is an error, not a silently dropped field. */
	ev.purpose = "bad \xff";
	assert_null(audit_entry_text(&ev, 1, 0, &e));
	assert_int_equal(e.status, 500);
}

/* The export carries the entry as a string, so verification never depends
 * on re-serialising; but the canonical text must still be a fixed point of
 * parse + dump, which is what lets anyone re-derive it. Non-ASCII, escapes,
 * controls, reals and nesting. */
static void
test_entry_text_fixed_point(void **state)
{
	static const char *values[] = {
		"caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80",  /* é 東京 😀 */
		"quote\" backslash\\ slash/ tab\t nl\n cr\r",
		"\x01\x1f\x7f ctrl",
		"\xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\xaa\xe0\xb8\x94\xe0\xb8\xb5",  /* Thai */
		"</script>\\u0000",
	};
	struct audit_event ev;
	struct err e;
	json_error_t jerr;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		json_t *parsed;
		char *t, *again;

		memset(&ev, 0, sizeof(ev));
		ev.action = "search";
		ev.object = values[i];
		ev.detail = json_pack("{s:s,s:f,s:f,s:[i,s,{s:b}],s:I}", "q", values[i],
		    "score", 0.1, "big", 1e300, "list", 1, values[i], "k", 1, "n",
		    (json_int_t)INT64_MAX);
		assert_non_null(ev.detail);
		t = audit_entry_text(&ev, 7, 1764302820000, &e);
		assert_non_null(t);
		parsed = json_loads(t, JSON_REJECT_DUPLICATES, &jerr);
		assert_non_null(parsed);
		assert_string_equal(json_string_value(json_object_get(parsed, "object")), values[i]);
		again = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
		assert_string_equal(again, t);
		free(again);
		free(t);
		json_decref(parsed);
		json_decref(ev.detail);
	}
}

/* ---- the offline log ---- */

static void
test_log_roundtrip(void **state)
{
	struct mem_chain mc;
	struct lines ls;
	struct audit_check c;
	struct err e;

	(void)state;
	mem_chain_build(&mc);
	mem_chain_export(&mc, &ls);
	assert_int_equal(ls.n, NLINKS + 1);
	/* The line format: seq first, the entry as the exact text. */
	assert_true(strncmp(ls.l[0], "{\"seq\":1,\"ts\":\"", 15) == 0);
	assert_non_null(strstr(ls.l[0], "\"prev\":\"" AUDIT_ZERO_HASH "\""));
	assert_true(strncmp(ls.l[NLINKS], "{\"entries\":10,\"head\":\"", 22) == 0);
	assert_int_equal(verify_lines(&ls, &c, &e), 0);
	assert_int_equal(c.checked, NLINKS);
	assert_int_equal(c.bad_seq, 0);
	assert_string_equal(c.head, mc.rows[NLINKS - 1].hash);
	lines_free(&ls);
	mem_chain_free(&mc);
}

static void
test_log_empty(void **state)
{
	struct mem_chain mc;
	struct lines ls;
	struct audit_check c;
	struct err e;

	(void)state;
	memset(&mc, 0, sizeof(mc));
	mem_chain_export(&mc, &ls);
	assert_int_equal(ls.n, 1);
	assert_int_equal(verify_lines(&ls, &c, &e), 0);
	assert_int_equal(c.checked, 0);
	assert_string_equal(c.head, AUDIT_ZERO_HASH);
	/* An empty file has lost even its trailer. */
	lines_delete(&ls, 0);
	assert_int_equal(verify_lines(&ls, &c, &e), -1);
	expect_msg(&e, "without its trailer");
	lines_free(&ls);
}

enum tamper {
	T_TEXT, T_HASH, T_DELETE, T_SWAP, T_TRUNCATE, T_DROP_LAST, T_REHASH,
	T_TS, T_PREV, T_GARBAGE, T_AFTER_TRAILER, T_DELETE_FIRST, T_INNER_SEQ,
	T_TRAILER_HEAD, T_DUPLICATE, T_ENTRY_OBJECT,
};

struct tamper_case {
	enum tamper t;
	const char *name;
	const char *msg;        /* substring of the error */
	int64_t     bad_seq;
	int64_t     checked;
};

static const struct tamper_case tamper_cases[] = {
	{ T_TEXT, "change an entry's text", "entry 5: hash does not match its content", 5, 4 },
	{ T_HASH, "change a hash", "entry 5: hash does not match its content", 5, 4 },
	{ T_DELETE, "delete an entry", "entry 6: expected seq 5 (an entry was deleted or reordered)", 6, 4 },
	{ T_SWAP, "swap two entries", "entry 5: expected seq 4", 5, 3 },
	{ T_TRUNCATE, "cut the tail", "ends after entry 7 without its trailer", 8, 7 },
	{ T_DROP_LAST, "drop the last entry, keep the trailer", "holds 9 entries but was exported with 10", 10, 9 },
	{ T_REHASH, "change a text and fix its hash", "entry 6: prev does not match the hash of entry 5", 6, 5 },
	{ T_TS, "change the outer timestamp", "entry 5: timestamp", 5, 4 },
	{ T_PREV, "change a prev", "entry 3: prev does not match the hash of entry 2", 3, 2 },
	{ T_GARBAGE, "a line that is not JSON", "line 4 (after entry 3): not a JSON object", 4, 3 },
	{ T_AFTER_TRAILER, "a line after the trailer", "line 12: data after the trailer", 11, 10 },
	{ T_DELETE_FIRST, "delete the first entry", "entry 2: expected seq 1", 2, 0 },
	{ T_INNER_SEQ, "delete an entry, renumber the next", "entry 4: prev does not match the hash of entry 3", 4, 3 },
	{ T_TRAILER_HEAD, "a trailer with another head", "head does not match the hash of entry 10", 0, 10 },
	{ T_DUPLICATE, "an entry twice", "entry 4: expected seq 5", 4, 4 },
	{ T_ENTRY_OBJECT, "the entry as an object", "not an audit log line", 1, 0 },
};

static void
apply_tamper(struct mem_chain *mc, struct lines *ls, enum tamper t)
{
	char buf[128], buf2[128], h[65], *tmp;

	switch (t) {
	case T_TEXT:
		line_replace(ls, 4, "\\\"object\\\":\\\"R5\\\"", "\\\"object\\\":\\\"R6\\\"");
		break;
	case T_HASH:
		memcpy(h, mc->rows[4].hash, sizeof(h));
		h[10] = h[10] == 'a' ? 'b' : 'a';
		snprintf(buf, sizeof(buf), "\"hash\":\"%s\"", mc->rows[4].hash);
		snprintf(buf2, sizeof(buf2), "\"hash\":\"%s\"", h);
		line_replace(ls, 4, buf, buf2);
		break;
	case T_DELETE:
		lines_delete(ls, 4);
		break;
	case T_SWAP:
		tmp = ls->l[3];
		ls->l[3] = ls->l[4];
		ls->l[4] = tmp;
		break;
	case T_TRUNCATE:
		lines_delete(ls, 10);
		lines_delete(ls, 9);
		lines_delete(ls, 8);
		lines_delete(ls, 7);
		break;
	case T_DROP_LAST:
		lines_delete(ls, 9);
		break;
	case T_REHASH: {
		/* An editor who knows the scheme: new text, its hash recomputed. */
		struct err e;
		struct audit_row r = mc->rows[4];

		r.entry = "{\"action\":\"report.read\",\"seq\":5,\"ts\":\"2025-11-28T04:07:00.004Z\"}";
		audit_link_hash(r.prev, r.entry, strlen(r.entry), r.hash);
		char *out = NULL;
		size_t sz = 0;
		FILE *f = open_memstream(&out, &sz);

		assert_int_equal(audit_export_row(f, &r, &e), 0);
		fclose(f);
		out[strcspn(out, "\n")] = '\0';
		free(ls->l[4]);
		ls->l[4] = out;
		break;
	}
	case T_TS:
		line_replace(ls, 4, "\"ts\":\"2025-11-28T04:07:00.004Z\"",
		    "\"ts\":\"2025-11-28T04:07:01.004Z\"");
		break;
	case T_PREV:
		snprintf(buf, sizeof(buf), "\"prev\":\"%.10s", mc->rows[2].prev);
		line_replace(ls, 2, buf, "\"prev\":\"0123456789");
		break;
	case T_GARBAGE:
		lines_insert(ls, 3, "{\"seq\":4,");
		break;
	case T_AFTER_TRAILER:
		lines_insert(ls, ls->n, "{}");
		break;
	case T_DELETE_FIRST:
		lines_delete(ls, 0);
		break;
	case T_INNER_SEQ:
		/* Drop entry 4 and call entry 5 "4" everywhere but in its hash. */
		lines_delete(ls, 3);
		line_replace(ls, 3, "{\"seq\":5,", "{\"seq\":4,");
		line_replace(ls, 3, "\\\"seq\\\":5", "\\\"seq\\\":4");
		break;
	case T_TRAILER_HEAD:
		snprintf(buf, sizeof(buf), "\"head\":\"%c", mc->rows[9].hash[0]);
		snprintf(buf2, sizeof(buf2), "\"head\":\"%c", mc->rows[9].hash[0] == 'f' ? 'e' : 'f');
		line_replace(ls, 10, buf, buf2);
		break;
	case T_DUPLICATE:
		lines_insert(ls, 4, ls->l[3]);
		break;
	case T_ENTRY_OBJECT: {
		/* The entry re-embedded as an object is not accepted: the
		 * verifier hashes exact text only. */
		char *p = strstr(ls->l[0], "\"entry\":\"");
		size_t a, nsz;
		char *n;

		assert_non_null(p);
		a = (size_t)(p - ls->l[0]);
		nsz = a + strlen(mc->text[0]) + 16;
		n = malloc(nsz);
		assert_non_null(n);
		snprintf(n, nsz, "%.*s\"entry\":%s}", (int)a, ls->l[0], mc->text[0]);
		free(ls->l[0]);
		ls->l[0] = n;
		break;
	}
	}
}

static void
test_log_tampering(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tamper_cases) / sizeof(tamper_cases[0]); i++) {
		const struct tamper_case *tc = &tamper_cases[i];
		struct mem_chain mc;
		struct lines ls;
		struct audit_check c;
		struct err e;

		mem_chain_build(&mc);
		mem_chain_export(&mc, &ls);
		apply_tamper(&mc, &ls, tc->t);
		if (verify_lines(&ls, &c, &e) != -1)
			fail_msg("%s: verify passed", tc->name);
		if (strstr(e.msg, tc->msg) == NULL)
			fail_msg("%s: error \"%s\" does not contain \"%s\"", tc->name, e.msg, tc->msg);
		if (c.bad_seq != tc->bad_seq || c.checked != tc->checked)
			fail_msg("%s: bad_seq %" PRId64 " checked %" PRId64 ", want %" PRId64
			    " and %" PRId64, tc->name, c.bad_seq, c.checked, tc->bad_seq, tc->checked);
		lines_free(&ls);
		mem_chain_free(&mc);
	}
}

static void
test_log_line_too_long(void **state)
{
	struct audit_check c;
	struct err e;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < 3u * 1024u * 1024u; i++)
		putc('x', f);
	rewind(f);
	assert_int_equal(audit_verify_log_ex(f, &c, &e), -1);
	expect_msg(&e, "line 1: longer than");
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_hash_vectors),
		cmocka_unit_test(test_entry_text_canonical),
		cmocka_unit_test(test_entry_text_fixed_point),
		cmocka_unit_test(test_log_roundtrip),
		cmocka_unit_test(test_log_empty),
		cmocka_unit_test(test_log_tampering),
		cmocka_unit_test(test_log_line_too_long),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}

/* TEMPORARY: until store_sqlite.c lands, weak stand-ins let the pure tests link. */
__attribute__((weak)) int store_audit_append(struct store *st, const struct audit_row *a, struct err *e) { (void)st; (void)a; (void)e; return -1; }
__attribute__((weak)) int store_audit_last(struct store *st, struct audit_row *out, char **entry_out) { (void)st; (void)out; (void)entry_out; return -1; }
__attribute__((weak)) int store_audit_iter(struct store *st, int64_t from_seq, store_audit_cb cb, void *ctx) { (void)st; (void)from_seq; (void)cb; (void)ctx; return -1; }
#include "normalise.h"
__attribute__((weak)) int normalise(const struct norm_in *in, struct norm_out *out, struct err *e) { (void)in; (void)out; (void)e; return -1; }
