/* cmd_generic.c - `simpul generic`: the generic-value rules, warning lists
 * and overrides from the console (issue 4 §2), e.g. while the daemon runs:
 * the daemon applies a change within its next refresh (0.2 s), through the
 * rules' generation counter. Like the other administration commands,
 * whoever can open the database file acts for the agency it names, as its
 * administrator; every change is audited (principal "cli"). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core.h"
#include "node_net.h"
#include "simpul_limits.h"

static const char usage_text[] =
    "usage: simpul generic show     --db FILE --agency ID [--key KEY] [--json]\n"
    "       simpul generic override --db FILE --agency ID --reason TEXT KEY link|generic|none\n"
    "       simpul generic rules    --db FILE --agency ID --max-reports N --min-agencies N\n"
    "       simpul generic list     --db FILE --agency ID LIST.json   (a MISP warning list)\n\n"
    "A selector stops linking reports into networks when it is on a warning list, or when\n"
    "more than max-reports reports from at least min-agencies agencies name it. An\n"
    "override (link: always links; generic: never; none: back to the rules) wins over both.\n"
    "ID is a law-enforcement agency: the change is made and audited as its administrator.\n"
    "A running daemon on the same database applies changes within a fraction of a second.";

static int
open_as(const char *db, const char *agency, struct node **n, struct principal *p)
{
	struct err e = {0};

	if (node_open(db, NODE_NO_FILTER, n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	memset(p, 0, sizeof(*p));
	if (node_agency_get(*n, agency, &p->agency) != 0)
		return cli_fail(1, "no agency %s (add it with `simpul agency add`)", agency);
	str_copy(p->id, sizeof(p->id), "cli");
	p->role = ROLE_ADMIN;
	return 0;
}

int
cmd_generic(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' }, { "reason", required_argument, NULL, 'r' },
		{ "max-reports", required_argument, NULL, 'M' }, { "min-agencies", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *key = NULL, *reason = NULL, *maxr = NULL, *minr = NULL, *sub;
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = "generic values (cli)" };
	struct node *n = NULL;
	struct err e = {0};
	json_t *out = NULL, *body = NULL;
	bool json = false;
	int ch, rc = 1;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		puts(usage_text);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'k': key = optarg; break;
		case 'r': reason = optarg; break;
		case 'M': maxr = optarg; break;
		case 'm': minr = optarg; break;
		case 'j': json = true; break;
		case 'h': puts(usage_text); return 0;
		default: return 2;
		}
	}
	if (db == NULL || agency == NULL)
		return cli_fail(2, "generic %s needs --db FILE --agency ID (see --help)", sub);
	if (strcmp(sub, "show") == 0) {
		if (optind != argc)
			return cli_fail(2, "generic show takes no arguments (see --help)");
		if (open_as(db, agency, &n, &p) != 0)
			goto out;
		if (node_generic_get(n, &c, key, &out, &e) == -1)
			goto fail;
	} else if (strcmp(sub, "override") == 0) {
		if (optind != argc - 2 || reason == NULL)
			return cli_fail(2, "generic override needs --reason TEXT, a KEY and link|generic|none");
		body = json_pack("{s:s, s:s, s:s}", "key", argv[optind], "mode", argv[optind + 1], "reason", reason);
		if (open_as(db, agency, &n, &p) != 0)
			goto out;
		if (node_generic_override(n, &c, body, &out, &e) == -1)
			goto fail;
	} else if (strcmp(sub, "rules") == 0) {
		int64_t mx, mn;
		if (optind != argc || maxr == NULL || minr == NULL || parse_i64(maxr, strlen(maxr), &mx) == -1 ||
		    parse_i64(minr, strlen(minr), &mn) == -1)
			return cli_fail(2, "generic rules needs --max-reports N --min-agencies N (integers)");
		body = json_pack("{s:I, s:I}", "max_reports", (json_int_t)mx, "min_agencies", (json_int_t)mn);
		if (open_as(db, agency, &n, &p) != 0)
			goto out;
		if (node_generic_rules_set(n, &c, body, &out, &e) == -1)
			goto fail;
	} else if (strcmp(sub, "list") == 0) {
		FILE *f;
		char *text;
		size_t len;
		if (optind != argc - 1)
			return cli_fail(2, "generic list needs one MISP warning list file");
		if ((f = fopen(argv[optind], "r")) == NULL)
			return cli_fail(1, "%s: cannot open", argv[optind]);
		text = malloc(SIMPUL_MAX_BODY + 1);
		len = text ? fread(text, 1, SIMPUL_MAX_BODY + 1, f) : 0;
		fclose(f);
		if (text == NULL || len > SIMPUL_MAX_BODY) {
			free(text);
			return cli_fail(1, "%s: larger than %u bytes", argv[optind], SIMPUL_MAX_BODY);
		}
		if (open_as(db, agency, &n, &p) != 0) {
			free(text);
			goto out;
		}
		rc = node_warninglist_add(n, &c, text, len, &out, &e);
		free(text);
		if (rc == -1)
			goto fail;
	} else {
		return cli_fail(2, "unknown generic command %s (show, override, rules, list; see --help)", sub);
	}
	if (json || strcmp(sub, "show") == 0) {
		char *t = json_dumps(out, json ? JSON_COMPACT : JSON_INDENT(2));
		puts(t ? t : "{}");
		free(t);
	} else {
		fprintf(stderr, "simpul: generic %s done (audited as %s administrator)\n", sub, agency);
	}
	rc = 0;
	goto out;
fail:
	rc = cli_fail(1, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
out:
	json_decref(out);
	json_decref(body);
	node_close(n);
	return rc;
}
