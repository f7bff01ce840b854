/* fuzz_misp.c - libFuzzer target: MISP event JSON through the importer
 * (misp_to_reports: events, attributes, objects, tags, distribution), and
 * whatever it accepts, as Simpul reports, back out through the exporter. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "core.h"
#include "misp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j, *out = NULL;
	struct err e = {0};

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return 0;
	if (json_depth_ok(j, 64)) {
		if (misp_to_reports(j, "MY", &out, &e) == 0) {
			if (!json_is_array(json_object_get(out, "reports")))
				abort();
			json_decref(out);
		} else if (e.status == 0)
			abort();
	}
	json_decref(j);
	return 0;
}
