/* csvimport.h - CSV bulk import (bank and telco batches) under a
 * column-mapping file: the mapping says which column feeds which field of a
 * report (the shape of POST /api/v1/reports), each row becomes one report.
 *
 * Two uses: csv_validate() reads a whole file and reports every bad row
 * (row, line, column, field, reason) without writing anything (the dry run,
 * and the check before a real import); csv_source() hands the rows to the
 * core's import pipeline (node_import_source, core.h) with a content digest
 * per row, so importing the same file again changes nothing.
 * docs/internals/formats.md describes the mapping file. */
#ifndef SIMPUL_CSVIMPORT_H
#define SIMPUL_CSVIMPORT_H

#include <jansson.h>
#include <stdio.h>

#include "core.h"
#include "util.h"

struct csv_map;   /* a parsed mapping file */
struct csv_in;    /* an open CSV file read under a mapping */

/* Parse a mapping (JSON). Errors name the mapping's key ("selectors[1].value.format"). */
int  csv_map_parse(const json_t *j, struct csv_map **out, struct err *e);
int  csv_map_load(const char *path, struct csv_map **out, struct err *e);
void csv_map_free(struct csv_map *m);

/* Start reading in under m: reads the header row when the mapping has one
 * and resolves the column names. -1 with e when a mapped column is missing. */
int  csv_open(const struct csv_map *m, FILE *in, struct csv_in **out, struct err *e);
void csv_close(struct csv_in *c);

/* The next row as a report: 1 (it->report owned by the caller, it->digest
 * set), 0 at the end, -1 with e naming the row, line and column. A syntax
 * error (an unterminated quote, a record over the limits) leaves the reader
 * unusable; a bad cell does not: *fatal tells which. */
int  csv_next(struct csv_in *c, struct import_item *it, bool *fatal, struct err *e);
uint64_t csv_rows(const struct csv_in *c);   /* data rows read so far */
/* The reader alone, no mapping (bench/csv_bench.c): the next record and
 * its number of cells. 1, 0 at the end, -1 a syntax error (as csv_next). */
int  csv_next_record(struct csv_in *c, int *ncells, struct err *e);

/* An import_source over c (for node_import_source). src->ctx is c. */
void csv_source(struct csv_in *c, struct import_source *src);

/* What a dry run found. */
struct csv_issue {
	uint64_t row, line;     /* data row (1 = first after the header), physical line */
	char     column[64];    /* CSV column name (or #N), empty when the row as a whole */
	char     field[128];    /* report field, e.g. selectors[0].value */
	char     reason[256];
};
struct csv_report {
	uint64_t rows, valid, invalid, duplicates_in_file, already_imported, bytes;
	struct csv_issue *issues;       /* the first SIMPUL_MAX_CSV_ISSUES */
	size_t   nissues;
	bool     truncated;             /* more issues than listed */
	bool     syntax_error;          /* reading stopped at issues[nissues-1] */
};
/* seen(ctx, digests, n): how many of the n digests were already imported,
 * or -1 (may be NULL; called with batches of up to 1,024). progress(ctx,
 * rows, bytes) now and then (may be NULL). country: default region for
 * national-format phone numbers (the importing agency's). */
struct csv_validate_opts {
	const char *country;
	int  (*seen)(void *ctx, const unsigned char (*digests)[32], size_t n);
	void (*progress)(void *ctx, uint64_t rows, uint64_t bytes);
	void  *ctx;
};
int  csv_validate(const struct csv_map *m, FILE *in, const struct csv_validate_opts *o,
    struct csv_report *rep, struct err *e);
json_t *csv_report_json(const struct csv_report *rep);
void csv_report_free(struct csv_report *rep);

#endif
