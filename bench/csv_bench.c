/* bench/csv_bench.c - where a CSV import's CPU goes, in one process, on one
 * file: the reader alone (csv_next_record), the reader and the mapping to
 * report JSON with the row digest (csv_next, what the import pipeline's
 * source does per row), and that plus report_parse (validation and
 * normalisation: the core's per-row work on its reader thread, and what the
 * check pass and the dry run do). bench/csv_import.py builds and runs it
 * (and prints the end-to-end figures and the baselines beside it).
 *
 *   csv_bench MAPPING.json FILE.csv [COUNTRY]
 *
 * Prints one line per stage: "stage rows seconds rows/s MB/s" (CPU time of
 * this process, so that other load on the machine counts less). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvimport.h"
#include "model.h"
#include "normalise.h"

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
line(const char *stage, unsigned long long rows, double secs, unsigned long long bytes)
{
	printf("%s %llu %.3f %.0f %.1f\n", stage, rows, secs, secs > 0 ? (double)rows / secs : 0,
	    secs > 0 ? (double)bytes / secs / 1e6 : 0);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct csv_map *m = NULL;
	struct err e = { 0 };
	const char *country = argc > 3 ? argv[3] : "MY";
	unsigned long long bytes;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: csv_bench MAPPING.json FILE.csv [COUNTRY]\n");
		return 2;
	}
	if (normalise_init() == -1 || csv_map_load(argv[1], &m, &e) == -1) {
		fprintf(stderr, "csv_bench: %s\n", e.msg[0] ? e.msg : "normalise_init failed");
		return 1;
	}
	if ((f = fopen(argv[2], "rb")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	bytes = (unsigned long long)ftell(f);
	for (int stage = 0; stage < 3; stage++) {
		struct csv_in *c = NULL;
		unsigned long long rows = 0;
		double t0;
		int rc, nc;

		rewind(f);
		t0 = cpu_now();
		if (csv_open(m, f, &c, &e) == -1) {
			fprintf(stderr, "csv_bench: %s\n", e.msg);
			return 1;
		}
		for (;;) {
			struct import_item it;
			struct report r;
			bool fatal = false;

			if (stage == 0) {
				if ((rc = csv_next_record(c, &nc, &e)) != 1)
					break;
				rows++;
				continue;
			}
			memset(&it, 0, sizeof(it));
			if ((rc = csv_next(c, &it, &fatal, &e)) == 0)
				break;
			if (rc == -1) {
				fprintf(stderr, "csv_bench: %s\n", e.msg);
				if (fatal)
					break;
				continue;
			}
			rows++;
			if (stage == 2) {
				if (report_parse(it.report, country, &r, &e) == 0)
					report_free(&r);
				else
					fprintf(stderr, "csv_bench: row %llu: %s: %s\n", rows, e.field, e.msg);
			}
			json_decref(it.report);
		}
		if (rc == -1 && stage == 0) {
			fprintf(stderr, "csv_bench: %s\n", e.msg);
			return 1;
		}
		csv_close(c);
		line(stage == 0 ? "reader" : stage == 1 ? "reader+mapping+digest" : "reader+mapping+digest+report_parse",
		    rows, cpu_now() - t0, bytes);
	}
	fclose(f);
	csv_map_free(m);
	return 0;
}
