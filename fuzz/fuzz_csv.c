/* fuzz_csv.c - libFuzzer target: the CSV bulk import (csvimport.c). An input
 * starting with '{' is a column-mapping file, parsed and then used on a fixed
 * batch; anything else is a CSV file read under a fixed bank mapping, both
 * by the dry run (csv_validate) and by the import's row reader (csv_next).
 * Either way, every error must carry a status and nothing may leak. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvimport.h"
#include "normalise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct csv_map *bank;

static const char MAP[] =
    "{\"report\": {\"reference\": {\"column\": \"case_id\"},"
    "  \"reported_at\": {\"column\": \"date\", \"format\": \"DD/MM/YYYY\"},"
    "  \"scam_type\": {\"column\": \"type\", \"map\": {\"Job\": \"job\"}},"
    "  \"narrative\": {\"column\": \"note\"},"
    "  \"loss\": {\"amount\": {\"column\": \"amount\"}, \"currency\": \"MYR\"}},"
    " \"selectors\": ["
    "  {\"type\": \"bank_account\", \"value\": {\"column\": \"account\"}, \"bank\": {\"column\": \"bank\"},"
    "   \"country\": \"MY\", \"role\": \"mule_account\"},"
    "  {\"type\": {\"column\": \"kind\"}, \"value\": {\"column\": 8}}],"
    " \"markings\": {\"tlp\": \"AMBER\", \"releasable_to\": [\"MEMBERS\"]}}";

static const char BATCH[] =
    "case_id,date,type,amount,account,bank,note,x,kind\n"
    "C1,01/02/2025,Job,\"1,234.50\",1234567890,MBBEMYKL,\"a \"\"b\"\"\",0123456789,phone\n";

static void
run(const struct csv_map *m, const char *text, size_t len)
{
	struct csv_validate_opts o = { .country = "MY" };
	struct csv_report rep;
	struct csv_in *c = NULL;
	struct import_item it;
	struct err e = {0};
	bool fatal;
	FILE *f;
	int rc;

	if ((f = fmemopen((void *)text, len, "r")) == NULL)
		return;
	if (csv_validate(m, f, &o, &rep, &e) == 0) {
		if (rep.invalid && rep.nissues == 0 && !rep.truncated)
			abort();
		csv_report_free(&rep);
	} else if (e.status == 0)
		abort();
	rewind(f);
	if (csv_open(m, f, &c, &e) == 0) {
		while ((rc = csv_next(c, &it, &fatal, &e)) != 0) {
			if (rc == 1)
				json_decref(it.report);
			else if (e.status == 0)
				abort();
			else if (fatal)
				break;
		}
		csv_close(c);
	} else if (e.status == 0)
		abort();
	fclose(f);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_t *j;
	struct err e;

	(void)argc;
	(void)argv;
	if (normalise_init() == -1)
		abort();
	if ((j = json_loads(MAP, 0, NULL)) == NULL || csv_map_parse(j, &bank, &e) == -1)
		abort();
	json_decref(j);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == '{') {
		struct csv_map *m = NULL;
		struct err e = {0};
		json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
		if (j == NULL)
			return 0;
		if (json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH) && csv_map_parse(j, &m, &e) == 0) {
			run(m, BATCH, sizeof(BATCH) - 1);
			csv_map_free(m);
		} else if (json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH) && e.status == 0)
			abort();
		json_decref(j);
		return 0;
	}
	run(bank, (const char *)data, size);
	return 0;
}
