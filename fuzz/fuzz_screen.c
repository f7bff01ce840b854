/* fuzz_screen - the bulk screening parsers (ppp_screen_header,
 * ppp_screen_line): CSV with RFC 4180 quoting and JSON lines. The first
 * byte picks the format; for CSV the input's first line is the header.
 * Whatever is accepted must be a JSON object of strings (CSV) or an object
 * (JSON lines); nothing may crash, leak or read out of bounds. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	const char *s = (const char *)data + 1, *nl;
	size_t n;
	json_t *h = NULL, *it;

	if (size < 1)
		return 0;
	n = size - 1;
	if (data[0] & 1) {
		if ((it = ppp_screen_line(s, n, SCREEN_JSONL, NULL, &e)) != NULL && !json_is_object(it))
			abort();
		json_decref(it);
		return 0;
	}
	nl = memchr(s, '\n', n);
	if ((h = ppp_screen_header(s, nl ? (size_t)(nl - s) : n, &e)) == NULL) {
		if (e.status != 400)
			abort();
		return 0;
	}
	if (nl && (it = ppp_screen_line(nl + 1, n - (size_t)(nl + 1 - s), SCREEN_CSV, h, &e)) != NULL) {
		const char *k;
		json_t *v;
		if (!json_is_object(it))
			abort();
		json_object_foreach(it, k, v)
			if (!json_is_string(v))
				abort();
		json_decref(it);
	}
	json_decref(h);
	return 0;
}
