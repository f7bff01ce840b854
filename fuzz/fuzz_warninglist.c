/* fuzz_warninglist - the MISP warning-list parser and matcher. Any input
 * is parsed; when it is accepted, every entry of its list must then match
 * itself as a domain: or ip: key under the list's rule (a listed value that
 * does not match would be a silent hole in the generic-value rule), and
 * matching arbitrary keys made from the input must not crash. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warninglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wlset *w = wl_new();
	char name[WL_MAX_NAME + 1], list[80], key[700];
	struct err e;

	if (w == NULL)
		return 0;
	if (wl_add_json(w, (const char *)data, size, name, sizeof(name), &e) == 0) {
		json_t *j = json_loadb((const char *)data, size, 0, NULL), *v;
		const char *type = json_string_value(json_object_get(j, "type"));
		size_t i;
		json_array_foreach(json_object_get(j, "list"), i, v) {
			const char *s = json_string_value(v);
			if (s == NULL || strlen(s) > 200)
				continue;
			snprintf(key, sizeof(key), "domain:%s", s);
			wl_match(w, key, list, sizeof(list));
			snprintf(key, sizeof(key), "ip:%s", s);
			wl_match(w, key, list, sizeof(list));
			snprintf(key, sizeof(key), "url:https://%s/", s);
			wl_match(w, key, list, sizeof(list));
			/* A plain lower-case hostname entry must match itself. */
			if (type && strcmp(type, "hostname") == 0 && s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") ==
			    strlen(s) && s[0] != '.' && s[strlen(s) - 1] != '.' && strstr(s, "..") == NULL) {
				snprintf(key, sizeof(key), "domain:%s", s);
				if (!wl_match(w, key, list, sizeof(list)))
					abort();
			}
		}
		json_decref(j);
	}
	/* The input itself as keys. */
	if (size < 600) {
		snprintf(key, sizeof(key), "domain:%.*s", (int)size, (const char *)data);
		wl_match(w, key, list, sizeof(list));
		snprintf(key, sizeof(key), "url:%.*s", (int)size, (const char *)data);
		wl_match(w, key, list, sizeof(list));
		snprintf(key, sizeof(key), "ip:%.*s", (int)size, (const char *)data);
		wl_match(w, key, list, sizeof(list));
	}
	wl_free(w);
	return 0;
}
