/* cmd_formats.c - the exchange formats from the shell: CSV bulk import
 * (simpul import --format csv). */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "csvimport.h"
#include "formats_node.h"
#include "misp.h"
#include "stix.h"

struct seenctx {
	struct node *n;
	const char  *agency;
	struct progress *pg;
};

static int
seen_cb(void *ctx, const unsigned char (*digests)[32], size_t n)
{
	struct seenctx *s = ctx;
	struct err e;

	return node_import_seen_many(s->n, s->agency, digests, n, &e);
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

/* When the check pass found rows imported before, the import's source
 * drops them itself (a lookup on the import's reader thread) instead of
 * handing them to the pipeline to be parsed, normalised and refused by the
 * writer's claim: re-importing a file costs about a dry run. A row imported
 * meanwhile by another process is still caught by the claim. */
#define SKIP_BATCH 256

struct skipsrc {
	struct import_source inner;
	struct node         *n;
	const char          *agency;
	uint64_t             skipped;
	struct import_item   buf[SKIP_BATCH];
	unsigned char        dg[SKIP_BATCH][32];
	size_t               nbuf, pos;
	bool                 done;
	int                  last_rc;
	struct err           last_e;
};

/* Read a batch ahead; one read snapshot tells how many were imported: all
 * (the usual re-import) are dropped at once, none are kept, and a mixed
 * batch (where an interrupted import stopped) is looked up row by row. */
static int
skip_fill(struct skipsrc *s, struct err *e)
{
	int cnt;

	s->nbuf = s->pos = 0;
	while (s->nbuf < SKIP_BATCH) {
		struct import_item *it = &s->buf[s->nbuf];
		int rc;
		memset(it, 0, sizeof(*it));
		if ((rc = s->inner.next(s->inner.ctx, it, &s->last_e)) != 1) {
			s->done = true;
			s->last_rc = rc;
			break;
		}
		memcpy(s->dg[s->nbuf], it->digest, 32);
		s->nbuf++;
	}
	if (s->nbuf == 0)
		return 0;
	if ((cnt = node_import_seen_many(s->n, s->agency, (const unsigned char (*)[32])s->dg, s->nbuf, e)) == -1)
		return -1;
	for (size_t i = 0; cnt > 0 && i < s->nbuf; i++) {
		int seen = (size_t)cnt == s->nbuf ? 1 : s->buf[i].has_digest ?
		    node_import_seen(s->n, s->agency, s->buf[i].digest, NULL, e) : 0;
		if (seen == -1)
			return -1;
		if (seen == 1) {
			json_decref(s->buf[i].report);
			s->buf[i].report = NULL;
			s->skipped++;
		}
	}
	return 0;
}

static int
skip_next(void *ctx, struct import_item *it, struct err *e)
{
	struct skipsrc *s = ctx;

	for (;;) {
		while (s->pos < s->nbuf) {
			struct import_item *b = &s->buf[s->pos++];
			if (b->report != NULL) {
				*it = *b;
				b->report = NULL;
				return 1;
			}
		}
		if (s->done) {
			if (s->last_rc == -1)
				*e = s->last_e;
			return s->last_rc;
		}
		if (skip_fill(s, e) == -1)
			return -1;
	}
}

static void
skip_free(struct skipsrc *s)
{
	for (size_t i = s->pos; i < s->nbuf; i++)
		json_decref(s->buf[i].report);
	s->nbuf = s->pos = 0;
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
	if (node_open(db, node_flags | NODE_NO_FILTER | NODE_BULK, &n, &e) == -1) {
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
		static struct skipsrc sk;   /* large; one import per process */
		memset(&sk, 0, sizeof(sk));
		sk.n = n;
		sk.agency = agency;
		if (csv_open(m, in, &c, &e) == -1) {
			rc = cli_fail(1, "%s: %s%s%s", file, e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.msg);
			goto out;
		}
		csv_source(c, &src);
		if (rep.already_imported > 0) {
			sk.inner = src;
			src.next = skip_next;
			src.ctx = &sk;
		}
		progress_start(&pg, "importing", rep.rows - rep.already_imported);
		rc = node_import_source(n, agency, &src, 0, rows_progress, &pg, &st, &e);
		skip_free(&sk);
		progress_end(&pg);
		if (rc == -1) {
			rc = cli_fail(1, "%s: %s (%llu rows committed before it; run the same command "
			    "again to resume: imported rows are skipped)", file, e.msg,
			    (unsigned long long)(st.items - st.items % 1000 + sk.skipped));
			goto out;
		}
		st.items += sk.skipped;
		st.duplicates += sk.skipped;
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

/* ---- simpul export ------------------------------------------------------ */

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' }, { "report", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' }, { "purpose", required_argument, NULL, 'p' },
		{ "network", required_argument, NULL, 'N' }, { "person", required_argument, NULL, 'P' },
		{ "notice", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *format = "stix", *outpath = NULL, *purpose = "cli export";
	const char *ids[SIMPUL_MAX_EXPORT_REPORTS], *network = NULL, *kind = "report";
	json_t *persons = NULL, *notices = NULL, *info = NULL;
	size_t nids = 0;
	int kinds = 0;
	struct principal p;
	struct reqctx c = { .p = &p };
	struct node *n = NULL;
	struct err e = {0};
	json_t *reports = NULL, *agencies = NULL, *bundle = NULL;
	struct stix_out *b = NULL;
	FILE *out = stdout;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'f': format = optarg; break;
		case 'o': outpath = optarg; break;
		case 'p': purpose = optarg; break;
		case 'N':
			network = optarg;
			kinds |= 2;
			break;
		case 'r':
		case 'P':
		case 'T':
			if (nids == SIMPUL_MAX_EXPORT_REPORTS)
				return cli_fail(2, "at most %d records", SIMPUL_MAX_EXPORT_REPORTS);
			kind = ch == 'r' ? "report" : ch == 'P' ? "person" : "notice";
			kinds |= ch == 'r' ? 1 : ch == 'P' ? 4 : 8;
			ids[nids++] = optarg;
			break;
		case 'h':
			puts("usage: simpul export --db FILE --agency ID --format stix|misp --report ID [--report ID ...]\n"
			    "       simpul export --db FILE --agency ID --format stix|misp --network NET_ID\n"
			    "       simpul export --db FILE --agency ID --format stix --person ID [--person ID ...]\n"
			    "       simpul export --db FILE --agency ID --format stix --notice ID [--notice ID ...]\n"
			    "                     [--out FILE] [--purpose TEXT]\n\n"
			    "Exports reports as a STIX 2.1 bundle (or MISP events), as an analyst of agency ID\n"
			    "would through GET /api/v1/export/stix (misp): each report must be fully visible to the agency and\n"
			    "shareable onward (originator-controlled records leave only with their\n"
			    "originator); the export is audited. Writes the bundle to standard output or FILE.\n"
			    "--network: the network's reports the agency may share onward, linked through their own\n"
			    "selectors, and a grouping of them (the number left out is printed on standard error).\n"
			    "--person, --notice: persons (identity objects) and notices (report objects, with the\n"
			    "persons they name that the agency may share).\n\n"
			    "simpul export --format stix-extensions prints Simpul's STIX extension-definition\n"
			    "objects (markings, properties, and the phone-number, bank-account,\n"
			    "cryptocurrency-wallet and simpul-selector observables) that bundles refer to.");
			return 0;
		default: return 2;
		}
	}
	c.purpose = purpose;
	if (strcmp(format, "stix-extensions") == 0) {
		/* Simpul's extension definitions: no database, nothing audited. */
		json_t *defs = stix_extension_definitions();
		rc = json_dumpf(defs, stdout, JSON_INDENT(1)) == -1 ? 1 : 0;
		putchar('\n');
		json_decref(defs);
		return rc;
	}
	if (db == NULL || agency == NULL || kinds == 0)
		return cli_fail(2, "export needs --db FILE, --agency ID and --report, --network, --person or --notice");
	if (kinds != 1 && kinds != 2 && kinds != 4 && kinds != 8)
		return cli_fail(2, "export one kind at a time: --report, --network, --person or --notice");
	if (strcmp(format, "stix") != 0 && strcmp(format, "misp") != 0)
		return cli_fail(2, "--format %s: use stix, misp (or stix-extensions)", format);
	if (strcmp(format, "misp") == 0 && kinds > 2)
		return cli_fail(2, "MISP export carries reports and networks; export persons and notices as STIX");
	if (access(db, F_OK) != 0)
		return cli_fail(1, "%s: no such database", db);
	if (node_open(db, 0, &n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	memset(&p, 0, sizeof(p));
	if (node_agency_get(n, agency, &p.agency) != 0) {
		rc = cli_fail(1, "no agency %s", agency);
		goto done;
	}
	str_copy(p.id, sizeof(p.id), "cli");
	p.role = kind_is_private(p.agency.kind) ? ROLE_PARTNER : ROLE_ANALYST;
	if (network ? node_export_network(n, &c, network, format, &reports, &agencies, &info, &e) :
	    strcmp(kind, "report") == 0 ? node_export_reports(n, &c, ids, nids, format, &reports, &agencies, &e) :
	    node_export_records(n, &c, kind, ids, nids, format, &persons, &notices, &agencies, &e)) {
		rc = cli_fail(1, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		goto done;
	}
	if (info)
		fprintf(stderr, "network %s: %lld reports exported, %lld left out (not yours to share onward, "
		    "or linked only through those)\n", network, (long long)json_integer_value(json_object_get(info, "reports")),
		    (long long)json_integer_value(json_object_get(info, "withheld")));
	if (strcmp(format, "misp") == 0)
		bundle = misp_events(reports, agencies);
	else if ((b = stix_out_new()) == NULL ||
	    (network ? stix_add_network(b, network, reports, agencies, p.agency.id, &e) :
	    reports ? stix_add_reports(b, reports, agencies, &e) :
	    stix_add_persons(b, persons, agencies, &e) == -1 ? -1 : stix_add_notices(b, notices, agencies, &e)) == -1 ||
	    (bundle = stix_bundle(b)) == NULL) {
		rc = cli_fail(1, "could not build the bundle: %s", e.msg);
		goto done;
	}
	if (outpath && (out = fopen(outpath, "w")) == NULL) {
		rc = cli_fail(1, "%s: cannot write", outpath);
		goto done;
	}
	if (json_dumpf(bundle, out, JSON_INDENT(1)) == -1 || fputc('\n', out) == EOF ||
	    (out != stdout && fclose(out) != 0)) {
		rc = cli_fail(1, "%s: write failed", outpath ? outpath : "standard output");
		goto done;
	}
	rc = 0;
done:
	stix_out_free(b);
	json_decref(bundle);
	json_decref(reports);
	json_decref(agencies);
	json_decref(persons);
	json_decref(notices);
	json_decref(info);
	node_close(n);
	return rc;
}

/* ---- simpul import --format stix ---------------------------------------- */

/* Reports handed over one by one from an array (STIX, MISP), with a digest
 * of their source object so importing the same file again changes nothing. */
struct arrsrc {
	json_t     *reports;   /* each with "src_key" (stripped) */
	size_t      i;
};

static int
arr_next(void *ctx, struct import_item *it, struct err *e)
{
	struct arrsrc *a = ctx;
	json_t *r;
	const char *k;

	(void)e;
	if (a->i >= json_array_size(a->reports))
		return 0;
	r = json_deep_copy(json_array_get(a->reports, a->i));
	a->i++;
	k = json_string_value(json_object_get(r, "src_key"));
	crypto_generichash(it->digest, 32, (const unsigned char *)(k ? k : ""), k ? strlen(k) : 0, NULL, 0);
	it->has_digest = true;
	json_object_del(r, "src_key");
	it->report = r;
	it->line = a->i;
	it->bytes = a->i;
	return 1;
}

/* Check every report (report_parse) before anything is written; print the
 * problems naming the source object. Returns the number of bad ones. */
static size_t
check_reports(const json_t *reports, const char *country, const char *file, const char *what, json_t *errs)
{
	const json_t *r;
	size_t i, bad = 0;

	json_array_foreach(reports, i, r) {
		json_t *c = json_deep_copy(r);
		struct report rep;
		struct err e = {0};
		const char *src = json_string_value(json_object_get(r, "src_key"));
		json_object_del(c, "src_key");
		if (report_parse(c, country, &rep, &e) == 0)
			report_free(&rep);
		else {
			bad++;
			fprintf(stderr, "%s: %s %s: %s%s%s\n", file, what, src ? src : "?", e.field,
			    e.field[0] ? ": " : "", e.msg);
			if (json_array_size(errs) < SIMPUL_MAX_CSV_ISSUES)
				json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "object", src ? src : "",
				    "field", e.field, "reason", e.msg));
		}
		json_decref(c);
	}
	return bad;
}

static int
import_reports_array(const char *db, const char *agency, const char *file, json_t *reports,
    const json_t *skipped, const json_t *persons, const json_t *notices, const char *what, bool dry_run,
    bool json, int node_flags)
{
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = "import" };
	struct records_stats rs = { 0 };
	size_t nrec = json_array_size(persons) + json_array_size(notices);
	struct node *n = NULL;
	struct agency ag;
	struct err e = {0};
	json_t *errs = json_array();
	size_t bad;
	int rc = 1;

	if (access(db, F_OK) != 0) {
		rc = cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
		goto out;
	}
	if (node_open(db, node_flags | NODE_NO_FILTER | NODE_BULK, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	if (node_agency_get(n, agency, &ag) != 0) {
		rc = cli_fail(1, "no agency %s: add it first with `simpul agency add`", agency);
		goto out;
	}
	bad = check_reports(reports, ag.country, file, what, errs);
	/* Persons and notices are written as the agency's import principal. */
	memset(&p, 0, sizeof(p));
	p.agency = ag;
	str_copy(p.id, sizeof(p.id), "import");
	p.role = kind_is_private(ag.kind) ? ROLE_PARTNER : ROLE_ANALYST;
	if (nrec && !kind_is_le(ag.kind)) {
		/* Listed as skipped, as a TAXII post lists them as failures. */
		const json_t *it;
		size_t k;
		const json_t *const lists[] = { persons, notices };
		for (int l = 0; l < 2; l++)
			json_array_foreach(lists[l], k, it)
				json_array_append_new((json_t *)skipped, json_pack("{s:O, s:s}", "object",
				    json_object_get(it, "stix_id"), "reason",
				    "persons and notices are for law-enforcement agencies"));
		fprintf(stderr, "%s: %zu persons and notices skipped: they are for law-enforcement agencies, "
		    "and %s is not one\n", file, nrec, agency);
		persons = notices = NULL;
		nrec = 0;
	} else if (nrec) {
		size_t k0 = json_array_size(errs), nb = node_check_records(persons, notices, errs);
		for (size_t k = k0; k < json_array_size(errs); k++) {
			const json_t *x = json_array_get(errs, k);
			fprintf(stderr, "%s: %s: %s%s%s\n", file, json_string_value(json_object_get(x, "object")),
			    json_string_value(json_object_get(x, "field")),
			    *json_string_value(json_object_get(x, "field")) ? ": " : "",
			    json_string_value(json_object_get(x, "reason")));
		}
		bad += nb;
	}
	if (dry_run || bad) {
		if (json) {
			json_t *j = json_pack("{s:I, s:I, s:I, s:O, s:O, s:b, s:I, s:I}", "reports",
			    (json_int_t)json_array_size(reports), "valid", (json_int_t)(json_array_size(reports) + nrec - bad),
			    "invalid", (json_int_t)bad, "errors", errs, "skipped", skipped, "dry_run", dry_run,
			    "persons", (json_int_t)json_array_size(persons), "notices", (json_int_t)json_array_size(notices));
			char *s = json_dumps(j, JSON_COMPACT);
			puts(s ? s : "{}");
			free(s);
			json_decref(j);
		} else
			printf("%zu reports, %zu persons, %zu notices: %zu valid, %zu invalid; %zu objects skipped "
			    "(no Simpul meaning)\n", json_array_size(reports), json_array_size(persons),
			    json_array_size(notices), json_array_size(reports) + nrec >= bad ?
			    json_array_size(reports) + nrec - bad : 0, bad, json_array_size(skipped));
		if (bad && !dry_run)
			fprintf(stderr, "simpul: %s: %zu bad reports or records; nothing was imported\n", file, bad);
		rc = bad ? 1 : 0;
		goto out;
	}
	{
		struct arrsrc a = { reports, 0 };
		struct import_source src = { arr_next, &a };
		struct import_stats st;
		if (json_array_size(reports) && node_import_source(n, agency, &src, 0, NULL, NULL, &st, &e) == -1) {
			rc = cli_fail(1, "%s: %s%s%s (run the same command again to resume: imported reports are skipped)",
			    file, e.field, e.field[0] ? ": " : "", e.msg);
			goto out;
		}
		if (json_array_size(reports) == 0)
			memset(&st, 0, sizeof(st));
		if (nrec && node_import_records(n, &c, persons, notices, &rs, &e) == -1) {
			rc = cli_fail(1, "%s: %s%s%s (run the same command again to resume: imported records are skipped)",
			    file, e.field, e.field[0] ? ": " : "", e.msg);
			goto out;
		}
		if (json)
			printf("{\"reports\":%llu,\"imported\":%llu,\"duplicates\":%llu,\"selectors\":%llu,"
			    "\"matches\":%llu,\"skipped\":%zu,\"persons\":%llu,\"notices\":%llu,"
			    "\"records_duplicates\":%llu,\"dropped_subjects\":%llu}\n", (unsigned long long)st.items,
			    (unsigned long long)st.reports, (unsigned long long)st.duplicates,
			    (unsigned long long)st.selectors, (unsigned long long)st.matches, json_array_size(skipped),
			    (unsigned long long)rs.persons, (unsigned long long)rs.notices,
			    (unsigned long long)rs.duplicates, (unsigned long long)rs.dropped_subjects);
		else
			printf("imported %llu reports (%llu selectors, %llu matches), %llu persons and %llu notices "
			    "for %s; %llu reports and %llu persons or notices were already imported; %zu objects "
			    "skipped (no Simpul meaning)\n", (unsigned long long)st.reports,
			    (unsigned long long)st.selectors, (unsigned long long)st.matches,
			    (unsigned long long)rs.persons, (unsigned long long)rs.notices, agency,
			    (unsigned long long)st.duplicates, (unsigned long long)rs.duplicates, json_array_size(skipped));
		rc = 0;
	}
out:
	json_decref(errs);
	node_close(n);
	return rc;
}

/* Read a JSON file (bounded), naming line and column on error. */
static json_t *
load_json_file(const char *file, size_t max)
{
	json_error_t je;
	json_t *j;
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		cli_fail(1, "%s: cannot open", file);
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		if (f != stdin)
			fclose(f);
		cli_fail(1, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > max) {
		free(buf);
		cli_fail(1, "%s: larger than %zu bytes", file, max);
		return NULL;
	}
	j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (j == NULL)
		cli_fail(1, "%s: line %d, column %d: %s", file, je.line, je.column, je.text);
	else if (!json_depth_ok(j, 64)) {
		cli_fail(1, "%s: nested deeper than 64 levels", file);
		json_decref(j);
		j = NULL;
	}
	return j;
}

int
import_stix(const char *db, const char *agency, const char *file, bool dry_run, bool json, int node_flags)
{
	struct err e = {0};
	json_t *b, *out = NULL, *r;
	size_t i;
	int rc;

	if ((b = load_json_file(file, SIMPUL_MAX_STIX_BYTES)) == NULL)
		return 1;
	if (stix_to_reports(b, &out, &e) == -1) {
		json_decref(b);
		return cli_fail(1, "%s: %s%s%s", file, e.field, e.field[0] ? ": " : "", e.msg);
	}
	json_array_foreach(json_object_get(out, "reports"), i, r) {
		char k[300];
		snprintf(k, sizeof(k), "stix|%s|%s", json_string_value(json_object_get(r, "stix_id")),
		    json_string_value(json_object_get(r, "stix_modified")));
		json_object_del(r, "stix_id");
		json_object_del(r, "stix_modified");
		json_object_set_new(r, "src_key", json_string(k));
	}
	rc = import_reports_array(db, agency, file, json_object_get(out, "reports"),
	    json_object_get(out, "skipped"), json_object_get(out, "persons"), json_object_get(out, "notices"),
	    "STIX report", dry_run, json, node_flags);
	json_decref(out);
	json_decref(b);
	return rc;
}

/* ---- simpul import --format misp ---------------------------------------- */

int
import_misp(const char *db, const char *agency, const char *file, bool dry_run, bool json, int node_flags)
{
	struct err e = {0};
	struct node *n = NULL;
	struct agency ag;
	json_t *in, *out = NULL;
	int rc;

	if ((in = load_json_file(file, SIMPUL_MAX_STIX_BYTES)) == NULL)
		return 1;
	/* The importing agency's country: distribution "this community". */
	if (access(db, F_OK) != 0 || node_open(db, node_flags | NODE_NO_FILTER | NODE_BULK, &n, &e) == -1 || node_agency_get(n, agency, &ag) != 0) {
		node_close(n);
		json_decref(in);
		return cli_fail(1, "%s: cannot open it, or no agency %s there", db, agency);
	}
	node_close(n);
	if (misp_to_reports(in, ag.country, &out, &e) == -1) {
		json_decref(in);
		return cli_fail(1, "%s: %s%s%s", file, e.field, e.field[0] ? ": " : "", e.msg);
	}
	rc = import_reports_array(db, agency, file, json_object_get(out, "reports"),
	    json_object_get(out, "skipped"), json_object_get(out, "persons"), NULL, "MISP event", dry_run, json,
	    node_flags);
	json_decref(out);
	json_decref(in);
	return rc;
}
