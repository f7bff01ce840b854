/* fuzz_persons.c - libFuzzer targets for the parsers of issue 3, one binary
 * per FUZZ_TARGET:
 *   names   name_normalise() on both halves of the input (split at the first
 *           newline) and name_pair_score() between them; the score is in [0,1]
 *   mrz     mrz_parse(): never reads out of bounds, valid only with format
 *   ofac    ofac_read() of sdn text (before a form feed) and alt text (after)
 *   unxml   unxml_read() of a UN consolidated list document
 *   person  a persons-jsonl line through person_parse() */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "person_import.h"
#include "persons.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
drop(void *ctx, json_t *p)
{
	(void)ctx;
	if (!json_is_object(p) || !json_is_array(json_object_get(p, "names")))
		abort();
	json_decref(p);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct err e = {0};

	if (size > 65536)
		return 0;
#if defined(FUZZ_NAMES)
	const char *nl = memchr(s, '\n', size);
	size_t la = nl ? (size_t)(nl - s) : size;
	struct name_norm a, b;
	int ra = name_normalise(s, la, &a, &e);
	if (ra == -1 && e.status == 0)
		abort();
	if (nl && ra == 0 && name_normalise(nl + 1, size - la - 1, &b, &e) == 0) {
		double sc = name_pair_score(&a, &b);
		if (!(sc >= 0 && sc <= 1.0000001))
			abort();
		if (name_pair_score(&a, &a) < 0.999)
			abort();
	}
#elif defined(FUZZ_MRZ)
	struct mrz m;
	if (mrz_parse(s, size, &m) == 0 && m.format == 0)
		abort();
	if (m.valid && m.format == 0)
		abort();
#elif defined(FUZZ_OFAC)
	const char *ff = memchr(s, '\f', size);
	size_t l1 = ff ? (size_t)(ff - s) : size;
	if (ofac_read(s, l1, ff ? ff + 1 : NULL, ff ? size - l1 - 1 : 0, drop, NULL, &e) == -1 && e.status == 0)
		abort();
#elif defined(FUZZ_UNXML)
	if (unxml_read(s, size, drop, NULL, &e) == -1 && e.status == 0)
		abort();
#elif defined(FUZZ_PERSON)
	json_error_t je;
	json_t *j = json_loadb(s, size, JSON_REJECT_DUPLICATES, &je), *out = NULL;
	struct markings m;
	if (j == NULL)
		return 0;
	if (person_parse(j, &out, &m, &e) == 0)
		json_decref(out);
	else if (e.status == 0)
		abort();
	struct nidx_query q;
	if (person_query_parse(j, &q, &e) == -1 && e.status == 0)
		abort();
	json_decref(j);
#else
#error "define one FUZZ_ target"
#endif
	return 0;
}
