/* test_checkscan - the check body fast path: what it accepts, what it
 * declines, and that whatever it accepts jansson reads the same way. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkscan.h"

static int
scan(const char *body, struct sbuf *arena, struct citem **items, size_t *n)
{
	sbuf_init(arena, strlen(body) + 16);
	return checkscan(body, strlen(body), 1000, arena, items, n);
}

/* Accepted bodies must read exactly as jansson reads them. */
static void
agree(const char *body)
{
	struct sbuf arena;
	struct citem *items;
	size_t n;
	json_t *j, *arr;

	if (scan(body, &arena, &items, &n) != 1) {
		sbuf_free(&arena);
		return;
	}
	j = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	arr = json_object_get(j, "selectors");
	assert_int_equal(json_object_size(j), 1);
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(arr, i);
		size_t present = 0;
		for (int f = 0; f < CF__N; f++) {
			json_t *v = json_object_get(it, cfield_names[f]);
			if (items[i].f[f] == NULL) {
				assert_null(v);
				continue;
			}
			present++;
			assert_true(json_is_string(v));
			assert_int_equal(strlen(items[i].f[f]), json_string_length(v));
			assert_memory_equal(items[i].f[f], json_string_value(v), json_string_length(v));
		}
		assert_int_equal(json_object_size(it), present);
	}
	json_decref(j);
	free(items);
	sbuf_free(&arena);
}

static void
accepts_usual_shapes(void **state)
{
	struct sbuf arena;
	struct citem *it;
	size_t n;

	assert_int_equal(scan("{\"selectors\":[{\"key\":\"phone:+60123456789\"},"
	    "{\"type\":\"phone\",\"value\":\"012-345 6789\",\"country\":\"MY\"}]}", &arena, &it, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(it[0].f[CF_KEY], "phone:+60123456789");
	assert_null(it[0].f[CF_TYPE]);
	assert_string_equal(it[1].f[CF_VALUE], "012-345 6789");
	assert_string_equal(it[1].f[CF_COUNTRY], "MY");
	free(it);
	sbuf_free(&arena);

	assert_int_equal(scan(" {\n \"selectors\" : [ { } , {\"role\":\"x\"} ] }\t", &arena, &it, &n), 1);
	assert_int_equal(n, 2);
	free(it);
	sbuf_free(&arena);

	/* Escapes decode: \" \\ \/ \n \u00e9 and a surrogate pair. */
	assert_int_equal(scan("{\"selectors\":[{\"value\":\"a\\\"b\\\\c\\/d\\ne\\u00e9\\ud83d\\ude00\"}]}",
	    &arena, &it, &n), 1);
	assert_string_equal(it[0].f[CF_VALUE], "a\"b\\c/d\ne\xc3\xa9\xf0\x9f\x98\x80");
	free(it);
	sbuf_free(&arena);
}

static void
declines_everything_else(void **state)
{
	static const char *const bodies[] = {
		"", "{}", "[]", "{\"selectors\":[]}",                     /* empty: 400 from jansson path */
		"{\"selectors\":{}}", "{\"selector\":[{\"key\":\"a\"}]}",
		"{\"selectors\":[{\"key\":\"a\"}],\"x\":1}",            /* another top-level key */
		"{\"selectors\":[{\"key\":1}]}",                         /* not a string */
		"{\"selectors\":[{\"key\":null}]}",
		"{\"selectors\":[{\"key\":\"a\",\"key\":\"b\"}]}",       /* repeated */
		"{\"selectors\":[{\"kee\":\"a\"}]}",                     /* unknown field */
		"{\"selectors\":[{\"key\":\"a\nb\"}]}",                  /* raw control character */
		"{\"selectors\":[{\"key\":\"a\\u0000b\"}]}",             /* NUL */
		"{\"selectors\":[{\"key\":\"\\ud83d\"}]}",               /* lone surrogate */
		"{\"selectors\":[{\"key\":\"\\udc00\"}]}",
		"{\"selectors\":[{\"key\":\"\\b\"}]}",                   /* left to jansson */
		"{\"selectors\":[{\"key\":\"\\x\"}]}",
		"{\"selectors\":[{\"key\":\"\xff\"}]}",                  /* invalid UTF-8 */
		"{\"selectors\":[{\"key\":\"\xc0\xaf\"}]}",              /* overlong */
		"{\"selectors\":[{\"key\":\"a\"}]} x",                   /* trailing garbage */
		"{\"selectors\":[{\"key\":\"a\"},]}",                    /* trailing comma */
		"{\"selectors\":[{\"key\":\"a\"}",                       /* truncated */
		"{\"selectors\":[{\"key\":\"a",
		"{\"selectors\":[[{\"key\":\"a\"}]]}",
	};
	struct sbuf arena;
	struct citem *it;
	size_t n;

	/* An escaped name means the same as the plain one, as jansson reads it. */
	agree("{\"\\u0073electors\":[{\"\\u006bey\":\"a\"}]}");
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		sbuf_init(&arena, 1024);
		if (checkscan(bodies[i], strlen(bodies[i]), 1000, &arena, &it, &n) != 0)
			fail_msg("accepted body %zu: %s", i, bodies[i]);
		assert_null(it);
		sbuf_free(&arena);
	}
}

static void
item_limit(void **state)
{
	struct sbuf b, arena;
	struct citem *it;
	size_t n;

	sbuf_init(&b, 1 << 20);
	sbuf_adds(&b, "{\"selectors\":[");
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&b, "%s{\"key\":\"phone:+6012%07d\"}", i ? "," : "", i);
	sbuf_adds(&b, "]}");
	sbuf_init(&arena, b.len + 16);
	assert_int_equal(checkscan(b.ptr, b.len, 1000, &arena, &it, &n), 1);
	assert_int_equal(n, 1000);
	assert_string_equal(it[999].f[CF_KEY], "phone:+60120000999");
	free(it);
	sbuf_free(&arena);
	/* One more: declined, so the general path answers 413. */
	b.len -= 2;
	sbuf_adds(&b, ",{\"key\":\"x:y\"}]}");
	sbuf_init(&arena, b.len + 16);
	assert_int_equal(checkscan(b.ptr, b.len, 1000, &arena, &it, &n), 0);
	sbuf_free(&arena);
	sbuf_free(&b);
}

/* Random bodies from the grammar, then mutated byte by byte: whatever is
 * accepted must agree with jansson. */
static void
random_agreement(void **state)
{
	static const char *const pieces[] = {
		"\"key\"", "\"type\"", "\"value\"", "\"country\"", "\"role\"", "\"kee\"",
		"\"phone:+60123\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\\\\"",
		"\"\xe0\xb8\x81\"", "1", "null", ":", ",", "{", "}", "[", "]", " ", "\"\"",
	};
	uint32_t r = 12345;
	char body[512];
	size_t accepted = 0;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		len += (size_t)snprintf(body, sizeof(body), "{\"selectors\":[");
		int nitems = (int)(r % 4);
		for (int i = 0; i < nitems; i++) {
			int nf = (int)((r >> 3) % 3);
			len += (size_t)snprintf(body + len, sizeof(body) - len, "%s{", i ? "," : "");
			for (int f = 0; f < nf; f++) {
				r = r * 1103515245u + 12345u;
				const char *k = pieces[(r >> 8) % 6];
				r = r * 1103515245u + 12345u;
				const char *v = pieces[6 + (r >> 8) % 6];
				len += (size_t)snprintf(body + len, sizeof(body) - len, "%s%s:%s", f ? "," : "", k, v);
			}
			len += (size_t)snprintf(body + len, sizeof(body) - len, "}");
		}
		len += (size_t)snprintf(body + len, sizeof(body) - len, "]}");
		/* Mutate a few bytes now and then. */
		r = r * 1103515245u + 12345u;
		if (r % 3 == 0) {
			for (int m = 0; m < 2; m++) {
				r = r * 1103515245u + 12345u;
				const char *pc = pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
				size_t at = (r >> 16) % len, pl = strlen(pc);
				if (len + pl < sizeof(body) - 1) {
					memmove(body + at + pl, body + at, len - at + 1);
					memcpy(body + at, pc, pl);
					len += pl;
				}
			}
		}
		body[len] = '\0';
		struct sbuf arena;
		struct citem *it;
		size_t n;
		if (scan(body, &arena, &it, &n) == 1)
			accepted++;
		free(it);
		sbuf_free(&arena);
		agree(body);
		r = r * 1103515245u + 12345u;
	}
	print_message("# %zu of 20000 random bodies accepted by the fast path\n", accepted);
	assert_true(accepted > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_usual_shapes),
		cmocka_unit_test(declines_everything_else),
		cmocka_unit_test(item_limit),
		cmocka_unit_test(random_agreement),
	};
	return cmocka_run_group_tests_name("checkscan", tests, NULL, NULL);
}
