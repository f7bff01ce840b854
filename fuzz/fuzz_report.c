/* fuzz_report.c - libFuzzer target: a posted report (JSON) through
 * report_parse(), which validates every field and normalises each selector. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "normalise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (normalise_init() == -1)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report r;
	struct err e;
	json_error_t je;
	json_t *j;

	if (size > SIMPUL_MAX_BODY)
		return 0;
	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return 0;
	if (report_parse(j, "MY", &r, &e) == 0)
		report_free(&r);
	else if (e.status == 0)
		abort();
	json_decref(j);
	return 0;
}
