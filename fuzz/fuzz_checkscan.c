/* fuzz_checkscan - the check body fast path (checkscan) against jansson.
 * Whatever checkscan accepts, jansson must parse to the same items: the
 * fast path may decline anything, but never read a body differently. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf arena;
	struct citem *items = NULL;
	size_t n = 0;
	json_t *j, *arr;

	sbuf_init(&arena, size + 16);
	if (checkscan((const char *)data, size, 1000, &arena, &items, &n) == 1) {
		j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
		if (j == NULL)
			abort();        /* accepted what jansson refuses */
		arr = json_object_get(j, "selectors");
		if (json_object_size(j) != 1 || !json_is_array(arr) || json_array_size(arr) != n)
			abort();
		for (size_t i = 0; i < n; i++) {
			json_t *it = json_array_get(arr, i);
			size_t present = 0;
			for (int f = 0; f < CF__N; f++) {
				json_t *v = json_object_get(it, cfield_names[f]);
				if (items[i].f[f] == NULL) {
					if (v != NULL)
						abort();
					continue;
				}
				present++;
				if (!json_is_string(v) || strlen(items[i].f[f]) != json_string_length(v) ||
				    memcmp(items[i].f[f], json_string_value(v), json_string_length(v)) != 0)
					abort();
			}
			if (json_object_size(it) != present)
				abort();
		}
		json_decref(j);
	}
	free(items);
	sbuf_free(&arena);
	return 0;
}
