/* cmd_formats.c - the exchange formats from the shell: CSV bulk import
 * (simpul import --format csv). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "csvimport.h"

struct seenctx {
	struct node *n;
	const char  *agency;
	struct progress *pg;
};

static int
seen_cb(void *ctx, const unsigned char digest[32])
{
	struct seenctx *s = ctx;
	struct err e;

	return node_import_seen(s->n, s->agency, digest, NULL, &e);
}

static void
check_progress(void *ctx, uint64_t rows, uint64_t bytes)
{
	struct seenctx *s = ctx;

	(void)rows;
	progress_update(s->pg, bytes);
}

static void
rows_progress(void *ctx, const struct import_stats *st)
{
	progress_update(ctx, st->items);
}

static void
print_report(const struct csv_report *rep, const char *file)
{
	for (size_t i = 0; i < rep->nissues; i++) {
		const struct csv_issue *is = &rep->issues[i];
		fprintf(stderr, "%s: row %llu (line %llu)", file, (unsigned long long)is->row,
		    (unsigned long long)is->line);
		if (is->column[0])
			fprintf(stderr, ", column \"%s\"", is->column);
		if (is->field[0])
			fprintf(stderr, " -> %s", is->field);
		fprintf(stderr, ": %s\n", is->reason);
	}
	if (rep->truncated)
		fprintf(stderr, "%s: ... and %llu more bad rows\n", file,
		    (unsigned long long)(rep->invalid - rep->nissues));
	printf("%llu rows: %llu valid, %llu invalid, %llu repeated within the file, %llu already imported%s\n",
	    (unsigned long long)rep->rows, (unsigned long long)rep->valid,
	    (unsigned long long)rep->invalid, (unsigned long long)rep->duplicates_in_file,
	    (unsigned long long)rep->already_imported,
	    rep->syntax_error ? " (reading stopped at a syntax error)" : "");
}

int
import_csv(const char *db, const char *agency, const char *file, const char *mapping,
    bool dry_run, bool json, int node_flags)
{
	struct csv_map *m = NULL;
	struct csv_in *c = NULL;
	struct csv_report rep = { 0 };
	struct node *n = NULL;
	struct agency ag;
	struct err e = { 0 };
	struct progress pg;
	struct stat sb;
	FILE *in = NULL;
	bool is_stdin = strcmp(file, "-") == 0;
	int rc = 1;

	if (mapping == NULL)
		return cli_fail(2, "--format csv needs --mapping MAP.json (docs/internals/formats.md)");
	if (dry_run && is_stdin)
		return cli_fail(2, "--dry-run reads a file, not standard input");
	if (csv_map_load(mapping, &m, &e) == -1)
		return cli_fail(1, "%s: %s%s%s", mapping, e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.msg);
	if (is_stdin)
		in = stdin;
	else if ((in = fopen(file, "r")) == NULL) {
		rc = cli_fail(1, "%s: cannot open", file);
		goto out;
	}
	if (access(db, F_OK) != 0) {
		rc = cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
		goto out;
	}
	if (node_open(db, node_flags, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	if (node_agency_get(n, agency, &ag) != 0) {
		rc = cli_fail(1, "no agency %s: add it first with `simpul agency add`", agency);
		goto out;
	}

	/* The check: every row, before anything is written. */
	if (!is_stdin) {
		struct seenctx sc = { n, agency, &pg };
		struct csv_validate_opts o = { .country = ag.country, .seen = seen_cb,
			.progress = check_progress, .ctx = &sc };
		progress_start(&pg, "checking", fstat(fileno(in), &sb) == 0 ? (uint64_t)sb.st_size : 0);
		if (csv_validate(m, in, &o, &rep, &e) == -1) {
			progress_end(&pg);
			rc = cli_fail(1, "%s: %s", file, e.msg);
			goto out;
		}
		progress_end(&pg);
		if (json && (dry_run || rep.invalid)) {
			json_t *j = csv_report_json(&rep);
			char *s;
			json_object_set_new(j, "dry_run", json_boolean(dry_run));
			s = json_dumps(j, JSON_COMPACT);
			puts(s ? s : "{}");
			free(s);
			json_decref(j);
		} else if (dry_run || rep.invalid)
			print_report(&rep, file);
		if (rep.invalid) {
			if (!dry_run)
				fprintf(stderr, "simpul: %s: %llu bad rows; nothing was imported\n", file,
				    (unsigned long long)rep.invalid);
			rc = 1;
			goto out;
		}
		if (dry_run) {
			rc = 0;
			goto out;
		}
		rewind(in);
	}

	/* The import, through the core's pipeline. */
	{
		struct import_source src;
		struct import_stats st;
		if (csv_open(m, in, &c, &e) == -1) {
			rc = cli_fail(1, "%s: %s%s%s", file, e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.msg);
			goto out;
		}
		csv_source(c, &src);
		progress_start(&pg, "importing", rep.rows);
		rc = node_import_source(n, agency, &src, 0, rows_progress, &pg, &st, &e);
		progress_end(&pg);
		if (rc == -1) {
			rc = cli_fail(1, "%s: %s (%llu rows committed before it; run the same command "
			    "again to resume: imported rows are skipped)", file, e.msg,
			    (unsigned long long)(st.items - st.items % 1000));
			goto out;
		}
		if (json)
			printf("{\"rows\":%llu,\"imported\":%llu,\"duplicates\":%llu,\"selectors\":%llu,"
			    "\"matches\":%llu}\n", (unsigned long long)st.items,
			    (unsigned long long)st.reports, (unsigned long long)st.duplicates,
			    (unsigned long long)st.selectors, (unsigned long long)st.matches);
		else
			printf("%llu rows: imported %llu reports (%llu selectors, %llu matches) for %s; "
			    "%llu rows were already imported\n", (unsigned long long)st.items,
			    (unsigned long long)st.reports, (unsigned long long)st.selectors,
			    (unsigned long long)st.matches, agency, (unsigned long long)st.duplicates);
		rc = 0;
	}
out:
	csv_close(c);
	csv_report_free(&rep);
	node_close(n);
	csv_map_free(m);
	if (in != NULL && in != stdin)
		fclose(in);
	return rc;
}
