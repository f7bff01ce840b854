/* cmd_ppp.c - `simpul screen`: bulk screening of a partner's file of
 * accounts, numbers or URLs through the check path (issue 7 §5). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "ppp.h"

static int
screen_progress(void *ctx, const struct screen_stats *s)
{
	progress_update(ctx, s->bytes);
	return 0;
}

int
cmd_screen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' }, { "out", required_argument, NULL, 'o' },
		{ "purpose", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *fmt = NULL, *outpath = NULL, *path;
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = "bulk screening (cli)" };
	struct screen_stats st;
	struct progress pg;
	struct node *n = NULL;
	struct err e = {0};
	struct stat sb;
	FILE *in = NULL, *out = NULL;
	bool json = false;
	int ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': outpath = optarg; break;
		case 'p': c.purpose = optarg; break;
		case 'j': json = true; break;
		case 'h':
			puts("usage: simpul screen --db FILE --agency ID [--format csv|jsonl] [--out RESULTS]\n"
			    "                     [--purpose TEXT] [--json] INPUT\n\n"
			    "Screens every account, number or URL in INPUT (\"-\" = stdin) as agency ID would\n"
			    "through POST /api/v1/check (same policy gate; one audit entry per 1,000 lines),\n"
			    "streaming: the file is read line by line, never held whole.\n"
			    "INPUT is CSV with a header line naming the columns (type,value and optionally\n"
			    "country,bank,provider,chain,platform; or key; other columns are ignored) or JSON\n"
			    "lines of check items ({\"type\":\"bank_account\",\"value\":\"...\",\"country\":\"MY\"}).\n"
			    "The format is taken from --format, else from the name (.csv, .jsonl), else CSV.\n"
			    "RESULTS (default stdout) has one line per input line, in the same format:\n"
			    "  line,key,valid,flagged,reports,since,error\n"
			    "A line that cannot be read or normalised gets its error; the others are checked.\n"
			    "A progress bar shows on a terminal. --json prints a summary as JSON on stderr.");
			return 0;
		default: return 2;
		}
	}
	if (db == NULL || agency == NULL || optind != argc - 1)
		return cli_fail(2, "screen needs --db FILE --agency ID and one INPUT file (see --help)");
	path = argv[optind];
	if (fmt == NULL) {
		size_t l = strlen(path);
		fmt = l > 6 && strcmp(path + l - 6, ".jsonl") == 0 ? "jsonl" :
		    l > 7 && strcmp(path + l - 7, ".ndjson") == 0 ? "jsonl" : "csv";
	}
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "jsonl") != 0)
		return cli_fail(2, "--format must be csv or jsonl");
	if ((in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r")) == NULL)
		return cli_fail(1, "%s: cannot open", path);
	if ((out = outpath ? fopen(outpath, "w") : stdout) == NULL) {
		rc = cli_fail(1, "%s: cannot write", outpath);
		goto out;
	}
	if (node_open(db, 0, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	if (node_agency_get(n, agency, &p.agency) != 0) {
		rc = cli_fail(1, "no agency %s (add it with `simpul agency add`)", agency);
		goto out;
	}
	str_copy(p.id, sizeof(p.id), "cli");
	p.role = kind_is_private(p.agency.kind) ? ROLE_PARTNER : ROLE_ANALYST;
	progress_start(&pg, "screening", in != stdin && fstat(fileno(in), &sb) == 0 ? (uint64_t)sb.st_size : 0);
	if (ppp_screen(n, &c, in, strcmp(fmt, "csv") == 0 ? SCREEN_CSV : SCREEN_JSONL, out,
	    screen_progress, &pg, &st, &e) == -1) {
		progress_end(&pg);
		rc = cli_fail(1, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		goto out;
	}
	progress_end(&pg);
	if (json)
		fprintf(stderr, "{\"lines\":%llu,\"checked\":%llu,\"flagged\":%llu,\"errors\":%llu}\n",
		    (unsigned long long)st.lines, (unsigned long long)st.checked,
		    (unsigned long long)st.flagged, (unsigned long long)(st.lines - st.checked));
	else
		fprintf(stderr, "simpul: screened %llu lines: %llu flagged, %llu not readable\n",
		    (unsigned long long)st.lines, (unsigned long long)st.flagged,
		    (unsigned long long)(st.lines - st.checked));
	rc = 0;
out:
	if (in && in != stdin)
		fclose(in);
	if (out && out != stdout && fclose(out) != 0 && rc == 0)
		rc = cli_fail(1, "%s: could not write the results", outpath);
	node_close(n);
	return rc;
}
