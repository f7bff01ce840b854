/* cmd_import.c - import and check from the shell. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"

static void
import_progress(void *ctx, const struct import_stats *s)
{
	progress_update(ctx, s->bytes);
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' }, { "skip", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' }, { "fast", no_argument, NULL, 'F' },
		{ "alt", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' }, { "mapping", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *format = "reports-jsonl", *file, *alt = NULL, *mapping = NULL;
	bool dry_run = false;
	int64_t skip = 0;
	bool json = false;
	int flags = 0;
	struct import_stats st;
	struct progress pg;
	struct node *n = NULL;
	struct err e = {0};
	struct stat sb;
	FILE *in;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'f': format = optarg; break;
		case 's':
			if (parse_i64(optarg, strlen(optarg), &skip) == -1 || skip < 0)
				return cli_fail(2, "--skip must be a line count");
			break;
		case 'j': json = true; break;
		case 'F': flags |= NODE_SYNC_FAST; break;
		case 'A': alt = optarg; break;
		case 'm': mapping = optarg; break;
		case 'n': dry_run = true; break;
		case 'h':
			puts("usage: simpul import --db FILE --agency ID [--format reports-jsonl] [--skip N] [--json] FILE|-\n"
			    "       simpul import --db FILE --agency ID --format csv --mapping MAP.json [--dry-run] [--json] FILE|-\n"
			    "       simpul import --db FILE --agency ID --format stix|misp [--dry-run] [--json] FILE|-\n"
			    "       simpul import --db FILE --agency ID --format persons-jsonl|un-xml FILE\n"
			    "       simpul import --db FILE --agency ID --format ofac-csv [--alt alt.csv] sdn.csv\n\n"
			    "Imports reports, one JSON object per line in the shape of POST /api/v1/reports,\n"
			    "as agency ID. Each report's selectors are normalised and matched against the\n"
			    "other agencies' records; one audit entry names each 1,000 reports. Commits\n"
			    "about once a second: when a line is bad the import stops naming it and the\n"
			    "line to resume from; --skip N resumes after the first N lines. A progress bar\n"
			    "shows on a terminal.\n"
			    "  --fast  synchronous=NORMAL (safe against a crash of the process, not of the machine)\n\n"
			    "CSV (bank and telco batches): MAP.json says which column feeds which report\n"
			    "field (docs/internals/formats.md); each row becomes one report. The whole file\n"
			    "is checked first: any bad row is reported (row, line, column, field, reason)\n"
			    "and nothing is written. Rows already imported by the agency (same content)\n"
			    "are skipped, so running the same import again changes nothing and resumes an\n"
			    "interrupted one.\n"
			    "  --mapping MAP.json  the column-mapping file (required with --format csv)\n"
			    "  --dry-run           only check: print the validation report, write nothing\n"
			    "                      (exit 0 when every row is valid, 1 otherwise)\n\n"
			    "STIX 2.1: each report or grouping of the bundle becomes a report of agency ID;\n"
			    "its indicators (simple patterns: [type:prop = 'v' AND ...]) and observables\n"
			    "become selectors, TLP 2.0 and Simpul markings its markings. Indicators and\n"
			    "observables outside any report become one more report. Every report is checked\n"
			    "before anything is written; a bundle imported again changes nothing.\n\n"
			    "MISP event JSON: each event becomes a report; selector attributes and the\n"
			    "bank-account, phone-number, coin-address and person objects become selectors;\n"
			    "tlp: tags and distribution levels become markings (docs/internals/formats.md).\n\n"
			    "persons-jsonl: one person a line, {\"ref\",\"names\":[...],\"dob\"?,\"nationality\":[...]?,\n"
			    "\"documents\":[{\"type\",\"country\",\"number\"}]?}. ofac-csv: the OFAC SDN CSV with its\n"
			    "alt.csv (--alt); un-xml: the UN Security Council consolidated list. Only individuals\n"
			    "are imported, as persons with role sanctioned, shared with all law enforcement.");
			return 0;
		default: return 2;
		}
	}
	if (optind != argc - 1)
		return cli_fail(2, "import needs exactly one FILE (or - for standard input)");
	if (db == NULL || agency == NULL)
		return cli_fail(2, "import needs --db FILE and --agency ID");
	if (strcmp(format, "persons-jsonl") == 0 || strcmp(format, "ofac-csv") == 0 || strcmp(format, "un-xml") == 0)
		return cmd_import_persons(db, agency, format, argv[optind], alt, json, flags);
	if (strcmp(format, "csv") == 0)
		return import_csv(db, agency, argv[optind], mapping, dry_run, json, flags);
	if (strcmp(format, "stix") == 0 && mapping == NULL)
		return import_stix(db, agency, argv[optind], dry_run, json, flags);
	if (strcmp(format, "misp") == 0 && mapping == NULL)
		return import_misp(db, agency, argv[optind], dry_run, json, flags);
	if (mapping != NULL || dry_run)
		return cli_fail(2, "--mapping goes with --format csv, --dry-run with csv, stix or misp");
	if (strcmp(format, "reports-jsonl") != 0)
		return cli_fail(2, "--format %s: one of reports-jsonl, csv, stix, misp, persons-jsonl, ofac-csv, un-xml", format);
	file = argv[optind];
	if (strcmp(file, "-") == 0)
		in = stdin;
	else if ((in = fopen(file, "r")) == NULL)
		return cli_fail(1, "%s: cannot open", file);
	if (access(db, F_OK) != 0) {
		rc = cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
		goto out;
	}
	/* A one-shot writer: its writes look their keys up in the store. */
	if (node_open(db, flags | NODE_NO_FILTER | NODE_BULK, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	progress_start(&pg, "importing", in != stdin && fstat(fileno(in), &sb) == 0 ? (uint64_t)sb.st_size : 0);
	rc = node_import_reports(n, agency, in, (uint64_t)skip, import_progress, &pg, &st, &e);
	progress_end(&pg);
	if (rc == -1) {
		rc = cli_fail(1, "%s%s%s (%llu reports committed, through line %llu: fix the line, then "
		    "resume with --skip %llu)", e.msg, e.field[0] ? "; field " : "", e.field,
		    (unsigned long long)st.committed_reports, (unsigned long long)st.committed_lines,
		    (unsigned long long)st.committed_lines);
		goto out;
	}
	if (json)
		printf("{\"lines\":%llu,\"reports\":%llu,\"selectors\":%llu}\n", (unsigned long long)st.lines,
		    (unsigned long long)st.reports, (unsigned long long)st.selectors);
	else
		printf("imported %llu reports (%llu selectors) for %s\n", (unsigned long long)st.reports,
		    (unsigned long long)st.selectors, agency);
	rc = 0;
out:
	node_close(n);
	if (in != stdin)
		fclose(in);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "country", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *country = NULL, *key = NULL;
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = "cli check" };
	struct node *n = NULL;
	struct err e = {0};
	json_t *body, *sel, *out = NULL, *tmp;
	struct sbuf sb;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'c': country = optarg; break;
		case 'k': key = optarg; break;
		case 'h':
			puts("usage: simpul check --db FILE --agency ID (--key KEY | TYPE VALUE [--country CC])\n\n"
			    "Checks one selector as agency ID would through POST /api/v1/check (same policy\n"
			    "gate, audited), and prints the JSON answer.");
			return 0;
		default: return 2;
		}
	}
	if (db == NULL || agency == NULL)
		return cli_fail(2, "check needs --db FILE and --agency ID");
	if (key)
		sel = json_pack("{s:s}", "key", key);
	else if (optind == argc - 2)
		sel = json_pack("{s:s, s:s}", "type", argv[optind], "value", argv[optind + 1]);
	else
		return cli_fail(2, "check needs --key KEY or TYPE VALUE");
	if (country)
		json_object_set_new(sel, "country", json_string(country));
	body = json_pack("{s:[o]}", "selectors", sel);
	if (node_open(db, 0, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	if (node_agency_get(n, agency, &p.agency) != 0) {
		rc = cli_fail(1, "no agency %s", agency);
		goto out;
	}
	str_copy(p.id, sizeof(p.id), "cli");
	p.role = kind_is_private(p.agency.kind) ? ROLE_PARTNER : ROLE_ANALYST;
	sbuf_init(&sb, 64u * 1024u * 1024u);
	if (node_check(n, &c, body, &sb, &e) == -1) {
		sbuf_free(&sb);
		rc = cli_fail(1, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		goto out;
	}
	tmp = json_loads(sb.ptr, 0, NULL);
	sbuf_free(&sb);
	out = tmp;
	char *s = json_dumps(out, JSON_INDENT(2));
	puts(s ? s : "{}");
	free(s);
	rc = 0;
out:
	json_decref(body);
	json_decref(out);
	node_close(n);
	return rc;
}
