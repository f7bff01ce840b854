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
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* audit_entry_prefix writes the entry by hand: it must be exactly what
 * jansson dumps for the same object (sorted, compact), for strings with
 * escapes, controls and non-ASCII in every field, null fields, and a detail
 * given either as an object or as canonical text. */
static void
test_entry_prefix_is_janssons(void **state)
{
	static const char *vals[] = {
		NULL, "", "check", "a\"b\\c", "l1\nl2\t\x01", "Nguy\xe1\xbb\x85n \xe0\xb8\x81",
		"\xf0\x9f\x98\x80/", "\x7f",
	};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);
	struct principal p;
	struct err e;
	uint32_t seed = 11;

	(void)state;
	fill_principal(&p);
	for (int round = 0; round < 400; round++) {
		struct audit_event ev;
		json_t *o, *d = NULL;
		char *want, *got, *dtext = NULL;
		size_t n;
		const char **f[] = { &ev.action, &ev.purpose, &ev.case_ref, &ev.object, &ev.outcome };

		memset(&ev, 0, sizeof(ev));
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			seed = seed * 1103515245u + 12345u;
			*f[k] = vals[(seed >> 16) % nv];
		}
		ev.who = round % 3 ? &p : NULL;
		if (round % 4) {
			d = json_pack("{s:i,s:[s,s]}", "hits", round, "keys",
			    vals[1 + round % (nv - 1)], vals[1 + (round / 2) % (nv - 1)]);
			assert_non_null(d);
		}
		o = json_object();
		json_object_set_new(o, "principal", json_string(ev.who ? p.id : "system"));
		json_object_set_new(o, "agency", ev.who ? json_string(p.agency.id) : json_null());
		json_object_set_new(o, "role", ev.who ? json_string(role_name(p.role)) : json_null());
		json_object_set_new(o, "action", ev.action ? json_string(ev.action) : json_null());
		json_object_set_new(o, "purpose", ev.purpose ? json_string(ev.purpose) : json_null());
		json_object_set_new(o, "case", ev.case_ref ? json_string(ev.case_ref) : json_null());
		json_object_set_new(o, "object", ev.object ? json_string(ev.object) : json_null());
		json_object_set_new(o, "outcome", ev.outcome ? json_string(ev.outcome) : json_null());
		if (d)
			json_object_set(o, "detail", d);
		want = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(want);
		n = strlen(want);
		want[n - 1] = '\0';     /* the prefix has no closing brace */
		ev.detail = d;
		got = audit_entry_prefix(&ev, &e);
		assert_non_null(got);
		assert_string_equal(got, want);
		free(got);
		if (d) {
			/* The same detail handed over as canonical text. */
			dtext = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
			ev.detail = NULL;
			ev.detail_json = dtext;
			got = audit_entry_prefix(&ev, &e);
			assert_non_null(got);
			assert_string_equal(got, want);
			free(got);
			free(dtext);
		}
		free(want);
		json_decref(o);
		json_decref(d);
	}
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

/* ---- the store: real SQLite files ---- */

#define NSTORE 12

struct dbfix {
	char dir[64];
	char path[128];
	char head[65];
};

static void
db_fill(struct dbfix *f, int n)
{
	struct principal p;
	struct audit_event ev;
	struct audit a;
	struct store *st;
	struct err e;
	char obj[32];

	fill_principal(&p);
	if (store_open(f->path, STORE_CREATE | STORE_SYNC_NORMAL, &st, &e) != 0)
		fail_msg("store_open %s: %s", f->path, e.msg);
	assert_int_equal(audit_load(&a, st, &e), 0);
	assert_int_equal(a.seq, 0);
	assert_string_equal(a.head, AUDIT_ZERO_HASH);
	assert_int_equal(store_begin(st, &e), 0);
	for (int i = 1; i <= n; i++) {
		snprintf(obj, sizeof(obj), "R%d", i);
		memset(&ev, 0, sizeof(ev));
		ev.who = i == 1 ? NULL : &p;
		ev.action = i == 1 ? "node.start" : "report.read";
		ev.purpose = "investigation";
		ev.case_ref = "CASE-7";
		ev.object = obj;
		ev.outcome = "ok";
		ev.detail = i % 4 == 0 ? json_pack("{s:s}", "q", "caf\xc3\xa9 \"x\"") : NULL;
		if (audit_append(&a, st, &ev, 1764302820000 + i, &e) != 0)
			fail_msg("append %d: %s", i, e.msg);
		json_decref(ev.detail);
		assert_int_equal(a.seq, i);
	}
	assert_int_equal(store_commit(st, &e), 0);
	str_copy(f->head, sizeof(f->head), a.head);
	store_close(st);
}

static int
db_setup(void **state)
{
	struct dbfix *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	str_copy(f->dir, sizeof(f->dir), "/tmp/simpul-test-audit-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	*state = f;
	return 0;
}

static int
db_teardown(void **state)
{
	struct dbfix *f = *state;
	char p[192];
	static const char *const names[] = { "node.db", "node.db-wal", "node.db-shm",
	    "audit.jsonl" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, names[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
db_verify(const struct dbfix *f, struct audit_check *c, struct err *e)
{
	struct store *st;
	int rc;

	if (store_open(f->path, STORE_READONLY, &st, e) != 0)
		fail_msg("store_open readonly: %s", e->msg);
	err_clear(e);
	rc = audit_verify_store_ex(st, c, e);
	store_close(st);
	return rc;
}

/* Tamper the way an insider with the file would: raw SQLite, after dropping
 * the store's append-only triggers (asked from the schema, not assumed). */
static void
db_tamper(const struct dbfix *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	char *names[16], *err = NULL, *drop;
	int n = 0;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master "
	    "WHERE type = 'trigger' AND tbl_name = 'audit'", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW && n < 16)
		names[n++] = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	for (int i = 0; i < n; i++) {
		drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);
		assert_int_equal(sqlite3_exec(db, drop, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(drop);
		free(names[i]);
	}
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tamper \"%s\": %s", sql, err);
	assert_int_equal(sqlite3_changes(db) > 0 || strncmp(sql, "INSERT", 6) == 0, 1);
	sqlite3_close(db);
}

static void
test_store_append_verify(void **state)
{
	struct dbfix *f = *state;
	struct audit_check c;
	struct audit a;
	struct audit_event ev;
	struct store *st;
	struct err e;

	db_fill(f, NSTORE);
	assert_int_equal(db_verify(f, &c, &e), 0);
	assert_int_equal(c.checked, NSTORE);
	assert_string_equal(c.head, f->head);

	/* A restarted node loads the head and continues the same chain. */
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(audit_load(&a, st, &e), 0);
	assert_int_equal(a.seq, NSTORE);
	assert_string_equal(a.head, f->head);
	memset(&ev, 0, sizeof(ev));
	ev.action = "node.start";
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(audit_append(&a, st, &ev, 1764302830000, &e), 0);
	assert_int_equal(store_commit(st, &e), 0);
	store_close(st);
	assert_int_equal(db_verify(f, &c, &e), 0);
	assert_int_equal(c.checked, NSTORE + 1);
	assert_string_equal(c.head, a.head);

	/* The legacy entry points agree. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	{
		int64_t n = -1;

		assert_int_equal(audit_verify_store(st, &n, &e), 0);
		assert_int_equal(n, NSTORE + 1);
	}
	store_close(st);
}

static void
test_store_empty(void **state)
{
	struct dbfix *f = *state;
	struct audit_check c;
	struct err e;

	db_fill(f, 0);
	assert_int_equal(db_verify(f, &c, &e), 0);
	assert_int_equal(c.checked, 0);
	assert_string_equal(c.head, AUDIT_ZERO_HASH);
}

static void
test_store_head_unchanged_on_failure(void **state)
{
	struct dbfix *f = *state;
	struct audit a, stale, before;
	struct audit_event ev;
	struct store *st;
	struct err e;

	db_fill(f, 3);
	memset(&ev, 0, sizeof(ev));
	ev.action = "report.read";

	/* A stale head (another writer moved on) is refused by the store,
	 * and the stale copy stays as it was. */
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(audit_load(&a, st, &e), 0);
	stale = a;
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(audit_append(&a, st, &ev, 1764302830000, &e), 0);
	before = stale;
	assert_int_equal(audit_append(&stale, st, &ev, 1764302830001, &e), -1);
	assert_int_equal(stale.seq, before.seq);
	assert_string_equal(stale.head, before.head);
	assert_int_equal(store_commit(st, &e), 0);
	store_close(st);

	/* A read-only store refuses the append; the head does not move. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	before = a;
	assert_int_equal(audit_append(&a, st, &ev, 1764302830002, &e), -1);
	assert_int_equal(a.seq, before.seq);
	assert_string_equal(a.head, before.head);
	store_close(st);

	/* A head that was never loaded is refused, not hashed. */
	memset(&a, 0, sizeof(a));
	a.seq = 4;
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(audit_append(&a, st, &ev, 1764302830003, &e), -1);
	expect_msg(&e, "not loaded");
	store_close(st);

	{
		struct audit_check c;

		assert_int_equal(db_verify(f, &c, &e), 0);
		assert_int_equal(c.checked, 4);
	}
}

struct store_tamper {
	const char *name;
	const char *sql;        /* NULL: replace entry rehash_seq by rehash_text, fix its hash */
	int64_t     rehash_seq;
	const char *rehash_text;
	const char *msg;
	int64_t     bad_seq, checked;
};

static const struct store_tamper store_tampers[] = {
	{ "change an entry's text",
	  "UPDATE audit SET entry = replace(entry, '\"R5\"', '\"R6\"') WHERE seq = 5",
	  0, NULL,
	  "entry 5: hash does not match its content", 5, 4 },
	{ "change a hash",
	  "UPDATE audit SET hash = CASE WHEN substr(hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END"
	  " || substr(hash, 2) WHERE seq = 5",
	  0, NULL,
	  "entry 5: hash does not match its content", 5, 4 },
	{ "delete an entry", "DELETE FROM audit WHERE seq = 5",
	  0, NULL,
	  "entry 6: expected seq 5 (an entry was deleted or reordered)", 6, 4 },
	{ "delete the first entry", "DELETE FROM audit WHERE seq = 1",
	  0, NULL,
	  "entry 2: expected seq 1", 2, 0 },
	{ "swap two entries",
	  "UPDATE audit SET seq = 1000 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5;"
	  " UPDATE audit SET seq = 5 WHERE seq = 1000",
	  0, NULL,
	  "entry 4: prev does not match the hash of entry 3", 4, 3 },
	{ "delete an entry and renumber the rest",
	  "DELETE FROM audit WHERE seq = 5; UPDATE audit SET seq = seq - 1 WHERE seq > 5",
	  0, NULL,
	  "entry 5: prev does not match the hash of entry 4", 5, 4 },
	{ "change a timestamp", "UPDATE audit SET ts = ts + 1000 WHERE seq = 7",
	  0, NULL,
	  "entry 7: timestamp", 7, 6 },
	{ "change an entry's seq inside",
	  "UPDATE audit SET entry = replace(entry, '\"seq\":9', '\"seq\":8') WHERE seq = 9",
	  0, NULL,
	  "entry 9: hash does not match its content", 9, 8 },
	{ "append a forged entry",
	  "INSERT INTO audit(seq, ts, entry, prev, hash) VALUES (13, 1764302820013,"
	  " '{\"seq\":13}', '" AUDIT_ZERO_HASH "', '" AUDIT_ZERO_HASH "')",
	  0, NULL,
	  "entry 13: prev does not match the hash of entry 12", 13, 12 },
	{ "an entry that is not JSON, correctly hashed", NULL, 3, "not json",
	  "entry 3: entry text is not a JSON object", 3, 2 },
	{ "an entry claiming another seq, correctly hashed", NULL, 5,
	  "{\"seq\":4,\"ts\":\"2025-11-28T04:07:00.005Z\"}",
	  "entry 5: entry text does not carry seq 5", 5, 4 },
	{ "an entry with another ts, correctly hashed", NULL, 5,
	  "{\"seq\":5,\"ts\":\"2025-11-28T04:07:00.004Z\"}",
	  "entry 5: timestamp", 5, 4 },
	{ "a changed entry with its hash recomputed", NULL, 5,
	  "{\"action\":\"nothing to see\",\"seq\":5,\"ts\":\"2025-11-28T04:07:00.005Z\"}",
	  "entry 6: prev does not match the hash of entry 5", 6, 5 },
};

/* Re-hash entry `seq` after replacing its text: what someone who knows the
 * scheme but cannot rewrite the whole tail would do. */
static void
db_rehash(const struct dbfix *f, int64_t seq, const char *text)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	char prev[65], hash[65], *sql;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT prev FROM audit WHERE seq = ?", -1, &q,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, seq);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	str_copy(prev, sizeof(prev), (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	audit_link_hash(prev, text, strlen(text), hash);
	sql = sqlite3_mprintf("UPDATE audit SET entry = %Q, hash = %Q WHERE seq = %lld", text,
	    hash, (long long)seq);
	db_tamper(f, sql);
	sqlite3_free(sql);
}

static void
test_store_tampering(void **state)
{
	struct dbfix *f = *state;
	char p[192];

	(void)state;
	for (size_t i = 0; i < sizeof(store_tampers) / sizeof(store_tampers[0]); i++) {
		const struct store_tamper *t = &store_tampers[i];
		struct audit_check c;
		struct err e;

		snprintf(p, sizeof(p), "%s-wal", f->path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", f->path);
		unlink(p);
		unlink(f->path);
		db_fill(f, NSTORE);
		assert_int_equal(db_verify(f, &c, &e), 0);
		if (t->sql != NULL)
			db_tamper(f, t->sql);
		else
			db_rehash(f, t->rehash_seq, t->rehash_text);
		if (db_verify(f, &c, &e) != -1)
			fail_msg("%s: verify passed", t->name);
		if (strstr(e.msg, t->msg) == NULL)
			fail_msg("%s: error \"%s\" does not contain \"%s\"", t->name, e.msg, t->msg);
		if (c.bad_seq != t->bad_seq || c.checked != t->checked)
			fail_msg("%s: bad_seq %" PRId64 " checked %" PRId64 ", want %" PRId64
			    " and %" PRId64, t->name, c.bad_seq, c.checked, t->bad_seq, t->checked);
	}
}

/* The store's own defences: UPDATE and DELETE refused through SQLite. */
static void
test_store_triggers(void **state)
{
	struct dbfix *f = *state;
	sqlite3 *db;

	db_fill(f, 3);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET ts = 0 WHERE seq = 2", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 3", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
export_to_lines(const struct dbfix *f, struct lines *ls, int64_t *n)
{
	struct store *st;
	struct err e;
	char *buf = NULL;
	size_t sz = 0;
	FILE *out = open_memstream(&buf, &sz);

	assert_non_null(out);
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	if (audit_export(st, out, n, &e) != 0)
		fail_msg("export: %s", e.msg);
	store_close(st);
	fclose(out);
	lines_from_text(ls, buf);
	free(buf);
}

static void
test_store_export_roundtrip(void **state)
{
	struct dbfix *f = *state;
	struct audit_check c;
	struct lines ls;
	struct err e;
	int64_t n = 0;

	db_fill(f, NSTORE);
	export_to_lines(f, &ls, &n);
	assert_int_equal(n, NSTORE);
	assert_int_equal(ls.n, NSTORE + 1);
	assert_int_equal(verify_lines(&ls, &c, &e), 0);
	assert_int_equal(c.checked, NSTORE);
	assert_string_equal(c.head, f->head);

	/* A tampered line in the exported log is caught offline. */
	line_replace(&ls, 6, "\\\"R7\\\"", "\\\"R8\\\"");
	assert_int_equal(verify_lines(&ls, &c, &e), -1);
	expect_msg(&e, "entry 7: hash does not match its content");
	assert_int_equal(c.checked, 6);
	lines_free(&ls);

	/* A broken chain exports as it is (evidence), and the offline check
	 * names the same first bad entry as the store check. */
	db_tamper(f, "DELETE FROM audit WHERE seq = 9");
	export_to_lines(f, &ls, &n);
	assert_int_equal(n, NSTORE - 1);
	assert_int_equal(verify_lines(&ls, &c, &e), -1);
	expect_msg(&e, "entry 10: expected seq 9");
	lines_free(&ls);
}

/* ---- the CLI, as the operator runs it ---- */

static int
run(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	assert_non_null(p);
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_cli(void **state)
{
	struct dbfix *f = *state;
	const char *bin = getenv("SIMPUL_BIN");
	char cmd[1024], out[4096], want[256];

	if (bin == NULL || access(bin, X_OK) != 0)
		fail_msg("SIMPUL_BIN is not set to the simpul binary");
	db_fill(f, NSTORE);

	snprintf(cmd, sizeof(cmd), "'%s' audit verify --db '%s'", bin, f->path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "audit chain intact: %d entries, head %s\n", NSTORE, f->head);
	assert_string_equal(out, want);

	snprintf(cmd, sizeof(cmd), "'%s' audit verify --db '%s' --json", bin, f->path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "{\"ok\":true,\"entries\":%d,\"head\":\"%s\"}\n", NSTORE,
	    f->head);
	assert_string_equal(out, want);

	snprintf(cmd, sizeof(cmd), "'%s' audit export --db '%s' --out '%s/audit.jsonl' --json",
	    bin, f->path, f->dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"entries\":12"));
	snprintf(cmd, sizeof(cmd), "'%s' audit verify --log '%s/audit.jsonl'", bin, f->dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "audit log intact: 12 entries"));

	/* Export to stdout, cut the last two lines: truncation is caught. */
	snprintf(cmd, sizeof(cmd), "'%s' audit export --db '%s' | head -n 11 | "
	    "'%s' audit verify --log - --json", bin, f->path, bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"ok\":false,\"entries\":11,\"bad_entry\":12"));

	db_tamper(f, "UPDATE audit SET entry = replace(entry, '\"R5\"', '\"R6\"') WHERE seq = 5");
	snprintf(cmd, sizeof(cmd), "'%s' audit verify --db '%s' --json", bin, f->path);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"ok\":false,\"entries\":4,\"bad_entry\":5,"
	    "\"error\":\"entry 5: hash does not match its content\""));
	snprintf(cmd, sizeof(cmd), "'%s' audit verify --db '%s' 2>&1", bin, f->path);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "entry 5: hash does not match its content"));

	snprintf(cmd, sizeof(cmd), "'%s' audit verify --help", bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "usage: simpul audit verify"));
	snprintf(cmd, sizeof(cmd), "'%s' audit export --help", bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "usage: simpul audit export"));
	snprintf(cmd, sizeof(cmd), "'%s' audit verify 2>/dev/null", bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_hash_vectors),
		cmocka_unit_test(test_entry_text_canonical),
		cmocka_unit_test(test_entry_prefix_is_janssons),
		cmocka_unit_test(test_entry_text_fixed_point),
		cmocka_unit_test(test_log_roundtrip),
		cmocka_unit_test(test_log_empty),
		cmocka_unit_test(test_log_tampering),
		cmocka_unit_test(test_log_line_too_long),
		cmocka_unit_test_setup_teardown(test_store_append_verify, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_store_empty, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_store_head_unchanged_on_failure, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_store_tampering, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_store_triggers, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_store_export_roundtrip, db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_cli, db_setup, db_teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}

