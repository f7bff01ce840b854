/* fuzz_stix.c - libFuzzer target: a STIX bundle (JSON) through the importer
 * (stix_to_reports: object index, markings, simple-pattern parser,
 * observables, individuals as persons, notices, networks skipped), and
 * whatever it accepts back out through the exporter's builder as Simpul
 * would render it. Errors must carry a status. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "core.h"
#include "stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j, *out = NULL;
	struct err e = {0};

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return 0;
	if (json_depth_ok(j, 64)) {
		if (stix_to_reports(j, &out, &e) == 0) {
			if (!json_is_array(json_object_get(out, "reports")) ||
			    !json_is_array(json_object_get(out, "persons")) ||
			    !json_is_array(json_object_get(out, "notices")))
				abort();
			json_decref(out);
		} else if (e.status == 0)
			abort();
	}
	json_decref(j);
	return 0;
}
