/* test_csv.c - CSV bulk import (src/lib/csvimport.c): the mapping file and
 * its errors, the RFC 4180 reader (quotes, line breaks in cells, CRLF,
 * byte-order mark, limits), cell conversions (dates, amounts, value maps),
 * the dry-run report (row, line, column, field, reason), and the import
 * through the core's pipeline on a real SQLite file: idempotent re-import,
 * key columns, and an interrupted import that resumes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "csvimport.h"
#include "normalise.h"
#include "store.h"

static json_t *
J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

static const char *BANK_MAP =
    "{\"report\": {\"reference\": {\"column\": \"case_id\"},"
    "  \"reported_at\": {\"column\": \"date\", \"format\": \"DD/MM/YYYY\"},"
    "  \"scam_type\": {\"column\": \"type\", \"map\": {\"Investment\": \"investment\", \"Job\": \"job\"}},"
    "  \"narrative\": {\"column\": \"note\"},"
    "  \"loss\": {\"amount\": {\"column\": \"amount\"}, \"currency\": \"MYR\"}},"
    " \"selectors\": ["
    "  {\"type\": \"bank_account\", \"value\": {\"column\": \"account\"}, \"bank\": {\"column\": \"bank\"},"
    "   \"country\": \"MY\", \"role\": \"mule_account\", \"required\": true},"
    "  {\"type\": \"phone\", \"value\": {\"column\": \"phone\"}, \"role\": \"scammer_contact\"}],"
    " \"markings\": {\"tlp\": \"AMBER\", \"releasable_to\": [\"MEMBERS\"]}}";

static const char *HDR = "case_id,date,type,amount,account,bank,phone,note\n";

static struct csv_map *
map_of(const char *text)
{
	struct csv_map *m = NULL;
	struct err e = {0};
	json_t *j = J(text);

	if (csv_map_parse(j, &m, &e) != 0)
		fail_msg("mapping: %s: %s", e.field, e.msg);
	json_decref(j);
	return m;
}

static int
map_err(const char *text, struct err *e)
{
	struct csv_map *m = NULL;
	json_t *j = J(text);
	int rc = csv_map_parse(j, &m, e);

	json_decref(j);
	csv_map_free(m);
	return rc;
}

/* Read every row of text under m; returns the reports as a JSON array. */
static json_t *
read_all(struct csv_map *m, const char *text, struct err *e, int *rc_out)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct csv_in *c = NULL;
	json_t *all = json_array();
	struct import_item it;
	bool fatal;
	int rc;

	assert_non_null(f);
	if (csv_open(m, f, &c, e) == -1) {
		fclose(f);
		*rc_out = -2;
		return all;
	}
	while ((rc = csv_next(c, &it, &fatal, e)) == 1)
		json_array_append_new(all, it.report);
	*rc_out = rc;
	csv_close(c);
	fclose(f);
	return all;
}

static int
validate(struct csv_map *m, const char *text, struct csv_report *rep)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct csv_validate_opts o = { .country = "MY" };
	struct err e = {0};
	int rc = csv_validate(m, f, &o, rep, &e);

	fclose(f);
	return rc;
}

/* ---- mapping ------------------------------------------------------------ */

static void
test_mapping_errors_name_the_key(void **state)
{
	struct err e = {0};

	(void)state;
	assert_int_equal(map_err("{\"selectors\": [{\"type\": \"phone\", \"value\": {\"column\": \"p\"},"
	    " \"colour\": \"red\"}]}", &e), -1);
	assert_string_equal(e.field, "selectors[0]");
	assert_non_null(strstr(e.msg, "colour"));
	assert_int_equal(map_err("{\"report\": {\"reported_at\": {\"column\": \"d\", \"format\": \"D/M/Y\"}},"
	    " \"selectors\": []}", &e), -1);
	assert_string_equal(e.field, "report.reported_at.format");
	assert_int_equal(map_err("{\"selectors\": [{\"type\": \"phone\"}]}", &e), -1);
	assert_string_equal(e.field, "selectors[0]");
	assert_int_equal(map_err("{\"delimiter\": \";;\", \"selectors\": []}", &e), -1);
	assert_string_equal(e.field, "delimiter");
	assert_int_equal(map_err("{\"selectors\": [{\"type\": \"phone\", \"value\": {\"column\": 0}}]}", &e), -1);
	assert_string_equal(e.field, "selectors[0].value.column");
	assert_int_equal(map_err("{\"markings\": {\"tlp\": \"PURPLE\"}, \"selectors\":"
	    " [{\"type\": \"phone\", \"value\": {\"column\": 1}}]}", &e), -1);
	assert_non_null(strstr(e.field, "tlp"));
	assert_int_equal(map_err("{\"selectors\": []}", &e), -1);   /* nothing to import */
	assert_int_equal(map_err("{\"report\": {\"loss\": {\"amount\": {\"column\": \"a\"}}},"
	    " \"selectors\": [{\"type\": \"phone\", \"value\": {\"column\": 1}}]}", &e), -1);
	assert_string_equal(e.field, "report.loss");
}

static void
test_missing_column_is_named(void **state)
{
	struct csv_map *m = map_of(BANK_MAP);
	struct err e = {0};
	int rc;
	json_t *all = read_all(m, "case_id,date,type,amount,acct,bank,phone,note\n", &e, &rc);

	(void)state;
	assert_int_equal(rc, -2);
	assert_string_equal(e.field, "selectors[0].value");
	assert_non_null(strstr(e.msg, "\"account\""));
	json_decref(all);
	csv_map_free(m);
}

/* ---- reader and conversions ---------------------------------------------- */

static void
test_rows_become_reports(void **state)
{
	struct csv_map *m = map_of(BANK_MAP);
	struct err e = {0};
	char text[1024];
	json_t *all, *r, *s;
	int rc;

	(void)state;
	/* BOM, CRLF, a quoted cell with the delimiter, a doubled quote and a
	 * line break, an amount with a thousands separator, an empty phone. */
	snprintf(text, sizeof(text), "\xEF\xBB\xBF%s"
	    "C1,01/02/2025,Investment,\"1,234.50\",1234567890,MBBEMYKL,012-345 6789,\"said \"\"hi\"\",\r\nthen left\"\r\n"
	    "\r\n"
	    "C2 , 02/02/2025 ,Job,100,9876543210,CIBBMYKL,,\n", HDR);
	all = read_all(m, text, &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_array_size(all), 2);
	r = json_array_get(all, 0);
	assert_string_equal(json_string_value(json_object_get(r, "reference")), "C1");
	assert_string_equal(json_string_value(json_object_get(r, "reported_at")), "2025-02-01");
	assert_string_equal(json_string_value(json_object_get(r, "scam_type")), "investment");
	assert_string_equal(json_string_value(json_object_get(r, "narrative")), "said \"hi\",\r\nthen left");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "loss"), "amount")), 123450);
	s = json_object_get(r, "selectors");
	assert_int_equal(json_array_size(s), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 0), "bank")), "MBBEMYKL");
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 1), "value")), "012-345 6789");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "markings"), "tlp")), "AMBER");
	r = json_array_get(all, 1);
	assert_string_equal(json_string_value(json_object_get(r, "reference")), "C2");   /* trimmed */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "loss"), "amount")), 10000);
	assert_int_equal(json_array_size(json_object_get(r, "selectors")), 1);      /* empty phone left out */
	json_decref(all);
	csv_map_free(m);
}

static void
test_syntax_errors_name_the_line(void **state)
{
	struct csv_map *m = map_of(BANK_MAP);
	struct err e = {0};
	char text[512];
	json_t *all;
	int rc;

	(void)state;
	snprintf(text, sizeof(text), "%sC1,01/02/2025,Job,1,123,B,,ok\nC2,01/02/2025,Job,1,123,B,,\"never closed\n\n", HDR);
	all = read_all(m, text, &e, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(json_array_size(all), 1);
	assert_non_null(strstr(e.msg, "never closed (it starts on line 3)"));
	json_decref(all);

	snprintf(text, sizeof(text), "%sC1,01/02/2025,Job,1,123,B,,\"a\"b\n", HDR);
	all = read_all(m, text, &e, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "line 2, cell 8"));
	json_decref(all);
	csv_map_free(m);
}

static void
test_dry_run_reports_row_column_field_reason(void **state)
{
	struct csv_map *m = map_of(BANK_MAP);
	struct csv_report rep;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s"
	    "C1,31/02/2025,Job,10,1234567890,MBBEMYKL,,\n"          /* bad date */
	    "C2,01/02/2025,Job,12.345,1234567890,MBBEMYKL,,\n"     /* three decimals */
	    "C3,01/02/2025,Job,10,,MBBEMYKL,,\n"                   /* required account empty */
	    "C4,01/02/2025,Weird,10,1234567890,MBBEMYKL,,\n"       /* not a code */
	    "C5,01/02/2025,Job,10,1234567890,MBBEMYKL,,\n"         /* fine */
	    "C6,01/02/2025,Job,10,1234567890\n"                    /* short row */
	    "C7,01/02/2025,Job,10,1234567890,MBBEMYKL,\xff,\n"     /* not UTF-8 */
	    "C5,01/02/2025,Job,10,1234567890,MBBEMYKL,,\n"         /* same as C5 */
	    "C8,01/02/2025,Job,10,1234567890,MBBEMYKL,,\n", HDR);  /* fine */
	assert_int_equal(validate(m, text, &rep), 0);
	assert_int_equal(rep.rows, 9);
	assert_int_equal(rep.valid, 3);
	assert_int_equal(rep.invalid, 6);
	assert_int_equal(rep.duplicates_in_file, 1);
	assert_int_equal(rep.nissues, 6);
	assert_false(rep.syntax_error);
	assert_int_equal(rep.issues[0].row, 1);
	assert_int_equal(rep.issues[0].line, 2);
	assert_string_equal(rep.issues[0].column, "date");
	assert_string_equal(rep.issues[0].field, "reported_at");
	assert_string_equal(rep.issues[1].column, "amount");
	assert_string_equal(rep.issues[1].field, "loss.amount");
	assert_string_equal(rep.issues[2].column, "account");
	assert_string_equal(rep.issues[2].field, "selectors[0].value");
	assert_non_null(strstr(rep.issues[2].reason, "requires"));
	assert_string_equal(rep.issues[3].column, "type");
	assert_string_equal(rep.issues[3].field, "scam_type");
	assert_int_equal(rep.issues[4].row, 6);
	assert_non_null(strstr(rep.issues[4].reason, "5 cells, the header 8"));
	assert_string_equal(rep.issues[5].column, "phone");
	assert_non_null(strstr(rep.issues[5].reason, "UTF-8"));
	{
		json_t *j = csv_report_json(&rep);
		assert_int_equal(json_array_size(json_object_get(j, "errors")), 6);
		json_decref(j);
	}
	csv_report_free(&rep);
	csv_map_free(m);
}

static void
test_normaliser_errors_map_back_to_columns(void **state)
{
	struct csv_map *m = map_of("{\"selectors\": [{\"type\": \"phone\", \"value\": {\"column\": \"msisdn\"}},"
	    " {\"type\": {\"column\": \"kind\"}, \"value\": {\"column\": \"v\"}, \"country\": {\"column\": \"cc\"}}]}");
	struct csv_report rep;

	(void)state;
	assert_int_equal(validate(m, "msisdn,kind,v,cc\n,nonsense,x,MY\n0123456789,phone,0123,Malaysia\n", &rep), 0);
	assert_int_equal(rep.invalid, 2);
	/* The empty msisdn is left out: the second mapped selector is the
	 * report's first, and its type came from column "kind". */
	assert_string_equal(rep.issues[0].field, "selectors[0].type");
	assert_string_equal(rep.issues[0].column, "kind");
	assert_string_equal(rep.issues[1].field, "selectors[1].country");
	assert_string_equal(rep.issues[1].column, "cc");
	csv_report_free(&rep);
	csv_map_free(m);
}

static void
test_syntax_error_stops_the_dry_run(void **state)
{
	struct csv_map *m = map_of(BANK_MAP);
	struct csv_report rep;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "%sC1,01/02/2025,Job,1,1234567890,B,,\"open\nC2,01/02/2025,Job,1,1,B,,\n", HDR);
	assert_int_equal(validate(m, text, &rep), 0);
	assert_true(rep.syntax_error);
	assert_int_equal(rep.invalid, 1);
	assert_non_null(strstr(rep.issues[0].reason, "never closed"));
	csv_report_free(&rep);
	csv_map_free(m);
}

static void
test_positions_without_header_and_limits(void **state)
{
	struct csv_map *m = map_of("{\"header\": false, \"delimiter\": \";\", \"selectors\":"
	    " [{\"type\": \"crypto\", \"value\": {\"column\": 2}, \"chain\": {\"column\": 1}}]}");
	struct err e = {0};
	json_t *all;
	int rc;
	struct sbuf big;

	(void)state;
	all = read_all(m, "Arbitrum;0x00000000dd0412366388639b1101544fff2dce8d;Fraud\n", &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_array_size(all), 1);
	json_decref(all);
	/* More cells than SIMPUL_MAX_CSV_COLUMNS in one record. */
	sbuf_init(&big, 1u << 20);
	for (int i = 0; i <= SIMPUL_MAX_CSV_COLUMNS; i++)
		sbuf_adds(&big, "a;");
	sbuf_adds(&big, "\n");
	all = read_all(m, big.ptr, &e, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(e.status, 413);
	json_decref(all);
	sbuf_free(&big);
	csv_map_free(m);
}

/* ---- import through the core ------------------------------------------ */

struct fx {
	char         dir[64], path[128];
	struct node *n;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct principal admin;
	struct reqctx c = { .p = &admin, .purpose = "test" };
	struct agency a = { .id = "MY-BANK1", .country = "MY", .kind = AK_BANK, .name = "bank" };
	char tok[128];
	struct err e = {0};

	str_copy(f->dir, sizeof(f->dir), "/tmp/spl-csv-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	if (node_open(f->path, NODE_CREATE | NODE_SYNC_FAST, &f->n, &e) != 0 ||
	    node_init(f->n, "NODE-ADMIN", "MY", tok, sizeof(tok), &e) != 0 ||
	    node_authenticate(f->n, tok, &admin, &e) != 0 ||
	    node_agency_add(f->n, &c, &a, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	node_close(f->n);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t
count_reports(struct fx *f)
{
	struct store *st;
	struct store_stats ss;
	struct err e = {0};

	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	assert_int_equal(store_stats(st, &ss), 0);
	store_close(st);
	return ss.reports;
}

static int
import_text(struct fx *f, struct csv_map *m, const char *text, struct import_stats *st, struct err *e)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct csv_in *c = NULL;
	struct import_source src;
	int rc;

	assert_non_null(in);
	assert_int_equal(csv_open(m, in, &c, e), 0);
	csv_source(c, &src);
	rc = node_import_source(f->n, "MY-BANK1", &src, 0, NULL, NULL, st, e);
	csv_close(c);
	fclose(in);
	return rc;
}

static char *
bank_batch(int rows, int bad_row)
{
	struct sbuf b;

	sbuf_init(&b, 64u << 20);
	sbuf_adds(&b, HDR);
	for (int i = 1; i <= rows; i++)
		sbuf_printf(&b, "CASE-%d,01/02/2025,Job,%d.50,%010d,MBBEMYKL,,%s\n", i, i,
		    700000000 + i, i == bad_row ? "\"open" : "");
	return sbuf_steal(&b);
}

static void
test_reimport_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct csv_map *m = map_of(BANK_MAP);
	struct import_stats st;
	struct err e = {0};
	char *text = bank_batch(2500, 0);
	unsigned char dg[32];

	assert_int_equal(import_text(f, m, text, &st, &e), 0);
	assert_int_equal(st.reports, 2500);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(count_reports(f), 2500);
	assert_int_equal(import_text(f, m, text, &st, &e), 0);
	assert_int_equal(st.items, 2500);
	assert_int_equal(st.reports, 0);
	assert_int_equal(st.duplicates, 2500);
	assert_int_equal(count_reports(f), 2500);
	/* A dry run sees them as imported. */
	{
		FILE *in = fmemopen(text, strlen(text), "r");
		struct csv_in *c = NULL;
		struct import_item it;
		bool fatal;
		char rid[SIMPUL_ID_LEN + 1];
		assert_int_equal(csv_open(m, in, &c, &e), 0);
		assert_int_equal(csv_next(c, &it, &fatal, &e), 1);
		memcpy(dg, it.digest, 32);
		json_decref(it.report);
		csv_close(c);
		fclose(in);
		assert_int_equal(node_import_seen(f->n, "MY-BANK1", dg, rid, &e), 1);
		assert_int_equal(strlen(rid), SIMPUL_ID_LEN);
		dg[0] ^= 1;
		assert_int_equal(node_import_seen(f->n, "MY-BANK1", dg, NULL, &e), 0);
	}
	free(text);
	csv_map_free(m);
}

static void
test_interrupted_import_resumes(void **state)
{
	struct fx *f = *state;
	struct csv_map *m = map_of(BANK_MAP);
	struct import_stats st;
	struct err e = {0};
	char *bad = bank_batch(2500, 1500), *good = bank_batch(2500, 0);

	/* Row 1500 has a syntax error: with a commit per batch the first
	 * batch (1,000 rows) stays, the second is rolled back, the error names
	 * the line. */
	node_set_import_commit_ms(f->n, 0);
	assert_int_equal(import_text(f, m, bad, &st, &e), -1);
	assert_non_null(strstr(e.msg, "line 1501"));
	assert_int_equal(count_reports(f), 1000);
	/* The corrected file: the committed rows are skipped, the rest go in. */
	assert_int_equal(import_text(f, m, good, &st, &e), 0);
	assert_int_equal(st.duplicates, 1000);
	assert_int_equal(st.reports, 1500);
	assert_int_equal(count_reports(f), 2500);
	free(bad);
	free(good);
	csv_map_free(m);
}

static void
test_key_columns(void **state)
{
	struct fx *f = *state;
	struct csv_map *m = map_of("{\"key_columns\": [\"txn\"], \"report\": {\"narrative\": {\"column\": \"note\"}},"
	    " \"selectors\": [{\"type\": \"phone\", \"value\": {\"column\": \"msisdn\"}}]}");
	struct import_stats st;
	struct err e = {0};

	assert_int_equal(import_text(f, m, "txn,msisdn,note\nT1,0123456789,first\n", &st, &e), 0);
	assert_int_equal(st.reports, 1);
	/* Same transaction id, corrected note: the same row, not imported again. */
	assert_int_equal(import_text(f, m, "txn,msisdn,note\nT1,0123456789,second\nT2,0123456780,x\n", &st, &e), 0);
	assert_int_equal(st.reports, 1);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(count_reports(f), 2);
	csv_map_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping_errors_name_the_key),
		cmocka_unit_test(test_missing_column_is_named),
		cmocka_unit_test(test_rows_become_reports),
		cmocka_unit_test(test_syntax_errors_name_the_line),
		cmocka_unit_test(test_dry_run_reports_row_column_field_reason),
		cmocka_unit_test(test_normaliser_errors_map_back_to_columns),
		cmocka_unit_test(test_syntax_error_stops_the_dry_run),
		cmocka_unit_test(test_positions_without_header_and_limits),
		cmocka_unit_test_setup_teardown(test_reimport_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_import_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_columns, setup, teardown),
	};

	if (normalise_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
