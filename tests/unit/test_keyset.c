/* test_keyset.c - the in-memory key filter (src/lib/keyset.c): single and
 * batched lookups agree with a plain array of what was added, through
 * growth, flag merging and absent keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "keyset.h"

static uint64_t
rnd64(uint64_t *s)
{
	/* splitmix64: an oracle independent of keyset_hash */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
add_get_and_merge_flags(void **state)
{
	struct keyset *ks = keyset_new();
	uint64_t h = keyset_hash("phone:+60123456789", 18);

	(void)state;
	assert_non_null(ks);
	assert_int_equal(keyset_get(ks, h), 0);
	assert_int_equal(keyset_add(ks, h, KEY_SILENT), 0);
	assert_int_equal(keyset_get(ks, h), KEY_SILENT);
	assert_int_equal(keyset_add(ks, h, KEY_LIVE), 0);
	assert_int_equal(keyset_get(ks, h), KEY_LIVE | KEY_SILENT);
	/* flags 0 adds nothing */
	assert_int_equal(keyset_add(ks, h ^ 0x10, 0), 0);
	assert_int_equal(keyset_get(ks, h ^ 0x10), 0);
	assert_int_not_equal(keyset_hash("a", 1), keyset_hash("b", 1));
	keyset_free(ks);
}

/* 200,000 keys (the table grows from 1,024 slots many times), half of the
 * probes absent: keyset_get_many answers exactly what keyset_get and the
 * oracle array do, for batch sizes around the prefetch distance. */
static void
get_many_agrees_with_get(void **state)
{
	enum { N = 200000, Q = 2 * N };
	struct keyset *ks = keyset_new();
	uint64_t *hs = malloc(Q * sizeof(*hs)), seed = 42;
	unsigned *want = calloc(Q, sizeof(*want)), *got = malloc(Q * sizeof(*got));
	size_t sizes[] = { 0, 1, 7, 8, 9, 1000, Q };

	(void)state;
	assert_non_null(ks);
	assert_non_null(hs);
	assert_non_null(want);
	assert_non_null(got);
	for (size_t i = 0; i < Q; i++) {
		hs[i] = rnd64(&seed) & ~(uint64_t)3;   /* distinct in their upper bits */
		if (i % 2 == 0) {
			want[i] = 1 + (unsigned)(i / 2 % 3);   /* LIVE, SILENT or both */
			assert_int_equal(keyset_add(ks, hs[i], want[i]), 0);
		}
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], off = n < Q ? (Q - n) / 3 : 0;

		memset(got, 0xff, Q * sizeof(*got));
		keyset_get_many(ks, hs + off, got, n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(got[i], want[off + i]);
			assert_int_equal(keyset_get(ks, hs[off + i]), want[off + i]);
		}
		if (n < Q)
			assert_int_equal(got[n], 0xffffffffu);   /* nothing past n written */
	}
	free(hs);
	free(want);
	free(got);
	keyset_free(ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_get_and_merge_flags),
		cmocka_unit_test(get_many_agrees_with_get),
	};
	return cmocka_run_group_tests_name("keyset", tests, NULL, NULL);
}
