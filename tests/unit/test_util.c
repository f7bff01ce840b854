/* test_util.c - bounded buffers, JSON string escaping, strict parsers,
 * UTF-8 validation, ULIDs, dates and hex (src/lib/util.c).
 *
 * Oracles are independent of util.c where it matters: dates against glibc's
 * timegm(), ULID time against now_ms() bounds decoded here, escaping against
 * jansson's parser (what we emit must read back as the input). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* ---- err ------------------------------------------------------------- */

static void
err_set_fills_and_clears(void **state)
{
	struct err e;
	char longf[300];

	(void)state;
	err_set(&e, 413, "selectors", "at most %d", 200);
	assert_int_equal(e.status, 413);
	assert_string_equal(e.field, "selectors");
	assert_string_equal(e.msg, "at most 200");
	err_set(&e, 400, NULL, "x");
	assert_string_equal(e.field, "");
	memset(longf, 'f', sizeof(longf) - 1);
	longf[sizeof(longf) - 1] = '\0';
	err_set(&e, 400, longf, "%s", longf);
	assert_int_equal(strlen(e.field), sizeof(e.field) - 1);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	err_clear(&e);
	assert_int_equal(e.status, 0);
	assert_string_equal(e.field, "");
	assert_string_equal(e.msg, "");
	err_set(NULL, 500, "", "no crash on NULL");
}

/* ---- sbuf ------------------------------------------------------------ */

static void
sbuf_max_is_enforced_and_toobig_sticky(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 10);
	assert_int_equal(sbuf_adds(&b, "12345"), 0);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.ptr, "12345");
	/* 5 + 6 > 10: refused, nothing appended, flag set. */
	assert_int_equal(sbuf_adds(&b, "678901"), -1);
	assert_true(b.toobig);
	assert_false(b.oom);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.ptr, "12345");
	/* Sticky: even an append that would fit is refused now. */
	assert_int_equal(sbuf_addc(&b, 'x'), -1);
	assert_int_equal(sbuf_add(&b, "", 0), -1);
	assert_int_equal(sbuf_printf(&b, "%d", 1), -1);
	assert_int_equal(sbuf_json_str(&b, "a"), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.ptr, "12345");
	/* Reset clears the flag and the content, keeps the cap. */
	sbuf_reset(&b);
	assert_false(b.toobig);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	/* Exactly max fits; one more does not. */
	assert_int_equal(sbuf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.ptr[10], '\0');
	assert_true(b.cap <= 11);
	assert_int_equal(sbuf_addc(&b, 'x'), -1);
	assert_true(b.toobig);
	sbuf_free(&b);
	assert_null(b.ptr);
}

static void
sbuf_grows_and_stays_terminated(void **state)
{
	struct sbuf b;
	char chunk[100];

	(void)state;
	sbuf_init(&b, 1u << 20);
	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(sbuf_add(&b, chunk, sizeof(chunk)), 0);
		assert_int_equal(b.len, (size_t)(i + 1) * sizeof(chunk));
		assert_int_equal(b.ptr[b.len], '\0');
		assert_true(b.cap > b.len);
	}
	assert_int_equal(strlen(b.ptr), 100000);
	sbuf_free(&b);
}

static void
sbuf_printf_long_and_over_max(void **state)
{
	struct sbuf b;
	char big[1001];

	(void)state;
	memset(big, 'z', 1000);
	big[1000] = '\0';
	sbuf_init(&b, 4096);
	assert_int_equal(sbuf_printf(&b, "<%s>%d", big, 42), 0);   /* > 256: the long path */
	assert_int_equal(b.len, 1004);
	assert_int_equal(b.ptr[0], '<');
	assert_string_equal(b.ptr + 1001, ">42");
	assert_int_equal(b.ptr[b.len], '\0');
	sbuf_free(&b);

	sbuf_init(&b, 500);
	assert_int_equal(sbuf_adds(&b, "keep"), 0);
	assert_int_equal(sbuf_printf(&b, "%s", big), -1);
	assert_true(b.toobig);
	assert_string_equal(b.ptr, "keep");
	assert_int_equal(b.len, 4);
	/* The short path enforces the bound too. */
	sbuf_reset(&b);
	assert_int_equal(sbuf_add(&b, big, 498), 0);
	assert_int_equal(sbuf_printf(&b, "%d", 123), -1);
	assert_int_equal(b.len, 498);
	sbuf_free(&b);
}

static void
sbuf_steal_gives_ownership(void **state)
{
	struct sbuf b;
	char *p;

	(void)state;
	sbuf_init(&b, 100);
	p = sbuf_steal(&b);            /* never-used buffer: an empty string */
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	sbuf_adds(&b, "hello");
	p = sbuf_steal(&b);
	assert_string_equal(p, "hello");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	free(p);
	sbuf_free(&b);
}

static char *
json_str(const char *s, size_t max)
{
	struct sbuf b;

	sbuf_init(&b, max);
	if (sbuf_json_str(&b, s) == -1) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_steal(&b);
}

static void
sbuf_json_str_escapes(void **state)
{
	char *s;
	char in[40];

	(void)state;
	s = json_str("plain", 100);
	assert_string_equal(s, "\"plain\"");
	free(s);
	s = json_str("", 100);
	assert_string_equal(s, "\"\"");
	free(s);
	s = json_str("a\"b\\c", 100);
	assert_string_equal(s, "\"a\\\"b\\\\c\"");
	free(s);
	s = json_str("l1\nl2\rt\t", 100);
	assert_string_equal(s, "\"l1\\nl2\\rt\\t\"");
	free(s);
	s = json_str("\x01\x1f\x08\x0c", 100);
	assert_string_equal(s, "\"\\u0001\\u001f\\u0008\\u000c\"");
	free(s);
	s = json_str("del\x7f.", 100);
	assert_string_equal(s, "\"del\\u007f.\"");
	free(s);
	/* UTF-8 passes through untouched. */
	s = json_str("Nguy\xe1\xbb\x85n \xe0\xb8\x81", 100);
	assert_string_equal(s, "\"Nguy\xe1\xbb\x85n \xe0\xb8\x81\"");
	free(s);
	/* Escape at the very start and very end (the run logic). */
	s = json_str("\"x\"", 100);
	assert_string_equal(s, "\"\\\"x\\\"\"");
	free(s);

	/* Every byte 1..127 reads back through jansson as itself. */
	for (int c = 1; c < 128; c++) {
		json_t *j;
		json_error_t je;
		snprintf(in, sizeof(in), "a%cb%c", c, c);
		s = json_str(in, 100);
		assert_non_null(s);
		for (const char *p = s; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
		j = json_loads(s, JSON_DECODE_ANY, &je);
		assert_non_null(j);
		assert_string_equal(json_string_value(j), in);
		json_decref(j);
		free(s);
	}
	/* Over the bound: refused, not cut. */
	assert_null(json_str("0123456789", 8));
	assert_null(json_str("\x01\x01\x01", 10)); /* 2 + 3*6 > 10 */
}

/* ---- str_copy, parse_i64 ------------------------------------------------ */

/* sbuf_json_canon_str writes what jansson writes, byte for byte (audit
 * entries are hashed as text): every single byte, escapes at the edges,
 * random mixes of ASCII, controls and multi-byte characters; and it refuses
 * exactly the invalid UTF-8 jansson refuses. */
static void
canon_str_expect(const char *in)
{
	json_t *j = json_string(in);
	struct sbuf b;
	int rc;

	sbuf_init(&b, 1 << 20);
	rc = sbuf_json_canon_str(&b, in);
	if (j == NULL) {
		assert_int_equal(rc, -1);
	} else {
		char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);

		assert_non_null(want);
		assert_int_equal(rc, 0);
		assert_string_equal(b.ptr, want);
		free(want);
		json_decref(j);
	}
	sbuf_free(&b);
}

static void
sbuf_json_canon_str_is_janssons(void **state)
{
	static const char *fixed[] = {
		"", "plain", "\"", "\\", "a\"b\\c", "\b\f\n\r\t", "\x01\x1f\x7f/",
		"Nguy\xe1\xbb\x85n \xe0\xb8\x81 \xf0\x9f\x98\x80",
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
		"ok\xc3", "ok\xe1\xbb", "\x80", "a\xc3\x28",
	};
	static const char *parts[] = {
		"a", "Z", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "/", " ", "\xc3\xa9",
		"\xe0\xb8\x81", "\xf0\x9f\x98\x80", "\xc3", "\xed\xbf\xbf", "\x80",
	};
	uint32_t seed = 7;
	char in[2];

	(void)state;
	for (int c = 1; c < 256; c++) {
		in[0] = (char)c;
		in[1] = '\0';
		canon_str_expect(in);
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		canon_str_expect(fixed[i]);
	for (int round = 0; round < 5000; round++) {
		char buf[128] = "";
		size_t len = 0;

		for (int k = 0; k < 12; k++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = parts[(seed >> 16) % (sizeof(parts) / sizeof(parts[0]))];
			memcpy(buf + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		canon_str_expect(buf);
	}
}

static void
str_copy_truncation(void **state)
{
	char d[4];

	(void)state;
	assert_int_equal(str_copy(d, sizeof(d), "abc"), 0);
	assert_string_equal(d, "abc");
	assert_int_equal(str_copy(d, sizeof(d), "abcd"), -1);
	assert_string_equal(d, "abc");
	assert_int_equal(str_copy(d, sizeof(d), ""), 0);
	assert_string_equal(d, "");
	assert_int_equal(str_copy(d, 1, "x"), -1);
	assert_string_equal(d, "");
	d[0] = 'Q';
	assert_int_equal(str_copy(d, 0, "x"), -1);
	assert_int_equal(d[0], 'Q');   /* size 0: nothing written */
}

static int
pi(const char *s, int64_t *v)
{
	*v = 777;
	return parse_i64(s, strlen(s), v);
}

static void
parse_i64_strict(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(pi("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(pi("123", &v), 0);
	assert_true(v == 123);
	assert_int_equal(pi("-45", &v), 0);
	assert_true(v == -45);
	assert_int_equal(pi("007", &v), 0);
	assert_true(v == 7);
	assert_int_equal(pi("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(pi("-9223372036854775807", &v), 0);
	assert_true(v == -INT64_MAX);
	/* Refusals leave *out alone. */
	const char *bad[] = { "", "-", "+5", " 5", "5 ", "12a", "a12", "1.5", "1e3",
		"0x10", "--1", "9223372036854775808", "99999999999999999999",
		"-99999999999999999999", "1-", NULL };
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(pi(bad[i], &v), -1);
		assert_true(v == 777);
	}
	/* The length is respected: bytes past n are not read. */
	assert_int_equal(parse_i64("123abc", 3, &v), 0);
	assert_true(v == 123);
	assert_int_equal(parse_i64("123", 0, &v), -1);
}

/* INT64_MIN is a valid int64 and has a decimal spelling; a strict parser of
 * int64 accepts it. */
static void
parse_i64_min(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(pi("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(pi("-9223372036854775809", &v), -1);
}

/* ---- utf8_valid ---------------------------------------------------------- */

#define U8(lit) utf8_valid(lit, sizeof(lit) - 1)

static void
utf8_valid_accepts(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(U8("hello"));
	assert_true(U8("tab\there\nnl\rcr"));
	assert_true(U8("\xc3\xa9"));                 /* é */
	assert_true(U8("\xc2\x80"));                 /* U+0080, smallest 2-byte */
	assert_true(U8("\xdf\xbf"));                 /* U+07FF */
	assert_true(U8("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
	assert_true(U8("\xed\x9f\xbf"));             /* U+D7FF, just below surrogates */
	assert_true(U8("\xee\x80\x80"));             /* U+E000, just above */
	assert_true(U8("\xef\xbf\xbf"));             /* U+FFFF */
	assert_true(U8("\xf0\x90\x80\x80"));         /* U+10000 */
	assert_true(U8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last */
	assert_true(U8("\xe0\xb8\x81\xe0\xb8\xb2\xe0\xb8\xa3")); /* Thai */
	assert_true(U8("\xe1\x9e\x80"));             /* Khmer */
	assert_true(U8("~ !"));                      /* 0x7e, 0x20 */
}

static void
utf8_valid_refuses(void **state)
{
	(void)state;
	/* overlong encodings */
	assert_false(U8("\xc0\x80"));               /* NUL in 2 bytes */
	assert_false(U8("\xc0\xaf"));               /* '/' */
	assert_false(U8("\xc1\xbf"));
	assert_false(U8("\xe0\x80\x80"));
	assert_false(U8("\xe0\x9f\xbf"));           /* U+07FF in 3 bytes */
	assert_false(U8("\xf0\x80\x80\x80"));
	assert_false(U8("\xf0\x8f\xbf\xbf"));       /* U+FFFF in 4 bytes */
	/* UTF-16 surrogates */
	assert_false(U8("\xed\xa0\x80"));           /* U+D800 */
	assert_false(U8("\xed\xbf\xbf"));           /* U+DFFF */
	assert_false(U8("\xed\xa0\xbd\xed\xb8\x80"));/* CESU-8 pair */
	/* beyond U+10FFFF, and 5/6-byte forms */
	assert_false(U8("\xf4\x90\x80\x80"));
	assert_false(U8("\xf5\x80\x80\x80"));
	assert_false(U8("\xf7\xbf\xbf\xbf"));
	assert_false(U8("\xf8\x88\x80\x80\x80"));
	assert_false(U8("\xfc\x84\x80\x80\x80\x80"));
	assert_false(U8("\xfe"));
	assert_false(U8("\xff"));
	/* truncated sequences, at the end and in the middle */
	assert_false(U8("\xc3"));
	assert_false(U8("ab\xe2\x82"));
	assert_false(U8("\xe2\x82x"));
	assert_false(U8("\xf0\x9f\x98"));
	assert_false(U8("\xf0\x9f\x98z"));
	/* a lone continuation byte */
	assert_false(U8("\x80"));
	assert_false(U8("a\xbf"));
	/* the length is respected: a valid 2-byte char cut by n */
	assert_false(utf8_valid("\xc3\xa9", 1));
	assert_true(utf8_valid("ab\xc3\xa9", 2));
	/* NUL, C0 controls except \t \n \r, and DEL */
	assert_false(utf8_valid("a\0b", 3));
	for (int c = 1; c < 0x20; c++) {
		char s[3] = { 'x', (char)c, 0 };
		if (c == '\t' || c == '\n' || c == '\r')
			assert_true(utf8_valid(s, 2));
		else
			assert_false(utf8_valid(s, 2));
	}
	assert_false(U8("del\x7f"));
}

/* ---- ids ----------------------------------------------------------------- */

static const char crock[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int64_t
ulid_time(const char *id)
{
	int64_t t = 0;

	for (int i = 0; i < 10; i++)
		t = t * 32 + (int64_t)(strchr(crock, id[i]) - crock);
	return t;
}

static int
cmp26(const void *a, const void *b)
{
	return memcmp(a, b, 27);
}

static void
id_new_shape_and_time(void **state)
{
	char a[27], b[27];
	int64_t t0, t1;

	(void)state;
	t0 = now_ms();
	id_new(a);
	t1 = now_ms();
	assert_int_equal(strlen(a), 26);
	for (int i = 0; i < 26; i++)
		assert_non_null(strchr(crock, a[i]));
	/* The first 10 characters encode the creation time in ms. */
	assert_true(ulid_time(a) >= t0 && ulid_time(a) <= t1);
	/* Time-sortable across milliseconds. */
	usleep(3000);
	id_new(b);
	assert_true(strcmp(a, b) < 0);
	assert_true(memcmp(a, b, 10) < 0);
	assert_true(ulid_time(b) - ulid_time(a) >= 3);
}

static void
id_new_unique_and_random(void **state)
{
	enum { N = 100000 };
	char (*ids)[27] = malloc(N * sizeof(*ids));
	int counts[16][32];

	(void)state;
	assert_non_null(ids);
	memset(counts, 0, sizeof(counts));
	for (int i = 0; i < N; i++) {
		id_new(ids[i]);
		assert_int_equal(strlen(ids[i]), 26);
		for (int k = 0; k < 16; k++) {
			const char *p = strchr(crock, ids[i][10 + k]);
			assert_non_null(p);
			counts[k][p - crock]++;
		}
	}
	/* Generated in order: the time part never goes backwards. */
	for (int i = 1; i < N; i++)
		assert_true(memcmp(ids[i - 1], ids[i], 10) <= 0);
	qsort(ids, N, sizeof(*ids), cmp26);
	for (int i = 1; i < N; i++)
		assert_true(memcmp(ids[i - 1], ids[i], 27) != 0);
	/* The 80 random bits are spread over all 16 characters: every symbol
	 * appears about N/32 = 3125 times in each position (a stuck or
	 * mis-shifted bit makes some counts 0 or doubled). */
	for (int k = 0; k < 16; k++)
		for (int s = 0; s < 32; s++)
			if (counts[k][s] < 2700 || counts[k][s] > 3550)
				fail_msg("position %d symbol %c: %d of %d", 10 + k, crock[s], counts[k][s], N);
	free(ids);
}

/* ---- time and dates --------------------------------------------------- */

static void
clocks(void **state)
{
	int64_t a, b;
	char t[32];

	(void)state;
	a = mono_us();
	usleep(2000);
	b = mono_us();
	assert_true(b - a >= 2000);
	assert_true(now_ms() > 1700000000000LL);
	time_iso(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000Z");
	time_iso(1709164800123LL, t);
	assert_string_equal(t, "2024-02-29T00:00:00.123Z");
	time_iso(4133980799999LL, t);
	assert_string_equal(t, "2100-12-31T23:59:59.999Z");
}

static void
date_valid_forms(void **state)
{
	(void)state;
	const char *good[] = {
		"1900", "2100", "2026", "2026-01", "2026-12", "1900-01-01", "2100-12-31",
		"2024-02-29", "2000-02-29", "2026-04-30", "2026-01-31", "2026-11-20",
		"2026-11-20T04:07", "2026-11-20T04:07:00Z", "2026-11-20T23:59:59.999Z",
		"2026-11-20T00:00:00+07:00", "2026-11-20T10:00:00-05:00", NULL
	};
	const char *bad[] = {
		"", "1", "202", "abcd", "1899", "2101", "0000", "9999", "1899-12-31", "2101-01-01",
		"2026-", "2026-1", "2026-00", "2026-13", "2026-1-01", "2026/01/01", "2026-01-",
		"2026-01-1", "2026-01-00", "2026-01-32", "2026-02-30", "2026-04-31", "2026-06-31",
		"2026-09-31", "2026-11-31", "2023-02-29", "1900-02-29", "2100-02-29",
		"2026-01-01x", "2026-01-01 10:00", "2026-01-01T", "2026-01-01T1",
		"2026-01-01T24:00", "2026-01-01T99:00", "2026-01-01Tab:cd",
		"2026-01-01T10:00:00.000000000000000000000000Z", /* over 35 bytes */
		"20260101", " 2026", "2026 ", "+2026", "-2026", NULL
	};
	for (int i = 0; good[i]; i++)
		if (!date_valid(good[i]))
			fail_msg("refused a good date: %s", good[i]);
	for (int i = 0; bad[i]; i++)
		if (date_valid(bad[i]))
			fail_msg("accepted a bad date: %s", bad[i]);
}

/* date_valid promises "form and ranges" for the time part too: minutes and
 * seconds above 59 and a time made of separators only are not times. */
static void
date_valid_time_part_ranges(void **state)
{
	(void)state;
	const char *bad[] = {
		"2026-01-01T10:60", "2026-01-01T10:00:61", "2026-01-01T10:::::",
		"2026-01-01T10ZZZZ", "2026-01-01T10:00+99:99", NULL
	};
	for (int i = 0; bad[i]; i++)
		if (date_valid(bad[i]))
			fail_msg("accepted a bad time: %s", bad[i]);
}

static void
date_to_ms_known_and_every_day(void **state)
{
	(void)state;
	assert_true(date_to_ms("1970-01-01") == 0);
	assert_true(date_to_ms("1970-01-02") == 86400000LL);
	assert_true(date_to_ms("2000-01-01") == 946684800000LL);
	assert_true(date_to_ms("2024-02-29") == 1709164800000LL);
	assert_true(date_to_ms("2026-11-20") == 1795132800000LL);
	assert_true(date_to_ms("1900-01-01") == -2208988800000LL);
	assert_true(date_to_ms("2100-12-31") == 4133894400000LL);
	/* Every valid day of 1900..2100 against timegm(), and every invalid
	 * day-of-month refused. */
	int days = 0;
	for (int y = 1900; y <= 2100; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++) {
				char s[16];
				struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
				time_t t;
				snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, d);
				t = timegm(&tm);
				bool real = tm.tm_mday == d;   /* timegm normalised it away if not */
				if (real != date_valid(s))
					fail_msg("%s: date_valid %d, calendar %d", s, date_valid(s), real);
				if (real) {
					days++;
					if (date_to_ms(s) != (int64_t)t * 1000)
						fail_msg("%s: %lld != %lld", s, (long long)date_to_ms(s),
						    (long long)t * 1000);
				}
			}
	assert_int_equal(days, 73414);  /* 201 years, 49 leap days (1900 and 2100 are not) */
}

/* ---- hex --------------------------------------------------------------- */

static void
hex_round_trip(void **state)
{
	unsigned char in[256], out[256];
	char h[513];

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	hex_encode(in, sizeof(in), h);
	assert_int_equal(strlen(h), 512);
	assert_memory_equal(h, "000102030405060708090a0b0c0d0e0f", 32);
	assert_string_equal(h + 480, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
	memset(out, 0, sizeof(out));
	assert_int_equal(hex_decode(h, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	/* upper case decodes the same */
	assert_int_equal(hex_decode("DEADbeef", out, 4), 0);
	assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
	/* junk, too short, too long */
	assert_int_equal(hex_decode("dg", out, 1), -1);
	assert_int_equal(hex_decode("0x", out, 1), -1);
	assert_int_equal(hex_decode("abc", out, 2), -1);
	assert_int_equal(hex_decode("abcd", out, 1), -1);
	assert_int_equal(hex_decode("ab ", out, 1), -1);
	/* zero length */
	hex_encode(in, 0, h);
	assert_string_equal(h, "");
	assert_int_equal(hex_decode("", out, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(err_set_fills_and_clears),
		cmocka_unit_test(sbuf_max_is_enforced_and_toobig_sticky),
		cmocka_unit_test(sbuf_grows_and_stays_terminated),
		cmocka_unit_test(sbuf_printf_long_and_over_max),
		cmocka_unit_test(sbuf_steal_gives_ownership),
		cmocka_unit_test(sbuf_json_str_escapes),
		cmocka_unit_test(sbuf_json_canon_str_is_janssons),
		cmocka_unit_test(str_copy_truncation),
		cmocka_unit_test(parse_i64_strict),
		cmocka_unit_test(parse_i64_min),
		cmocka_unit_test(utf8_valid_accepts),
		cmocka_unit_test(utf8_valid_refuses),
		cmocka_unit_test(id_new_shape_and_time),
		cmocka_unit_test(id_new_unique_and_random),
		cmocka_unit_test(clocks),
		cmocka_unit_test(date_valid_forms),
		cmocka_unit_test(date_valid_time_part_ranges),
		cmocka_unit_test(date_to_ms_known_and_every_day),
		cmocka_unit_test(hex_round_trip),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
